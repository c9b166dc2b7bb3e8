"""What the clouds would compute, for offline runs under the mock engine.

Each module here (one per cloud, no SDK import) defines:

- ``RESOURCES: dict[str, Callable[[dict, str], Optional[dict]]]`` — for a resource type token, a function
  of the resource's inputs and name returning the extra output properties (camelCase wire names) the
  cloud would compute, e.g. a distribution's domain name, or None for a resource of that type that is
  not one of tracking-cdn's (a dynamic resource of another provider). Values unknown before deployment
  are readable placeholders in angle brackets.
- ``CALLS: dict[str, Callable[[dict], dict]]`` — results of data-source invokes by token.

``tracking_cdn.offline.SimulatedCloud`` merges every module's tables; an invoke with no entry goes to the
caller's own mocks or fails loudly.
"""

import importlib
import pkgutil
from typing import Callable, Optional

ResourceFake = Callable[[dict, str], Optional[dict]]
CallFake = Callable[[dict], dict]


def load_tables() -> tuple[dict[str, ResourceFake], dict[str, CallFake]]:
    """Merge ``RESOURCES`` and ``CALLS`` of every module in this package."""
    resources: dict[str, ResourceFake] = {}
    calls: dict[str, CallFake] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        resources.update(getattr(module, "RESOURCES", {}))
        calls.update(getattr(module, "CALLS", {}))
    return resources, calls

"""Unit-test a Pulumi program that uses tracking-cdn's components: offline, with no cloud account and no
Pulumi CLI. Imports no cloud SDK. docs/own-program.md shows both ways with a complete project.

- Pulumi's own way (its unit-testing guide): ``pulumi.runtime.set_mocks(SimulatedCloud(MyMocks()),
  preview=False)`` and ``@pulumi.runtime.test`` tests. ``SimulatedCloud`` gives the resources and lookups
  of tracking-cdn the outputs the cloud would compute, and hands every other resource type and data
  source to your own mocks (``MyMocks``), or answers a data source from ``calls``.
- ``run_offline(program)``: runs the program (a function, or the path of your ``__main__.py`` or project
  directory) and returns an ``OfflineRun``: every resource registered, with its inputs, options and
  outputs, the stack outputs, the warnings and the data sources invoked.

The components also construct under plain Pulumi mocks (outputs = inputs, calls = ``{}``): each value the
cloud would compute and the mocks left out becomes a placeholder naming it, with a warning.

With pytest, add ``pytest_plugins = ["tracking_cdn.testing"]`` to your ``conftest.py`` for the fixtures
``offline_run`` and ``simulated_cloud``; define the fixtures ``tracking_cdn_mocks`` and/or
``tracking_cdn_calls`` there to give them your own mocks and data-source results.
"""

from typing import Any, Callable, Iterator, Mapping, Optional

from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import set_mocks

from .offline import CallResult, OfflineRun, Program, Registration, SimulatedCloud, UnsimulatedCall, run_offline

WARNINGS_FILTER = "ignore::DeprecationWarning:pulumi_.*"
"""The pytest ``filterwarnings`` entry that silences the deprecation notices the provider SDKs issue about
their own classes when imported (dozens per test file; tracking-cdn's own suite uses it). It also hides
any such notice about a class your program uses: leave it out now and then to see them."""

try:
    import pytest
except ImportError:  # the toolkit works without pytest; only the fixtures need it
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    def tracking_cdn_mocks() -> Optional[pulumi_mocks.Mocks]:
        """Your own ``pulumi.runtime.Mocks`` for every resource type and data source tracking-cdn does not
        simulate; None (the default): a resource's inputs are its outputs. Override it in your conftest.py."""
        return None

    @pytest.fixture
    def tracking_cdn_calls() -> Mapping[str, CallResult]:
        """Data-source results by token, e.g. ``{"aws:index/getCallerIdentity:getCallerIdentity":
        {"accountId": "123456789012"}}``; empty by default. Override it in your conftest.py."""
        return {}

    @pytest.fixture
    def offline_run(
        tracking_cdn_mocks: Optional[pulumi_mocks.Mocks], tracking_cdn_calls: Mapping[str, CallResult]
    ) -> Callable[..., OfflineRun]:
        """``run_offline`` with the test's ``tracking_cdn_mocks`` and ``tracking_cdn_calls``:
        ``offline_run(program, config=..., calls=...)`` (``calls`` adds to the fixture's)."""

        def run(program: Program, *, calls: Optional[Mapping[str, CallResult]] = None, **options: Any) -> OfflineRun:
            options.setdefault("mocks", tracking_cdn_mocks)
            return run_offline(program, calls={**tracking_cdn_calls, **(calls or {})}, **options)

        return run

    @pytest.fixture
    def simulated_cloud(
        tracking_cdn_mocks: Optional[pulumi_mocks.Mocks], tracking_cdn_calls: Mapping[str, CallResult]
    ) -> Iterator[SimulatedCloud]:
        """``pulumi.runtime.set_mocks`` with a ``SimulatedCloud`` over the test's ``tracking_cdn_mocks`` and
        ``tracking_cdn_calls``, for tests written with ``@pulumi.runtime.test``; yields the cloud (its
        ``invokes`` lists the data sources the test invoked)."""
        cloud = SimulatedCloud(tracking_cdn_mocks, tracking_cdn_calls)
        set_mocks(cloud, preview=False)
        yield cloud


__all__ = [
    "CallResult", "OfflineRun", "Program", "Registration", "SimulatedCloud", "UnsimulatedCall", "WARNINGS_FILTER",
    "run_offline",
]

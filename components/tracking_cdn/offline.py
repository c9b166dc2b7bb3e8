"""Run a Pulumi program offline under the SDK's mock engine and record what it registers.

Used by ``tracking-cdn plan`` and by the tests. Each run installs fresh mocks and a fresh root
stack, so runs are independent. Cloud-computed outputs come from ``tracking_cdn.simulated``; an
invoke (data-source lookup) without a simulated result raises instead of returning nothing.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from google.protobuf import json_format
from pulumi.runtime import mocks, rpc, settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from .simulated import load_tables

STACK_TYPE = "pulumi:pulumi:Stack"


class UnsimulatedCall(RuntimeError):
    """A program invoked a data source that the offline engine cannot answer."""


@dataclass
class Registration:
    """One resource registration: what the program asked the engine to create."""

    type: str
    name: str
    urn: str
    id: str
    parent: str
    custom: bool
    protect: bool
    delete_before_replace: bool
    provider: str
    dependencies: list[str]
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    aliases: list[dict[str, Any]] = field(default_factory=list)
    """The ``aliases`` option as the engine received it: ``{"urn": ...}`` or ``{"spec": {...}}`` with
    the spec fields that were set (``name``, ``type``, ``stack``, ``project``, ``parentUrn`` — ``""``
    for the current parent —, ``noParent``); an unset field means "as the resource now is"."""
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    """Input property -> URNs of the resources its value came from, sorted."""
    import_id: str = ""
    """The ``import_`` option: the id of an existing resource Pulumi adopts instead of creating ("" for none)."""
    ignore_changes: list[str] = field(default_factory=list)
    """The ``ignore_changes`` option: input properties whose deployed values a later run keeps."""


@dataclass
class OfflineRun:
    """Everything one offline run registered, in registration order, and the stack's exports."""

    resources: list[Registration]
    stack_outputs: dict[str, Any]
    warnings: list[str]
    invokes: list[str]
    """Tokens of the data-source lookups the program made, in order."""

    def of_type(self, type_token: str) -> list[Registration]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str) -> Registration:
        """The single resource of ``type_token``; fails when there are none or several."""
        found = self.of_type(type_token)
        if len(found) != 1:
            raise AssertionError(f"expected one {type_token}, found {len(found)}: {[r.name for r in found]}")
        return found[0]

    def named(self, name: str) -> Registration:
        found = [r for r in self.resources if r.name == name]
        if len(found) != 1:
            raise AssertionError(f"expected one resource named {name!r}, found {len(found)}")
        return found[0]

    def children_of(self, parent: Registration) -> list[Registration]:
        return [r for r in self.resources if r.parent == parent.urn]


class SimulatedCloud(mocks.Mocks):
    """The cloud of an offline run: each resource's cloud-computed outputs and each data source's result
    from ``tracking_cdn.simulated``; a data source it has no result for raises ``UnsimulatedCall``."""

    def __init__(self) -> None:
        self.resource_fakes, self.call_fakes = load_tables()
        self.invokes: list[str] = []

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[Optional[str], dict]:
        fake = self.resource_fakes.get(args.typ)
        computed = fake(dict(args.inputs), args.name) if fake else {}
        return computed.pop("id", f"{args.name}-id"), {**args.inputs, **computed}

    def call(self, args: mocks.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        self.invokes.append(args.token)
        fake = self.call_fakes.get(args.token)
        if fake is None:
            raise UnsimulatedCall(f"no offline result for the data source {args.token!r}")
        return fake(dict(args.args)), []


@contextmanager
def _event_loop_for_the_call() -> Iterator[None]:
    """An event loop for one engine call in a worker thread, closed when the call ends. The SDK's mock
    monitor needs one there (``_ensure_event_loop`` in ``RegisterResource``, ``ReadResource`` and
    ``Invoke``) and otherwise opens one per worker thread that it never closes: finalised at interpreter
    exit, sometimes after its own socket, such a loop printed "Exception ignored in: BaseEventLoop.__del__
    ... Invalid file descriptor: -1" after ``tracking-cdn plan``. The main thread's loop is the program's:
    left as it is."""
    if threading.current_thread() is threading.main_thread():
        yield
        return
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield
    finally:
        asyncio.set_event_loop(None)
        loop.close()


class _RecordingMonitor(mocks.MockMonitor):
    """A mock monitor that also keeps resource options (parent, protect, ...) and registered outputs,
    and closes the event loop each engine call needs (``_event_loop_for_the_call``)."""

    def __init__(self, cloud: mocks.Mocks) -> None:
        super().__init__(cloud)
        self.registrations: list[Registration] = []
        self.outputs_by_urn: dict[str, dict[str, Any]] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN the Pulumi engine gives the resource (``engine_urn``); the SDK's mock monitor keeps
        only the parent's last type and includes the stack's."""
        return engine_urn(settings.get_project(), settings.get_stack(), parent, type_, name)

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        with _event_loop_for_the_call():
            return self._record(request, super().RegisterResource(request))

    def ReadResource(self, request):  # noqa: N802
        with _event_loop_for_the_call():
            return super().ReadResource(request)

    def Invoke(self, request):  # noqa: N802
        with _event_loop_for_the_call():
            return super().Invoke(request)

    def _record(self, request: Any, response: Any) -> Any:
        """Keep what ``request`` registered (the root stack aside); returns ``response``."""
        if request.type != STACK_TYPE:
            registered = self.resources[response.urn]
            self.registrations.append(
                registration_from_request(
                    request,
                    urn=response.urn,
                    id=registered.id or "",
                    inputs=rpc.deserialize_properties(request.object),
                    outputs=dict(registered.state),
                )
            )
        return response

    def RegisterResourceOutputs(self, request):  # noqa: N802
        # Added to, never replaced: ``set_mocks`` registers an empty root stack of the same URN, and the
        # worker threads of the two registrations may finish in either order.
        self.outputs_by_urn.setdefault(request.urn, {}).update(rpc.deserialize_properties(request.outputs))
        return super().RegisterResourceOutputs(request)


def engine_urn(project: str, stack: str, parent: str, type_: str, name: str) -> str:
    """The URN the Pulumi engine gives a resource: its type qualified by the parent's whole type chain,
    except the root stack's (pulumi/pulumi sdk/go/common/resource/urn.go ``NewURN``)."""
    parent_type = parent.split("::")[2] if parent else STACK_TYPE
    if parent_type != STACK_TYPE:
        type_ = f"{parent_type}${type_}"
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


def registration_from_request(
    request: Any, *, urn: str, id: str, inputs: dict[str, Any], outputs: Optional[dict[str, Any]] = None
) -> Registration:
    """A ``RegisterResourceRequest`` as a ``Registration``: the resource options it carries, with the
    ``urn`` and ``id`` the monitor gave, the ``inputs`` it read and the ``outputs`` it knows so far."""
    return Registration(
        type=request.type,
        name=request.name,
        urn=urn,
        id=id,
        parent=request.parent,
        custom=request.custom,
        protect=bool(request.protect),
        delete_before_replace=request.deleteBeforeReplace,
        provider=request.provider,
        dependencies=sorted(request.dependencies),
        inputs=inputs,
        outputs=outputs or {},
        aliases=_aliases(request),
        property_dependencies={key: sorted(urns.urns) for key, urns in sorted(request.propertyDependencies.items())},
        ignore_changes=list(request.ignoreChanges),
        import_id=request.importId,
    )


def _aliases(request: Any) -> list[dict[str, Any]]:
    """The aliases of a RegisterResourceRequest: full specs (``aliases``, sent when the monitor
    supports alias specs, as the mock monitor does) or plain URNs (``aliasURNs``, older engines)."""
    aliases = [json_format.MessageToDict(alias) for alias in request.aliases]
    return aliases + [{"urn": urn} for urn in request.aliasURNs]


class _WarningCollector:
    """Receives the engine's log calls (``pulumi.log.warn``) during an offline run."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warning(self, message: str, *args: Any) -> None:
        self.warnings.append(message % args if args else message)

    def __getattr__(self, level: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


def run_offline(
    program: Callable[[], None],
    *,
    config: Optional[Mapping[str, Any]] = None,
    secret_keys: tuple[str, ...] = (),
    project: str = "tracking-cdn",
    stack: str = "offline",
) -> OfflineRun:
    """Run ``program`` under the mock engine and return every registration and the stack outputs.

    ``config`` maps ``namespace:key`` to a value; non-strings are JSON-encoded, as the Pulumi CLI
    passes them. Exceptions raised by the program propagate unchanged."""
    cloud = SimulatedCloud()
    monitor = _RecordingMonitor(cloud)
    collector = _WarningCollector()
    mocks.set_mocks(cloud, project=project, stack=stack, preview=False, monitor=monitor, logger=collector)
    settings.SETTINGS.rpc_manager.clear()
    settings.SETTINGS.outputs.clear()
    settings.set_root_resource(None)  # run_in_stack creates this run's own root stack
    set_all_config({key: _config_value(value) for key, value in (config or {}).items()}, list(secret_keys))
    _sync_await(run_in_stack(program))  # on this thread's loop: Outputs made before the run may take part
    stack_urn = monitor.make_urn("", STACK_TYPE, f"{project}-{stack}")
    for registration in monitor.registrations:
        registration.outputs.update(monitor.outputs_by_urn.get(registration.urn, {}))
    return OfflineRun(
        resources=monitor.registrations,
        stack_outputs=monitor.outputs_by_urn.get(stack_urn, {}),
        warnings=collector.warnings,
        invokes=cloud.invokes,
    )


def _config_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


__all__ = [
    "OfflineRun", "Registration", "SimulatedCloud", "UnsimulatedCall", "engine_urn", "registration_from_request",
    "run_offline",
]

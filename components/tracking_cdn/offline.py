"""Run a Pulumi program offline under the SDK's mock engine and record what it registers.

Used by ``tracking-cdn plan``, by the tests, and by programs of your own (``tracking_cdn.testing`` is
the documented entry point). Each run installs fresh mocks and a fresh root stack, so runs are
independent. Cloud-computed outputs of the resource types tracking-cdn creates come from
``tracking_cdn.simulated``; every other type and data source goes to the caller's own mocks and call
results, and a data source nothing answers raises ``UnsimulatedCall`` instead of returning nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import runpy
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Union

from google.protobuf import json_format
from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from . import SHIPPED_NAMESPACE
from .simulated import load_tables

STACK_TYPE = "pulumi:pulumi:Stack"
COMPONENT_TYPE_PREFIX = "tracking-cdn:index:"
"""The type tokens of tracking-cdn's components (``tracking-cdn:index:<ClassName>``)."""


CallResult = Union[Mapping[str, Any], Callable[[dict[str, Any]], Mapping[str, Any]]]
"""A data source's result: its outputs (camelCase wire names, e.g. ``{"accountId": "123456789012"}``), or a
function of the invoke's arguments returning them."""
Program = Union[Callable[[], None], str, "os.PathLike[str]"]
"""A Pulumi program: a function creating resources, or the path of a program file (``__main__.py``) or of
its directory (a Pulumi project, whose ``Pulumi.yaml`` may name it with ``main``)."""


class UnsimulatedCall(RuntimeError):
    """A program invoked a data source that the offline engine cannot answer."""

    def __init__(self, token: str) -> None:
        self.token = token
        super().__init__(
            f"no offline result for the data source {token!r}: answer it with calls={{{token!r}: {{...its outputs, "
            "camelCase...}} (run_offline, tracking_cdn.testing.SimulatedCloud), from your own "
            "pulumi.runtime.Mocks.call, or in a --call-results file (tracking-cdn plan)"
        )


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
    config_read: list[str] = field(default_factory=list)
    """The config keys (``namespace:key``) the program asked for, set or not, sorted."""

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


class SimulatedCloud(pulumi_mocks.Mocks):
    """Pulumi mocks in which the resources and lookups of tracking-cdn behave as the cloud would.

    A resource of a type tracking-cdn creates (a CloudFront distribution, an ACM certificate, a GCP
    address, ...) gets its inputs plus the outputs the cloud would compute (``tracking_cdn.simulated``:
    known values, or readable placeholders in angle brackets). Every other resource goes to ``mocks``,
    your own ``pulumi.runtime.Mocks`` (without them: its inputs as outputs, id ``<name>-id``); the components
    themselves are tracking-cdn's. A data source
    is answered by ``calls`` (token -> result, see ``CallResult``) first, then by tracking-cdn's own
    lookups, then by ``mocks``; one that nothing answers raises ``UnsimulatedCall`` naming its token, never
    an empty result that would leave a component silently wrong."""

    def __init__(
        self, mocks: Optional[pulumi_mocks.Mocks] = None, calls: Optional[Mapping[str, CallResult]] = None
    ) -> None:
        self.resource_fakes, self.call_fakes = load_tables()
        self.mocks = mocks
        self.calls = dict(calls or {})
        self.invokes: list[str] = []
        """Tokens of the data sources invoked, in order."""

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[Optional[str], dict]:
        fake = self.resource_fakes.get(args.typ)
        computed = fake(dict(args.inputs), args.name) if fake else None
        if computed is None:
            if self.mocks is not None and not args.typ.startswith(COMPONENT_TYPE_PREFIX):
                return self.mocks.new_resource(args)
            computed = {}
        return computed.pop("id", f"{args.name}-id"), {**args.inputs, **computed}

    def call(self, args: pulumi_mocks.MockCallArgs) -> Any:
        self.invokes.append(args.token)
        answer = self.calls.get(args.token)
        if answer is not None:
            return dict(answer(dict(args.args)) if callable(answer) else answer), []
        fake = self.call_fakes.get(args.token)
        if fake is not None:
            return fake(dict(args.args)), []
        if self.mocks is not None:
            return self.mocks.call(args)
        raise UnsimulatedCall(args.token)


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


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that also keeps resource options (parent, protect, ...) and registered outputs,
    and closes the event loop each engine call needs (``_event_loop_for_the_call``)."""

    def __init__(self, cloud: pulumi_mocks.Mocks) -> None:
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
    program: Program,
    *,
    config: Optional[Mapping[str, Any]] = None,
    secret_keys: tuple[str, ...] = (),
    project: Optional[str] = None,
    stack: str = "offline",
    mocks: Optional[pulumi_mocks.Mocks] = None,
    calls: Optional[Mapping[str, CallResult]] = None,
) -> OfflineRun:
    """Run ``program`` under the mock engine and return every registration and the stack outputs.

    ``program`` is a function, or the path of a program file or project directory (``Program``), run as
    the Pulumi CLI runs it: as ``__main__``, its directory first on ``sys.path`` and as the working
    directory; the modules it imports from there are forgotten afterwards, so the next run imports them
    afresh. The cloud is a ``SimulatedCloud`` over ``mocks`` (your own ``pulumi.runtime.Mocks``, which
    answer every resource type and data source tracking-cdn does not simulate) and ``calls`` (data source
    results by token). ``config`` maps ``namespace:key`` to a value; non-strings are JSON-encoded, as the
    Pulumi CLI passes them. ``project`` (the namespace ``pulumi.Config()`` reads) defaults to the name in
    the project directory's ``Pulumi.yaml``, else ``tracking-cdn``. Exceptions raised by the program
    propagate unchanged."""
    location = None if callable(program) else program_location(Path(program))
    if project is None:
        project = location.project if location is not None and location.project else SHIPPED_NAMESPACE
    cloud = SimulatedCloud(mocks, calls)
    monitor = _RecordingMonitor(cloud)
    collector = _WarningCollector()
    pulumi_mocks.set_mocks(cloud, project=project, stack=stack, preview=False, monitor=monitor, logger=collector)
    settings.SETTINGS.rpc_manager.clear()
    settings.SETTINGS.outputs.clear()
    settings.set_root_resource(None)  # run_in_stack creates this run's own root stack
    set_all_config({key: _config_value(value) for key, value in (config or {}).items()}, list(secret_keys))
    read = _ConfigReads(runtime_config.CONFIG.get())
    runtime_config.CONFIG.set(read)
    body = program if location is None else location.runner()
    _sync_await(run_in_stack(body))  # on this thread's loop: Outputs made before the run may take part
    stack_urn = monitor.make_urn("", STACK_TYPE, f"{project}-{stack}")
    for registration in monitor.registrations:
        registration.outputs.update(monitor.outputs_by_urn.get(registration.urn, {}))
    return OfflineRun(
        resources=monitor.registrations,
        stack_outputs=monitor.outputs_by_urn.get(stack_urn, {}),
        warnings=collector.warnings,
        invokes=cloud.invokes,
        config_read=sorted(read.asked),
    )


class _ConfigReads(dict):
    """The config of a run, noting every key the program asks for (``pulumi.Config`` asks through
    ``key in config``, set or not)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.asked: set[str] = set()

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return super().__contains__(key)


@dataclass(frozen=True)
class ProgramLocation:
    """Where a program given by path lives, as the Pulumi CLI would run it."""

    entry: Path
    """The program file (``__main__.py`` of a directory)."""
    project: Optional[str]
    """The project name in the ``Pulumi.yaml`` of the directory given, if it has one."""

    def runner(self) -> Callable[[], None]:
        """The program as a function: run as ``__main__`` in its directory (``sys.path`` and working
        directory). Its own modules (those found in that directory) are imported afresh, so that each run
        registers its resources, and put back as they were afterwards (a test module may hold them)."""
        directory = str(self.entry.parent)

        def run() -> None:
            own = {name: module for name, module in sys.modules.items() if _imported_from(name, module, directory)}
            for name in own:
                del sys.modules[name]
            sys.path.insert(0, directory)
            working_directory = os.getcwd()
            os.chdir(directory)
            try:
                runpy.run_path(str(self.entry), run_name="__main__")
            finally:
                os.chdir(working_directory)
                sys.path.remove(directory)
                for name in [name for name, module in sys.modules.items() if _imported_from(name, module, directory)]:
                    del sys.modules[name]
                sys.modules.update(own)

        return run


def program_location(path: Path) -> ProgramLocation:
    """The program ``path`` names: a ``.py`` file, or a directory holding ``__main__.py`` or a
    ``Pulumi.yaml`` whose ``main`` names the program (a file, or a directory holding ``__main__.py``)."""
    path = path.resolve()
    project = None
    if path.is_dir() and (path / "Pulumi.yaml").is_file():
        from .documents import load_yaml

        project_file = path / "Pulumi.yaml"
        document = load_yaml(project_file.read_text(encoding="utf-8"), str(project_file)) or {}
        if not isinstance(document, dict):
            document = {}
        project = document.get("name") if isinstance(document.get("name"), str) else None
        if isinstance(document.get("main"), str):
            path = (path / document["main"]).resolve()
    entry = path / "__main__.py" if path.is_dir() else path
    if not entry.is_file():
        raise FileNotFoundError(f"no Pulumi program at {entry} (a program file, or a directory with __main__.py)")
    return ProgramLocation(entry, project)


def _imported_from(name: str, module: Any, directory: str) -> bool:
    """Whether ``module`` was found on the program's own ``directory`` of ``sys.path`` (its top-level
    package or module lives right there), not in a virtualenv or checkout that happens to sit below it."""
    source = getattr(module, "__file__", None)
    if not source:
        return False
    top = os.path.join(directory, name.split(".", 1)[0])
    source = os.path.abspath(source)
    return source == top + ".py" or source.startswith(top + os.sep)


def _config_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


__all__ = [
    "CallResult", "OfflineRun", "Program", "ProgramLocation", "Registration", "SimulatedCloud", "UnsimulatedCall",
    "engine_urn", "program_location", "registration_from_request", "run_offline",
]

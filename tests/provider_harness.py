"""Talk to the component package the way the Pulumi engine does, without the Pulumi CLI.

- ``ProviderProcess`` starts ``python provider <engine address>`` as Pulumi's Python language host
  runs a source-based plugin with a ``__main__.py`` (``RunPlugin`` in pulumi/pulumi
  ``sdk/python/cmd/pulumi-language-python/main.go``: ``python <plugin directory> <args>``), reads the
  port the provider prints on stdout, and gives a ``ResourceProvider`` gRPC stub.
- ``EngineServer`` is the engine's ``Engine`` service the provider logs to (``pulumi.log.warn``).
- ``MonitorServer`` is a resource monitor (the service a Construct request names in
  ``monitorEndpoint``): it records every RegisterResource / RegisterResourceOutputs (as the offline
  engine's ``Registration``s, outputs being the registered outputs only) and answers with
  the same simulated cloud outputs and URN scheme as the offline engine (``tracking_cdn.offline``),
  so a Construct over gRPC and ``run_offline`` of the same component compare one to one.

Everything listens on 127.0.0.1 only.
"""

import selectors
import subprocess
import sys
import threading
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.output import Unknown
from pulumi.runtime import mocks, rpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, provider_pb2_grpc, resource_pb2, resource_pb2_grpc

from tracking_cdn.offline import STACK_TYPE, Registration, SimulatedCloud, engine_urn, registration_from_request

PROJECT = "tracking-cdn"
STACK = "offline"
"""Project and stack of ``run_offline``'s default run, so URNs match between the two engines."""
STACK_URN = f"urn:pulumi:{STACK}::{PROJECT}::{STACK_TYPE}::{PROJECT}-{STACK}"
GET_RESOURCE = "pulumi:pulumi:getResource"
"""The engine's built-in invoke that reads a resource of the program by URN: how the provider
process rehydrates an explicit provider passed to the component."""

MONITOR_FEATURES = [
    resource_pb2.RESOURCE_MONITOR_FEATURE_SECRETS,
    resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES,
    resource_pb2.RESOURCE_MONITOR_FEATURE_OUTPUT_VALUES,
    resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS,
    resource_pb2.RESOURCE_MONITOR_FEATURE_DELETED_WITH,
]
"""What the monitor tells the SDK it supports (GetDeploymentInfo), as a current engine does."""


def to_struct(values: dict[str, Any]) -> struct_pb2.Struct:
    """Plain values as a Struct; a value not known yet (preview) travels as the unknown sentinel."""
    struct = struct_pb2.Struct()
    struct.update(_wire(values))
    return struct


def _wire(value: Any) -> Any:
    if isinstance(value, Unknown):
        return rpc.UNKNOWN
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_wire(item) for item in value]
    return value


def start_server(register: Callable[[Any, grpc.Server], None], servicer: Any) -> tuple[grpc.Server, str]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    register(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, f"127.0.0.1:{port}"


@dataclass
class LogEntry:
    severity: str
    message: str
    urn: str


class EngineServer(engine_pb2_grpc.EngineServicer):
    """The engine's logging service: keeps every message the provider logs."""

    def __init__(self) -> None:
        self.logs: list[LogEntry] = []
        self.server, self.address = start_server(engine_pb2_grpc.add_EngineServicer_to_server, self)

    def Log(self, request, context):  # noqa: N802 (gRPC method names)
        self.logs.append(LogEntry(engine_pb2.LogSeverity.Name(request.severity), request.message, request.urn))
        return empty_pb2.Empty()

    def warnings(self) -> list[str]:
        return [entry.message for entry in self.logs if entry.severity == "WARNING"]

    def stop(self) -> None:
        self.server.stop(grace=None)


class MonitorServer(resource_pb2_grpc.ResourceMonitorServicer):
    """A resource monitor for Construct requests, backed by the offline engine's simulated cloud.

    An invoke or a monitor method the components do not use fails the Construct loudly (the
    offline engine's simulated cloud raises on unknown lookups; unimplemented methods answer
    UNIMPLEMENTED)."""

    def __init__(self) -> None:
        self.cloud = SimulatedCloud()
        self.registered: dict[str, Registration] = {}
        self.program_resources: dict[str, tuple[str, dict[str, Any]]] = {}
        """Resources the consuming program registered itself (an explicit provider passed in the
        component's ``providers`` option), by URN: their id and state, for ``getResource``."""
        self.lock = threading.Lock()
        self.server, self.address = start_server(resource_pb2_grpc.add_ResourceMonitorServicer_to_server, self)

    def GetDeploymentInfo(self, request, context):  # noqa: N802
        return resource_pb2.DeploymentInfo(
            project=PROJECT, stack=STACK, organization="organization", supportedFeatures=MONITOR_FEATURES
        )

    def RegisterResource(self, request, context):  # noqa: N802
        urn = make_urn(request.parent, request.type, request.name)
        inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
        resource_id, state = "", {}
        if request.custom:
            args = mocks.MockResourceArgs(typ=request.type, name=request.name, inputs=inputs, provider=request.provider)
            resource_id, state = self.cloud.new_resource(args)
        with self.lock:
            self.registered[urn] = registration_from_request(request, urn=urn, id=resource_id, inputs=inputs)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=to_struct(state))

    def RegisterResourceOutputs(self, request, context):  # noqa: N802
        with self.lock:
            self.registered[request.urn].outputs = rpc.deserialize_properties(request.outputs)
        return empty_pb2.Empty()

    def Invoke(self, request, context):  # noqa: N802
        args = rpc.deserialize_properties(request.args)
        if request.tok == GET_RESOURCE:
            resource_id, state = self.program_resources[args["urn"]]
            result = {"urn": args["urn"], "id": resource_id, "state": state}
        else:
            call = mocks.MockCallArgs(token=request.tok, args=args, provider=request.provider)
            result, _failures = self.cloud.call(call)
        return resource_pb2.ResourceInvokeResponse(**{"return": to_struct(result)})

    def stop(self) -> None:
        self.server.stop(grace=None)


def make_urn(parent: str, type_: str, name: str) -> str:
    """The URN the engine gives a resource of this monitor's stack (``engine_urn``)."""
    return engine_urn(PROJECT, STACK, parent, type_, name)


class ProviderProcess:
    """The component package's provider, started as Pulumi's language host starts a Python plugin."""

    def __init__(self, plugin_directory: Path, engine_address: str, cwd: Path, timeout: float = 60) -> None:
        self.stderr_path = cwd / "provider.stderr"
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, str(plugin_directory), engine_address, "--logtostderr"],
                cwd=cwd,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        self.port = self._read_port(timeout)
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def _read_port(self, timeout: float) -> int:
        """The first stdout line, as the engine reads it: the port the gRPC server listens on."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                self.stop()
                raise AssertionError(f"the provider printed no port within {timeout:.0f} s")
        line = self.process.stdout.readline().decode().strip()
        if not line.isdigit():
            self.process.wait(timeout=10)
            raise AssertionError(f"expected a port on stdout, got {line!r}; stderr:\n{self.stderr()}")
        return int(line)

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stop(self) -> Optional[int]:
        if getattr(self, "channel", None) is not None:
            self.channel.close()
        self.process.terminate()
        try:
            return self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

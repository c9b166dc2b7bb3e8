"""Policies of the component package (``provider/``): what a TypeScript, Go, C# or YAML program gets.

The provider runs as Pulumi runs it (``python provider <engine address>``, port on stdout) and is
spoken to over gRPC only: GetSchema, and Construct against a resource monitor in this process
(``provider_harness``). A Construct must register exactly what the Python API registers for the
same arguments under the offline engine, and bad input must come back as an input-property error,
never a traceback. The docs' YAML and TypeScript examples are checked against the schema.
"""

import json
import re
from typing import Any, Callable, Iterable

import grpc
import pulumi
import pulumi_aws as aws
import pytest
import yaml
from conftest import REPO
from provider_harness import STACK_URN, EngineServer, MonitorServer, ProviderProcess, to_struct
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime.proto import errors_pb2, provider_pb2, status_pb2

from tracking_cdn.aws import CloudFrontTrackingDomain
from tracking_cdn.cloudflare import CloudflareTrackingDomain
from tracking_cdn.contract import TrackingDomainComponent
from tracking_cdn.offline import run_offline
from tracking_cdn.provider import PACKAGE, args_type_of, front_door_components, schema_names
from tracking_cdn.stack_config import camel_case

PLUGIN = REPO / "provider"
COMMITTED_SCHEMA = PLUGIN / "schema.json"
REGENERATE = ".venv/bin/python provider --write-schema"
DOCS_PAGE = REPO / "docs" / "multi-language.md"
DNS_RECORD_REF = f"#/types/{PACKAGE}:index:DnsRecord"


def token(component: type) -> str:
    return f"{PACKAGE}:index:{component.__name__}"


# --- the provider process, started once for the module -------------------------------------------


@pytest.fixture(scope="module")
def engine():
    server = EngineServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def provider(engine, tmp_path_factory):
    process = ProviderProcess(PLUGIN, engine.address, cwd=tmp_path_factory.mktemp("program"))
    yield process
    process.stop()


@pytest.fixture(scope="module")
def served_schema(provider) -> dict[str, Any]:
    return json.loads(provider.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema)


@pytest.fixture
def monitor(engine):
    engine.logs.clear()
    server = MonitorServer()
    yield server
    server.stop()


def construct(
    provider: ProviderProcess, monitor: MonitorServer, component: type, name: str, inputs: dict, **options: Any
):
    """A Construct request as the engine sends it for ``new <component>(name, inputs, options)`` in a
    program; ``options`` are further ConstructRequest fields (``providers``, ``protect``, ...)."""
    request = provider_pb2.ConstructRequest(
        project="tracking-cdn",
        stack="offline",
        organization="organization",
        monitorEndpoint=monitor.address,
        type=token(component),
        name=name,
        parent=STACK_URN,
        inputs=to_struct(inputs),
        accepts_output_values=True,
        **options,
    )
    return provider.stub.Construct(request, timeout=60)


# --- the schema ------------------------------------------------------------------------------------


def test_the_package_serves_every_front_door_as_a_component_under_its_type_token(served_schema):
    assert served_schema["name"] == "tracking-cdn"
    assert set(served_schema["resources"]) == {token(component) for component in front_door_components()}
    # Its zone and aliases are Python dynamic resources, which only a Python program can run (multi-language.md).
    assert "tracking-cdn:index:KeyCdnTrackingDomain" not in served_schema["resources"]
    assert all(resource["isComponent"] for resource in served_schema["resources"].values())


def test_every_component_input_and_output_has_a_description(served_schema):
    undescribed = [
        f"{resource_token} {kind} {name}"
        for resource_token, resource in served_schema["resources"].items()
        for kind in ("inputProperties", "properties")
        for name, definition in resource[kind].items()
        if not definition.get("description", "").strip()
    ]
    undescribed += [f"{type_token} {name}" for type_token, complex_type in served_schema["types"].items()
                    for name, definition in complex_type["properties"].items() if not definition.get("description")]
    assert not undescribed, "give each field a docstring: " + ", ".join(undescribed)
    assert all(resource["description"] for resource in served_schema["resources"].values())


def test_descriptions_name_arguments_as_the_schema_does_and_are_dedented(served_schema):
    for component in front_door_components():
        resource = served_schema["resources"][token(component)]
        text = json.dumps(resource)
        python_names = [name for name in schema_names(component) if re.search(rf"\b{name}\b", text)]
        assert not python_names, f"{component.__name__}: descriptions spell {python_names} as in Python"
        assert "\n    " not in resource["description"]


def test_the_common_arguments_keep_their_types_and_only_the_required_ones_are_required(served_schema):
    for component in front_door_components():
        resource = served_schema["resources"][token(component)]
        inputs = resource["inputProperties"]
        assert inputs["domains"]["type"] == "array" and inputs["domains"]["items"]["type"] == "string"
        assert inputs["cacheTtlSeconds"]["type"] == "integer"
        assert inputs["redirectHttpToHttps"]["type"] == inputs["protectServingResources"]["type"] == "boolean"
        assert {inputs[key]["type"] for key in ("esp", "tenant", "originHost")} == {"string"}
        required = sorted(camel_case(key) for key in args_type_of(component).__required_keys__)
        assert resource["requiredInputs"] == required and "domains" in required


def test_dns_records_is_a_list_of_dns_record_objects(served_schema):
    for resource in served_schema["resources"].values():
        assert resource["properties"]["dnsRecords"]["type"] == "array"
        assert resource["properties"]["dnsRecords"]["items"]["$ref"] == DNS_RECORD_REF
        assert resource["properties"]["originHost"]["type"] == "string"
    dns_record = served_schema["types"][f"{PACKAGE}:index:DnsRecord"]
    assert {name: p["type"] for name, p in dns_record["properties"].items()} == dict.fromkeys(
        ["name", "type", "value", "purpose"], "string"
    )
    assert dns_record["required"] == ["name", "purpose", "type", "value"]


def test_the_served_schema_is_the_committed_one(served_schema):
    committed = json.loads(COMMITTED_SCHEMA.read_text())
    if served_schema != committed:
        pytest.fail(
            "provider/schema.json differs from the schema the provider serves "
            f"({'; '.join(_schema_differences(committed, served_schema))}). If the change to the public "
            f"interface is intended, regenerate it from the repository root with `{REGENERATE}` and commit "
            "the diff with your change.",
            pytrace=False,
        )


def _schema_differences(old: dict, new: dict) -> list[str]:
    differences = []
    for section in ("resources", "types"):
        for key in sorted(set(old.get(section, {})) | set(new.get(section, {}))):
            if key not in new.get(section, {}):
                differences.append(f"{key} removed")
            elif key not in old.get(section, {}):
                differences.append(f"{key} added")
            elif old[section][key] != new[section][key]:
                changed = [
                    f"{kind}.{name}" if name else kind
                    for kind in ("inputProperties", "properties", "requiredInputs", "required", "description")
                    for name in _changed_keys(old[section][key].get(kind), new[section][key].get(kind))
                ]
                differences.append(f"{key} changed: {', '.join(changed) or 'other fields'}")
    return differences + [f"{key} changed" for key in ("name", "version", "namespace") if old.get(key) != new.get(key)]


def _changed_keys(old: Any, new: Any) -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        return sorted(key for key in set(old) | set(new) if old.get(key) != new.get(key))
    return [] if old == new else [""]


# --- Construct over gRPC -----------------------------------------------------------------------------

CONSTRUCT_CASES: dict[str, tuple[type[TrackingDomainComponent], dict[str, Any]]] = {
    # DNS elsewhere (a warning to the engine), SendGrid's Host handling, an integer argument
    "cloudfront-dns-elsewhere": (
        CloudFrontTrackingDomain,
        {"domains": ["track.example.com", "click.example.com"], "esp": "sendgrid", "cache_ttl_seconds": 30},
    ),
    # Route 53: validation and alias records, integers and plain strings of CloudFront's own
    "cloudfront-route53": (
        CloudFrontTrackingDomain,
        {
            "domains": ["track.example.com", "click.example.com", "open.example.com"],
            "hosted_zone_id": "Z0123456789ABC",
            "max_names_per_certificate": 2,
            "price_class": "PriceClass_100",
        },
    ),
    # The zone looked up by name: an invoke through the monitor
    "cloudflare-zone-lookup": (
        CloudflareTrackingDomain,
        {"domains": ["track.example.com"], "zone_name": "example.com", "esp": "sparkpost-eu"},
    ),
    "cloudflare-zone-id": (
        CloudflareTrackingDomain,
        {"domains": ["track.example.com", "click.example.com"], "zone_name": "example.com", "zone_id": "0123abcd"},
    ),
}

COMPARED = ("type", "name", "custom", "protect", "delete_before_replace", "inputs")


def _identity(urn: str) -> str:
    """``<type>::<name>`` of a URN: the URNs themselves come from each monitor's own scheme, so
    registrations, parents, dependencies and provider references are compared by what they name."""
    *_, qualified_type, name = urn.split("::")
    return f"{qualified_type.split('$')[-1]}::{name}"


def _compared(record: Any) -> dict[str, Any]:
    provider_urn, _, provider_id = record.provider.rpartition("::")
    return {
        **{key: getattr(record, key) for key in COMPARED},
        "parent": _identity(record.parent) if record.parent else "",
        "provider": f"{_identity(provider_urn)}::{provider_id}" if record.provider else "",
        "dependencies": sorted(_identity(urn) for urn in record.dependencies),
    }


def _registrations(records: Iterable[Any]) -> dict[str, dict[str, Any]]:
    return {_identity(record.urn): _compared(record) for record in records}


@pytest.mark.parametrize("case", CONSTRUCT_CASES)
def test_construct_registers_what_the_python_api_registers(case, provider, monitor, engine):
    component, args = CONSTRUCT_CASES[case]
    offline = run_offline(lambda: component("track", args))
    response = construct(provider, monitor, component, "track", {camel_case(key): value for key, value in args.items()})

    assert _registrations(monitor.registered.values()) == _registrations(offline.resources)
    assert _identity(response.urn) == f"{token(component)}::track"
    offline_outputs = offline.one(token(component)).outputs
    assert monitor.registered[response.urn].outputs == offline_outputs
    state = rpc.deserialize_properties(response.state)
    assert state == {camel_case(key): value for key, value in offline_outputs.items()}
    assert state["dnsRecords"]
    assert all(set(record) == {"name", "type", "value", "purpose"} for record in state["dnsRecords"])
    assert sorted(engine.warnings()) == sorted(offline.warnings)


def test_an_explicit_provider_from_the_program_reaches_every_child(provider, monitor, engine):
    args = {"domains": ["track.example.com"], "hosted_zone_id": "Z0123456789ABC"}

    def program() -> None:
        east = aws.Provider("east", region="eu-west-1")
        CloudFrontTrackingDomain("track", args, pulumi.ResourceOptions(providers={"aws": east}))

    offline = run_offline(program)
    aws_provider = offline.one("pulumi:providers:aws")
    reference = f"{aws_provider.urn}::{aws_provider.id}"
    monitor.program_resources[aws_provider.urn] = (aws_provider.id, aws_provider.outputs)
    construct(provider, monitor, CloudFrontTrackingDomain, "track", {camel_case(k): v for k, v in args.items()},
              providers={"aws": reference})

    expected = _registrations(record for record in offline.resources if record is not aws_provider)
    assert _registrations(monitor.registered.values()) == expected
    children = [record for record in monitor.registered.values() if record.custom]
    assert children and {record.provider for record in children} == {reference}


def test_preview_with_a_zone_id_not_known_yet_builds_records_that_depend_on_the_zone(provider, monitor):
    # In a program, hostedZoneId is often the id of a Route 53 zone created in the same run: unknown
    # during the first preview, with the zone as its dependency.
    zone = "urn:pulumi:offline::tracking-cdn::aws:route53/zone:Zone::zone"
    construct(provider, monitor, CloudFrontTrackingDomain, "track",
              {"domains": ["track.example.com"], "hostedZoneId": rpc.UNKNOWN}, dryRun=True,
              inputDependencies={"hostedZoneId": provider_pb2.ConstructRequest.PropertyDependencies(urns=[zone])})
    records = [record for record in monitor.registered.values() if record.type == "aws:route53/record:Record"]
    assert len(records) == 3  # validation CNAME, alias A and AAAA
    assert all(isinstance(record.inputs["zoneId"], Unknown) and zone in record.dependencies for record in records)


def test_a_warning_reaches_the_engine_on_the_component(provider, monitor, engine):
    component, args = CONSTRUCT_CASES["cloudfront-dns-elsewhere"]
    response = construct(provider, monitor, component, "track", {camel_case(key): value for key, value in args.items()})
    step_one = [entry for entry in engine.logs if entry.severity == "WARNING" and "Step 1 of 2" in entry.message]
    assert [entry.urn for entry in step_one] == [response.urn]


BAD_INPUT: dict[str, tuple[type, dict[str, Any], str, str]] = {
    # case: (component, wire inputs, property path, words the reason must contain)
    "ttl out of range": (CloudFrontTrackingDomain, {"domains": ["track.example.com"], "cacheTtlSeconds": 4000},
                         "cacheTtlSeconds", "4000 is outside 0..3600"),
    "fractional ttl": (CloudFrontTrackingDomain, {"domains": ["track.example.com"], "cacheTtlSeconds": 2.5},
                       "cacheTtlSeconds", "expected a whole number, got 2.5"),
    "custom without origin": (CloudFrontTrackingDomain, {"domains": ["track.example.com"], "esp": "custom"},
                              "originHost", "originHost"),
    "conflicting options": (CloudFrontTrackingDomain,
                            {"domains": ["track.example.com"], "hostedZoneId": "Z0123456789ABC",
                             "certificateValidated": True},
                            "certificateValidated", "conflicts with hostedZoneId"),
    "domain outside the zone": (CloudflareTrackingDomain,
                                {"domains": ["track.example.org"], "zoneName": "example.com"},
                                "domains", "not in the zone 'example.com'"),
    "missing domains": (CloudflareTrackingDomain, {"zoneName": "example.com"},
                        "domains", "Missing required input 'domains'"),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_comes_back_as_an_input_property_error_without_a_traceback(case, provider, monitor):
    component, inputs, path, reason = BAD_INPUT[case]
    with pytest.raises(grpc.RpcError) as failure:
        construct(provider, monitor, component, "track", inputs)
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    errors = _input_property_errors(failure.value)
    assert [error.property_path for error in errors] == [path]
    assert reason in errors[0].reason
    assert "Traceback" not in failure.value.details() and 'File "' not in errors[0].reason
    assert monitor.registered == {}, "bad input must be refused before anything registers"


def _input_property_errors(error: grpc.RpcError) -> list[Any]:
    """The InputPropertiesError the engine reads from the status details of a failed Construct."""
    details = dict(error.trailing_metadata() or ())["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(details)
    found = errors_pb2.InputPropertiesError()
    assert status.details[0].Unpack(found)
    return list(found.errors)


def test_the_provider_process_keeps_serving_after_bad_input(provider, monitor):
    with pytest.raises(grpc.RpcError):
        construct(provider, monitor, CloudFrontTrackingDomain, "bad", {"domains": []})
    response = construct(provider, monitor, CloudFrontTrackingDomain, "good", {"domains": ["track.example.com"]})
    assert response.urn.endswith("::good")


# --- the plugin directory and the docs ---------------------------------------------------------------


def test_the_plugin_directory_is_a_python_component_package_of_this_checkout():
    assert yaml.safe_load((PLUGIN / "PulumiPlugin.yaml").read_text()) == {"runtime": "python"}
    assert (PLUGIN / "__main__.py").is_file(), "the Python language host runs __main__.py of the plugin directory"
    requirements = [line for line in (PLUGIN / "requirements.txt").read_text().splitlines()
                    if line.strip() and not line.startswith("#")]
    # pip resolves a path requirement from its working directory: the plugin directory.
    path, extras = re.fullmatch(r"(.+)\[(.+)\]", requirements[0]).groups()
    assert len(requirements) == 1 and (PLUGIN / path).resolve() == REPO and extras == "all"


def _code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOCS_PAGE.read_text(), flags=re.S)


def test_the_docs_yaml_example_matches_the_schema():
    schema = json.loads(COMMITTED_SCHEMA.read_text())
    programs = [yaml.safe_load(block) for block in _code_blocks("yaml") if "runtime: yaml" in block]
    assert programs, "docs/multi-language.md has a complete YAML program (with runtime: yaml)"
    for program in programs:
        assert _yaml_program_problems(program, schema) == []


def _yaml_program_problems(program: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Type errors and missing required properties of ``program``'s tracking-cdn resources, and
    references to outputs that do not exist, as Pulumi YAML would report them."""
    problems, outputs_of = [], {}
    for name, resource in program["resources"].items():
        type_token = resource["type"]
        if not type_token.startswith(f"{PACKAGE}:"):
            continue
        package, *module, member = type_token.split(":")  # "tracking-cdn:X" is short for "tracking-cdn:index:X"
        definition = schema["resources"].get(f"{package}:{module[0] if module else 'index'}:{member}")
        if definition is None:
            problems.append(f"{name}: no resource {type_token}")
            continue
        outputs_of[name] = definition["properties"]
        properties = resource.get("properties", {})
        problems += [f"{name}: missing required {key}" for key in definition["requiredInputs"] if key not in properties]
        for key, value in properties.items():
            spec = definition["inputProperties"].get(key)
            if spec is None:
                problems.append(f"{name}: unknown property {key}")
            else:
                problems += [f"{name}.{key}: {problem}" for problem in _type_problems(value, spec)]
    for reference in re.findall(r"\$\{([^}]+)\}", json.dumps(program.get("outputs", {}))):
        resource_name, _, output = reference.partition(".")
        output = re.split(r"[.\[]", output)[0]
        if resource_name in outputs_of and output not in outputs_of[resource_name]:
            problems.append(f"outputs: {resource_name} has no output {output}")
    return problems


def _type_problems(value: Any, spec: dict[str, Any]) -> list[str]:
    if isinstance(value, str) and value.startswith("${"):
        return ["plain property: must be a literal, not an output reference"] if spec.get("plain") else []
    checks: dict[str, Callable[[Any], bool]] = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    expected = spec.get("type")
    if expected and not checks[expected](value):
        return [f"expected {expected}, got {value!r}"]
    if expected == "array":
        return [problem for item in value for problem in _type_problems(item, spec["items"])]
    return []


def test_the_yaml_check_catches_what_pulumi_yaml_would_refuse():
    schema = json.loads(COMMITTED_SCHEMA.read_text())
    cloudfront = token(CloudFrontTrackingDomain)
    program = {
        "resources": {
            "track": {"type": cloudfront, "properties": {"cacheTtlSeconds": "10", "hostedZone": "Z1"}},
            "other": {"type": cloudfront, "properties": {"domains": ["${zone.name}"]}},
        },
        "outputs": {"records": "${track.dnsRecord}"},
    }
    assert sorted(_yaml_program_problems(program, schema)) == sorted([
        "track: missing required domains",
        "track.cacheTtlSeconds: expected integer, got '10'",
        "track: unknown property hostedZone",
        "other.domains: plain property: must be a literal, not an output reference",
        "outputs: track has no output dnsRecord",
    ])


def test_the_docs_typescript_example_uses_the_schema_names():
    schema = json.loads(COMMITTED_SCHEMA.read_text())
    constructions = [
        (block, *construction)
        for block in _code_blocks("typescript")
        for construction in re.findall(r"const (\w+) = new \w+\.(\w+)\(\s*\"[^\"]+\",\s*\{(.*?)\n\}", block, flags=re.S)
    ]
    assert constructions, "docs/multi-language.md has a TypeScript program creating a component"
    for block, variable, class_name, body in constructions:
        resource = schema["resources"][f"{PACKAGE}:index:{class_name}"]
        arguments = set(re.findall(r"^\s{4}(\w+):", body, flags=re.M))
        assert arguments and arguments <= set(resource["inputProperties"])
        assert set(resource["requiredInputs"]) <= arguments
        used_outputs = set(re.findall(rf"\b{variable}\.(\w+)", block))
        assert used_outputs and used_outputs <= set(resource["properties"])


def test_the_docs_page_is_in_the_site_navigation():
    navigation = json.dumps(yaml.safe_load((REPO / "mkdocs.yml").read_text())["nav"])
    assert '"multi-language.md"' in navigation


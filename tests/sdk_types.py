"""Check recorded registrations against the provider SDKs' generated input types.

Every provider SDK is generated from its provider schema: a resource's ``...Args`` class and the
``@pulumi.input_type`` classes it refers to carry each property's wire name (``@pulumi.getter(name=...)``),
its type, whether it is required (no default in ``__init__``), constant discriminators (an ``__init__``
that sets a property to a literal, e.g. azure-native's ``name='RouteConfigurationOverride'``), enum classes
(azure-native's ``str, Enum`` in ``_enums.py``) and, where the provider schema documents a closed set of
values, the docstring's list (``DOCUMENTED_VALUES``: "Valid values are `a`, `b` or `c`.", "Possible values
are: ...", "Allowed values ...", "One of ...", "must be one of ...", "Can be either ...", pulumi-cloudflare's
"Available values: ..."), read from every property docstring of the installed SDKs rather than listed
property by property. One generic walk checks every value of every registration against those types:

    problems = check_registration(registration)   # [] when it conforms
    problems = check_run(run)                     # every custom resource of an offline run

A problem names the resource, the property path (wire names, ``rules[0].actionParameters.fromValue``)
and what is allowed: unknown property (with the known ones), wrong type, missing required property,
value outside an enum (with its values).

The resource class for a type token comes from the SDK's own table of resource modules
(``pulumi.runtime.rpc.get_resource_module``), which each SDK registers on import.

Rules of the wire that the types do not say:
- every number travels as a double, so an ``int`` property takes a whole float;
- azure-native's ``Union[str, SomeEnum]`` properties (Azure's extensible enums) are held to the enum's
  values: the SDK would pass any string, the API refuses the ones it does not know.
"""

from __future__ import annotations

import collections.abc as abc
import enum
import functools
import importlib
import inspect
import re
import typing
from dataclasses import dataclass
from typing import Any, Sequence

from pulumi import _types
from pulumi.asset import Archive, Asset
from pulumi.runtime import rpc

from tracking_cdn.offline import OfflineRun, Registration

SDK_PACKAGES = {
    "aws": "pulumi_aws",
    "gcp": "pulumi_gcp",
    "azure-native": "pulumi_azure_native",
    "cloudflare": "pulumi_cloudflare",
    "fastly": "pulumi_fastly",
}
"""Provider package -> SDK module, for the providers the front doors use."""
NOT_SDK_CHECKED = ("tracking-cdn:", "pulumi-python:dynamic", "pulumi:providers:")
"""Our own components, dynamic resources (``pulumi-python:dynamic:Resource``, ``pulumi-python:dynamic/keycdn:Zone``:
their provider is our code, checked against the service's stand-in instead) and provider resources."""
CONSTANT_SETTER = re.compile(r"pulumi\.set\(__self__, \"(\w+)\", '([^']*)'\)")
_QUOTED = r"(?:`[^`]+`|'[^']+')"
_LIST = rf"({_QUOTED}(?:,? (?:(?:or|and) )?{_QUOTED})*)"
"""Quoted values separated by ", ", " or ", " and ", ", or "/", and ": a list and nothing else."""
_LIST_END = r"(?=\s*(?:\([^)]*\)\s*)?(?:[.;)]|$))"
"""Where the list stops: the end of the sentence or of the docstring, after at most a parenthesis ("`DISABLED`
(default)."), never more words ("... and others", "`1` (default) One server needs to respond. `0` ...")."""
_ITEM = re.compile(r"[`']([^`']+)[`']")
DOCUMENTED_VALUES = (
    # The sentences the SDKs' generators carry over from the providers' own documentation (pulumi-gcp from
    # magic-modules: "Possible values are: `A`, `B`."; pulumi-aws and pulumi-fastly from their Terraform
    # providers' docs: "Valid values are `lets-encrypt`, `globalsign` or `certainly`.", "Valid values:
    # `REQUIRE`, `OPTIONAL`.", "Allowed values are ...", "Valid values for `cookie_behavior` are ..."; and
    # "One of ...", "must be one of ...", "Can be either ..."). (sentence, item, underscore). A sentence
    # naming another property ("Valid values for `shield` ...") applies only to that one (group ``name``).
    (re.compile(rf"\b(?:Valid|Allowed|Possible) values(?: for `(?P<name>\w+)`)?(?: are)?:? {_LIST}{_LIST_END}"),
     _ITEM, ""),
    (re.compile(rf"(?:^|\. )(?:One of:?|Can be either) {_LIST}{_LIST_END}"), _ITEM, ""),
    (re.compile(rf"\bmust be one of {_LIST}{_LIST_END}"), _ITEM, ""),
    # pulumi-gcp (magic-modules, nested objects): Possible values: ["tcp", "udp"]
    (re.compile(r'Possible values: \[("[^"]*"(?:, "[^"]*")*)\]'), re.compile(r'"([^"]*)"'), ""),
    # pulumi-cloudflare (from Cloudflare's API schema): Available values: "a", "b". The SDK's docs
    # generator turned every underscore into an asterisk (markdown emphasis): "http*config*settings".
    (re.compile(r'Available values: ("[^"]*"(?:, "[^"]*")*)\.'), re.compile(r'"([^"]*)"'), "*"),
)


@dataclass(frozen=True)
class Problem:
    resource: str
    """``<type token> <pulumi name>``."""
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.resource}: {self.path or '(resource)'}: {self.message}"


class UnknownType(LookupError):
    """A type token the installed SDKs do not define."""


# --- finding the types -----------------------------------------------------------------------------


def resource_class(token: str) -> type:
    """The SDK's resource class for a type token (``gcp:compute/backendService:BackendService``)."""
    package, module_name, _ = token.split(":")
    sdk = SDK_PACKAGES.get(package)
    if sdk is None:
        raise UnknownType(f"{token}: no SDK known for package {package!r} (add it to SDK_PACKAGES)")
    importlib.import_module(sdk)
    module = rpc.get_resource_module(package, module_name, "")
    class_name = module.mod_info["classes"].get(token) if module is not None else None
    if class_name is None:
        raise UnknownType(f"{token}: {sdk} defines no such resource")
    return getattr(importlib.import_module(module.mod_info["fqn"]), class_name)


def args_class(token: str) -> type:
    cls = resource_class(token)
    args = getattr(inspect.getmodule(cls), f"{cls.__name__}Args", None)
    if args is None or not _types.is_input_type(args):
        raise UnknownType(f"{token}: {cls.__module__} has no {cls.__name__}Args input type")
    return args


@functools.cache
def _wire_names(input_cls: type) -> dict[str, str]:
    """Python name -> wire (Pulumi) name of every property."""
    return _types.input_type_py_to_pulumi_names(input_cls)


@functools.cache
def property_types(input_cls: type) -> dict[str, Any]:
    """Wire name -> declared type (``Input``/``Optional`` unwrapped) of every property."""
    return dict(_types.input_type_types(input_cls))


@functools.cache
def required(input_cls: type) -> frozenset[str]:
    """Wire names of the properties ``__init__`` has no default for."""
    names = _wire_names(input_cls)
    parameters = inspect.signature(input_cls.__init__).parameters.values()
    return frozenset(
        names[p.name] for p in parameters
        if p.kind is p.KEYWORD_ONLY and p.default is inspect.Parameter.empty and p.name in names
    )


@functools.cache
def constants(input_cls: type) -> dict[str, str]:
    """Wire name -> the literal ``__init__`` always sets it to (discriminators of a union)."""
    names = _wire_names(input_cls)
    source = inspect.getsource(input_cls.__init__)
    return {names[python]: value for python, value in CONSTANT_SETTER.findall(source) if python in names}


@functools.cache
def documented_values(input_cls: type) -> dict[str, list[str]]:
    """Wire name -> the values a property's docstring says are the only ones (see DOCUMENTED_VALUES)."""
    found = {}
    for python_name, wire_name, prop in _types._py_properties(input_cls):
        doc = " ".join((prop.fget.__doc__ or "").split())
        for sentence, item, underscore in DOCUMENTED_VALUES:
            match = next((m for m in sentence.finditer(doc)
                          if m.groupdict().get("name") in (None, python_name, wire_name)), None)
            if match:
                values = item.findall(match[match.re.groups])
                found[wire_name] = [v.replace(underscore, "_") for v in values] if underscore else values
                break
    return found


def required_properties(token: str) -> frozenset[str]:
    """Wire names of the required properties of a resource type (its ``Args`` class)."""
    return required(args_class(token))


# --- the walk --------------------------------------------------------------------------------------


def _members(annotation: Any) -> list[Any]:
    """The alternatives of a union, without None and the SDK's plumbing (Output, Awaitable, TypedDict
    twins of input classes); a non-union is its own single member."""
    if not _types._is_union_type(annotation):
        return [annotation]
    members = []
    for arg in typing.get_args(annotation):
        if arg is type(None) or _types._is_plumbing_arg(arg):
            continue
        members.extend(_members(arg))
    return members


def _unwrap(annotation: Any) -> Any:
    """``Input[T]``/``Optional[T]`` -> T (a union of the remaining members when several)."""
    members = _members(_types.unwrap_type(annotation))
    return members[0] if len(members) == 1 else typing.Union[tuple(members)]


def _describe(annotation: Any) -> str:
    if inspect.isclass(annotation) and issubclass(annotation, enum.Enum):
        return f"one of {sorted(m.value for m in annotation)}"
    if inspect.isclass(annotation):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_value(value: Any, annotation: Any, path: str) -> list[str]:
    """Problems of ``value`` (wire shape: camelCase keys) against a declared SDK type, as
    ``"<path>: <message>"`` strings."""
    annotation = _unwrap(annotation)
    if value is None or annotation is Any:
        return []
    if rpc.is_rpc_secret(value):  # a secret (e.g. a property the provider marks sensitive): check what it holds
        return check_value(rpc.unwrap_rpc_secret(value), annotation, path)
    members = _members(annotation)
    if len(members) > 1:
        return _check_union(value, members, path)
    origin = typing.get_origin(annotation)
    if annotation in (list, abc.Sequence) or origin in (list, abc.Sequence):
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__} {value!r}"]
        (element,) = typing.get_args(annotation) or (Any,)
        return [p for i, item in enumerate(value) for p in check_value(item, element, f"{path}[{i}]")]
    if annotation in (dict, abc.Mapping) or origin in (dict, abc.Mapping):
        if not isinstance(value, dict):
            return [f"{path}: expected a map, got {type(value).__name__} {value!r}"]
        args = typing.get_args(annotation)
        item_type = args[1] if len(args) == 2 else Any
        return [p for key, item in value.items() for p in check_value(item, item_type, f"{path}.{key}")]
    if inspect.isclass(annotation) and _types.is_input_type(annotation):
        return check_object(value, annotation, path)
    if inspect.isclass(annotation) and issubclass(annotation, enum.Enum):
        allowed = [m.value for m in annotation]
        return [] if value in allowed else [f"{path}: {value!r} is not {_describe(annotation)}"]
    if annotation is bool:
        return [] if isinstance(value, bool) else [f"{path}: expected a bool, got {value!r}"]
    if annotation is int:
        ok = _is_number(value) and float(value).is_integer()
        return [] if ok else [f"{path}: expected an integer, got {value!r}"]
    if annotation is float:
        return [] if _is_number(value) else [f"{path}: expected a number, got {value!r}"]
    if annotation is str:
        return [] if isinstance(value, str) else [f"{path}: expected a string, got {type(value).__name__} {value!r}"]
    if annotation in (Asset, Archive):  # e.g. an Azure blob's source
        return [] if isinstance(value, annotation) else [f"{path}: expected a pulumi.{annotation.__name__}, got {value!r}"]
    return [f"{path}: the checker does not understand the declared type {annotation!r}"]


def _check_union(value: Any, members: Sequence[Any], path: str) -> list[str]:
    enums = [m for m in members if inspect.isclass(m) and issubclass(m, enum.Enum)]
    if enums and set(members) <= {str, *enums}:
        # Union[str, SomeEnum]: an extensible enum, held to its known values (see the module docstring).
        allowed = sorted({m.value for e in enums for m in e})
        return [] if value in allowed else [f"{path}: {value!r} is not one of {allowed}"]
    classes = [m for m in members if inspect.isclass(m) and _types.is_input_type(m)]
    if classes and isinstance(value, dict):
        discriminated = [c for c in classes if constants(c)]
        if discriminated:
            matching = [c for c in discriminated if all(value.get(k) == v for k, v in constants(c).items())]
            if len(matching) != 1:
                allowed = sorted(" ".join(f"{k}={v!r}" for k, v in constants(c).items()) for c in discriminated)
                return [f"{path}: matches no member of the union by its discriminator; one of {allowed}"]
            return check_object(value, matching[0], path)
    outcomes = [check_value(value, member, path) for member in members]
    if any(not outcome for outcome in outcomes):
        return []
    described = ", ".join(_describe(m) for m in members)
    return [f"{path}: matches none of {described}: " + "; ".join(p for outcome in outcomes for p in outcome)]


def check_object(value: Any, input_cls: type, path: str) -> list[str]:
    """Problems of a wire object against an ``@pulumi.input_type`` class (or a resource's Args)."""
    where = f"{path}: " if path else ""
    if not isinstance(value, dict):
        return [f"{where}expected an object ({input_cls.__name__}), got {type(value).__name__} {value!r}"]
    types_ = property_types(input_cls)
    problems = []
    for key, item in value.items():
        here = f"{path}.{key}" if path else key
        if key not in types_:
            problems.append(f"{here}: unknown property of {input_cls.__name__}; known: {sorted(types_)}")
            continue
        problems.extend(check_value(item, types_[key], here))
        allowed = documented_values(input_cls).get(key)
        elements = item if isinstance(item, list) else [item]  # a list property: the values of its elements
        for index, element in enumerate(elements):
            at = f"{here}[{index}]" if isinstance(item, list) else here
            if allowed and isinstance(element, str) and element not in allowed:
                problems.append(f"{at}: {element!r} is not one of the documented values {allowed}")
    for key in sorted(required(input_cls)):
        if value.get(key) is None:
            problems.append(f"{path + '.' if path else ''}{key}: required by {input_cls.__name__}, missing")
    for key, constant in constants(input_cls).items():
        if key in value and value[key] != constant:
            problems.append(f"{path + '.' if path else ''}{key}: must be {constant!r}, got {value[key]!r}")
    return problems


def check_registration(registration: Registration) -> list[Problem]:
    """Problems of one custom resource's recorded inputs against its SDK Args type."""
    resource = f"{registration.type} {registration.name!r}"
    try:
        args = args_class(registration.type)
    except UnknownType as unknown:
        return [Problem(resource, "", str(unknown))]
    problems = []
    for message in check_object(registration.inputs, args, ""):
        path, _, text = message.partition(": ")
        problems.append(Problem(resource, path, text))
    return problems


def sdk_checked(registration: Registration) -> bool:
    return registration.custom and not registration.type.startswith(NOT_SDK_CHECKED)


def check_run(run: OfflineRun) -> list[Problem]:
    """Problems of every provider resource an offline run registered."""
    return [p for r in run.resources if sdk_checked(r) for p in check_registration(r)]


__all__ = [
    "Problem",
    "UnknownType",
    "args_class",
    "check_object",
    "check_registration",
    "check_run",
    "check_value",
    "required_properties",
    "resource_class",
]

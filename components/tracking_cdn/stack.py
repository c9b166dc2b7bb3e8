"""The stack program: builds the front door a stack's config asks for.

Config (namespace: the project's name in ``Pulumi.yaml``, ``tracking-cdn`` as shipped): ``frontDoor``
picks the component (cloudfront, gcp, azure, cloudflare, fastly, or ``none`` for a SparkPost V2 tracking
domain on SparkPost's own managed certificate, with no front door); ``name`` names it (default
``tracking``; keep it stable, it is part of every URN); every other key is the camelCase name of an
argument of that component (``domains``, ``esp``, ``hostedZoneId``, ...), except ``sparkpost`` and
``sparkpostApiKey``, which create a ``SparkPostTrackingDomain`` per domain after the front door (see
``tracking_cdn.sparkpost``). Provider settings use the providers' own namespaces (``aws:region``).

Every key of the project's namespace must be one of those: a misspelt key is refused with the
closest valid one, never ignored, and every value is checked against the argument's type before
anything is created. Refusals are ``StackConfigError``: one line naming the key, under ``pulumi up``
as under ``tracking-cdn plan``.
"""

import importlib
import re
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.runtime import config as runtime_config

from .contract import ROUTE, DnsRecord, closest_name
from .documents import DocumentError, load_json
from .errors import InvalidArgument, printable
from .esp import DEFAULT_ESP, resolve_origin
from .sparkpost import SparkPostConfig
from .sparkpost import register_from_config as register_sparkpost_domains

DEFAULT_COMPONENT_NAME = "tracking"
SHIPPED_NAMESPACE = "tracking-cdn"
"""The project name as shipped, hence the namespace of every example stack's keys."""

STACK_SETTINGS: dict[str, Any] = {
    # The stack program's own keys (not component arguments) and their types.
    "frontDoor": str,
    "name": str,
    "sparkpost": SparkPostConfig,
    "sparkpostApiKey": str,
}
SECRET_SETTINGS = ("sparkpostApiKey", "keycdnApiKey")
"""Keys that belong in the stack file only encrypted (``pulumi config set --secret``)."""

NO_FRONT_DOOR = "none"
"""``frontDoor: none``: no front door; SparkPost serves HTTPS itself with a managed certificate (V2
endpoints), and the stack only manages the SparkPost tracking domains (``sparkpost.managedCertificate``)."""


class SparkPostOnlyArgs(typing.TypedDict):
    """The keys ``frontDoor: none`` reads besides the stack program's own (see
    ``tracking_cdn.sparkpost.register_from_config``)."""

    domains: list[str]
    esp: typing.NotRequired[str]
    tenant: typing.NotRequired[str]
    protect_serving_resources: typing.NotRequired[bool]


class StackConfigError(InvalidArgument, pulumi.RunError):
    """A stack config key or value the program refuses; ``argument`` is the full key
    (``tracking-cdn:domains``). A ``RunError``, so ``pulumi up`` prints the message alone rather
    than a traceback (``pulumi.errors.RunError``'s docstring: "a clean exit rather than the usual
    verbose unhandled error logic")."""

    def __init__(self, argument: str, message: str) -> None:
        # A key is the stack file's text: shown escaped, as values are (their repr escapes them).
        super().__init__(printable(argument), message)


@dataclass(frozen=True)
class FrontDoorKind:
    module: str
    component: str
    extra: str
    """The pip extra that installs the provider SDK."""


FRONT_DOORS: dict[str, FrontDoorKind] = {
    "cloudfront": FrontDoorKind("tracking_cdn.aws", "CloudFrontTrackingDomain", "aws"),
    "gcp": FrontDoorKind("tracking_cdn.gcp", "GcpLoadBalancerTrackingDomain", "gcp"),
    "azure": FrontDoorKind("tracking_cdn.azure", "AzureFrontDoorTrackingDomain", "azure"),
    "cloudflare": FrontDoorKind("tracking_cdn.cloudflare", "CloudflareTrackingDomain", "cloudflare"),
    "fastly": FrontDoorKind("tracking_cdn.fastly", "FastlyTrackingDomain", "fastly"),
    "keycdn": FrontDoorKind("tracking_cdn.keycdn", "KeyCdnTrackingDomain", "keycdn"),
}


def load_front_door(kind_name: str) -> tuple[type, type]:
    """The component class and its args TypedDict for ``frontDoor``; refuses unknown kinds and
    says how to install a missing provider SDK."""
    kind = FRONT_DOORS.get(kind_name)
    if kind is None:
        near = closest_name(kind_name, [*FRONT_DOORS, NO_FRONT_DOOR, *platform_stack_kinds()])
        choices = (f"choose one of {', '.join(FRONT_DOORS)} (or {NO_FRONT_DOOR}: SparkPost's managed certificate; "
                   f"platform mode: {', '.join(platform_stack_kinds())})")
        hint = f"did you mean {near}? ({choices})" if near else choices
        raise InvalidArgument("frontDoor", f"unknown front door {kind_name!r}; {hint}")
    try:
        module = importlib.import_module(kind.module)
    except ModuleNotFoundError as missing:
        if missing.name and missing.name.startswith("pulumi_"):
            raise InvalidArgument("frontDoor", missing_sdk_message(kind_name, missing.name, kind.extra)) from None
        raise
    return getattr(module, kind.component), getattr(module, f"{kind.component}Args")


def platform_stack_kinds() -> list[str]:
    """The ``frontDoor`` values of platform mode (``cloudfront-platform``, ``cloudfront-tenants``, ...):
    ``tracking_cdn.platform.stack``."""
    from .platform import PLATFORMS

    return [f"{kind}{suffix}" for kind in PLATFORMS for suffix in ("-platform", "-tenants")]


def missing_sdk_message(kind_name: str, sdk: str, extra: str) -> str:
    # The package is not on any registry: only installs from a checkout or a built wheel work.
    return (
        f"the {kind_name!r} front door needs the {sdk} SDK, which is not installed; from a checkout of "
        f"tracking-cdn: pip install -e '.[{extra}]' (or a built wheel: pip install 'dist/<wheel>.whl[{extra}]')"
    )


def camel_case(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(word.title() for word in rest)


def argument_types(args_type: type) -> dict[str, Any]:
    """``args_type``'s fields and their annotations, ``pulumi.Input[...]`` forward refs resolved."""
    return typing.get_type_hints(args_type, localns={"Output": pulumi.Output, "T": pulumi.output.T})


def args_from_config(config: pulumi.Config, args_type: type) -> dict[str, Any]:
    """Read every argument of ``args_type`` from its camelCase config key, typed by its annotation:
    string-typed arguments verbatim, others (lists, numbers, booleans, objects) parsed as the JSON
    the Pulumi CLI hands structured values over as, and refused unless they have the right shape."""
    args: dict[str, Any] = {}
    for key, annotation in argument_types(args_type).items():
        value = typed_setting(config, camel_case(key), annotation)
        if value is not None:
            args[key] = value
        elif key in getattr(args_type, "__required_keys__", ()):
            raise StackConfigError(config.full_key(camel_case(key)), f"required: {describe(annotation, camel_case(key))}")
    return args


def typed_setting(config: pulumi.Config, key: str, annotation: Any) -> Any:
    """The value of ``config``'s ``key`` as ``annotation`` says, None when unset."""
    raw = config.get(key)
    if raw is None:
        return None
    full_key = config.full_key(key)
    secret = runtime_config.is_config_secret(full_key)

    def got(shown: str) -> str:
        return "a secret value" if secret else shown

    if _accepts_str(annotation):
        structured = _structured(raw)
        if structured is None:
            return raw
        # A list or object in the stack file: the Pulumi CLI hands it over as JSON text, never a name or id.
        raise StackConfigError(full_key, f"expected {_text_wanted(key, structured)}, got {got(f'{_kind(structured)} {raw}')}")
    try:
        value = load_json(raw, full_key)
        fits = _fits(value, annotation)
    except DocumentError:
        fits = False
    if not fits:
        raise StackConfigError(full_key, f"expected {describe(annotation, key)}, got {got(repr(raw))}")
    for name, field in typing.get_type_hints(annotation).items() if typing.is_typeddict(annotation) else ():
        if name in value and not _fits(value[name], field):
            raise StackConfigError(f"{full_key}.{name}", f"expected {describe(field, name)}, got {got(repr(value[name]))}")
    return value


def describe(annotation: Any, key: str = "") -> str:
    """What a value of ``annotation`` looks like in a stack file, for error messages; a key ending
    in ``Seconds`` names its unit."""
    origin, inner = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is bool:
        return "true or false"
    if annotation is int:
        unit = " of seconds" if key.endswith("Seconds") else ""
        return f"a whole number{unit} such as 10"
    if origin is list and inner and inner[0] is str:
        # The one list-of-strings argument is `domains`.
        return "a list of domain names such as [track.example.com, click2.example.com]"
    if origin is list:
        return "a list of objects such as [{key: value}]"
    if origin is dict or annotation is dict or typing.is_typeddict(annotation):
        return "an object (a YAML mapping such as {key: value})"
    if _accepts_str(annotation):
        return "text"
    return f"a value of type {getattr(annotation, '__name__', annotation)}"


def _structured(raw: str) -> Optional[Any]:
    """The list or object ``raw`` is the JSON text of, else None (text)."""
    if not raw.startswith(("[", "{")):
        return None
    try:
        value = load_json(raw, "config")
    except DocumentError:
        return None
    return value if isinstance(value, (list, dict)) else None


def _kind(value: Any) -> str:
    return "a list" if isinstance(value, list) else "an object"


def _text_wanted(key: str, structured: Any) -> str:
    """What a text setting looks like, shown with the one value ``structured`` holds when it holds one
    (``[Z1]`` -> ``hostedZoneId: Z1``), the likeliest meaning."""
    items = structured if isinstance(structured, list) else list(structured.values())
    if len(items) == 1 and isinstance(items[0], (str, int, float)) and not isinstance(items[0], bool):
        return f"{describe(str)} such as {key}: {items[0]}"
    return f"{describe(str)} (one value, not {_kind(structured)})"


def _fits(value: Any, annotation: Any) -> bool:
    origin, inner = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is list:
        return isinstance(value, list) and all(_fits(item, inner[0]) for item in value if inner)
    if origin is dict or annotation is dict or typing.is_typeddict(annotation):
        return isinstance(value, dict)
    return annotation is Any or not isinstance(annotation, type) or isinstance(value, annotation)


def _accepts_str(annotation: Any) -> bool:
    """True for ``str`` and unions holding it (``pulumi.Input[str]``, ``Optional[str]``)."""
    return annotation is str or (
        typing.get_origin(annotation) in (typing.Union, types.UnionType) and str in typing.get_args(annotation)
    )


def output_names(component_class: type) -> list[str]:
    """The outputs a component declares (``pulumi.Output`` class annotations), base class first."""
    names: list[str] = []
    for cls in reversed(component_class.__mro__):
        for key, annotation in getattr(cls, "__annotations__", {}).items():
            if getattr(annotation, "__origin__", None) is pulumi.Output and key not in names:
                names.append(key)
    return names


# --- the keys of a stack --------------------------------------------------------------------------


def configured_keys() -> list[str]:
    """Every config key the program was given (``namespace:name``), in the form ``pulumi.Config``
    reads (the legacy ``namespace:config:name`` form normalised)."""
    keys = {*runtime_config.get_config_env(), *runtime_config.CONFIG.get()}
    return sorted({re.sub(r"^([^:]*):config:", r"\1:", key) for key in keys})


def check_namespaces(namespace: str, keys: list[str]) -> None:
    """Refuse settings of this program written under another project's namespace: the namespace
    ``tracking-cdn`` of the example stacks, or any namespace holding a ``frontDoor``."""
    foreign = sorted({key.split(":", 1)[0] for key in keys if ":" in key} - {namespace})
    for other in foreign:
        if other == SHIPPED_NAMESPACE or f"{other}:frontDoor" in keys:
            names = [key.split(":", 1)[1] for key in keys if key.startswith(f"{other}:")]
            name = "frontDoor" if "frontDoor" in names else names[0]
            raise StackConfigError(
                f"{other}:{name}",
                f"the config namespace follows the project name in Pulumi.yaml, which is {namespace!r}: "
                f"write {namespace}:{name} (rename every {other}: key), or set `name: {other}` in Pulumi.yaml",
            )


def front_door_setting(namespace: str, names: list[str]) -> str:
    """The configured ``frontDoor``, or a refusal that says what to write."""
    value = pulumi.Config(namespace).get("frontDoor")
    if value is not None:
        return value
    near = closest_name("frontDoor", names)
    if near:
        raise StackConfigError(f"{namespace}:{near}", f"unknown key; did you mean {namespace}:frontDoor?")
    raise StackConfigError(
        f"{namespace}:frontDoor",
        f"required: the front door to build, one of {', '.join(FRONT_DOORS)} (e.g. `{namespace}:frontDoor: cloudfront` "
        f"in the stack file's config)",
    )


def check_setting_names(namespace: str, names: list[str], args_type: type, kind_name: str) -> None:
    """Every key of the namespace is read by the program: refuse the others with the closest valid key."""
    valid = [*STACK_SETTINGS, *(camel_case(key) for key in argument_types(args_type))]
    for name in names:
        if name in valid:
            continue
        elsewhere = sorted(kind for kind in FRONT_DOORS if kind != kind_name and name in _argument_names(kind))
        where = f" (it is an argument of the {' and '.join(elsewhere)} front door)" if elsewhere else ""
        near = closest_name(name, valid)
        hint = f"did you mean {namespace}:{near}?" if near else f"valid keys: {', '.join(sorted(valid))}"
        raise StackConfigError(f"{namespace}:{name}", f"unknown key for the {kind_name} front door{where}; {hint}")


def check_api_key_is_used(namespace: str, names: list[str]) -> None:
    """``sparkpostApiKey`` is read by the SparkPost step alone: refused without ``sparkpost``, which
    would leave the key unused."""
    if "sparkpostApiKey" in names and "sparkpost" not in names:
        raise StackConfigError(
            f"{namespace}:sparkpostApiKey",
            f"nothing uses this key without {namespace}:sparkpost: it is the API key with which the SparkPost "
            f"step tells SparkPost the tracking domains are served over HTTPS; add {namespace}:sparkpost "
            "(docs/sparkpost.md), or remove this key",
        )


def _argument_names(kind_name: str) -> set[str]:
    try:
        _, args_type = load_front_door(kind_name)
    except (InvalidArgument, ImportError):
        return set()
    return {camel_case(key) for key in argument_types(args_type)}


def component_name(namespace: str, name: Optional[str]) -> str:
    """The front door's resource name (``name``, default ``tracking``): it starts every child's name
    and URN, so it is refused unless it reads as a name."""
    if name is None:
        return DEFAULT_COMPONENT_NAME
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise StackConfigError(
            f"{namespace}:name",
            f"expected a name such as {DEFAULT_COMPONENT_NAME} (letters, digits, '-', '_', '.'), got {name!r}",
        )
    return name


@contextmanager
def config_key_names(namespace: str) -> Iterator[None]:
    """Report a component's refusal under the config key that set the argument
    (``domains[0]`` -> ``tracking-cdn:domains[0]``)."""
    try:
        yield
    except StackConfigError:
        raise
    except InvalidArgument as error:
        message = str(error)[len(error.argument) + 2 :]
        head, tail = re.match(r"([^.\[]*)(.*)", error.argument).groups()
        raise StackConfigError(f"{namespace}:{camel_case(head)}{tail}", message) from None


def main() -> None:
    namespace = pulumi.get_project()
    config = pulumi.Config(namespace)
    keys = configured_keys()
    check_namespaces(namespace, keys)
    names = [key.split(":", 1)[1] for key in keys if key.startswith(f"{namespace}:")]
    kind_name = front_door_setting(namespace, names)
    if kind_name in platform_stack_kinds():
        from .platform.stack import main as platform_stack

        platform_stack(namespace, names, kind_name)
        return
    if kind_name == NO_FRONT_DOOR:
        check_setting_names(namespace, names, SparkPostOnlyArgs, kind_name)
        sparkpost_domains = _sparkpost_without_front_door(namespace, config)
    else:
        with config_key_names(namespace):
            component_class, args_type = load_front_door(kind_name)
        check_setting_names(namespace, names, args_type, kind_name)
        check_api_key_is_used(namespace, names)
        settings = {
            key: typed_setting(config, key, annotation)
            for key, annotation in STACK_SETTINGS.items()
            if key not in SECRET_SETTINGS  # read by the SparkPost step, as a secret
        }
        args = args_from_config(config, args_type)
        with config_key_names(namespace):
            front_door = component_class(component_name(namespace, settings["name"]), args)
            for name in output_names(component_class):
                pulumi.export(camel_case(name), getattr(front_door, name))
            # Optional last step: tell SparkPost the domains are secure (config `sparkpost`), after the front door.
            sparkpost_domains = register_sparkpost_domains(front_door, config)
    pulumi.export("frontDoor", kind_name)
    if sparkpost_domains:
        pulumi.export("sparkpostVerified", {domain: r.verified for domain, r in sparkpost_domains.items()})
        # What SparkPost still waits for (DNS, the HTTPS check, a certificate), per domain; "" when nothing.
        pulumi.export("sparkpostPending", {domain: r.pending for domain, r in sparkpost_domains.items()})


def _sparkpost_without_front_door(namespace: str, config: pulumi.Config) -> dict[str, Any]:
    """``frontDoor: none``: only the SparkPost tracking domains, on SparkPost's managed certificate."""
    args_from_config(config, SparkPostOnlyArgs)  # types and required keys, refused naming the key
    if config.get("name") is not None:
        raise StackConfigError(config.full_key("name"), f"names a front door component; frontDoor is {NO_FRONT_DOOR}")
    sparkpost = typed_setting(config, "sparkpost", STACK_SETTINGS["sparkpost"])
    if not sparkpost or sparkpost.get("managedCertificate") is not True:
        raise StackConfigError(
            config.full_key("sparkpost"),
            f"frontDoor: {NO_FRONT_DOOR} serves HTTPS with SparkPost's managed certificate only: set "
            f"{namespace}:sparkpost with managedCertificate: true (esp sparkpost-v2 or sparkpost-eu-v2), "
            "or choose a front door",
        )
    with config_key_names(namespace):
        domains = register_sparkpost_domains(None, config)
        origin = resolve_origin(config.get("esp") or DEFAULT_ESP, config.get("tenant"))
    # The one record each domain needs: its CNAME straight to SparkPost's V2 endpoint.
    pulumi.export("dnsRecords", [DnsRecord(name=d, type="CNAME", value=origin.host, purpose=ROUTE) for d in domains])
    return domains

"""Reading a stack's config as component arguments, for the stack programs (``tracking_cdn.stack`` for a
front door, ``tracking_cdn.platform.stack`` for platform mode): every argument from its camelCase key,
typed by its annotation and refused in one line naming the key (``StackConfigError``), and a
component's own refusals reported under the key that set the argument.
"""

import re
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Optional

import pulumi
from pulumi.runtime import config as runtime_config

from .documents import DocumentError, load_json
from .errors import InvalidArgument, printable
from .sparkpost import SparkPostConfig

DEFAULT_COMPONENT_NAME = "tracking"


STACK_SETTINGS: dict[str, Any] = {
    # The stack program's own keys (not component arguments) and their types.
    "frontDoor": str,
    "name": str,
    "sparkpost": SparkPostConfig,
    "sparkpostApiKey": str,
}


class StackConfigError(InvalidArgument, pulumi.RunError):
    """A stack config key or value the program refuses; ``argument`` is the full key
    (``tracking-cdn:domains``). A ``RunError``, so ``pulumi up`` prints the message alone rather
    than a traceback (``pulumi.errors.RunError``'s docstring: "a clean exit rather than the usual
    verbose unhandled error logic")."""

    def __init__(self, argument: str, message: str) -> None:
        # A key is the stack file's text: shown escaped, as values are (their repr escapes them).
        super().__init__(printable(argument), message)


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

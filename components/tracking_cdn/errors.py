"""The one error type for bad input, raised before any resource is registered, and how a message shows
text that users or servers wrote."""


class InvalidArgument(ValueError):
    """An argument has a value the library refuses; the message names the argument and what is valid."""

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        super().__init__(f"{argument}: {message}")


def printable(text: str) -> str:
    """``text`` safe to show on a terminal: every character that is not printable (ANSI escape
    sequences, other control characters, bidirectional overrides) is shown as an escape such as
    ``\\x1b`` or ``\\u202e``. Messages quote what users and servers wrote (a stack file's keys, a
    server's headers), which must not be able to redraw the screen (e.g. overwrite a FAIL with a PASS)."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def command_line_message(error: InvalidArgument, options: dict[str, str]) -> str:
    """``error`` as a command-line user reads it: the library's argument names replaced by the
    options that set them (``origin_host`` -> ``--origin-host``, ``domains[1]`` -> ``--domain #2``)."""
    name, _, index = error.argument.partition("[")
    message = str(error)[len(error.argument) + 2 :]
    for argument, option in options.items():
        if "_" in argument:  # an identifier, never an English word in the message
            message = message.replace(argument, option)
    position = f" #{int(index.rstrip(']')) + 1}" if index else ""
    return f"{options.get(name, name)}{position}: {message}"

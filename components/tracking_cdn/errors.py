"""The one error type for bad input, raised before any resource is registered."""


class InvalidArgument(ValueError):
    """An argument has a value the library refuses; the message names the argument and what is valid."""

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        super().__init__(f"{argument}: {message}")


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

"""The one error type for bad input, raised before any resource is registered."""


class InvalidArgument(ValueError):
    """An argument has a value the library refuses; the message names the argument and what is valid."""

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        super().__init__(f"{argument}: {message}")

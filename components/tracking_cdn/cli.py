"""The ``tracking-cdn`` command. Each subcommand lives in its own module with ``configure(parser)``
and ``run(args) -> int``; those modules import only the standard library at import time, so the
command starts fast and ``check``/``proxy`` never load a Pulumi SDK."""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import re
import sys
from typing import Any, NoReturn, Optional, Sequence

from . import __version__

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "plan": ("tracking_cdn.plan", "render what a stack would create, offline (no cloud, no Pulumi CLI)"),
    "check": ("tracking_cdn.check", "verify live tracking domains end to end (DNS, TLS, ESP reachability)"),
    "proxy": ("tracking_cdn.proxy.cli", "print an nginx, Apache or Caddy configuration for a self-hosted proxy"),
    "ask-server": ("tracking_cdn.proxy.ask", "approve a self-hosted platform's names for Caddy's on-demand TLS (loopback)"),
}


class CommandParser(argparse.ArgumentParser):
    """argparse, with every command-line mistake reported in one line: the problem, the closest
    valid option or choice of the command it was given to, and where the rest are listed (exit
    status 2, as argparse's)."""

    def parse_known_args(self, args: Optional[Sequence[str]] = None, namespace: Any = None) -> Any:  # type: ignore[override]
        self._given = list(sys.argv[1:] if args is None else args)  # what error() reads unknown flags from
        return super().parse_known_args(args, namespace)

    def parse_args(self, args: Optional[Sequence[str]] = None, namespace: Any = None) -> argparse.Namespace:  # type: ignore[override]
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            # argparse leaves a subcommand's unknown flags to the top parser: report them as the
            # chosen subcommand's, whose flags the user meant to give.
            self._chosen(parsed).error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def error(self, message: str) -> NoReturn:
        if message.startswith("the following arguments are required"):
            # `plan --stak x`: --stack is missing because it was misspelt; say so, with the flag meant.
            misspelt = [flag for flag in self._unknown_flags() if self._closest(flag.split("=")[0])]
            message = f"unrecognized arguments: {' '.join(misspelt)}" if misspelt else message
        bad = re.search(r"unrecognized arguments: ([^\s=]+)|invalid choice: '([^']*)'", message)
        near = self._closest(next(filter(None, bad.groups()))) if bad else None
        hint = f"; did you mean {near}?" if near else ""
        self.exit(2, f"{self.prog}: error: {message}{hint} (see `{self.prog} --help`)\n")

    def _closest(self, word: str) -> Optional[str]:
        """The option or choice of this parser closest to ``word`` (never ``word`` itself)."""
        near = difflib.get_close_matches(word, [known for known in self._known_words() if known != word], n=1)
        return near[0] if near else None

    def _unknown_flags(self) -> list[str]:
        """The flags given to this parser that none of its options is or abbreviates."""
        given = getattr(self, "_given", [])
        flags = given[: given.index("--")] if "--" in given else given
        options = list(self._option_string_actions)
        return [
            flag for flag in flags
            if re.match(r"-[^\d]", flag) and not any(option.startswith(flag.split("=")[0]) for option in options)
        ]

    def _chosen(self, parsed: argparse.Namespace) -> "CommandParser":
        """The parser of the subcommand ``parsed`` ran (this one when none)."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                chosen = action.choices.get(getattr(parsed, action.dest, None))
                if isinstance(chosen, CommandParser):
                    return chosen._chosen(parsed)
        return self

    def _known_words(self) -> list[str]:
        """This parser's option strings and the values its arguments choose from (subcommand names,
        a server kind), not a subcommand's options: those are refused by the subcommand's parser."""
        words: list[str] = []
        for action in self._actions:
            words += action.option_strings
            words += [choice for choice in action.choices or () if isinstance(choice, str)]
        return words


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="tracking-cdn",
        description="HTTPS front doors for email click/open tracking domains.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, summary) in SUBCOMMANDS.items():
        command = commands.add_parser(name, help=summary, description=summary)
        module = importlib.import_module(module_name)
        module.configure(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = int(args.run(args) or 0)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader left (`tracking-cdn plan ... | head -1`): end quietly, as Python's docs recommend
        # (docs.python.org/3/library/signal.html#note-on-sigpipe): stdout to devnull, so that the
        # interpreter's own flush at exit does not fail again, and exit status 1.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())

"""The ``tracking-cdn`` command. Each subcommand lives in its own module with ``configure(parser)``
and ``run(args) -> int``; those modules import only the standard library at import time, so the
command starts fast and ``check``/``proxy`` never load a Pulumi SDK."""

from __future__ import annotations

import argparse
import difflib
import importlib
import re
import sys
from typing import NoReturn, Optional, Sequence

from . import __version__

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "plan": ("tracking_cdn.plan", "render what a stack would create, offline (no cloud, no Pulumi CLI)"),
    "check": ("tracking_cdn.check", "verify live tracking domains end to end (DNS, TLS, ESP reachability)"),
    "proxy": ("tracking_cdn.proxy.cli", "print an nginx, Apache or Caddy configuration for a self-hosted proxy"),
}


class CommandParser(argparse.ArgumentParser):
    """argparse, with every command-line mistake reported in one line: the problem, the closest
    valid option or choice, and where the rest are listed (exit status 2, as argparse's)."""

    def error(self, message: str) -> NoReturn:
        bad = re.search(r"unrecognized arguments: (\S+)|invalid choice: '([^']*)'", message)
        near = difflib.get_close_matches(next(filter(None, bad.groups())), self._known_words(), n=1) if bad else []
        hint = f"; did you mean {near[0]}?" if near else ""
        self.exit(2, f"{self.prog}: error: {message}{hint} (see `{self.prog} --help`)\n")

    def _known_words(self) -> list[str]:
        """Option strings and subcommand names of this parser and every subcommand's."""
        words: list[str] = []
        for action in self._actions:
            words += action.option_strings
            if isinstance(action, argparse._SubParsersAction):
                for name, subparser in action.choices.items():
                    words += [name, *subparser._known_words()]
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
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

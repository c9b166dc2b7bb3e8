"""The ``tracking-cdn`` command. Each subcommand lives in its own module with ``configure(parser)``
and ``run(args) -> int``; those modules import only the standard library at import time, so the
command starts fast and ``check``/``proxy`` never load a Pulumi SDK."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Optional, Sequence

from . import __version__

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "plan": ("tracking_cdn.plan", "render what a stack would create, offline (no cloud, no Pulumi CLI)"),
    "check": ("tracking_cdn.check", "verify live tracking domains end to end (DNS, TLS, ESP reachability)"),
    "proxy": ("tracking_cdn.proxy.cli", "print an nginx, Apache or Caddy configuration for a self-hosted proxy"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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

"""Pulumi entry point: the stack's config says which front door to build (see tracking_cdn.stack)."""

from tracking_cdn.stack import main

main()

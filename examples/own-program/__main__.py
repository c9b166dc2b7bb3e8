"""The Pulumi CLI runs this file; the program itself is infra.py, which the unit tests import."""

import infra  # noqa: F401

"""Entry point of the component package: Pulumi runs ``python provider <engine address> ...``.

``python provider --write-schema`` (from the repository root) rewrites ``provider/schema.json``.
See ``tracking_cdn.provider`` and docs/multi-language.md.
"""

import sys
from pathlib import Path

from tracking_cdn.provider import main

sys.exit(main(sys.argv[1:], schema_file=Path(__file__).with_name("schema.json")))

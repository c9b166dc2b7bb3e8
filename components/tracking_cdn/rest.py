"""What the REST-backed dynamic resources share (SparkPost's tracking domains, KeyCDN's zones and zone
aliases): a hardened JSON client and the pattern of their dynamic providers.

No Pulumi import at module level beyond what the providers need; no cloud SDK.
"""

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Optional

JOURNAL_DIRECTORY = "tracking-cdn/creates-under-way"
"""Under ``$PULUMI_HOME`` (default ``~/.pulumi``): the journal of creates under way on this machine."""


class CreateJournal:
    """Creates under way on this machine, so that the next ``pulumi up`` recognises an object a create of
    this stack made before it was interrupted (its answer lost for good, the API down before the create
    could undo it, or the provider process killed).

    Pulumi records a resource only when its create returns, and a service's answer to the request that
    created an object can be lost: then the object exists and the stack does not know it. An entry
    (service, scope, the object's name) is written *before* that request and removed once the create has
    returned or undone what it did; a create that finds the object already there and an entry for it
    takes it over as its own (not adopted: destroy deletes it). An entry holds no secret.

    Where the journal cannot be written (a read-only home), creates go on without it; a leftover is then
    refused as any existing object is, with the one step that clears it (docs/sparkpost.md)."""

    def __init__(self, service: str, directory: Optional[Path] = None) -> None:
        self.service = service
        self.directory = directory or Path(os.environ.get("PULUMI_HOME") or Path.home() / ".pulumi") / JOURNAL_DIRECTORY

    def _entry(self, scope: str, name: str) -> Path:
        digest = hashlib.sha256("\n".join((self.service, scope, name)).encode()).hexdigest()[:32]
        return self.directory / f"{digest}.json"

    def begin(self, scope: str, name: str) -> None:
        """Record that a create of ``name`` (in ``scope``: the API and account) is about to be sent."""
        entry = {"service": self.service, "scope": scope, "name": name}
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.directory, suffix=".tmp", delete=False) as staged:
                json.dump(entry, staged, sort_keys=True)
            os.replace(staged.name, self._entry(scope, name))
        except OSError:
            pass  # no journal here: see the class docstring

    def holds(self, scope: str, name: str) -> bool:
        try:
            entry = json.loads(self._entry(scope, name).read_text())
        except (OSError, ValueError):
            return False
        return entry == {"service": self.service, "scope": scope, "name": name}

    def end(self, scope: str, name: str) -> None:
        """The create of ``name`` is over: returned, undone, or found not to have happened."""
        try:
            self._entry(scope, name).unlink(missing_ok=True)
        except OSError:
            pass

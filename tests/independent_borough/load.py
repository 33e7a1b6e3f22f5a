"""Put an independent borough into the hub: its four agencies, then its four files, through the
hub's own import service (what `openmash import FEED FILE --agency CODE` runs). Needs Django.

    from tests.independent_borough.load import agencies_ensure, import_all
    agencies_ensure()
    results = import_all(Path("borough"))  # {agency code: ImportResult}
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency
from openmash.accounts.services import agency_create
from openmash.intake.feeds.catalogue import FEEDS
from openmash.intake.feeds.importer import ImportResult, feed_file_import
from openmash.intake.feeds.spec import RowError

from .agencies import AGENCIES


def agencies_ensure() -> dict[str, Agency]:
    """The borough's four agencies, created if the hub does not have them yet."""
    found = {}
    for agency in AGENCIES:
        existing = Agency.objects.filter(code=agency.code).first()
        found[agency.code] = existing or agency_create(name=agency.name, kind=agency.kind, code=agency.code)
    return found


def import_all(
    out: Path, *, on_error: Callable[[str, RowError], None] | None = None, truth: Path | None = None
) -> dict[str, ImportResult]:
    """Import every feed file of the borough written to ``out``; ``on_error(agency code, error)``."""
    manifest = json.loads(((truth or out / "truth") / "manifest.json").read_text())
    agencies = agencies_ensure()
    results = {}
    for entry in manifest["agencies"]:
        code = entry["code"]
        results[code] = feed_file_import(
            actor=Actor.system(f"import:{entry['feed']}"),
            spec=FEEDS[entry["feed"]],
            agency=agencies[code],
            path=out / manifest["feeds_dir"] / entry["file"],
            on_error=(lambda error, code=code: on_error(code, error)) if on_error else None,
        )
    return results

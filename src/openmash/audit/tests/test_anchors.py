"""Anchored chain heads catch what the chain alone cannot: the newest rows deleted or rewritten."""

from __future__ import annotations

import json
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from openmash.audit.anchors import ANCHOR_FILE, anchors_read
from openmash.audit.tests.test_audit_chain import AGENCY_A, tamper, write_events


@pytest.fixture
def anchor_dir(tmp_path, settings):
    settings.OPENMASH_AUDIT_ANCHOR_DIR = str(tmp_path)
    return tmp_path


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", verbosity=0, stdout=out)
    return out.getvalue()


def anchor() -> str:
    out = StringIO()
    call_command("audit_anchor", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_deleting_the_newest_rows_after_an_anchor_is_caught(anchor_dir, superuser_sql):
    write_events(AGENCY_A, 3)
    anchor()
    assert "1 anchored heads still in place" in verify()

    tamper(superuser_sql, "DELETE FROM audit_accessevent WHERE chain = %s AND sequence = 3", [str(AGENCY_A)])

    with pytest.raises(CommandError) as failure:
        verify()
    assert f"chain {AGENCY_A}, sequence 3" in str(failure.value)
    assert "end of the chain was deleted" in str(failure.value)


def test_rewriting_the_anchored_head_is_caught(anchor_dir, superuser_sql):
    write_events(AGENCY_A, 2)
    anchor()
    tamper(
        superuser_sql,
        "UPDATE audit_accessevent SET entry_hash = repeat('a', 64) WHERE chain = %s AND sequence = 2",
        [str(AGENCY_A)],
    )
    with pytest.raises(CommandError, match="sequence 2"):
        verify()


def test_rows_written_after_the_anchor_still_verify(anchor_dir, superuser_sql):
    write_events(AGENCY_A, 2)
    anchor()
    write_events(AGENCY_A, 2)
    assert verify().startswith("OK: 4 access events in 1 chains")


def test_every_chain_head_is_anchored_and_printed_for_the_siem(anchor_dir, superuser_sql):
    other_agency = "00000000-0000-4000-8000-00000000000c"
    write_events(AGENCY_A, 2)
    write_events(uuid.UUID(other_agency), 1)
    lines = [json.loads(line) for line in anchor().splitlines()]
    assert {(line["chain"], line["sequence"]) for line in lines} == {(str(AGENCY_A), 2), (other_agency, 1)}
    assert len(anchors_read(anchor_dir)) == 2


def test_an_edited_anchor_file_is_reported(anchor_dir, superuser_sql):
    write_events(AGENCY_A, 2)
    anchor()
    path = anchor_dir / ANCHOR_FILE
    path.write_text(path.read_text().replace('"sequence": 2', '"sequence": 1'))

    with pytest.raises(CommandError, match="anchor file was changed"):
        verify()

"""`openmash import`: run as a real process, killed half-way and re-run, against the test database.

The state after a kill and a re-run must be exactly the state of one clean run: the same
records and versions, identities and links, reviews, contacts and the hub's relationships,
warning signs, and one completed batch with the same counts.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from openmash.access.models import Relationship, RelationshipBasis
from openmash.exploitation.models import Sign
from openmash.intake.feeds.samples import rows_to_csv, sample_rows
from openmash.intake.models import BatchStatus, Contact, FeedBatch, FeedRecord, IdentityReview, SignOutbox
from openmash.people.models import AgencyIdentity
from tests.fixtures import superuser_connection

from .conftest import AS_OF

ROOT = Path(__file__).resolve().parents[4]
TABLES_AN_IMPORT_WRITES = [
    "intake_signoutbox",
    "intake_contactstatuschange",
    "intake_contact",
    "intake_contactevent",
    "intake_feedrecord",
    "intake_identityreview",
    "intake_feedbatch",
    "exploitation_sign",
    "access_relationship",
    "access_relationshipevent",
    "people_agencyidentity",
    "people_agencyidentityevent",
]


def _database_url() -> str:
    settings = connection.settings_dict
    return f"postgresql://{settings['USER']}@/{settings['NAME']}?host={settings['HOST']}"


def _command(path: Path, agency_code: str, chunk_size: int = 50) -> list[str]:
    return [
        sys.executable, "-m", "openmash.cli", "import", "police_missing", str(path),
        "--agency", agency_code, "--chunk-size", str(chunk_size), "--no-progress",
    ]  # fmt: skip


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "config.settings.test"})
    env.pop("OPENMASH_DB_OWNER", None)
    return env


def _run(path: Path, agency_code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(path, agency_code), cwd=ROOT, env=_environment(), capture_output=True, text=True, timeout=600
    )


def _state() -> dict[str, list[tuple[object, ...]]]:
    """Everything an import writes, without the ids and times that differ between any two runs."""
    record_source = dict(FeedRecord.objects.values_list("pk", "source_id"))
    return {
        "records": sorted(
            FeedRecord.objects.values_list(
                "source_id", "version", "content_hash", "row_number", "event_type", "event_date",
                "identity__agency_record_id",
            )
        ),
        "identities": sorted(AgencyIdentity.objects.values_list("agency_record_id", "child_id", "surname")),
        "reviews": sorted(
            IdentityReview.objects.values_list("identity__agency_record_id", "status", "reason")
        ),
        "contacts": sorted(
            (c.feed_record.source_id, c.feed_record.version, c.child_id, c.urgency, c.is_re_referral,
             c.status, c.summary, c.source, c.hub_relationship_id is not None)
            for c in Contact.objects.select_related("feed_record")
        ),
        "relationships": sorted(
            (r.child_id, bool(r.source_reference), r.valid_to is None)
            for r in Relationship.objects.filter(basis=RelationshipBasis.HUB_CONTACT)
        ),
        "outbox": sorted(
            (record_source[row[0]], *row[1:])
            for row in SignOutbox.objects.values_list("record_id", "indicator_code", "observed_on", "error")
        ),
        "signs": sorted(
            (record_source[uuid.UUID(row[0])], *row[1:])
            for row in Sign.objects.values_list("source_id", "indicator_code", "observed_on", "child_id")
        ),
        "batches": sorted(
            FeedBatch.objects.values_list(
                "status", "rows", "created", "new_versions", "unchanged", "rejected"
            )
        ),
    }  # fmt: skip


def _forget_everything_imported() -> None:
    with superuser_connection() as conn:
        existing = {
            row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        }
        tables = ", ".join(table for table in TABLES_AN_IMPORT_WRITES if table in existing)
        conn.execute("SET session_replication_role = replica")
        conn.execute(f"TRUNCATE {tables} CASCADE")


@pytest.fixture
def missing_file(tmp_path, people, make_children) -> Path:
    """About 900 rows: reports and returns, repeat episodes, later corrections of earlier rows, bad rows."""
    make_children(people[:20])  # the rest stay unmatched and go to review
    rows = list(sample_rows(feed="police_missing", persons=people, count=800, seed=3, as_of=AS_OF))
    corrections = [dict(row, summary=row["summary"] + " (corrected)") for row in rows[::9]]
    bad = [dict(row, record_id=f"BAD-{i}", occurred_at="not a time") for i, row in enumerate(rows[:7])]
    path = tmp_path / "police_missing.csv"
    path.write_text(rows_to_csv(rows + corrections + bad, "police_missing"), encoding="utf-8", newline="")
    return path


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_import_killed_half_way_and_run_again_ends_exactly_as_one_clean_run(
    missing_file, police, hub_team
):
    clean = _run(missing_file, police.code)
    assert clean.returncode == 1, clean.stdout + clean.stderr  # the seven bad rows
    assert "7 rows were refused" in clean.stdout
    clean_state = _state()
    assert (
        clean_state["records"]
        and clean_state["contacts"]
        and clean_state["outbox"]
        and clean_state["reviews"]
    )
    assert any(version > 1 for _, version, *_ in clean_state["records"])
    clean_report = Path(str(missing_file) + ".errors.csv").read_text()
    assert clean_report.count("\n") == 8

    _forget_everything_imported()
    assert not FeedRecord.objects.exists()

    process = subprocess.Popen(
        _command(missing_file, police.code, chunk_size=25), cwd=ROOT, env=_environment(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while FeedRecord.objects.count() < 150:
        assert process.poll() is None, "the import finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    stored_when_killed = FeedRecord.objects.count()
    assert 0 < stored_when_killed < len(clean_state["records"])
    assert FeedBatch.objects.get().status == BatchStatus.RUNNING

    rerun = _run(missing_file, police.code)
    assert rerun.returncode == 1, rerun.stdout + rerun.stderr
    assert "stopped part-way" in rerun.stdout
    assert _state() == clean_state
    assert FeedBatch.objects.get().runs == 2
    assert Path(str(missing_file) + ".errors.csv").read_text() == clean_report

    third = _run(missing_file, police.code)
    assert third.returncode == 1
    assert _state()["records"] == clean_state["records"]
    assert FeedBatch.objects.latest("started_at").unchanged == len(clean_state["records"])


@pytest.mark.django_db
def test_the_command_prints_a_summary_writes_a_report_and_exits_by_outcome(
    tmp_path, police, hub_team, people, capsys
):
    rows = list(sample_rows(feed="police_missing", persons=people, count=6, seed=1, as_of=AS_OF))
    rows[2]["occurred_at"] = "2026-02-30T10:00"
    path = tmp_path / "in.csv"
    path.write_text(rows_to_csv(rows, "police_missing"), encoding="utf-8", newline="")
    with pytest.raises(SystemExit) as exit_:
        call_command("import_feed", "police_missing", str(path), "--agency", police.code, "--no-progress")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "Rows read" in out and "Refused" in out and "1 rows were refused" in out
    with (tmp_path / "in.csv.errors.csv").open(newline="", encoding="utf-8") as report:
        assert list(csv.reader(report)) == [
            ["row", "field", "reason", "outcome"],
            [
                "4",
                "occurred_at",
                "occurred_at '2026-02-30T10:00' is not a date and time written as YYYY-MM-DDTHH:MM "
                "(for example 2026-03-14T21:30, or with seconds and a UTC offset)",
                "row refused",
            ],
        ]
    path.write_bytes("record_id\r\nZoë\r\n".encode("cp1252"))
    with pytest.raises(SystemExit) as exit_:
        call_command("import_feed", "police_missing", str(path), "--agency", police.code, "--no-progress")
    assert exit_.value.code == 2
    assert "not UTF-8" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        call_command("import_feed", "police_missing", str(path), "--agency", "nobody", "--no-progress")
    assert exit_.value.code == 2
    assert "no agency with code 'nobody'" in capsys.readouterr().out


def test_a_bad_field_is_held_back_and_the_record_kept(tmp_path, police, hub_team, people, capsys):
    """ADR 0038: an invalid identifier, an impossible or future date, an unknown code: the row is
    stored without that field, reported with row and field, and the hub sees the value as sent;
    only a row with nothing that identifies the person is refused."""
    rows = list(sample_rows(feed="police_missing", persons=people, count=5, seed=3, as_of=AS_OF))
    rows[0]["upn"] = "B123456789012"  # fails the check letter (A)
    rows[1]["date_of_birth"] = "2099-01-01"  # in the future
    rows[2]["sex"] = "Q"  # no such code
    for name in ("forename", "surname", "date_of_birth", "nhs_number", "upn"):
        rows[3][name] = ""
    rows[3]["nhs_number"] = "1234567890"  # the only identifier, and mistyped
    path = tmp_path / "in.csv"
    path.write_text(rows_to_csv(rows, "police_missing"), encoding="utf-8", newline="")
    with pytest.raises(SystemExit) as exit_:
        call_command("import_feed", "police_missing", str(path), "--agency", police.code, "--no-progress")
    assert exit_.value.code == 1  # one row refused
    out = " ".join(capsys.readouterr().out.split())
    assert "3 fields were held back" in out and "1 rows were refused" in out, out
    with (tmp_path / "in.csv.errors.csv").open(newline="", encoding="utf-8") as report:
        lines = list(csv.reader(report))[1:]
    assert [(line[0], line[1], line[3]) for line in lines] == [
        ("2", "upn", "kept; this field held back"),
        ("3", "date_of_birth", "kept; this field held back"),
        ("4", "sex", "kept; this field held back"),
        ("5", "", "row refused"),
    ]
    kept = {record.source_id: record for record in FeedRecord.objects.all()}
    assert len(kept) == 4 and rows[3]["record_id"] not in kept
    upn_record = kept[rows[0]["record_id"]]
    assert upn_record.held_back[0]["field"] == "upn" and upn_record.payload["upn"] == "B123456789012"
    assert upn_record.identity.unique_pupil_number == ""
    assert [item["field"] for item in kept[rows[1]["record_id"]].held_back] == ["date_of_birth"]
    from openmash.intake.presenters import feed_payload_rows

    shown = {row["key"]["text"]: row["value"]["text"] for row in feed_payload_rows(
        "police_missing", upn_record.payload, upn_record.held_back)}  # fmt: skip
    assert shown["upn"].startswith("B123456789012 (held back, not used:")

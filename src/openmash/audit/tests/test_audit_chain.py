"""The read log is append-only and tamper-evident.

The application role may only INSERT and SELECT on audit_accessevent, and a trigger
refuses changes even to roles that hold the privilege. A database superuser can get
round both; `openmash audit verify` then finds the first row that no longer fits
its hash chain and names it.

Tampering needs committed rows visible to a second (superuser) connection, so those
tests use transactional_db (through the `superuser_sql` fixture).
"""

from __future__ import annotations

import uuid
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from openmash.accounts.actor import Actor
from openmash.accounts.roles import Role
from openmash.audit.models import AccessEvent, Action, Outcome
from openmash.audit.services import access_event_record, entry_hash_for
from tests.fixtures import superuser_connection

AGENCY_A = uuid.UUID("00000000-0000-4000-8000-00000000000a")
AGENCY_B = uuid.UUID("00000000-0000-4000-8000-00000000000b")


def actor_for(agency_id: uuid.UUID) -> Actor:
    return Actor(
        user_id=uuid.uuid4(),
        username=f"reader-{str(agency_id)[-1]}",
        role=Role.SOCIAL_WORKER,
        agency_id=agency_id,
        team_id=None,
        request_id=uuid.uuid4().hex,
        ip_address="192.0.2.10",
        user_agent="pytest",
    )


def write_events(agency_id: uuid.UUID, count: int) -> None:
    actor = actor_for(agency_id)
    for _ in range(count):
        access_event_record(
            actor=actor,
            action=Action.VIEW,
            resource_type="child",
            child_id=uuid.uuid4(),
            purpose="View child record",
            outcome=Outcome.GRANTED,
        )


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", verbosity=0, stdout=out)
    return out.getvalue()


def verify_failure() -> str:
    with pytest.raises(CommandError) as failure:
        verify()
    return str(failure.value)


def tamper(superuser_sql, sql: str, params: list) -> None:
    """What a database superuser could do: switch off the protect trigger, change rows, switch it back."""
    superuser_sql("ALTER TABLE audit_accessevent DISABLE TRIGGER USER")
    try:
        superuser_sql(sql, params)
    finally:
        superuser_sql("ALTER TABLE audit_accessevent ENABLE TRIGGER USER")


@pytest.fixture
def two_chains(superuser_sql) -> None:
    """Four reads by agency A and two by agency B: two chains."""
    write_events(AGENCY_A, 4)
    write_events(AGENCY_B, 2)


def test_verify_passes_on_an_untouched_log(two_chains):
    assert verify().strip() == "OK: 6 access events in 2 chains verified."


def test_verify_passes_on_events_written_by_real_page_views(
    transactional_db, social_worker, allocated_child, sign_in
):
    client = sign_in(social_worker)
    for page in ("people:child", "people:chronology", "people:viewers", "people:my-children"):
        args = [] if page == "people:my-children" else [allocated_child.pk]
        assert client.get(reverse(page, args=args)).status_code == 200
    client.get(reverse("people:child", args=[uuid.uuid4()]))  # a denial, written after the rollback

    assert verify().startswith("OK: 5 access events in 1 chains")


def test_verify_names_the_row_whose_contents_were_changed(two_chains, superuser_sql):
    tamper(
        superuser_sql,
        "UPDATE audit_accessevent SET purpose = 'nothing to see' WHERE chain = %s AND sequence = 2",
        [str(AGENCY_A)],
    )

    message = verify_failure()

    assert f"chain {AGENCY_A}, sequence 2" in message
    assert "changed" in message


def test_rewriting_a_rows_own_hash_is_caught_by_the_row_after_it(two_chains, superuser_sql):
    row = AccessEvent.objects.filter(chain=str(AGENCY_A), sequence=2).values().get()
    row["actor_username"] = "someone-else"
    tamper(
        superuser_sql,
        "UPDATE audit_accessevent SET actor_username = %s, entry_hash = %s WHERE id = %s",
        [row["actor_username"], entry_hash_for(row), row["id"]],
    )

    message = verify_failure()

    assert f"chain {AGENCY_A}, sequence 3" in message
    assert "prev_hash" in message


def test_a_deleted_middle_row_is_reported_as_a_missing_sequence(two_chains, superuser_sql):
    tamper(
        superuser_sql,
        "DELETE FROM audit_accessevent WHERE chain = %s AND sequence = 2",
        [str(AGENCY_A)],
    )

    message = verify_failure()

    assert f"chain {AGENCY_A}, sequence 3" in message
    assert "where 2 was expected (a row is missing)" in message


def test_even_a_superuser_is_stopped_by_the_protect_trigger_while_it_is_on(two_chains):
    with superuser_connection() as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute("UPDATE audit_accessevent SET purpose = 'x' WHERE sequence = 1")
    with superuser_connection() as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute("TRUNCATE audit_accessevent")
    assert verify().startswith("OK: 6 access events")


APP_ROLE_CHANGES = {
    "update": "UPDATE audit_accessevent SET purpose = 'rewritten'",
    "delete": "DELETE FROM audit_accessevent",
    "truncate": "TRUNCATE audit_accessevent",
}


@pytest.mark.django_db
@pytest.mark.parametrize("statement", APP_ROLE_CHANGES.values(), ids=APP_ROLE_CHANGES.keys())
def test_the_application_role_cannot_change_the_read_log(statement):
    write_events(AGENCY_A, 1)

    with (
        pytest.raises(DatabaseError, match="permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert AccessEvent.objects.filter(chain=str(AGENCY_A)).count() == 1


@pytest.mark.django_db
def test_the_orm_cannot_update_or_delete_read_log_rows_either():
    write_events(AGENCY_A, 1)

    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.update(purpose="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.all().delete()

    assert AccessEvent.objects.get().purpose == "View child record"

# ruff: noqa: S608 -- table names come from model metadata, never from input
"""Writing and removing the synthetic borough.

Run from the CLI as the database owner (`openmash generate`), inside one transaction:
a borough is written whole or not at all.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from openmash.access.models import BreakGlassGrant, Relationship
from openmash.accounts.models import Agency, Membership, Team
from openmash.audit.models import AccessEvent
from openmash.people.models import Adult, AgencyIdentity, Child, FamilyLink

from .calibration import DEFAULT_CHILDREN
from .generator import BOROUGH_NAME, DEFAULT_AS_OF, GENERATOR_VERSION, BoroughGenerator, ProgressFn
from .intelligence import picture_delete, picture_observe
from .models import (
    Borough,
    BoroughAgency,
    ExploitationGroup,
    Household,
    IdentityTruth,
    Kinship,
    NetworkLink,
    Phone,
    Place,
    TrueAdult,
    TrueChild,
    Vehicle,
)
from .noise import NoiseConfig
from .sinks import CopySink


class BoroughError(Exception):
    """Generation refused: the message says what to do instead."""


START_AFRESH = (
    "Start from an empty database instead: `openmash db stop`, delete .data/postgres, "
    "then `openmash generate` (or `openmash demo`)."
)


@contextmanager
def _constraints_checked_per_statement() -> Iterator[None]:
    """Check foreign keys as each statement ends, not at commit (see sinks.py for why)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        yield
    finally:
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@transaction.atomic
def borough_generate(
    *,
    seed: int,
    children: int = DEFAULT_CHILDREN,
    as_of: date = DEFAULT_AS_OF,
    noise_scale: float = 1.0,
    replace: bool = False,
    progress: ProgressFn | None = None,
) -> Borough:
    """Generate the borough into an empty database, or replace the one already there."""
    if Borough.objects.exists():
        if not replace:
            raise BoroughError(
                "This database already has a synthetic borough. Use --replace to delete it and "
                "generate a new one (only on a demo or test database)."
            )
        borough_delete()
    elif Child.objects.exists() or AgencyIdentity.objects.exists():
        # Someone's own records: a borough mixed in would make matching scores meaningless.
        raise BoroughError(
            "This database already holds children that the generator did not make. " + START_AFRESH
        )
    started = time.perf_counter()
    generator = BoroughGenerator(
        seed=seed, children=children, as_of=as_of, noise=NoiseConfig().scaled(noise_scale)
    )
    with _constraints_checked_per_statement():
        result = generator.run(CopySink(), progress)
        # The intelligence stage: what police and partners hold of the planted networks.
        result.counts.update(picture_observe(seed=seed, as_of=as_of))
    borough = Borough.objects.create(
        name=BOROUGH_NAME,
        seed=seed,
        children=children,
        as_of=as_of,
        noise_scale=noise_scale,
        generator_version=GENERATOR_VERSION,
        counts={**generator.size.as_dict(), **result.counts, "rows": result.rows},
        generated_at=timezone.now(),
        seconds=round(time.perf_counter() - started, 2),
    )
    _analyze()
    return borough


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


_GONE = (
    "synthetic_gone_children",
    "synthetic_gone_adults",
    "synthetic_gone_identities",
    "synthetic_gone_agencies",
)


def _delete_statements() -> list[str]:
    """What refers to a row is deleted before the row. The ids to delete are noted first."""
    agencies = f"SELECT agency_id AS id FROM {_table(BoroughAgency)}"
    return [
        f"DROP TABLE IF EXISTS {', '.join(_GONE)}",
        f"CREATE TEMP TABLE synthetic_gone_children ON COMMIT DROP AS "
        f"SELECT hub_child_id AS id FROM {_table(TrueChild)} WHERE hub_child_id IS NOT NULL",
        f"CREATE TEMP TABLE synthetic_gone_adults ON COMMIT DROP AS "
        f"SELECT hub_adult_id AS id FROM {_table(TrueAdult)} WHERE hub_adult_id IS NOT NULL",
        f"CREATE TEMP TABLE synthetic_gone_identities ON COMMIT DROP AS "
        f"SELECT identity_id AS id FROM {_table(IdentityTruth)}",
        f"CREATE TEMP TABLE synthetic_gone_agencies ON COMMIT DROP AS {agencies}",
        f"DELETE FROM {_table(Relationship)} WHERE child_id IN (SELECT id FROM synthetic_gone_children) "
        f"OR holder_agency_id IN (SELECT id FROM synthetic_gone_agencies) OR holder_team_id IN "
        f"(SELECT id FROM {_table(Team)} WHERE agency_id IN (SELECT id FROM synthetic_gone_agencies))",
        f"DELETE FROM {_table(FamilyLink)} WHERE child_id IN (SELECT id FROM synthetic_gone_children) "
        f"OR related_child_id IN (SELECT id FROM synthetic_gone_children) "
        f"OR adult_id IN (SELECT id FROM synthetic_gone_adults)",
        f"DELETE FROM {_table(Membership)} WHERE agency_id IN (SELECT id FROM synthetic_gone_agencies)",
        *(
            f"DELETE FROM {_table(model)}"
            for model in (
                NetworkLink,
                Phone,
                Vehicle,
                IdentityTruth,
                Kinship,
                TrueChild,
                TrueAdult,
                ExploitationGroup,
                Household,
                Place,
                BoroughAgency,
                Borough,
            )
        ),
        f"DELETE FROM {_table(AgencyIdentity)} WHERE id IN (SELECT id FROM synthetic_gone_identities)",
        f"DELETE FROM {_table(Child)} WHERE id IN (SELECT id FROM synthetic_gone_children)",
        f"DELETE FROM {_table(Adult)} WHERE id IN (SELECT id FROM synthetic_gone_adults)",
        f"DELETE FROM {_table(Team)} WHERE agency_id IN (SELECT id FROM synthetic_gone_agencies)",
        f"DELETE FROM {_table(Agency)} WHERE id IN (SELECT id FROM synthetic_gone_agencies)",
        # Dropped now as well as at commit: a caller may delete twice in one transaction.
        f"DROP TABLE {', '.join(_GONE)}",
    ]


@transaction.atomic
def borough_delete() -> dict[str, int]:
    """Delete the generated borough, for a demo or test database only.

    The read log can never be deleted (ADR 0004), and it names the children that were read;
    once anyone has read a child the borough stays, and the way out is a fresh database.
    Demo user accounts are kept; their memberships and relationships go with the borough.
    """
    if AccessEvent.objects.exists():
        raise BoroughError(
            "Children in this borough have been read and the read log cannot be deleted. " + START_AFRESH
        )
    if BreakGlassGrant.objects.exists():
        raise BoroughError("Emergency access grants refer to children in this borough. " + START_AFRESH)
    deleted: dict[str, int] = {}
    picture_delete()  # the intelligence stage's rows refer to the borough's children and adults
    with _constraints_checked_per_statement(), connection.cursor() as cursor:
        for statement in _delete_statements():
            try:
                with transaction.atomic():
                    cursor.execute(statement)
            except IntegrityError as error:
                raise BoroughError(
                    f"Other records refer to the borough, so it cannot be deleted ({error}). " + START_AFRESH
                ) from error
            if statement.startswith("DELETE"):
                deleted[statement.split()[2].strip('"')] = cursor.rowcount
    return deleted


def _analyze() -> None:
    """Fresh planner statistics after a bulk load; only the owner of the tables may do this."""
    tables = [
        model._meta.db_table
        for model in (Child, AgencyIdentity, Adult, FamilyLink, IdentityTruth, TrueChild, TrueAdult, Place)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE tablename = ANY(%s) AND tableowner = current_user",
            [tables],
        )
        row = cursor.fetchone()
        if row is None or row[0] != len(tables):
            return
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")

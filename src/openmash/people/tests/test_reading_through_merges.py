"""A merged child's append-only rows (warning signs, risk levels, visits) stay with it; the
survivor's record reads them through the merge, marked as from the merged record, and stops
once the merge is undone (ADR 0034)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.accounts.roles import Role
from openmash.casework.models import Visit
from openmash.casework.selectors import current_signs_needing_screening
from openmash.casework.tests.conftest import access_for, actor_for
from openmash.exploitation.indicators import Level
from openmash.exploitation.models import RiskLevel, Sign
from openmash.exploitation.selectors import (
    child_risk_current,
    child_risk_history,
    child_signs,
    risk_levels_current,
)
from openmash.exploitation.services import default_tools_load, risk_history_import, sign_raise
from openmash.matching.merge import child_merge, child_unmerge
from openmash.people.selectors import child_chronology, child_ids_through_merges, merged_children_of
from tests.factories import AgencyFactory, ChildFactory
from tests.fixtures import allocate

pytestmark = pytest.mark.django_db

REASON = "Same NHS number and date of birth, confirmed with the school by phone"


@pytest.fixture
def two_records(make_member):
    """Survivor A (allocated to a social worker) and B, which has a warning sign, a high risk
    level and a visit: all three append-only, so a merge leaves them with B."""
    worker, officer = make_member(Role.SOCIAL_WORKER), make_member(Role.MASH_OFFICER)
    a, b = ChildFactory(forename="Ada"), ChildFactory(forename="Bea")
    allocate(a, worker)
    default_tools_load()
    school = AgencyFactory(name="Testshire High School")
    today = timezone.localdate()
    sign_raise(
        child_id=b.pk,
        indicator_code="missing_repeated",
        observed_on=today - datetime.timedelta(days=3),
        source_agency_id=school.pk,
        source_type="test",
        source_id="merged-1",
        summary="Missed three afternoons this week",
        raised_by_process="test",
    )
    risk_history_import(
        actor=Actor.system("test"),
        child=b,
        level=Level.HIGH,
        effective_on=today - datetime.timedelta(days=2),
        reason="From the previous system",
        process="test",
    )
    Visit.objects.create(
        child=b,
        visited_at=timezone.now() - datetime.timedelta(days=1),
        visitor=worker.user,
        agency=worker.agency,
        child_seen=True,
        seen_alone=True,
        location="Youth centre",
    )
    return {"a": a, "b": b, "worker": worker, "officer": officer}


def test_the_survivor_shows_the_merged_childs_append_only_rows_until_unmerged(two_records, sign_in):
    a, b, worker = two_records["a"], two_records["b"], two_records["worker"]
    client = sign_in(worker)
    tab, chronology = reverse("exploitation:child", args=[a.pk]), reverse("people:chronology", args=[a.pk])
    assert "Missed three afternoons" not in client.get(tab).content.decode()

    merge = child_merge(
        actor=actor_for(two_records["officer"]), survivor_id=a.pk, merged_id=b.pk, reason=REASON
    )
    # The rows did not move: they are append-only and stay with B.
    assert Sign.objects.get().child_id == b.pk and RiskLevel.objects.get().child_id == b.pk
    assert Visit.objects.get().child_id == b.pk
    assert child_ids_through_merges(a.pk) == (a.pk, b.pk)

    body = client.get(tab).content.decode()
    assert "Missed three afternoons this week (from merged record)" in body
    assert "Another child's record was merged into this one" in body
    assert "High" in body  # the current level, the chart's table and the history
    assert "test (from merged record)" in body
    access = access_for(worker, a)
    assert child_risk_current(access=access).level == Level.HIGH
    assert [s.summary for s in child_signs(access=access)] == ["Missed three afternoons this week"]
    assert len(child_risk_history(access=access)) == 1
    # The casework closure rule and the hub's queue read through the merge too.
    assert len(current_signs_needing_screening(access=access, on=timezone.localdate())) == 1
    assert risk_levels_current(child_ids=[a.pk], on=timezone.localdate()) == {a.pk: Level.HIGH}

    entries = {e.summary: e for e in child_chronology(access=access, actor=actor_for(worker))}
    sign = next(e for s, e in entries.items() if "Missed three afternoons" in s)
    assert sign.merged
    assert entries["Visit at Youth centre: child seen alone"].merged
    assert any(
        s.startswith("Exploitation risk level recorded as high") and e.merged for s, e in entries.items()
    )
    assert not entries["Hub record created"].merged
    page = client.get(chronology).content.decode()
    assert "From merged record" in page and "Youth centre" in page

    child_unmerge(actor=actor_for(two_records["officer"]), merge_id=merge.pk, reason=REASON)

    assert child_ids_through_merges(a.pk) == (a.pk,)
    body = client.get(tab).content.decode()
    assert "Missed three afternoons" not in body
    assert "No screening or assessment has been completed for this child." in body
    assert child_risk_current(access=access_for(worker, a)) is None
    assert risk_levels_current(child_ids=[a.pk], on=timezone.localdate()) == {}
    page = client.get(chronology).content.decode()
    assert "From merged record" not in page and "Youth centre" not in page and "Missed three" not in page


def test_merges_are_followed_in_turn_and_in_bulk(make_member):
    officer = actor_for(make_member(Role.MASH_OFFICER))
    a, b, c, d = (ChildFactory() for _ in range(4))
    child_merge(actor=officer, survivor_id=b.pk, merged_id=c.pk, reason=REASON)
    child_merge(actor=officer, survivor_id=a.pk, merged_id=b.pk, reason=REASON)

    assert child_ids_through_merges(a.pk) == (a.pk, b.pk, c.pk)
    assert merged_children_of([a.pk, d.pk]) == {a.pk: (b.pk, c.pk)}


def test_a_correction_is_offered_only_for_the_childs_own_levels(two_records, sign_in):
    a, b = two_records["a"], two_records["b"]
    child_merge(actor=actor_for(two_records["officer"]), survivor_id=a.pk, merged_id=b.pk, reason=REASON)
    manager = two_records["worker"]

    body = sign_in(manager).get(reverse("exploitation:child", args=[a.pk])).content.decode()

    assert "Correct the entry taking effect" not in body

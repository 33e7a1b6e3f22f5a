"""The child index built from agency records by `openmash match run` (ADR 0035)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from openmash.intake.models import Contact, ContactSource, IdentityReview, IdentityReviewStatus
from openmash.matching import index
from openmash.matching.models import IdentityLink, LinkHow, MatchModel, MatchRun, ReviewPair
from openmash.people.models import AgencyIdentity, Child
from tests.factories import AgencyFactory, AgencyIdentityFactory, ChildFactory

ADDRESS = "4 Rowan Close, Eastholme, Wrenford"


def _record(agency, **fields) -> AgencyIdentity:
    values = {
        "child": None,
        "agency": agency,
        "sex": "M",
        "address": ADDRESS,
        "postcode": "OM3 7SE",
        **fields,
    }
    identity = AgencyIdentityFactory(**values)
    IdentityReview.objects.create(identity=identity, reason="No NHS number or pupil number to match on")
    return identity


@pytest.fixture
def borough(saved_model: MatchModel) -> dict[str, object]:
    police, school, health = AgencyFactory(), AgencyFactory(), AgencyFactory()
    born = datetime.date(2013, 5, 17)
    three = [
        _record(police, forename="William", surname="Indextest", date_of_birth=born, nhs_number="9990000019"),
        _record(school, forename="Bill", surname="Indextest", date_of_birth=born, nhs_number="9990000019"),
        _record(health, forename="William", surname="Indextest", date_of_birth=born, nhs_number=""),
    ]
    hub_child = ChildFactory(forename="Olivia", surname="Hubheld", date_of_birth=datetime.date(2011, 2, 3))
    held = AgencyIdentityFactory(
        child=hub_child, agency=police, forename="Olivia", surname="Hubheld", sex="F",
        date_of_birth=datetime.date(2011, 2, 3), nhs_number="9990000027", address="9 Elm Way, Wrenford",
        postcode="OM1 2AB",
    )  # fmt: skip
    joining = _record(
        health, forename="Olivia", surname="Hubheld", sex="F", date_of_birth=datetime.date(2011, 2, 3),
        nhs_number="9990000027", address="9 Elm Way, Wrenford", postcode="OM1 2AB",
    )  # fmt: skip
    siblings = [
        _record(school, forename="Jordan", surname="Siblingtest", date_of_birth=datetime.date(2012, 1, 10)),
        _record(health, forename="Jordan", surname="Siblingtest", date_of_birth=datetime.date(2015, 6, 20)),
    ]
    contact = Contact.objects.create(
        reference="C-TEST-0001",
        source=ContactSource.FEED,
        received_at=datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC),
        identity=three[2],
        summary="A&E attendance with a safeguarding concern",
    )
    return {"three": three, "hub_child": hub_child, "held": held, "joining": joining, "siblings": siblings,
            "contact": contact}  # fmt: skip


def _run() -> str:
    out = io.StringIO()
    call_command("match", "run", stdout=out)
    return out.getvalue()


def _state() -> tuple[int, int, int, list[tuple[str, str | None]]]:
    identities = sorted(
        (str(i.pk), str(i.child_id) if i.child_id else None) for i in AgencyIdentity.objects.all()
    )
    return Child.objects.count(), IdentityLink.objects.count(), ReviewPair.objects.count(), identities


def test_a_run_makes_one_child_per_group_of_sure_matches_and_extends_the_hubs_children(
    borough: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    children_before = Child.objects.count()
    _run()
    printed = capsys.readouterr().out
    three = [AgencyIdentity.objects.get(pk=i.pk) for i in borough["three"]]  # type: ignore[attr-defined]
    assert three[0].child_id is not None and {i.child_id for i in three} == {three[0].child_id}
    new_child = Child.objects.get(pk=three[0].child_id)
    # Made from the most complete record of the three (one with the NHS number).
    assert (new_child.surname, new_child.nhs_number) == ("Indextest", "9990000019")
    assert new_child.created_by_process == index.PROCESS
    assert {link.how for link in IdentityLink.objects.filter(identity__in=three)} == {LinkHow.NEW_CHILD}
    # The hub's own child is extended, not duplicated.
    joining = AgencyIdentity.objects.get(pk=borough["joining"].pk)  # type: ignore[attr-defined]
    assert joining.child_id == borough["hub_child"].pk  # type: ignore[attr-defined]
    assert IdentityLink.objects.get(identity=joining).how == LinkHow.AUTOMATIC
    # Siblings with one forename at one address but different dates of birth are two children.
    a, b = (AgencyIdentity.objects.get(pk=i.pk) for i in borough["siblings"])  # type: ignore[attr-defined]
    assert a.child_id and b.child_id and a.child_id != b.child_id
    assert Child.objects.count() == children_before + 3
    # The contact that came in with a record takes its child; the intake reviews are closed.
    contact = Contact.objects.get(pk=borough["contact"].pk)  # type: ignore[attr-defined]
    assert contact.child_id == three[0].child_id
    assert not IdentityReview.objects.filter(status=IdentityReviewStatus.OPEN).exists()
    assert IdentityReview.objects.filter(identity=three[0]).get().status == IdentityReviewStatus.NEW_CHILD
    assert "Made 3 new children" in printed and "Linked 1 records to children the hub already held" in printed
    run = MatchRun.objects.get()
    assert run.stats["children_created"] == 3 and run.links_made == 6


def test_a_second_run_changes_nothing(borough: dict[str, object], capsys: pytest.CaptureFixture[str]) -> None:
    _run()
    before = _state()
    _run()
    assert _state() == before
    assert "Nothing changed" in capsys.readouterr().out


def test_a_run_stopped_part_way_is_finished_by_the_next(
    borough: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = index._write_chunk
    calls = {"n": 0}

    def dies_on_the_second_chunk(**kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(**kwargs)

    monkeypatch.setattr(index, "CHUNK_IDENTITIES", 1)
    monkeypatch.setattr(index, "_write_chunk", dies_on_the_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        _run()
    partly = Child.objects.count()
    monkeypatch.setattr(index, "_write_chunk", real)
    _run()
    finished = _state()
    assert finished[0] > partly
    _run()
    assert _state() == finished
    assert AgencyIdentity.objects.filter(child__isnull=True).count() == 0

"""Importing feeds: idempotent, versioned, linked to children, turned into contacts and warning signs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from openmash.access.models import Relationship, RelationshipBasis
from openmash.accounts.actor import Actor
from openmash.intake.feeds.catalogue import FEEDS
from openmash.intake.feeds.importer import feed_file_import
from openmash.intake.feeds.samples import SamplePerson, rows_to_csv, rows_to_json, sample_rows
from openmash.intake.feeds.signs import signs_push_pending
from openmash.intake.models import (
    BatchStatus,
    Contact,
    ContactSource,
    FeedBatch,
    FeedRecord,
    IdentityReview,
    SignOutbox,
)
from openmash.people.models import AgencyIdentity

from .conftest import AS_OF

SYSTEM = Actor.system("test-import")


def _write(tmp_path: Path, feed: str, rows: list[dict[str, str]], name: str | None = None) -> Path:
    path = tmp_path / (name or f"{feed}.csv")
    if path.suffix == ".json":
        path.write_text(rows_to_json(rows, feed), encoding="utf-8")
    else:
        path.write_text(rows_to_csv(rows, feed), encoding="utf-8", newline="")
    return path


def _import(path: Path, feed: str, agency, **kwargs):
    return feed_file_import(actor=SYSTEM, spec=FEEDS[feed], agency=agency, path=path, **kwargs)


def _rows(feed: str, people: list[SamplePerson], count: int, seed: int = 5) -> list[dict[str, str]]:
    return list(sample_rows(feed=feed, persons=people, count=count, seed=seed, as_of=AS_OF))


@pytest.mark.django_db
def test_a_file_is_stored_with_its_payload_and_the_same_file_again_changes_nothing(
    tmp_path, hospital, hub_team, people, make_children
):
    make_children(people)
    rows = _rows("health_ae", people, 50)
    path = _write(tmp_path, "health_ae", rows)
    first = _import(path, "health_ae", hospital, chunk_size=7)
    assert (first.counts.rows, first.counts.created, first.counts.rejected) == (50, 50, 0)
    record = FeedRecord.objects.get(source_id=rows[0]["record_id"])
    assert record.payload == rows[0]
    assert (record.agency, record.version, record.row_number) == (hospital, 1, 2)
    state = sorted(FeedRecord.objects.values_list("source_id", "version", "content_hash"))

    second = _import(path, "health_ae", hospital)
    assert (second.counts.created, second.counts.unchanged) == (0, 50)
    assert sorted(FeedRecord.objects.values_list("source_id", "version", "content_hash")) == state
    assert FeedBatch.objects.filter(status=BatchStatus.COMPLETED).count() == 2


@pytest.mark.django_db
def test_the_same_record_by_json_is_not_stored_again_and_a_changed_one_is_a_new_version(
    tmp_path, hospital, hub_team, people
):
    rows = _rows("health_ae", people, 5)
    _import(_write(tmp_path, "health_ae", rows), "health_ae", hospital)
    as_json = _import(_write(tmp_path, "health_ae", rows, "same.json"), "health_ae", hospital)
    assert as_json.counts.unchanged == 5 and as_json.counts.created == 0

    rows[2]["attendance_reason"] = "fall from a bicycle"
    changed = _import(_write(tmp_path, "health_ae", rows, "changed.csv"), "health_ae", hospital)
    assert (changed.counts.new_versions, changed.counts.unchanged) == (1, 4)
    versions = FeedRecord.objects.filter(source_id=rows[2]["record_id"]).order_by("version")
    assert [(v.version, v.payload["attendance_reason"]) for v in versions][1] == (2, "fall from a bicycle")
    assert versions[0].payload != versions[1].payload  # the earlier version is kept as it was


@pytest.mark.django_db
def test_bad_rows_are_reported_and_good_rows_kept(tmp_path, hospital, hub_team, people):
    rows = _rows("health_ae", people, 6)
    rows[1]["arrived_at"] = "14/03/2026 10:00"
    rows[4]["date_of_birth"] = "2099-01-01"
    errors = []
    result = _import(_write(tmp_path, "health_ae", rows), "health_ae", hospital, on_error=errors.append)
    # The date of birth in the future is held back and its row kept (ADR 0038).
    assert (result.counts.created, result.counts.rejected) == (5, 1)
    assert [(e.row, e.field, e.kept) for e in errors] == [
        (3, "arrived_at", False),
        (6, "date_of_birth", True),
    ]
    assert FeedRecord.objects.count() == 5


@pytest.mark.django_db
def test_a_file_that_is_wrong_as_a_whole_imports_nothing_and_says_why(tmp_path, hospital, police, people):
    path = tmp_path / "ae.csv"
    path.write_bytes("record_id,person_id\r\n1,Zoë\r\n".encode("cp1252"))
    result = _import(path, "health_ae", hospital)
    assert "not UTF-8" in result.file_problem
    assert FeedRecord.objects.count() == 0
    assert FeedBatch.objects.get().status == BatchStatus.REFUSED

    path.write_bytes(rows_to_csv(_rows("health_ae", people, 3), "health_ae").encode())
    wrong_agency = _import(path, "health_ae", police)
    assert "cannot send the health_ae feed" in wrong_agency.file_problem


@pytest.mark.django_db
def test_records_link_to_children_by_exact_identifier_or_wait_for_review(
    tmp_path, school, hub_team, people, make_children
):
    children = make_children(people[:10])
    rows = _rows("education_exclusions", people, 60)
    _import(_write(tmp_path, "education_exclusions", rows), "education_exclusions", school)
    for identity in AgencyIdentity.objects.filter(agency=school):
        person = next(p for p in people if p.person_id == identity.agency_record_id)
        known = person.person_id in children and (person.nhs_number or person.upn)
        assert identity.child_id == (children[person.person_id].pk if known else None)
    unmatched = AgencyIdentity.objects.filter(agency=school, child__isnull=True)
    assert unmatched.exists()
    assert IdentityReview.objects.filter(identity__in=unmatched).count() == unmatched.count()


@pytest.mark.django_db
def test_missing_reports_become_contacts_the_hub_team_can_see_and_repeats_raise_a_sign(
    tmp_path, police, hub_team, people, make_children
):
    person = people[0]
    child = make_children([person])[person.person_id]
    base = {
        "person_id": person.person_id,
        "forename": person.forename,
        "surname": person.surname,
        "date_of_birth": person.date_of_birth.isoformat(),
        "nhs_number": person.nhs_number or "",
        "upn": person.upn or "",
    }
    template = _rows("police_missing", people, 1)[0]
    days = [AS_OF - timedelta(days=d) for d in (200, 80, 40, 5)]
    rows = [
        {**template, **base, "record_id": f"MP-{i}", "episode_id": f"EP-{i}", "event": "missing",
         "risk_grade": "medium", "occurred_at": f"{day.isoformat()}T22:00"}
        for i, day in enumerate(days)
    ]  # fmt: skip
    # File order is not date order: the rule must not depend on it.
    rows = [rows[3], rows[0], rows[2], rows[1]]
    result = _import(_write(tmp_path, "police_missing", rows), "police_missing", police, chunk_size=1)
    assert result.contacts == 4
    contacts = Contact.objects.filter(child=child)
    assert contacts.count() == 4 and {c.source for c in contacts} == {ContactSource.FEED}
    assert all(c.hub_relationship.holder_team == hub_team for c in contacts)
    # One relationship while any of them is open, not one each.
    assert Relationship.objects.filter(child=child, basis=RelationshipBasis.HUB_CONTACT).count() == 1
    # Only the first (by date, 200 days ago) is not a re-referral... of those received today, order decides.
    assert contacts.filter(is_re_referral=True).count() == 3
    signs = SignOutbox.objects.filter(child=child, indicator_code="missing_repeated")
    # Episodes 80, 40 and 5 days ago are three within 90 days: the one 5 days ago is the third.
    assert [s.observed_on for s in signs] == [days[3]]
    assert signs.get().record.source_id == "MP-3"


@pytest.mark.django_db
def test_feed_events_that_are_warning_signs_raise_one_sign_each_linked_to_their_record(
    tmp_path, hospital, school, hub_team, people, make_children
):
    person = people[1]
    child = make_children([person])[person.person_id]
    ident = {"person_id": person.person_id, "forename": person.forename, "surname": person.surname,
             "date_of_birth": person.date_of_birth.isoformat(), "nhs_number": person.nhs_number,
             "upn": person.upn}  # fmt: skip
    ae = [{**_rows("health_ae", people, 1)[0], **ident, "record_id": f"AE-{i}", "injury": flag}
          for i, flag in enumerate("YN")]  # fmt: skip
    _import(_write(tmp_path, "health_ae", ae), "health_ae", hospital)
    sh = [{**_rows("health_sexual_health", people, 1)[0], **ident, "record_id": f"SH-{i}", "attended_on": d}
          for i, d in enumerate(["2026-02-01", "2026-06-01"])]  # fmt: skip
    _import(_write(tmp_path, "health_sexual_health", sh), "health_sexual_health", hospital)
    att = [{**_rows("education_attendance", people, 1)[0], **ident, "record_id": f"AT-{i}",
            "sessions_possible": "60", "sessions_attended": attended}
           for i, attended in enumerate(["50", "59"])]  # fmt: skip
    _import(_write(tmp_path, "education_attendance", att), "education_attendance", school)
    cme = [{**_rows("education_cme", people, 1)[0], **ident, "record_id": "CME-1"}]
    _import(_write(tmp_path, "education_cme", cme), "education_cme", school)

    signs = {(s.indicator_code, s.record.source_id) for s in SignOutbox.objects.filter(child=child)}
    assert signs == {
        ("ae_injury", "AE-0"),
        ("sexual_health_repeat", "SH-1"),
        ("absence_persistent", "AT-0"),
        ("missing_education", "CME-1"),
    }
    before = SignOutbox.objects.count()
    _import(_write(tmp_path, "health_ae", ae, "again.csv"), "health_ae", hospital)
    assert SignOutbox.objects.count() == before


@pytest.mark.django_db
def test_an_unmatched_identity_linked_later_catches_up_its_contacts_and_signs(
    tmp_path, police, hub_team, people, make_children
):
    from openmash.intake.services import identity_link_to_child

    person = people[2]
    rows = [{**_rows("police_missing", people, 1)[0], "person_id": person.person_id, "nhs_number": "",
             "upn": "", "record_id": f"MP-{i}", "episode_id": f"EP-{i}", "event": "missing",
             "occurred_at": f"{(AS_OF - timedelta(days=d)).isoformat()}T10:00"}
            for i, d in enumerate((30, 20, 10))]  # fmt: skip
    _import(_write(tmp_path, "police_missing", rows), "police_missing", police)
    contact = Contact.objects.first()
    assert contact.child is None and contact.hub_relationship is None
    assert not SignOutbox.objects.exists()

    child = make_children([person])[person.person_id]
    identity = AgencyIdentity.objects.get(agency=police, agency_record_id=person.person_id)
    identity_link_to_child(identity_id=identity.pk, child_id=child.pk, resolved_by="test")
    assert set(Contact.objects.values_list("child_id", flat=True)) == {child.pk}
    assert all(c.hub_relationship_id for c in Contact.objects.all())
    assert SignOutbox.objects.get().record.source_id == "MP-2"
    assert IdentityReview.objects.get(identity=identity).status == "linked"


@pytest.mark.django_db
def test_every_feed_sample_imports_cleanly(tmp_path, police, hospital, school, council, hub_team, people):
    agencies = {"police": police, "nhs_trust": hospital, "school": school, "childrens_services": council}
    for feed, spec in FEEDS.items():
        rows = _rows(feed, people, 20)
        result = _import(_write(tmp_path, feed, rows), feed, agencies[spec.agency_kinds[0]])
        assert (result.counts.created, result.counts.rejected, result.file_problem) == (20, 0, ""), feed
        again = _import(_write(tmp_path, feed, rows, f"{feed}.json"), feed, agencies[spec.agency_kinds[0]])
        assert again.counts.unchanged == 20, feed


@pytest.mark.django_db
def test_signs_reach_the_exploitation_app_once_each_pointing_at_their_feed_record(
    tmp_path, hospital, hub_team, people, make_children
):
    from openmash.exploitation.models import Sign

    person = people[3]
    child = make_children([person])[person.person_id]
    ident = {"person_id": person.person_id, "nhs_number": person.nhs_number, "upn": person.upn,
             "date_of_birth": person.date_of_birth.isoformat()}  # fmt: skip
    rows = [
        {**_rows("health_ae", people, 1)[0], **ident, "record_id": f"AE-{i}", "injury": "Y"} for i in range(2)
    ]
    path = _write(tmp_path, "health_ae", rows)
    _import(path, "health_ae", hospital)
    assert not Sign.objects.exists()  # kept in the outbox until handed over
    assert signs_push_pending() == 2
    _import(path, "health_ae", hospital)
    assert signs_push_pending() == 0
    signs = Sign.objects.filter(child=child, indicator_code="ae_injury").order_by("source_id")
    records = {str(r.pk): r for r in FeedRecord.objects.filter(source_id__in=["AE-0", "AE-1"])}
    assert signs.count() == 2
    assert {s.source_type for s in signs} == {"intake.FeedRecord"}
    assert {records[s.source_id].source_id for s in signs} == {"AE-0", "AE-1"}
    assert all(s.source_agency_id == hospital.pk for s in signs)
    assert not SignOutbox.objects.filter(raised_at__isnull=True).exists()


@pytest.mark.django_db
def test_feed_records_reach_the_childs_chronology_for_those_who_may_see_them(
    tmp_path, hospital, school, hub_team, people, make_children, sign_in
):
    from openmash.accounts.roles import Role
    from tests.factories import MembershipFactory, RelationshipFactory

    person = people[4]
    child = make_children([person])[person.person_id]
    ident = {"person_id": person.person_id, "nhs_number": person.nhs_number, "upn": person.upn,
             "date_of_birth": person.date_of_birth.isoformat()}  # fmt: skip
    row = {**_rows("health_sexual_health", people, 1)[0], **ident, "record_id": "SH-CHRONO"}
    _import(_write(tmp_path, "health_sexual_health", [row]), "health_sexual_health", hospital)
    social_worker = MembershipFactory(role=Role.SOCIAL_WORKER)
    teacher = MembershipFactory(agency=school, role=Role.PRACTITIONER)
    for member in (social_worker, teacher):
        RelationshipFactory(child=child, holder_user=member.user)
    url = f"/children/{child.pk}/chronology"
    assert "SH-CHRONO" in sign_in(social_worker).get(url).content.decode()
    assert "SH-CHRONO" not in sign_in(teacher).get(url).content.decode()


@pytest.mark.django_db
def test_a_warning_sign_links_to_its_record_for_those_who_may_see_it(
    tmp_path, hospital, school, hub_team, people, make_children, sign_in
):
    from openmash.accounts.roles import Role
    from openmash.exploitation.models import Sign
    from tests.factories import MembershipFactory, RelationshipFactory

    person = people[5]
    child = make_children([person])[person.person_id]
    ident = {"person_id": person.person_id, "nhs_number": person.nhs_number, "upn": person.upn,
             "date_of_birth": person.date_of_birth.isoformat()}  # fmt: skip
    row = {**_rows("health_ae", people, 1)[0], **ident, "record_id": "AE-LINK", "injury": "Y"}
    path = _write(tmp_path, "health_ae", [row])
    _import(path, "health_ae", hospital)
    signs_push_pending()  # hand the outbox over to the exploitation app
    sign = Sign.objects.get(child=child, indicator_code="ae_injury")
    social_worker = MembershipFactory(role=Role.SOCIAL_WORKER)
    teacher = MembershipFactory(agency=school, role=Role.PRACTITIONER)
    for member in (social_worker, teacher):
        RelationshipFactory(child=child, holder_user=member.user)
    stranger = MembershipFactory(role=Role.SOCIAL_WORKER)

    risk_tab = sign_in(social_worker).get(f"/exploitation/children/{child.pk}/").content.decode()
    record_url = f"/concerns/records/{sign.source_id}"
    assert record_url in risk_tab
    record_page = sign_in(social_worker).get(record_url)
    assert record_page.status_code == 200 and "AE-LINK" in record_page.content.decode()
    assert sign_in(teacher).get(record_url).status_code == 404  # another agency's record
    assert sign_in(stranger).get(record_url).status_code == 404  # no relationship to the child
    assert sign_in(social_worker).get("/concerns/records/not-a-record").status_code == 404

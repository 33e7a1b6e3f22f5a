"""Match on arrival, as intake will call it: link, review or new child."""

from __future__ import annotations

import datetime

import pytest

from openmash.matching import arrival
from openmash.matching.models import IdentityLink, MatchModel, ReviewPair
from openmash.matching.services import ArrivalOutcome, identity_match_on_arrival
from openmash.people.models import AgencyIdentity
from tests.factories import AgencyIdentityFactory, ChildFactory

DOB = datetime.date(2014, 3, 7)


@pytest.fixture(autouse=True)
def fresh_index() -> None:
    arrival.index_reset()


def _known_child() -> AgencyIdentity:
    child = ChildFactory(
        forename="William", surname="Arrivaltest", date_of_birth=DOB, nhs_number="9990000019"
    )
    return AgencyIdentityFactory(
        child=child,
        forename="William",
        surname="Arrivaltest",
        date_of_birth=DOB,
        nhs_number="9990000019",
        sex="M",
        postcode="OM3 7SE",
        address="12 Alder Road, Eastholme, Wrenford",
    )


def test_without_a_model_nothing_is_done(db: None) -> None:
    identity = AgencyIdentityFactory(child=None)
    assert identity_match_on_arrival(identity_id=identity.pk).outcome == ArrivalOutcome.NO_MODEL


def test_a_sure_match_is_linked_to_the_child(saved_model: MatchModel) -> None:
    known = _known_child()
    incoming = AgencyIdentityFactory(
        child=None,
        forename="Bill",
        surname="Arrivaltest",
        date_of_birth=DOB,
        nhs_number="9990000019",
        sex="M",
        postcode="OM3 7SE",
        address="12 Alder Road, Eastholme, Wrenford",
    )
    decision = identity_match_on_arrival(identity_id=incoming.pk)
    assert decision.outcome == ArrivalOutcome.LINK and decision.linked
    assert decision.child_id == known.child_id
    incoming.refresh_from_db()
    assert incoming.child_id == known.child_id
    link = IdentityLink.objects.get(identity=incoming)
    assert link.matched_identity_id == known.pk and link.how == "arrival" and link.model_id == saved_model.pk


def test_an_uncertain_match_goes_to_review_and_a_stranger_is_a_new_child(saved_model: MatchModel) -> None:
    known = _known_child()
    # Nickname, day and month swapped, no identifiers, an old address: evidence, but not enough.
    unsure = AgencyIdentityFactory(
        child=None,
        forename="Bill",
        surname="Arrivaltest",
        date_of_birth=datetime.date(2014, 7, 3),
        nhs_number="",
        sex="M",
        postcode="OM8 1AB",
        address="3 Quarry Rise, Brackley Vale, Wrenford",
    )
    decision = identity_match_on_arrival(identity_id=unsure.pk)
    assert decision.outcome == ArrivalOutcome.REVIEW, decision
    assert saved_model.lower_threshold <= decision.match_weight < saved_model.upper_threshold
    pair = ReviewPair.objects.get()
    assert {pair.identity_a_id, pair.identity_b_id} == {known.pk, unsure.pk} and pair.source == "arrival"
    unsure.refresh_from_db()
    assert unsure.child_id is None

    stranger = AgencyIdentityFactory(
        child=None, forename="Zara", surname="Elsewhere", date_of_birth=DOB, nhs_number=""
    )
    assert identity_match_on_arrival(identity_id=stranger.pk).outcome == ArrivalOutcome.NEW_CHILD


def test_apply_false_writes_nothing(saved_model: MatchModel) -> None:
    _known_child()
    incoming = AgencyIdentityFactory(
        child=None,
        forename="William",
        surname="Arrivaltest",
        date_of_birth=DOB,
        nhs_number="9990000019",
        sex="M",
    )
    decision = identity_match_on_arrival(identity_id=incoming.pk, apply=False)
    assert decision.outcome == ArrivalOutcome.LINK and not decision.linked
    incoming.refresh_from_db()
    assert incoming.child_id is None and not IdentityLink.objects.exists()


def test_intake_links_a_record_without_identifiers_by_matching_on_arrival(saved_model: MatchModel) -> None:
    from openmash.intake.linking import IncomingIdentity, identities_link
    from openmash.intake.models import IdentityReview
    from tests.factories import AgencyFactory

    known = _known_child()
    school = AgencyFactory()
    incoming = IncomingIdentity(
        agency_record_id="SCH-ARRIVAL-1",
        forename="William",
        surname="Arrivaltest",
        recorded_on=datetime.date(2026, 11, 2),
        date_of_birth=DOB,
        sex="M",
        postcode="OM3 7SE",
        address="12 Alder Road, Eastholme, Wrenford",
    )  # no NHS number or UPN: the exact rule alone would leave it for a person to review

    result = identities_link(agency=school, incoming=[incoming], process="test")["SCH-ARRIVAL-1"]

    assert result.how == "probabilistic"
    assert result.child_id == known.child_id
    assert AgencyIdentity.objects.get(pk=result.identity_id).child_id == known.child_id
    assert not IdentityReview.objects.filter(identity_id=result.identity_id, status="open").exists()


def test_a_record_that_opens_a_contact_and_matches_no_child_gets_a_new_child(saved_model: MatchModel) -> None:
    from openmash.intake.linking import IncomingIdentity, identities_link
    from tests.factories import AgencyFactory

    agency = AgencyFactory()
    incoming = [
        IncomingIdentity(
            agency_record_id=key,
            forename=name,
            surname="Newcomer",
            date_of_birth=DOB,
            recorded_on=datetime.date(2026, 1, 2),
        )
        for key, name in (("P-1", "Harriet"), ("P-2", "Tobias"))
    ]
    links = identities_link(agency=agency, incoming=incoming, process="test", needs_child={"P-1"})
    made = AgencyIdentity.objects.get(pk=links["P-1"].identity_id)
    assert made.child_id is not None and links["P-1"].child_id == made.child_id
    assert made.child.forename == "Harriet" and made.child.created_by_process == "matching.arrival"
    assert IdentityLink.objects.get(identity=made).how == "new_child"
    # A record that opens no contact waits for the next run.
    assert AgencyIdentity.objects.get(pk=links["P-2"].identity_id).child_id is None


def test_a_sibling_with_the_same_forename_at_the_same_address_is_never_linked_on_arrival(
    saved_model: MatchModel,
) -> None:
    known = _known_child()
    sibling = AgencyIdentityFactory(
        child=None,
        forename="William",
        surname="Arrivaltest",
        date_of_birth=datetime.date(2010, 9, 21),
        sex="M",
        postcode="OM3 7SE",
        address="12 Alder Road, Eastholme, Wrenford",
    )
    decision = identity_match_on_arrival(identity_id=sibling.pk)
    assert decision.outcome != ArrivalOutcome.LINK and not decision.linked
    assert all(not candidate.sure for candidate in decision.candidates)
    sibling.refresh_from_db()
    assert sibling.child_id is None and known.child_id is not None

"""Report a concern: pages, reference, hub queue, and what the reporter never learns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.selectors import ChildNotFound, child_get_for_user
from openmash.accounts.actor import Actor
from openmash.accounts.roles import Role
from openmash.audit.models import AccessEvent
from openmash.intake.models import Concern, ConcernDraft, Contact, ContactSource, Referrer
from openmash.intake.selectors import referrer_for_viewer
from openmash.intake.services import contact_close, contact_open
from tests.factories import ChildFactory, MembershipFactory, RelationshipFactory

CHILD_WORDS = "He said I owe him, and if I tell, he'll hurt my mum.  (She whispered this.)"

ANSWERS = {
    "child": {"forename": "Zara", "surname": "Northam", "dob_day": "3", "dob_month": "2", "dob_year": "2012"},
    "what-happened": {
        "what_happened": "Collected from school by a man in a silver car.",
        "happened_when_text": "Friday",
    },
    "seen-or-told": {
        "what_seen_or_told": "I saw her get in.",
        "child_said": "yes",
        "child_words": CHILD_WORDS,
    },
    "warning-signs": {"indicators": ["vehicles", "older_adults"]},
    "people-and-places": {"vehicles": "ZA71 KXT silver hatchback\n\n", "adults": "Dev, about 25"},
    "urgency": {"urgency": "same_day"},
    "sharing": {
        "family_knows": "no",
        "family_not_told_reason": "It could put her at risk",
        "sharing_basis": "safeguarding",
    },
    "your-details": {
        "name": "Tara Teacher",
        "role": "Safeguarding lead",
        "agency_name": "Omtown Academy",
        "phone": "07700 900001",
        "email": "",
        "sealed": "yes",
    },
}


@pytest.fixture
def teacher(school):
    return MembershipFactory(agency=school, role=Role.PRACTITIONER)


def _start(client) -> str:
    response = client.post("/concerns/report")
    assert response.status_code == 302
    return response["Location"].rsplit("/", 2)[-2]


def _answer_all(client, draft_id: str, answers=ANSWERS) -> None:
    for slug, data in answers.items():
        response = client.post(f"/concerns/report/{draft_id}/{slug}", data)
        assert response.status_code == 302, (slug, response.content.decode()[:3000])


def _send(client, draft_id: str) -> Contact:
    response = client.post(f"/concerns/report/{draft_id}/check")
    assert response.status_code == 302, response.content.decode()[:2000]
    return Contact.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[-1])


@pytest.mark.django_db
def test_a_concern_goes_through_the_pages_to_a_reference_and_straight_into_the_hub_queue(
    sign_in, teacher, mash_officer
):
    client = sign_in(teacher)
    draft_id = _start(client)
    _answer_all(client, draft_id)
    check = client.get(f"/concerns/report/{draft_id}/check")
    assert check.status_code == 200 and b"Check your answers" in check.content
    contact = _send(client, draft_id)
    sent = client.get(f"/concerns/report/sent/{contact.pk}")
    assert contact.reference.encode() in sent.content

    assert (contact.source, contact.urgency, contact.status) == (
        ContactSource.PROFESSIONAL,
        "same_day",
        "open",
    )
    concern = Concern.objects.get(contact=contact)
    assert concern.child_words == CHILD_WORDS  # verbatim: spacing and punctuation untouched
    assert concern.vehicles == ["ZA71 KXT silver hatchback"] and concern.adults == ["Dev, about 25"]
    assert concern.indicator_codes == ["vehicles", "older_adults"]
    assert Referrer.objects.get(contact=contact).sealed is True
    assert ConcernDraft.objects.get(pk=draft_id).submitted_contact == contact

    queue = sign_in(mash_officer).get("/concerns/hub")
    assert queue.status_code == 200
    assert contact.reference.encode() in queue.content and b"Zara Northam" in queue.content


@pytest.mark.django_db
def test_a_described_child_is_matched_by_the_hub_and_the_reporter_learns_nothing_about_the_record(
    sign_in, teacher, mash_officer
):
    known = ChildFactory(forename="Secretname", surname="Hiddenrecord", nhs_number="9990000018")
    client = sign_in(teacher)
    draft_id = _start(client)
    answers = {**ANSWERS, "child": {**ANSWERS["child"], "nhs_number": "999 000 0018"}}
    _answer_all(client, draft_id, answers)
    pages = [client.get(f"/concerns/report/{draft_id}/check").content]
    contact = _send(client, draft_id)
    pages.append(client.get(f"/concerns/report/sent/{contact.pk}").content)
    assert not any(b"Secretname" in page or b"Hiddenrecord" in page for page in pages)
    # The hub has the link and a relationship; the reporter has neither.
    assert contact.child_id == known.pk
    assert contact.hub_relationship.holder_team_id == mash_officer.team_id
    reporter = Actor(user_id=teacher.user_id, username="t", role=teacher.role, agency_id=teacher.agency_id,
                     team_id=teacher.team_id)  # fmt: skip
    with pytest.raises(ChildNotFound):
        child_get_for_user(actor=reporter, child_id=known.pk, purpose="test")
    hub = Actor(user_id=mash_officer.user_id, username="m", role=mash_officer.role,
                agency_id=mash_officer.agency_id, team_id=mash_officer.team_id)  # fmt: skip
    assert child_get_for_user(actor=hub, child_id=known.pk, purpose="test").child == known


@pytest.mark.django_db
def test_choosing_a_child_offers_only_children_the_reporter_already_works_with(sign_in, teacher, hub_team):
    mine = ChildFactory(forename="Mine", surname="Allocatedchild")
    RelationshipFactory(child=mine, holder_user=teacher.user, basis=RelationshipBasis.SUPPORTING_WORKER)
    other = ChildFactory(forename="Other", surname="Strangerchild")
    client = sign_in(teacher)
    draft_id = _start(client)
    listing = client.get(f"/concerns/report/{draft_id}/child/choose")
    assert b"Allocatedchild" in listing.content and b"Strangerchild" not in listing.content
    search = client.get(f"/concerns/report/{draft_id}/child/choose", {"q": "Strangerchild"}).content.decode()
    assert "No children you work with match that search" in search and str(other.pk) not in search
    refused = client.post(f"/concerns/report/{draft_id}/child/choose", {"child_id": str(other.pk)})
    assert refused.status_code == 302 and refused["Location"].endswith("/child/choose")
    assert "child" not in ConcernDraft.objects.get(pk=draft_id).answers
    chosen = client.post(f"/concerns/report/{draft_id}/child/choose", {"child_id": str(mine.pk)})
    assert chosen["Location"].endswith("/what-happened")
    _answer_all(client, draft_id, {k: v for k, v in ANSWERS.items() if k != "child"})
    contact = _send(client, draft_id)
    assert contact.child == mine and contact.concern.chosen_child


@pytest.mark.django_db
def test_bad_answers_get_clear_errors_and_keep_what_was_typed(sign_in, teacher, hub_team):
    client = sign_in(teacher)
    draft_id = _start(client)
    response = client.post(
        f"/concerns/report/{draft_id}/child",
        {
            "forename": "Zara",
            "dob_day": "31",
            "dob_month": "2",
            "dob_year": "2012",
            "nhs_number": "1234567890",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "Date of birth must be a real date" in body
    assert "real 10-digit NHS number" in body
    assert 'value="Zara"' in body and 'value="31"' in body and 'value="1234567890"' in body
    assert ConcernDraft.objects.get(pk=draft_id).answers == {}
    response = client.post(
        f"/concerns/report/{draft_id}/seen-or-told", {"what_seen_or_told": "x", "child_said": "yes"}
    )
    assert "Write down what the child said" in response.content.decode()
    # Skipping ahead to check sends you back to the first unanswered question.
    assert client.get(f"/concerns/report/{draft_id}/check")["Location"].endswith("/child")


@pytest.mark.django_db
def test_drafts_belong_to_their_author_and_roles_without_casework_cannot_report(
    sign_in, teacher, make_member
):
    draft_id = _start(sign_in(teacher))
    colleague = sign_in(MembershipFactory(agency=teacher.agency, role=Role.PRACTITIONER))
    assert colleague.get(f"/concerns/report/{draft_id}/child").status_code == 404
    assert colleague.post(f"/concerns/report/{draft_id}/check").status_code == 404
    privacy = sign_in(make_member(Role.PRIVACY_OFFICER))
    assert privacy.get("/concerns/report").status_code == 404
    assert privacy.get("/concerns/hub").status_code == 404
    assert sign_in(teacher).get("/concerns/hub").status_code == 404


@pytest.mark.django_db
def test_a_concern_about_a_child_with_an_earlier_contact_or_a_recently_closed_case_is_a_re_referral(
    hub_team, teacher
):
    system = Actor.system("test")
    child = ChildFactory()
    first = contact_open(actor=system, source=ContactSource.PUBLIC, summary="first", child_id=child.pk)
    second = contact_open(actor=system, source=ContactSource.PUBLIC, summary="second", child_id=child.pk)
    assert not first.is_re_referral
    assert second.is_re_referral and first.reference in second.re_referral_reason

    now = timezone.now()
    closed = ChildFactory()
    RelationshipFactory(child=closed, valid_from=now - timedelta(days=300), valid_to=now - timedelta(days=30))
    assert contact_open(
        actor=system, source=ContactSource.PUBLIC, summary="x", child_id=closed.pk
    ).is_re_referral
    long_ago = ChildFactory()
    RelationshipFactory(
        child=long_ago, valid_from=now - timedelta(days=900), valid_to=now - timedelta(days=400)
    )
    assert not contact_open(
        actor=system, source=ContactSource.PUBLIC, summary="x", child_id=long_ago.pk
    ).is_re_referral


@pytest.mark.django_db
def test_closing_a_contact_ends_the_hubs_relationship_and_keeps_its_history(hub_team, mash_officer):
    child = ChildFactory()
    contact = contact_open(
        actor=Actor.system("t"), source=ContactSource.PUBLIC, summary="x", child_id=child.pk
    )
    relationship = Relationship.objects.get(pk=contact.hub_relationship_id)
    assert relationship.valid_to is None and relationship.basis == RelationshipBasis.HUB_CONTACT
    hub = Actor(user_id=mash_officer.user_id, username="m", role=mash_officer.role,
                agency_id=mash_officer.agency_id, team_id=mash_officer.team_id)  # fmt: skip
    child_get_for_user(actor=hub, child_id=child.pk, purpose="triage")
    contact_close(actor=hub, contact=contact, reason="No further action")
    relationship.refresh_from_db()
    assert relationship.valid_to is not None
    with pytest.raises(ChildNotFound):
        child_get_for_user(actor=hub, child_id=child.pk, purpose="triage")
    assert list(contact.status_changes.values_list("status", flat=True)) == ["open", "closed"]


@pytest.mark.django_db
def test_the_hub_keeps_one_relationship_while_any_contact_about_the_child_is_open(hub_team, mash_officer):
    system = Actor.system("t")
    child = ChildFactory()
    first = contact_open(actor=system, source=ContactSource.PUBLIC, summary="a", child_id=child.pk)
    second = contact_open(actor=system, source=ContactSource.FEED, summary="b", child_id=child.pk)
    assert first.hub_relationship_id == second.hub_relationship_id
    hub = Actor(user_id=mash_officer.user_id, username="m", role=mash_officer.role,
                agency_id=mash_officer.agency_id, team_id=mash_officer.team_id)  # fmt: skip
    contact_close(actor=hub, contact=first, reason="Duplicate")
    child_get_for_user(actor=hub, child_id=child.pk, purpose="triage")  # the second is still open
    contact_close(actor=hub, contact=second, reason="No further action")
    with pytest.raises(ChildNotFound):
        child_get_for_user(actor=hub, child_id=child.pk, purpose="triage")


@pytest.mark.django_db
def test_the_hub_queue_is_most_urgent_first_and_each_page_is_one_read_log_event(
    sign_in, hub_team, mash_officer
):
    system = Actor.system("t")
    child = ChildFactory(forename="Queued", surname="Childname")
    routine = contact_open(actor=system, source=ContactSource.PUBLIC, summary="routine", urgency="routine")
    urgent = contact_open(actor=system, source=ContactSource.FEED, summary="urgent", urgency="immediate",
                          child_id=child.pk)  # fmt: skip
    before = AccessEvent.objects.count()
    body = sign_in(mash_officer).get("/concerns/hub").content.decode()
    assert body.index(urgent.reference) < body.index(routine.reference)
    assert "Queued Childname" in body
    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.latest("id")
    assert (event.action, event.resource_type, event.child_ids) == ("list", "contact_queue", [str(child.pk)])


@pytest.mark.django_db
def test_a_sealed_referrer_is_shown_to_the_hub_and_their_own_agency_only(
    sign_in, teacher, mash_officer, police
):
    client = sign_in(teacher)
    draft_id = _start(client)
    _answer_all(client, draft_id)
    contact = _send(client, draft_id)
    contact = Contact.objects.select_related("referrer").get(pk=contact.pk)

    def actor(membership):
        return Actor(user_id=membership.user_id, username="x", role=membership.role,
                     agency_id=membership.agency_id, team_id=membership.team_id)  # fmt: skip

    assert referrer_for_viewer(actor=actor(mash_officer), contact=contact).shown
    assert referrer_for_viewer(actor=actor(teacher), contact=contact).shown
    outsider = referrer_for_viewer(
        actor=actor(MembershipFactory(agency=police, role=Role.SOCIAL_WORKER)), contact=contact
    )
    assert outsider.sealed and not outsider.shown and outsider.referrer is None
    page = sign_in(mash_officer).get(f"/concerns/hub/{contact.pk}").content.decode()
    assert "Sealed" in page and "Tara Teacher" in page and "word for word" in page


@pytest.mark.django_db
def test_language_that_blames_the_child_is_caught_on_the_concern_but_never_in_the_childs_words(
    sign_in, teacher, hub_team
):
    from openmash.exploitation.models import LanguageFlagCount

    client = sign_in(teacher)
    draft_id = _start(client)
    refused = client.post(
        f"/concerns/report/{draft_id}/what-happened",
        {"what_happened": "She is streetwise and went with him.", "happened_when_text": "Friday"},
    )
    assert refused.status_code == 200
    assert "streetwise" in refused.content.decode() and "There is a problem" in refused.content.decode()
    assert "what-happened" not in ConcernDraft.objects.get(pk=draft_id).answers

    rewritten = client.post(
        f"/concerns/report/{draft_id}/what-happened",
        {
            "what_happened": "An adult is exploiting her; she went with him.",
            "happened_when_text": "Friday",
            "what_happened__seen": "adultification",
        },
    )
    assert rewritten.status_code == 302
    assert LanguageFlagCount.objects.filter(agency_id=teacher.agency_id, rule_id="adultification").exists()

    # The child's own words are hers, kept as said, whatever they contain.
    told = client.post(
        f"/concerns/report/{draft_id}/seen-or-told",
        {
            "what_seen_or_told": "She told me.",
            "child_said": "yes",
            "child_words": "I'm streetwise, I can handle it",
        },
    )
    assert told.status_code == 302

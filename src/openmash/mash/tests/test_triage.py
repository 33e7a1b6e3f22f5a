"""Triage queue, RAG ratings and their clocks, information requests and their scoped access,
threshold decisions with their sign-off rules and what they open, linked children."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.exploitation.models import Sign
from openmash.intake.models import ContactStatus, Urgency
from openmash.intake.services import contact_close
from openmash.mash import services
from openmash.mash.models import (
    DecisionStatus,
    InformationRequest,
    Outcome,
    RagRating,
    RequestStatus,
    ThresholdDecision,
)
from openmash.mash.tests.helpers import actor_of, child_make
from openmash.notifications.models import Notification
from openmash.people.models import FamilyLink
from openmash.timescales.calendar import ENGLAND, LONDON
from openmash.timescales.models import Clock
from tests.factories import AdultFactory, FamilyLinkFactory

pytestmark = pytest.mark.django_db
RATIONALE = "Older adults seen collecting the child; police hold intelligence on the car."


def running(contact, code):
    return Clock.objects.filter(
        subject_id=str(contact.pk), rule_code=code, completed_at__isnull=True, cancelled_at__isnull=True
    )


def test_a_contact_opens_with_a_rating_deadlines_and_clocks(hub):
    received = datetime(2026, 11, 20, 16, 0, tzinfo=LONDON)  # a Friday afternoon
    contact = hub.open_contact(child_make(), urgency=Urgency.IMMEDIATE, received_at=received)
    triage = contact.triage
    assert triage.rag == "red"
    # Red is 4 working hours: 1 hour on Friday, 3 on Monday.
    assert triage.rag_due_at == datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
    assert timezone.localdate(triage.decision_due_at) == date(2026, 11, 23)
    assert triage.next_due_at == triage.rag_due_at
    assert running(contact, "mash_decision").get().responsible_team == hub.team
    assert running(contact, "rag_red").count() == 1
    assert RagRating.objects.get(contact=contact).recorded_by_name == "system:intake"


def test_rerating_keeps_every_rating_and_moves_the_clock(hub):
    contact = hub.open_contact(child_make(), urgency=Urgency.ROUTINE)
    services.rag_rate(
        actor=actor_of(hub.officer), contact=contact, rag="red", reason="Child missing overnight"
    )
    ratings = list(RagRating.objects.filter(contact=contact).order_by("id"))
    assert [r.rag for r in ratings] == ["green", "red"]
    assert ratings[1].recorded_by_id == hub.officer.user_id and ratings[1].reason == "Child missing overnight"
    assert running(contact, "rag_green").count() == 0
    assert running(contact, "rag_red").count() == 1
    contact.triage.refresh_from_db()
    assert contact.triage.rag == "red"
    with pytest.raises(ValidationError):
        services.rag_rate(actor=actor_of(hub.officer), contact=contact, rag="red", reason="")
    with pytest.raises(ValidationError):
        services.rag_rate(
            actor=actor_of(hub.school_teacher), contact=contact, rag="amber", reason="Looks fine"
        )


def test_the_queue_shows_rag_age_source_involvement_and_sorts_by_time_left(hub, sign_in):
    now = timezone.now()
    late = hub.open_contact(child_make(surname="Latewood"), received_at=now - timedelta(days=10))
    fresh = hub.open_contact(child_make(surname="Freshwood"), urgency=Urgency.ROUTINE)
    Relationship.objects.create(
        child_id=late.child_id, holder_team=hub.social_work_team, basis=RelationshipBasis.TEAM,
        valid_from=now - timedelta(days=30), created_by_process="test",
    )  # fmt: skip
    client = sign_in(hub.officer)
    body = client.get("/hub/").content.decode()
    assert body.index("Latewood") < body.index("Freshwood")
    assert 'data-state="overdue"' in body and "Past its time" in body
    assert "Open case" in body and "Testshire Academy" in body
    assert "working day" in body
    only_late = client.get("/hub/?state=overdue").content.decode()
    assert "Latewood" in only_late and "Freshwood" not in only_late
    newest = client.get("/hub/?sort=newest").content.decode()
    assert newest.index("Freshwood") < newest.index("Latewood")
    assert "Freshwood" not in client.get("/hub/?rag=red").content.decode()
    assert fresh.triage.rag == "green"
    assert sign_in(hub.school_teacher).get("/hub/").status_code == 404


def test_mash_roles_land_on_the_triage_queue(hub, sign_in):
    response = sign_in(hub.officer).get("/")
    assert response.status_code == 302 and response["Location"] == "/hub/"
    assert "Triage queue" in sign_in(hub.officer).get("/hub/").content.decode()


def test_each_agency_sees_only_its_own_requests_and_the_child_only_while_open(hub, sign_in):
    child = child_make(surname="Askwood")
    contact = hub.open_contact(child)
    police_agency = hub.police_researcher.agency
    [request] = services.information_request_send(
        actor=actor_of(hub.officer), contact=contact, agencies=[police_agency], question="Any incidents?"
    )
    health = sign_in(hub.health_researcher)
    assert "Askwood" not in health.get("/hub/requests?all=1").content.decode()
    assert contact.reference not in health.get("/hub/requests?all=1").content.decode()
    assert health.get(f"/hub/requests/{request.pk}").status_code == 404
    assert health.get(f"/children/{child.pk}/").status_code == 404

    police = sign_in(hub.police_researcher)
    assert contact.reference in police.get("/hub/requests").content.decode()
    assert "Askwood" in police.get(f"/hub/requests/{request.pk}").content.decode()
    assert police.get(f"/children/{child.pk}/").status_code == 200
    assert Notification.objects.filter(recipient_id=hub.police_researcher.user_id).exists()

    refused = police.post(f"/hub/requests/{request.pk}", {"holds_information": "yes", "reason": "x"})
    assert refused.status_code == 400 and "There is a problem" in refused.content.decode()
    answered = police.post(
        f"/hub/requests/{request.pk}",
        {
            "holds_information": "yes",
            "shared": "Two stop-checks in a car linked to an adult of concern",
            "reason": "The child may be at risk of exploitation",
            "lawful_basis": "public_task",
        },
    )
    assert answered.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    assert request.response.lawful_basis == "public_task"
    assert police.get(f"/children/{child.pk}/").status_code == 404
    # The answer joins the contact.
    page = sign_in(hub.officer).get(f"/hub/contacts/{contact.pk}").content.decode()
    assert "Two stop-checks in a car" in page and "Public task" in page


def test_closing_a_contact_withdraws_open_requests_and_ends_the_hubs_access(hub, sign_in):
    child = child_make()
    contact = hub.open_contact(child)
    [request] = services.information_request_send(
        actor=actor_of(hub.officer), contact=contact, agencies=[hub.health_researcher.agency], question="GP?"
    )
    officer = sign_in(hub.officer)
    assert officer.get(f"/children/{child.pk}/").status_code == 200
    contact_close(actor=actor_of(hub.officer), contact=contact, reason="Duplicate of another contact")
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN
    assert officer.get(f"/children/{child.pk}/").status_code == 404
    assert sign_in(hub.health_researcher).get(f"/children/{child.pk}/").status_code == 404
    assert running(contact, "mash_decision").count() == 0


def test_a_strategy_discussion_decision_opens_the_icpc_clock_and_hands_the_child_over(hub, sign_in):
    child = child_make()
    contact = hub.open_contact(child)
    officer = sign_in(hub.officer)
    today = timezone.localdate()
    response = sign_in(hub.manager).post(
        f"/hub/contacts/{contact.pk}/decide",
        {
            "outcome": "strategy",
            "rationale": RATIONALE,
            "receiving_team": str(hub.social_work_team.pk),
            "strategy_discussion_on": today.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    decision = ThresholdDecision.objects.get(contact=contact)
    assert decision.status == DecisionStatus.IN_EFFECT
    icpc = Clock.objects.get(
        subject_type="mash.ThresholdDecision", subject_id=str(decision.pk), rule_code="icpc"
    )
    assert timezone.localdate(icpc.due_at) == ENGLAND.add_working_days(today, 15)
    assert icpc.responsible_team == hub.social_work_team
    team_rel = Relationship.objects.get(child=child, holder_team=hub.social_work_team, valid_to__isnull=True)
    assert team_rel.created_by_process == "mash.threshold_decision"
    assert running(contact, "mash_decision").count() == 0
    contact.refresh_from_db()
    assert contact.status == ContactStatus.CLOSED
    # The hub loses access when the contact closes.
    assert officer.get(f"/children/{child.pk}/").status_code == 404
    page = sign_in(hub.manager).get(f"/hub/contacts/{contact.pk}").content.decode()
    assert "Initial child protection conference due" in page


def test_a_decision_needs_a_rationale_and_what_each_outcome_needs(hub, sign_in):
    contact = hub.open_contact(child_make())
    client = sign_in(hub.officer)
    response = client.post(f"/hub/contacts/{contact.pk}/decide", {"outcome": "nfa", "rationale": "short"})
    assert response.status_code == 400 and "at least 20 characters" in response.content.decode()
    response = client.post(
        f"/hub/contacts/{contact.pk}/decide", {"outcome": "strategy", "rationale": RATIONALE}
    )
    body = response.content.decode()
    assert "Choose the team" in body and "date of the strategy discussion" in body
    response = client.post(
        f"/hub/contacts/{contact.pk}/decide",
        {"outcome": "exploitation", "rationale": RATIONALE, "receiving_team": str(hub.social_work_team.pk)},
    )
    assert "exploitation team" in response.content.decode()
    assert not ThresholdDecision.objects.filter(contact=contact).exists()


def test_a_rationale_that_blames_the_child_is_caught_before_the_decision_is_recorded(hub, sign_in):
    contact = hub.open_contact(child_make())
    client = sign_in(hub.manager)
    response = client.post(
        f"/hub/contacts/{contact.pk}/decide",
        {
            "outcome": "nfa",
            "rationale": "No further action: this is a lifestyle choice she has made for herself.",
        },
    )
    assert response.status_code in (200, 400)
    assert "lifestyle choice" in response.content.decode()
    assert not ThresholdDecision.objects.filter(contact=contact).exists()


def test_an_officers_decision_waits_for_a_managers_sign_off(hub):
    contact = hub.open_contact(child_make())
    access = None
    decision = services.threshold_decision_record(
        actor=actor_of(hub.officer), contact=contact, access=access, outcome=Outcome.INFORMATION_ADVICE,
        rationale=RATIONALE,
    )  # fmt: skip
    assert decision.status == DecisionStatus.AWAITING_SIGN_OFF
    contact.refresh_from_db()
    assert contact.status == ContactStatus.OPEN
    with pytest.raises(ValidationError):
        services.threshold_decision_sign_off(actor=actor_of(hub.officer), decision=decision)
    services.threshold_decision_sign_off(actor=actor_of(hub.manager), decision=decision)
    decision.refresh_from_db()
    contact.refresh_from_db()
    assert decision.status == DecisionStatus.IN_EFFECT and contact.status == ContactStatus.CLOSED


def _access(hub, child):
    from openmash.access.selectors import child_get_for_user

    return child_get_for_user(actor=actor_of(hub.manager), child_id=child.pk, purpose="test")


@pytest.mark.parametrize("live", [True, False])
def test_no_further_action_with_live_exploitation_signs_needs_a_second_manager(hub, live):
    child = child_make()
    contact = hub.open_contact(child)
    if live:
        # A sign another process raised (test data written directly: no indicator tool is loaded).
        Sign.objects.create(
            child=child, indicator_code="missing_episode", observed_on=timezone.localdate(),
            source_type="test", source_id="1", summary="Missing overnight", raised_by_process="test",
        )  # fmt: skip
    decision = services.threshold_decision_record(
        actor=actor_of(hub.manager), contact=contact, access=_access(hub, child), outcome=Outcome.NFA,
        rationale=RATIONALE,
    )  # fmt: skip
    if not live:
        assert decision.status == DecisionStatus.IN_EFFECT
        return
    assert decision.status == DecisionStatus.AWAITING_SECOND and decision.sign_offs_needed == 2
    with pytest.raises(ValidationError, match="second manager"):
        services.threshold_decision_sign_off(actor=actor_of(hub.manager), decision=decision)
    services.threshold_decision_sign_off(actor=actor_of(hub.second_manager), decision=decision)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.IN_EFFECT


def test_an_assessment_decision_starts_45_working_days_from_the_referral(hub):
    child = child_make()
    received = timezone.now() - timedelta(hours=1)
    contact = hub.open_contact(child, received_at=received)
    decision = services.threshold_decision_record(
        actor=actor_of(hub.manager), contact=contact, access=_access(hub, child), outcome=Outcome.ASSESSMENT,
        rationale=RATIONALE, receiving_team=hub.social_work_team,
    )  # fmt: skip
    clock = Clock.objects.get(subject_id=str(decision.pk), rule_code="assessment")
    assert clock.started_at == received
    assert timezone.localdate(clock.due_at) == ENGLAND.add_working_days(timezone.localdate(received), 45)


def test_the_exploitation_pathway_asks_the_exploitation_team_for_a_screening(hub, make_member):
    from openmash.accounts.roles import Role

    worker = make_member(Role.SOCIAL_WORKER, agency=hub.exploitation_team.agency, team=hub.exploitation_team)
    child = child_make()
    contact = hub.open_contact(child)
    services.threshold_decision_record(
        actor=actor_of(hub.manager), contact=contact, access=_access(hub, child),
        outcome=Outcome.EXPLOITATION,
        rationale=RATIONALE, receiving_team=hub.exploitation_team,
    )  # fmt: skip
    note = Notification.objects.get(recipient_id=worker.user_id, kind="exploitation_screening")
    assert f"/exploitation/children/{child.pk}/assessments/new" in note.link
    assert Relationship.objects.filter(
        child=child, holder_team=hub.exploitation_team, valid_to__isnull=True
    ).exists()


def test_a_late_decision_needs_a_reason(hub):
    child = child_make()
    contact = hub.open_contact(child, received_at=timezone.now() - timedelta(days=10))
    with pytest.raises(ValidationError, match="late"):
        services.threshold_decision_record(
            actor=actor_of(hub.manager), contact=contact, access=_access(hub, child),
            outcome=Outcome.INFORMATION_ADVICE, rationale=RATIONALE,
        )  # fmt: skip
    services.threshold_decision_record(
        actor=actor_of(hub.manager), contact=contact, access=_access(hub, child),
        outcome=Outcome.INFORMATION_ADVICE, rationale=RATIONALE, late_reason="Waiting for police checks",
    )  # fmt: skip
    clock = Clock.objects.get(subject_id=str(contact.pk), rule_code="mash_decision")
    assert clock.exception_reason == "Waiting for police checks"


def test_linked_children_are_named_only_where_visible_and_otherwise_counted(hub, sign_in):
    child = child_make()
    contact = hub.open_contact(child)
    uncle = AdultFactory()
    FamilyLinkFactory(child=child, adult=uncle)
    visible_cousin = child_make(surname="Seenwood")
    FamilyLinkFactory(child=visible_cousin, adult=uncle, relation="other")
    hub.open_contact(visible_cousin)  # the hub can see this one: it has an open contact
    hidden = child_make(surname="Hiddenwood")
    FamilyLinkFactory(child=hidden, adult=uncle, relation="other")
    assert FamilyLink.objects.filter(adult=uncle).count() == 3
    page = sign_in(hub.officer).get(f"/hub/contacts/{contact.pk}").content.decode()
    assert "Seenwood" in page and "a shared adult" in page
    assert "Hiddenwood" not in page
    assert "1 other child is linked" in page


def test_linked_children_through_a_vehicle_named_in_two_concerns(hub):
    from openmash.mash.selectors import linked_children
    from tests.factories import ChildFactory  # noqa: F401

    first, second = child_make(), child_make()
    for child, plate in ((first, "AB12 CDE"), (second, "ab12cde")):
        contact = hub.open_contact(child)
        _concern(contact, vehicles=[plate])
    linked = linked_children(actor=actor_of(hub.officer), child_id=first.pk)
    assert [item.child_id for item in linked.named] == [second.pk]
    assert linked.named[0].links == ["a shared vehicle"]


def _concern(contact, **fields):
    from openmash.intake.models import Concern

    return Concern.objects.create(
        contact=contact, what_happened="Seen in a car", what_seen_or_told="Seen", family_knows="no",
        sharing_basis="safeguarding", **fields,
    )  # fmt: skip


def test_information_requests_need_a_matched_child_and_a_hub_role(hub):
    contact = hub.open_contact(None)
    with pytest.raises(ValidationError, match="Match the contact"):
        services.information_request_send(
            actor=actor_of(hub.officer),
            contact=contact,
            agencies=[hub.police_researcher.agency],
            question="?",
        )
    contact = hub.open_contact(child_make())
    with pytest.raises(ValidationError):
        services.information_request_send(
            actor=actor_of(hub.school_teacher), contact=contact, agencies=[hub.police_researcher.agency],
            question="Anything?",
        )  # fmt: skip
    assert InformationRequest.objects.count() == 0


def test_the_queue_shows_a_risk_level_read_through_a_merge(hub, sign_in):
    """A merged record's level stays with it (append-only) but belongs to the survivor now."""
    from openmash.exploitation.indicators import Level
    from openmash.exploitation.services import risk_history_import
    from openmash.matching.merge import child_merge

    survivor, merged = child_make(surname="Mergewood"), child_make(surname="Mergewood")
    risk_history_import(
        actor=actor_of(hub.officer), child=merged, level=Level.HIGH,
        effective_on=timezone.localdate() - timedelta(days=3), reason="From the previous system",
        process="test",
    )  # fmt: skip
    hub.open_contact(survivor)
    client = sign_in(hub.officer)
    assert "Exploitation risk: High" not in client.get("/hub/").content.decode()

    child_merge(
        actor=actor_of(hub.officer), survivor_id=survivor.pk, merged_id=merged.pk,
        reason="Same NHS number and date of birth, confirmed with the school",
    )  # fmt: skip

    assert "Exploitation risk: High" in client.get("/hub/").content.decode()

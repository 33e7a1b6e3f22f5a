"""A manager returns an officer's proposed threshold decision with a reason; the officer sees it
returned, amends it and proposes it again; every version, return and sign-off is kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openmash.access.selectors import child_get_for_user
from openmash.exploitation.models import Sign
from openmash.intake.models import ContactStatus
from openmash.mash import services
from openmash.mash.models import DecisionReturn, DecisionSignOff, DecisionStatus, Outcome, ThresholdDecision
from openmash.mash.tests.helpers import actor_of, child_make
from openmash.notifications.models import Notification
from openmash.timescales.models import Clock

pytestmark = pytest.mark.django_db
RATIONALE = "Older adults seen collecting the child; police hold intelligence on the car."
RETURN_REASON = "Police hold intelligence on the car: this needs a strategy discussion, not advice."


def _propose(hub, contact, **fields):
    return services.threshold_decision_record(
        actor=actor_of(hub.officer),
        contact=contact,
        access=None,
        outcome=fields.get("outcome", Outcome.INFORMATION_ADVICE),
        rationale=fields.get("rationale", RATIONALE),
    )


def test_a_manager_returns_a_decision_and_the_officer_amends_and_proposes_it_again(hub):
    child = child_make()
    contact = hub.open_contact(child)
    decision = _propose(hub, contact)

    services.threshold_decision_return(actor=actor_of(hub.manager), decision=decision, reason=RETURN_REASON)

    decision.refresh_from_db()
    contact.refresh_from_db()
    assert decision.status == DecisionStatus.RETURNED
    assert contact.status == ContactStatus.OPEN  # nothing took effect
    assert Notification.objects.get(recipient=hub.officer.user, kind="decision_returned")
    with pytest.raises(ValidationError):  # a returned decision cannot be signed off as it was
        services.threshold_decision_sign_off(actor=actor_of(hub.second_manager), decision=decision)

    access = child_get_for_user(actor=actor_of(hub.officer), child_id=child.pk, purpose="test")
    amended = services.threshold_decision_amend(
        actor=actor_of(hub.officer),
        decision=decision,
        access=access,
        outcome=Outcome.STRATEGY,
        rationale=RATIONALE + " The manager asked for a strategy discussion.",
        receiving_team=hub.social_work_team,
        strategy_discussion_on=timezone.localdate(),
    )
    assert amended.status == DecisionStatus.AWAITING_SIGN_OFF and amended.version == 2
    services.threshold_decision_sign_off(actor=actor_of(hub.manager), decision=amended)

    amended.refresh_from_db()
    assert amended.status == DecisionStatus.IN_EFFECT and amended.outcome == Outcome.STRATEGY
    assert Clock.objects.filter(subject_id=str(amended.pk), rule_code="icpc").exists()
    returned = DecisionReturn.objects.get(decision=amended)
    assert (returned.version, returned.outcome, returned.reason) == (
        1,
        Outcome.INFORMATION_ADVICE,
        RETURN_REASON,
    )
    # The decision's history keeps the version that was returned.
    outcomes = list(amended.events.order_by("pgh_id").values_list("outcome", "status"))
    assert ("information_advice", "returned") in outcomes


def test_only_a_manager_returns_a_decision_and_only_with_a_reason(hub):
    decision = _propose(hub, hub.open_contact(child_make()))
    with pytest.raises(ValidationError):
        services.threshold_decision_return(
            actor=actor_of(hub.officer), decision=decision, reason=RETURN_REASON
        )
    with pytest.raises(ValidationError, match="look at again"):
        services.threshold_decision_return(actor=actor_of(hub.manager), decision=decision, reason="  no ")
    with pytest.raises(ValidationError, match="returned"):
        services.threshold_decision_amend(
            actor=actor_of(hub.officer), decision=decision, access=None, outcome=Outcome.NFA,
            rationale=RATIONALE,
        )  # fmt: skip
    assert ThresholdDecision.objects.get(pk=decision.pk).status == DecisionStatus.AWAITING_SIGN_OFF


def test_a_first_sign_off_does_not_count_for_the_amended_version(hub):
    child = child_make()
    contact = hub.open_contact(child)
    Sign.objects.create(
        child=child, indicator_code="missing_episode", observed_on=timezone.localdate(),
        source_type="test", source_id="1", summary="Missing overnight", raised_by_process="test",
    )  # fmt: skip
    access = child_get_for_user(actor=actor_of(hub.officer), child_id=child.pk, purpose="test")
    decision = services.threshold_decision_record(
        actor=actor_of(hub.officer), contact=contact, access=access, outcome=Outcome.NFA, rationale=RATIONALE
    )
    services.threshold_decision_sign_off(actor=actor_of(hub.manager), decision=decision)
    services.threshold_decision_return(
        actor=actor_of(hub.second_manager), decision=decision, reason="Live signs: look at early help."
    )
    amended = services.threshold_decision_amend(
        actor=actor_of(hub.officer), decision=decision, access=access, outcome=Outcome.NFA,
        rationale=RATIONALE + " Early help declined by the family; school will keep watch.",
    )  # fmt: skip
    services.threshold_decision_sign_off(actor=actor_of(hub.manager), decision=amended)
    amended.refresh_from_db()
    assert amended.status == DecisionStatus.AWAITING_SECOND  # the first sign-off was of version 1
    services.threshold_decision_sign_off(actor=actor_of(hub.second_manager), decision=amended)
    amended.refresh_from_db()
    assert amended.status == DecisionStatus.IN_EFFECT
    assert DecisionSignOff.objects.filter(decision=amended).count() == 3


def test_returning_and_amending_through_the_contact_page(hub, sign_in):
    child = child_make()
    contact = hub.open_contact(child)
    url = f"/hub/contacts/{contact.pk}"
    officer, manager = sign_in(hub.officer), sign_in(hub.manager)
    assert (
        officer.post(url + "/decide", {"outcome": "information_advice", "rationale": RATIONALE}).status_code
        == 302
    )

    page = manager.get(url).content.decode()
    assert "Return the decision" in page and "Sign off the decision" in page
    response = manager.post(url + "/return", {"return_reason": ""})
    assert (
        response.status_code == 400
        and "Say what the officer should look at again" in response.content.decode()
    )
    response = manager.post(url + "/return", {"return_reason": "Look"})  # too short for the service
    assert response.status_code == 400 and 'id="id_return_reason-error"' in response.content.decode()
    assert manager.post(url + "/return", {"return_reason": RETURN_REASON}).status_code == 302

    page = officer.get(url).content.decode()
    assert "Returned by" in page and RETURN_REASON.split(":")[0] in page
    assert "Propose the amended decision" in page and RATIONALE in page  # the form starts from the proposal
    response = officer.post(
        url + "/decide",
        {
            "outcome": "strategy",
            "rationale": RATIONALE + " Strategy discussion held with police today.",
            "receiving_team": str(hub.social_work_team.pk),
            "strategy_discussion_on": timezone.localdate().strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302

    page = manager.get(url).content.decode()
    assert "Version" in page and "Strategy discussion" in page and "Sign off the decision" in page
    assert manager.post(url + "/sign-off", {"note": ""}).status_code == 302
    decision = ThresholdDecision.objects.get(contact=contact)
    assert decision.status == DecisionStatus.IN_EFFECT and decision.version == 2
    assert "Initial child protection conference due" in manager.get(url).content.decode()

"""Form submissions through the real views, signed in, against PostgreSQL: what the user sees
after each (the redirect, the page, the errors for bad input)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from openmash.access.models import RelationshipBasis
from openmash.accounts.models import Agency
from openmash.accounts.roles import Role
from openmash.casework import services
from openmash.casework.models import MeetingInvitee, PlanAction, PlanKind
from openmash.exploitation.models import Sign
from openmash.exploitation.services import default_tools_load
from openmash.timescales.models import Clock
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def _when(delta: timedelta) -> str:
    return (timezone.localtime() - delta).strftime("%Y-%m-%dT%H:%M")


def _page(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_manager_allocates_a_worker_and_bad_input_is_explained(manager, worker, team_child, sign_in):
    client = sign_in(manager)
    url = f"/casework/children/{team_child.pk}/allocate"
    response = client.post(url, {"worker": ""})
    assert response.status_code == 200
    page = _page(response)
    assert "There is a problem" in page and "Choose a worker." in page
    assert "Choose key worker or supporting worker." in page
    response = client.post(
        url, {"worker": str(worker.user_id), "basis": RelationshipBasis.ALLOCATED_WORKER}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/casework/children/{team_child.pk}/"
    page = _page(response)
    assert "Allocation saved" in page and worker.user.full_name in page
    team = _page(client.get("/casework/team/"))
    assert "Every child your team holds has a key worker." in team
    # The worker can now open the child; a social worker cannot allocate.
    assert sign_in(worker).get(url).status_code == 403


def test_meeting_records_agencies_attendance_decisions_and_an_action_on_the_plan(
    as_worker, worker, team_child, sign_in
):
    actor, access = as_worker()
    plan = services.plan_start(
        actor=actor,
        access=access,
        kind=PlanKind.CHILD_IN_NEED,
        started_on=timezone.localdate() - timedelta(days=20),
    )
    police, school = AgencyFactory(name="Testshire Police"), AgencyFactory(name="Testwood Academy")
    client = sign_in(worker)
    url = f"/casework/children/{team_child.pk}/meetings/new"
    bad = client.post(url, {"held_at": _when(timedelta(days=-2)), "decisions": "x"})
    assert bad.status_code == 200
    assert "Choose the kind of meeting." in _page(bad)
    future = client.post(url, {"kind": "strategy", "held_at": _when(timedelta(days=-2)), "decisions": "Plan"})
    assert "Record a meeting once it has been held." in _page(future)
    response = client.post(
        url,
        {
            "kind": "exploitation",
            "held_at": _when(timedelta(hours=3)),
            "chair": "Chair Testperson",
            "invited": [str(police.pk), str(school.pk)],
            "attended": [str(police.pk)],
            "decisions": "Safety plan for travel to school agreed",
            "child_views": "I want to keep going to football",
            "action_what": "Walk the route to school with the child",
            "action_owner": "Youth worker",
            "action_due": (timezone.localdate() + timedelta(days=14)).isoformat(),
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/casework/children/{team_child.pk}/"
    page = _page(response)
    assert "Meeting recorded" in page and "Safety plan for travel to school agreed" in page
    invitees = {i.agency.name: i.attended for i in MeetingInvitee.objects.select_related("agency")}
    assert invitees == {"Testshire Police": True, "Testwood Academy": False}
    plan_page = _page(client.get(f"/casework/children/{team_child.pk}/plans/{plan.pk}/"))
    assert "Walk the route to school with the child" in plan_page and "Youth worker" in plan_page
    assert PlanAction.objects.get(plan=plan).meeting is not None
    assert Agency.objects.filter(pk=police.pk).exists()


def test_missing_episode_return_and_interview_within_72_hours(as_worker, worker, team_child, sign_in):
    default_tools_load()
    as_worker()
    client = sign_in(worker)
    base = f"/casework/children/{team_child.pk}/missing/"
    bad = client.post(base + "new", {"kind": "M"})
    assert "Enter when the episode began." in _page(bad)
    response = client.post(base + "new", {"kind": "M", "started_at": _when(timedelta(days=3))}, follow=True)
    page = _page(response)
    assert "Missing episode recorded" in page and "The child has returned" in page
    episode_url = response.redirect_chain[-1][0]
    response = client.post(
        episode_url,
        {
            "form": "return",
            "ended_at": _when(timedelta(days=2)),
            "where_found": "Bus station",
            "found_with": "Alone",
        },
        follow=True,
    )
    page = _page(response)
    assert "Return home interview" in page and "Bus station" in page
    returned = Clock.objects.get(child=team_child, rule_code="return_interview")
    assert returned.due_at - returned.started_at == timedelta(hours=72)
    missing_held = client.post(
        episode_url, {"form": "interview", "offered_at": _when(timedelta(days=1)), "accepted": "yes"}
    )
    assert "Say when the interview was held." in _page(missing_held)
    response = client.post(
        episode_url,
        {
            "form": "interview",
            "offered_at": _when(timedelta(days=1, hours=20)),
            "accepted": "yes",
            "held_at": _when(timedelta(days=1)),
            "interviewer": "Independent return worker",
            "outcome": "Safety plan agreed",
            "child_words": "I just needed to get away",
        },
        follow=True,
    )
    page = _page(response)
    assert "held" in page and "I just needed to get away" in page
    assert Clock.objects.get(pk=returned.pk).completed_at is not None


def test_third_missing_episode_in_90_days_raises_the_sign(as_worker, worker, team_child, sign_in):
    default_tools_load()
    as_worker()
    client = sign_in(worker)
    for days in (60, 30, 5):
        client.post(
            f"/casework/children/{team_child.pk}/missing/new",
            {
                "kind": "A",
                "started_at": _when(timedelta(days=days)),
                "ended_at": _when(timedelta(days=days - 1)),
            },
        )
    sign = Sign.objects.get(child=team_child)
    assert sign.indicator_code == "missing_repeated"
    assert Clock.objects.filter(child=team_child, rule_code="repeat_missing_meeting").exists()


def test_care_council_feedback_and_its_theme_summary(as_worker, worker, manager, team_child, sign_in):
    actor, access = as_worker()
    client = sign_in(worker)
    url = f"/casework/children/{team_child.pk}/care-council/new"
    refused = client.post(
        url,
        {
            "given_on": timezone.localdate().isoformat(),
            "theme": "contact",
            "child_words": "More time with my sister",
        },
    )
    assert "Feedback to the Children in Care Council is from looked-after children." in _page(refused)
    services.plan_start(
        actor=actor,
        access=access,
        kind=PlanKind.LOOKED_AFTER,
        started_on=timezone.localdate() - timedelta(days=40),
        legal_status="C2",
        placement=services.PlacementData(
            place="U6",
            provider="PR1",
            carer_or_setting="Carers",
            started_on=timezone.localdate() - timedelta(days=40),
        ),
    )
    empty = client.post(url, {"given_on": timezone.localdate().isoformat(), "theme": "contact"})
    assert "Write what the child said." in _page(empty)
    response = client.post(
        url,
        {
            "given_on": timezone.localdate().isoformat(),
            "theme": "contact",
            "child_words": "More time with my sister",
            "share_with_council": "on",
        },
        follow=True,
    )
    page = _page(response)
    assert "Feedback recorded" in page and "More time with my sister" in page
    summary = _page(sign_in(manager).get("/casework/care-council/"))
    assert "Family time and contact" in summary
    assert "More time with my sister" not in summary and team_child.full_name not in summary


def test_plan_action_moves_on_and_dropping_needs_a_reason(as_worker, worker, team_child, sign_in):
    actor, access = as_worker()
    plan = services.plan_start(
        actor=actor, access=access, kind=PlanKind.CHILD_IN_NEED, started_on=date(2026, 10, 1)
    )
    action = services.plan_action_add(
        actor=actor,
        access=access,
        plan=plan,
        what="Referral to counselling",
        owner_name="GP",
        due_on=date(2026, 12, 1),
    )
    client = sign_in(worker)
    plan_url = f"/casework/children/{team_child.pk}/plans/{plan.pk}/"
    assert f"{plan_url}actions/{action.pk}/" in _page(client.get(plan_url))
    url = f"{plan_url}actions/{action.pk}/"
    dropped = client.post(url, {"status": "no_longer_needed"})
    assert "There is a problem" in _page(dropped) and "Say why the action is being dropped." in _page(dropped)
    response = client.post(
        url, {"status": "in_progress", "owner_name": "School nurse", "due_on": "2026-12-15"}, follow=True
    )
    assert response.redirect_chain[-1][0] == plan_url
    page = _page(response)
    assert "In progress" in page and "School nurse" in page and "15 December 2026" in page
    # In progress still blocks closure; dropped with a reason does not.
    closure = _page(client.get(f"/casework/children/{team_child.pk}/closure"))
    assert "Referral to counselling" in closure
    response = client.post(
        url, {"status": "no_longer_needed", "note": "Family moved to another GP practice"}, follow=True
    )
    page = _page(response)
    assert "Dropped" in page and "Family moved to another GP practice" in page
    assert "Referral to counselling" not in _page(client.get(f"/casework/children/{team_child.pk}/closure"))


def test_legal_status_change_and_placement_move_pages(as_worker, worker, team_child, sign_in):
    actor, access = as_worker()
    start = timezone.localdate() - timedelta(days=60)
    plan = services.plan_start(
        actor=actor,
        access=access,
        kind=PlanKind.LOOKED_AFTER,
        started_on=start,
        legal_status="C1",
        placement=services.PlacementData(
            place="U6", provider="PR1", carer_or_setting="Foster carers A", started_on=start
        ),
    )
    client = sign_in(worker)
    base = f"/casework/children/{team_child.pk}/plans/{plan.pk}/"
    same = client.post(
        base + "legal-status/new", {"code": "C1", "effective_on": timezone.localdate().isoformat()}
    )
    assert "The legal status is already C1 Interim care order." in _page(same)
    response = client.post(
        base + "legal-status/new",
        {"code": "C2", "effective_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "Legal status recorded" in _page(response) and "C2 Full care order" in _page(response)
    missing = client.post(base + "placements/new", {"started_on": timezone.localdate().isoformat()})
    page = _page(missing)
    assert "Choose the reason the placement changed." in page and "Choose the placement type." in page
    response = client.post(
        base + "placements/new",
        {
            "started_on": timezone.localdate().isoformat(),
            "reason_for_change": "CHILD",
            "place": "K2",
            "provider": "PR4",
            "carer_or_setting": "Testwood children's home",
        },
        follow=True,
    )
    page = _page(response)
    assert "Placement move recorded" in page and "Testwood children&#39;s home" in page
    assert "The child&#39;s wishes" in page  # the reason the previous placement ended
    first = Clock.objects.get(child=team_child, rule_code="cla_visit_first", cancelled_at__isnull=True)
    assert (first.due_at.date() - timezone.localdate()).days == 7


def test_pathway_dimensions_with_the_young_persons_words(as_worker, worker, team_child, sign_in):
    actor, access = as_worker()
    plan = services.plan_start(
        actor=actor,
        access=access,
        kind=PlanKind.PATHWAY,
        started_on=date(2026, 10, 1),
        personal_adviser_id=worker.user_id,
    )
    client = sign_in(worker)
    base = f"/casework/children/{team_child.pk}/plans/{plan.pk}/"
    page = _page(client.get(base))
    for label in (
        "Education",
        "Training",
        "Employment",
        "Mental health",
        "Physical health",
        "Finances",
        "Accommodation",
        "Support networks",
        "Leisure",
        "Family contacts",
    ):
        assert label in page
    assert page.count("Not yet recorded") == 10
    empty = client.post(base + "pathway/accommodation", {"goals": "Own flat"})
    assert "Say what the young person needs." in _page(empty)
    assert client.get(base + "pathway/astrology").status_code == 404
    response = client.post(
        base + "pathway/accommodation",
        {
            "needs": "Somewhere near college",
            "goals": "Supported lodgings by March",
            "young_persons_words": "I want my own key",
        },
        follow=True,
    )
    page = _page(response)
    assert (
        "Accommodation saved" in page and "I want my own key" in page and page.count("Not yet recorded") == 9
    )


def test_plan_pages_refuse_the_wrong_kind_and_strangers(as_worker, worker, team_child, sign_in, make_member):
    actor, access = as_worker()
    plan = services.plan_start(
        actor=actor, access=access, kind=PlanKind.CHILD_IN_NEED, started_on=date(2026, 10, 1)
    )
    base = f"/casework/children/{team_child.pk}/plans/{plan.pk}/"
    client = sign_in(worker)
    for url in ("legal-status/new", "placements/new", "long-term-visits", "pathway/education"):
        assert client.get(base + url).status_code == 404, url
    stranger = sign_in(make_member(Role.SOCIAL_WORKER))
    assert stranger.get(base).status_code == 404


def test_the_plan_page_names_each_deadline_in_words(as_worker, worker, team_child, sign_in):
    actor, access = as_worker()
    plan = services.plan_start(
        actor=actor, access=access, kind=PlanKind.CHILD_PROTECTION, started_on=date(2026, 10, 1),
        cp_category="neglect",
    )  # fmt: skip
    page = _page(sign_in(worker).get(f"/casework/children/{team_child.pk}/plans/{plan.pk}/"))
    assert "First child protection review" in page
    assert "cp review first" not in page and "cp_review_first" not in page


def test_start_a_plan_reveals_each_kinds_questions_under_it(worker, team_child, sign_in):
    page = _page(sign_in(worker).get(f"/casework/children/{team_child.pk}/plans/new"))
    # GOV.UK conditional reveal: each kind's questions sit in the panel its radio controls.
    for kind, field in (("cp", "cp_category"), ("cla", "legal_status"), ("pathway", "personal_adviser")):
        radio = page.index(f'value="{kind}"')
        panel = page.index('class="govuk-radios__conditional', radio)
        assert panel < page.index(f'name="{field}"') < page.index("</fieldset>", panel)
    assert page.count('class="govuk-radios__conditional') == 4  # child in need has no questions of its own


def test_the_personal_adviser_changes_with_a_reason_and_the_history_is_kept(
    as_worker, worker, team_child, sign_in, make_member
):
    actor, access = as_worker()
    plan = services.plan_start(
        actor=actor, access=access, kind=PlanKind.PATHWAY, started_on=date(2026, 9, 1),
        personal_adviser_id=worker.user_id,
    )  # fmt: skip
    colleague = make_member(Role.SOCIAL_WORKER, agency=worker.agency, team=worker.team)
    client = sign_in(worker)
    plan_url = f"/casework/children/{team_child.pk}/plans/{plan.pk}/"
    url = plan_url + "adviser"
    assert url in _page(client.get(plan_url))

    same = client.post(
        url, {"adviser": str(worker.user_id), "effective_on": "2026-10-01", "reason": "Moving"}
    )
    page = _page(same)
    assert "There is a problem" in page and "is already the personal adviser" in page
    assert "Say why the adviser is changing, in at least 10 characters." in page
    before_plan = client.post(
        url,
        {"adviser": str(colleague.user_id), "effective_on": "2026-08-01", "reason": "Worker moving teams"},
    )
    assert "The change must be on or after 1 September 2026." in _page(before_plan)

    response = client.post(
        url,
        {"adviser": str(colleague.user_id), "effective_on": "2026-10-01", "reason": "Worker moving teams"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == plan_url
    page = _page(response)
    assert "Personal adviser changed" in page
    assert f"{colleague.user.full_name} since 1 October 2026" in page
    assert "Named when the plan started" in page and "Worker moving teams" in page
    # The adviser contact clock keeps running: one running clock, still due as before.
    running = Clock.objects.filter(child=team_child, rule_code="pa_contact", completed_at__isnull=True,
                                   cancelled_at__isnull=True)  # fmt: skip
    assert running.count() == 1

"""The demo social worker's children get the casework a real caseload would have, written only
through the casework services (so the statutory clocks start and stop as they would in use).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.selectors import child_get_for_user
from openmash.accounts.actor import Actor
from openmash.accounts.models import Membership
from openmash.accounts.roles import Role
from openmash.casework.models import (
    CPCategory,
    ExploitationType,
    LegalStatusCode,
    MeetingKind,
    MissingKind,
    PathwayDimension,
    PlacementProvider,
    PlacementType,
    Plan,
    PlanKind,
)
from openmash.casework.services import (
    ActionData,
    InviteeData,
    PlacementData,
    meeting_record,
    missing_episode_record,
    pathway_entry_record,
    plan_start,
    return_interview_record,
)
from openmash.people.models import Child
from openmash.synthetic.demo.casework_parts import (
    _PLAN_ACTIONS,
    CASEWORK_PURPOSE,
    _actions,
    _actor_for,
    _agency_id,
    _at,
    _Case,
    _invitees,
    _recent,
    _visits,
    _weekday,
)
from openmash.synthetic.demo.users import DEMO_SEED
from openmash.synthetic.generator import PROCESS
from openmash.synthetic.models import (
    Household,
    HouseholdKind,
    RiskLevel,
    Service,
    TrueAdult,
    TrueChild,
)


def _cp_casework(case: _Case, actor: Actor, *, with_conferences: bool, not_alone: bool) -> None:
    category = case.truth.cp_category
    if with_conferences:
        icpc_day = _weekday(case.today - timedelta(days=45))
        strategy_day = _weekday(icpc_day - timedelta(days=14))
        meeting_record(
            actor=actor,
            access=case.access,
            kind=MeetingKind.STRATEGY,
            held_at=_at(strategy_day, 11),
            chair="Team manager, Child Protection Team",
            decisions="Section 47 enquiry to start today. Initial child protection conference to be "
            "convened within 15 working days. School to share attendance and any concerns daily.",
            invitees=_invitees(case, absent="GP"),
        )
        outcome = meeting_record(
            actor=actor,
            access=case.access,
            kind=MeetingKind.ICPC,
            held_at=_at(icpc_day, 10),
            chair="Independent child protection chair",
            decisions=f"{case.name} to be the subject of a child protection plan "
            f"({CPCategory(category).label.lower()}). Core group to meet within 10 working days.",
            child_views=f'{case.name} told the social worker: "{case.words()}"',
            invitees=_invitees(case),
            cp_category=category,
            actions=[
                ActionData(
                    what="Social worker to complete the child and family assessment and share it with "
                    "the core group",
                    owner_name="Social worker",
                    due_on=icpc_day + timedelta(days=28),
                    owner_agency_id=_agency_id(Service.CHILDRENS_SERVICES),
                ),
                ActionData(
                    what=f"School to check in with {case.name} every morning and record how they are",
                    owner_name="Designated safeguarding lead",
                    due_on=case.today + timedelta(days=30),
                    owner_agency_id=case.truth.school_id,
                ),
            ],
        )
        plan = outcome.plan
        assert plan is not None
        start = icpc_day
    else:
        start = _recent(case.truth.cp_plan_start, today=case.today, longest=150, shortest=30)
        plan = plan_start(
            actor=actor,
            access=case.access,
            kind=PlanKind.CHILD_PROTECTION,
            started_on=start,
            cp_category=category,
            summary=f"To keep {case.name} safe at home and make sure their needs are met every day.",
            child_views=case.words(),
        )
    # Core groups: the first within 10 working days, then every five weeks; a review at 3 months.
    day = _weekday(start + timedelta(days=7))
    while day < case.today:
        case.at(
            _at(day, 13),
            partial(
                meeting_record,
                actor=actor,
                access=case.access,
                kind=MeetingKind.CORE_GROUP,
                held_at=_at(day, 13),
                chair="Social worker",
                decisions="Plan reviewed: progress on the actions noted, no new concerns.",
                invitees=_invitees(case),
            ),
        )
        day = _weekday(day + timedelta(days=35))
    review = _weekday(start + timedelta(days=82))  # within the 3 months
    if review < case.today:
        case.at(
            _at(review, 10),
            lambda: meeting_record(
                actor=actor,
                access=case.access,
                kind=MeetingKind.CP_REVIEW,
                held_at=_at(review, 10),
                chair="Independent child protection chair",
                decisions="The plan continues: some progress, and the risks are not yet reduced enough.",
                child_views=case.words(),
                invitees=_invitees(case),
            ),
        )
    case.not_alone_last_two = not_alone
    case.visits_needed(start=start, every=9, last=case.today - timedelta(days=3), location="Home")
    case.at(
        timezone.now(),
        _actions(case, actor, plan, _PLAN_ACTIONS[PlanKind.CHILD_PROTECTION][: 3 if with_conferences else 4]),
    )


def _looked_after_casework(case: _Case, actor: Actor, *, visits_overdue: bool) -> None:
    start = _recent(case.truth.looked_after_since, today=case.today, longest=150, shortest=60)
    placed = case.truth.placement_id
    carers = list(TrueAdult.objects.filter(household_id=placed).order_by("number")[:2]) if placed else []
    household = Household.objects.filter(pk=placed).select_related("home").first() if placed else None
    home = household is not None and household.kind == HouseholdKind.CHILDREN_HOME
    if home:
        setting, place, provider = "Wrenford children's home", PlacementType.K2, PlacementProvider.PR1
    else:
        names = " and ".join(f"{a.forename} {a.surname}" for a in carers) or "a Wrenford foster carer"
        setting, place, provider = f"Foster carers: {names}", PlacementType.U6, PlacementProvider.PR1
    plan = plan_start(
        actor=actor,
        access=case.access,
        kind=PlanKind.LOOKED_AFTER,
        started_on=start,
        summary=f"{case.name} to stay settled with the carers while the court decides the long-term plan; "
        "family time with mum twice a week.",
        child_views=case.words(),
        legal_status=LegalStatusCode.C1,
        placement=PlacementData(
            place=place,
            provider=provider,
            carer_or_setting=setting,
            postcode=household.home.postcode if household else "",
            started_on=start,
        ),
    )
    # Reviews: the first within 20 working days, the second within 3 months of it.
    first_review = _weekday(start + timedelta(days=14))
    for held in (first_review, _weekday(first_review + timedelta(days=84))):
        if held < case.today:
            case.at(
                _at(held, 14),
                partial(
                    meeting_record,
                    actor=actor,
                    access=case.access,
                    kind=MeetingKind.CLA_REVIEW,
                    held_at=_at(held, 14),
                    chair="Independent reviewing officer",
                    decisions="The care plan continues. Family time stays at twice a week.",
                    child_views=case.words(),
                    invitees=_invitees(case),
                ),
            )
    # Statutory visits: within a week of the placement, then every five weeks. For the demo's
    # overdue visit, the last one was seven weeks ago (due every six).
    last = case.today - timedelta(days=49 if visits_overdue else 6)
    case.visits_needed(
        start=start,
        every=35,
        last=last,
        location="Children's home" if home else "Foster home",
        placement_on=start,
    )
    case.at(timezone.now(), _actions(case, actor, plan, _PLAN_ACTIONS[PlanKind.LOOKED_AFTER]))


def _pathway_casework(case: _Case, actor: Actor) -> None:
    start = _weekday(case.today - timedelta(days=100))
    assert actor.user_id is not None
    plan = plan_start(
        actor=actor,
        access=case.access,
        kind=PlanKind.PATHWAY,
        started_on=start,
        personal_adviser_id=actor.user_id,
        summary=f"{case.name}'s plan for moving on: college, a first flat, and money they can manage.",
        child_views=case.words(),
    )
    entries = (
        (
            PathwayDimension.EDUCATION,
            "Started a level 2 course at college in September.",
            "Finish the course and look at level 3.",
            "I like college more than school. They treat you like an adult.",
        ),
        (
            PathwayDimension.ACCOMMODATION,
            "Living in supported accommodation; wants a flat nearer college.",
            "Move to a training flat within six months.",
            "I want my own place where I can cook what I want.",
        ),
        (
            PathwayDimension.FINANCES,
            "Has a bank account; runs out of money before the end of the month.",
            "Budgeting sessions with the personal adviser.",
            "Money goes really fast. I need help with it.",
        ),
        (
            PathwayDimension.SUPPORT_NETWORKS,
            "Close to a former foster carer and an older sister.",
            "Keep in touch with both; find a group at college.",
            "My old foster carer still texts me every Sunday.",
        ),
    )
    for dimension, needs, goals, words in entries:
        case.at(
            _at(start, 12),
            partial(
                pathway_entry_record,
                actor=actor,
                access=case.access,
                plan=plan,
                dimension=dimension,
                needs=needs,
                goals=goals,
                young_persons_words=words,
            ),
        )
    case.visits_needed(
        start=start, every=30, last=case.today - timedelta(days=8), location="Café near college"
    )
    case.at(timezone.now(), _actions(case, actor, plan, _PLAN_ACTIONS[PlanKind.PATHWAY]))


def _child_in_need_casework(case: _Case, actor: Actor) -> None:
    start = _weekday(case.today - timedelta(days=60))
    plan = plan_start(
        actor=actor,
        access=case.access,
        kind=PlanKind.CHILD_IN_NEED,
        started_on=start,
        summary=f"Help for {case.name}'s family with housing and school attendance.",
        child_views=case.words(),
    )
    case.visits_needed(start=start, every=18, last=case.today - timedelta(days=5), location="Home")
    case.at(timezone.now(), _actions(case, actor, plan, _PLAN_ACTIONS[PlanKind.CHILD_IN_NEED]))


def _exploitation_casework(case: _Case, actor: Actor, *, missing: bool) -> None:
    start = _recent(case.truth.exploitation_identified_on, today=case.today, longest=110, shortest=95)
    plan = plan_start(
        actor=actor,
        access=case.access,
        kind=PlanKind.EXPLOITATION,
        started_on=start,
        exploitation_type=ExploitationType.CSE,
        summary=f"To disrupt the adults exploiting {case.name}, keep {case.name} safe when out, and "
        "build trust with one worker they choose.",
        child_views=case.words(),
    )
    case.visits_needed(
        start=start,
        every=9,
        last=case.today - timedelta(days=2),
        location="In the car, then a walk in the park",
    )
    case.at(timezone.now(), _actions(case, actor, plan, _PLAN_ACTIONS[PlanKind.EXPLOITATION]))
    if not missing:
        return
    # Three missing episodes in 90 days (the third raises the warning sign for screening and
    # starts the repeat-missing meeting clock), each with a return interview offered within 72 hours.
    episodes = (
        (
            75,
            "a flat in a neighbouring town (by police)",
            "Two adults not known to the family",
            "Tired and hungry; no injuries seen. Had a new phone nobody had given them.",
            True,
            "I was at a mate's. I don't want to say whose. I lost my charger so I couldn't text.",
        ),
        (
            41,
            "home: came back on their own the next afternoon",
            "Not known",
            "Very tired; went straight to sleep.",
            False,
            "",
        ),
        (
            19,
            "a takeaway on the high street (by police)",
            "An adult man, about 25",
            "Cold, upset; said they had not eaten. Taken home by police.",
            True,
            "He said he'd drive me home but then we went somewhere else. I didn't know how to get back.",
        ),
    )
    for days_ago, where, with_whom, condition, accepted, words in episodes:
        left = _at(case.today - timedelta(days=days_ago), 21)
        back = left + timedelta(hours=15)
        offered = back + timedelta(hours=20)

        def record(
            left: datetime = left,
            back: datetime = back,
            offered: datetime = offered,
            where: str = where,
            with_whom: str = with_whom,
            condition: str = condition,
            accepted: bool = accepted,
            words: str = words,
        ) -> None:
            episode = missing_episode_record(
                actor=actor,
                access=case.access,
                kind=MissingKind.MISSING,
                started_at=left,
                ended_at=back,
                reported_by="Parent, to police by phone",
                where_found=where,
                found_with=with_whom,
                condition_on_return=condition,
            )
            return_interview_record(
                actor=actor,
                access=case.access,
                episode=episode,
                offered_at=offered,
                accepted=accepted,
                held_at=offered + timedelta(hours=6) if accepted else None,
                interviewer="Return home interview worker, youth charity",
                outcome="Talked about where they were and who with; safety plan updated and shared with "
                "police."
                if accepted
                else "Declined: said they were too tired to talk. Offered again "
                "through school, where they feel safer.",
                child_words=words,
            )

        case.at(left, record)
    # The multi-agency exploitation meeting, within 5 working days of the third episode.
    held = _at(_weekday(case.today - timedelta(days=16)), 14)
    police = _agency_id(Service.POLICE)
    invitees = _invitees(case, absent="GP") + [
        InviteeData(agency_id=agency_id, name=name, attended=True)
        for agency_id, name in (
            (_agency_id(Service.YOUTH_CHARITY), "Youth worker"),
            (_agency_id(Service.SEXUAL_HEALTH), "Sexual health nurse"),
        )
        if agency_id is not None
    ]
    case.at(
        held,
        lambda: meeting_record(
            actor=actor,
            access=case.access,
            kind=MeetingKind.EXPLOITATION,
            held_at=held,
            chair="Exploitation lead, children's services",
            decisions=f"{case.name} has been missing three times in 90 days and is being sexually exploited "
            "by adults: the responsibility is theirs. Police to disrupt; one trusted worker for "
            f"{case.name}; exploitation screening to be reviewed.",
            child_views=f'{case.name} said: "I just want to be able to go out without them finding me."',
            invitees=invitees,
            actions=[
                ActionData(
                    what="Police to serve an abduction warning notice on the adult found with "
                    f"{case.name} and visit the flat",
                    owner_name="Police, child exploitation team",
                    due_on=case.today + timedelta(days=7),
                    owner_agency_id=police,
                ),
                ActionData(
                    what="Share the addresses and vehicle from the return interviews with the police",
                    owner_name="Social worker",
                    due_on=case.today - timedelta(days=12),
                    owner_agency_id=_agency_id(Service.CHILDRENS_SERVICES),
                ),
            ],
        ),
    )


@transaction.atomic
def demo_casework_ensure(*, now: datetime | None = None, seed: int = DEMO_SEED) -> int:
    """Casework for the demo social worker's children, from the borough's truth.

    A child protection plan for each child on one (for the first, a strategy discussion and an
    initial conference made it; for the second, the last two visits were not alone), a
    looked-after care plan with its legal status and placement (its statutory visit overdue),
    a pathway plan for a care leaver, a child in need plan, and an exploitation plan for each
    child at high risk (the first with three missing episodes, return interviews and a
    multi-agency exploitation meeting). Each plan has SMART actions, some done, one overdue.
    A child who already has any plan is skipped: a second run adds nothing. Returns how many
    children were given casework.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    membership = (
        Membership.objects.select_related("user")
        .filter(user__username="demo.social.worker", role=Role.SOCIAL_WORKER, ended_at__isnull=True)
        .first()
    )
    if membership is None:
        return 0
    actor = _actor_for(membership)
    held = Relationship.objects.filter(
        holder_user_id=membership.user_id,
        basis=RelationshipBasis.ALLOCATED_WORKER,
        created_by_process=PROCESS,
        valid_to__isnull=True,
    ).values_list("child_id", flat=True)
    truths = list(TrueChild.objects.filter(hub_child_id__in=list(held)).order_by("number"))
    already = set(
        Plan.objects.filter(child_id__in=[t.hub_child_id for t in truths]).values_list("child_id", flat=True)
    )
    cp = [t for t in truths if t.cp_category]
    given = 0
    overdue_done = missing_done = False
    for truth in truths:
        assert truth.hub_child_id is not None
        roles = {
            "cp": bool(truth.cp_category),
            "cla": truth.looked_after,
            "pathway": truth.care_leaver and not truth.looked_after,
            "exploitation": truth.exploitation_risk == RiskLevel.HIGH,
            "cin": truth.child_in_need and not truth.cp_category and not truth.looked_after,
        }
        if not any(roles.values()):
            continue
        # Which child shows which story is decided by the borough's order, whether or not
        # the child was given casework on an earlier run.
        first_cp = bool(cp) and truth == cp[0]
        second_cp = len(cp) > 1 and truth == cp[1]
        show_overdue = roles["cla"] and not overdue_done
        show_missing = roles["exploitation"] and not missing_done
        overdue_done = overdue_done or roles["cla"]
        missing_done = missing_done or roles["exploitation"]
        if truth.hub_child_id in already:
            continue
        case = _Case(
            truth=truth,
            child=Child.objects.get(pk=truth.hub_child_id),
            access=child_get_for_user(actor=actor, child_id=truth.hub_child_id, purpose=CASEWORK_PURPOSE),
            rng=random.Random(seed * 1_000_003 + truth.number),
            today=today,
            events=[],
        )
        if roles["cp"]:
            _cp_casework(case, actor, with_conferences=first_cp, not_alone=second_cp)
        if roles["cla"]:
            _looked_after_casework(case, actor, visits_overdue=show_overdue)
        if roles["pathway"]:
            _pathway_casework(case, actor)
        if roles["cin"] and not roles["exploitation"]:
            _child_in_need_casework(case, actor)
        if roles["exploitation"]:
            _exploitation_casework(case, actor, missing=show_missing)
        _visits(case, actor)
        for _, do in sorted(case.events, key=lambda event: event[0]):
            do()
        given += 1
    return given

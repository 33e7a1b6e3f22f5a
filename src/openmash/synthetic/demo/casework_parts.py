"""The pieces the demo's casework is made from: the child's words, observations, SMART actions per
plan, and the case being written.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from openmash.access.selectors import ChildAccess
from openmash.accounts.actor import Actor
from openmash.accounts.models import Membership
from openmash.casework.models import (
    ActionStatusValue,
    Plan,
    PlanKind,
)
from openmash.casework.services import (
    InviteeData,
    plan_action_add,
    plan_action_status_record,
    visit_record,
)
from openmash.people.models import Child
from openmash.synthetic.models import (
    BoroughAgency,
    Service,
    TrueChild,
)

# -- casework -----------------------------------------------------------------------------------
#
# The demo social worker's children get the casework a real caseload would have, written only
# through the casework services (so the statutory clocks start and stop as they would in use).
# Dates count back from now, so the demo stays current; every clock is met in time except the
# one the demo shows overdue. Words are synthetic, plain and never blame the child.

CASEWORK_PURPOSE = "Demo setup: the demo social worker's casework"

_YOUNG_WORDS = (
    "I like my bedroom now, it has stars on the ceiling.",
    "Mummy was shouting again but then we had pasta.",
    "I want to go to the park with the big slide.",
    "My teacher gave me a sticker for reading.",
    "I don't like it when it's loud at night. I hide under my covers.",
    "Can you come back and see my drawing next time?",
)
_MIDDLE_WORDS = (
    "School's ok. I've got a new friend called the same as me.",
    "I get worried when my mum is sad. I make her a cup of tea.",
    "I want to do football on Saturdays but there's no money for boots.",
    "It's been better at home. Nobody's been shouting this week.",
    "I don't like talking about it at school in case people hear.",
    "Can I still see my nan? She makes the best chips.",
)
_TEEN_WORDS = (
    "I'm fine. I just want people to stop asking me the same stuff.",
    "College is alright. I want to do hair and beauty.",
    "I don't feel safe walking past the shops at night.",
    "It's easier talking in the car than sitting in the front room.",
    "I want my phone back, it's how I talk to my mates.",
    "My mum's trying. I can see she's trying.",
    "I don't want to get anyone in trouble. I just want it to stop.",
)
_OBSERVATIONS = (
    "Warm, relaxed interaction with the parent. Home clean and there was food in the kitchen.",
    "Spoke about school and friendships; engaged well and made eye contact throughout.",
    "Appeared tired but settled. Talked about plans for the weekend.",
    "Showed the worker their room and a drawing from school. No new concerns seen.",
    "Quieter than last time; said they were worried about a family argument. Plan discussed with parent.",
)
_HOMES = ("Home", "Foster home", "Children's home")
_NOT_ALONE = (
    "The child was upset and wanted their mum to stay in the room.",
    "Visit during family time: the parent would not leave the room. Raised with the team manager.",
)


# Each plan's SMART actions: (what, owner, due in days from today, status to move it to).
_ActionSpec = tuple[str, str, int, str]
DONE, OPEN, DOING = ActionStatusValue.DONE, ActionStatusValue.OPEN, ActionStatusValue.IN_PROGRESS
_PLAN_ACTIONS: dict[str, tuple[_ActionSpec, ...]] = {
    PlanKind.CHILD_PROTECTION: (
        ("Parent to go to the parenting course at the family hub", "Parent", -20, DONE),
        ("School nurse to check {name}'s growth and immunisations", "School nurse", -10, DONE),
        ("Family group conference: who can help at weekends", "Social worker", 21, DOING),
        # Left out where the conference's own action is the plan's overdue one.
        ("Social worker to book a GP appointment for {name}'s ears", "Social worker", -4, OPEN),
    ),
    PlanKind.LOOKED_AFTER: (
        ("Arrange {name}'s initial health assessment", "Looked-after children nurse", -30, DONE),
        ("Personal education plan meeting with the virtual school", "Virtual school", -12, DONE),
        ("Life story work: start a memory box with {name}", "Social worker", -3, OPEN),
        ("Find a dance class near the carers' home", "Foster carer", 28, DOING),
    ),
    PlanKind.PATHWAY: (
        ("Apply for the care leaver's bursary at college", "Personal adviser", -40, DONE),
        ("Register {name} with a GP near the flat", "Personal adviser", -5, OPEN),
        ("Housing application for a training flat", "Housing officer", 45, DOING),
    ),
    PlanKind.CHILD_IN_NEED: (
        ("Family hub to help with the housing application", "Social worker", -25, DONE),
        ("School to offer {name} a place at breakfast club", "School", -2, OPEN),
        ("Review attendance with the school", "Social worker", 20, OPEN),
    ),
    PlanKind.EXPLOITATION: (
        ("Youth worker to meet {name} weekly where {name} chooses", "Youth worker", -30, DONE),
        ("A safe adult and a quiet place at lunchtimes", "Designated safeguarding lead", -6, OPEN),
        ("Offer {name} a sexual health appointment", "Sexual health nurse", 14, DOING),
    ),
}


@dataclass
class _Case:
    truth: TrueChild
    child: Child
    access: ChildAccess
    rng: random.Random
    today: date
    events: list[tuple[datetime, Callable[[], object]]]
    not_alone_last_two: bool = False
    # What each plan needs of the visits: (from, at most every n days, the latest, where, a
    # placement start that needs a visit within the week). One series of visits serves them all.
    visit_needs: list[tuple[date, int, date, str, date | None]] = field(default_factory=list)

    def visits_needed(
        self, *, start: date, every: int, last: date, location: str, placement_on: date | None = None
    ) -> None:
        self.visit_needs.append((start, every, last, location, placement_on))

    @property
    def name(self) -> str:
        return self.child.preferred_name or self.child.forename

    @property
    def age(self) -> int:
        dob = self.truth.date_of_birth
        return self.today.year - dob.year - ((self.today.month, self.today.day) < (dob.month, dob.day))

    def words(self) -> str:
        pool = _YOUNG_WORDS if self.age < 8 else _MIDDLE_WORDS if self.age < 13 else _TEEN_WORDS
        return self.rng.choice(pool)

    def at(self, event_at: datetime, do: Callable[[], object]) -> None:
        self.events.append((event_at, do))


def _weekday(day: date) -> date:
    """The day, or the Friday before if it falls at a weekend."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _recent(day: date | None, *, today: date, longest: int, shortest: int) -> date:
    """A plan start from the borough's truth, kept within the last few months (so the demo's
    history is a few months of visits and meetings, not years of them)."""
    days = (today - day).days if day else longest
    return _weekday(today - timedelta(days=min(max(days, shortest), longest)))


def _visit_days(*, start: date, last: date, every: int) -> list[date]:
    """Weekdays after `start` up to `last`, no more than every + 2 days apart, counted back from
    `last` (so the latest visit is recent)."""
    days: list[date] = []
    day = _weekday(last)
    while day > start:
        days.append(day)
        day = _weekday(day - timedelta(days=every))
    return sorted(days)


def _agency_id(service: str) -> uuid.UUID | None:
    found = BoroughAgency.objects.filter(service=service).order_by("agency__name").first()
    return found.agency_id if found else None


def _invitees(case: _Case, *, absent: str = "") -> list[InviteeData]:
    """Invitees by agency: the child's school and GP where known, police, health, children's services."""
    wanted = [
        (case.truth.school_id, "Designated safeguarding lead"),
        (_agency_id(Service.POLICE), "Police, child abuse investigation team"),
        (case.truth.gp_practice_id, "GP"),
        (_agency_id(Service.ACUTE_TRUST), "Named nurse for safeguarding"),
        (_agency_id(Service.CHILDRENS_SERVICES), "Social worker"),
    ]
    return [
        InviteeData(agency_id=agency_id, name=name, attended=name != absent)
        for agency_id, name in wanted
        if agency_id is not None
    ]


def _actions(case: _Case, actor: Actor, plan: Plan, items: tuple[_ActionSpec, ...]) -> Callable[[], None]:
    """SMART actions on a plan: (what, owner, due in days from today, status to move it to)."""

    def add() -> None:
        for what, owner, due_in, status in items:
            action = plan_action_add(
                actor=actor,
                access=case.access,
                plan=plan,
                what=what.format(name=case.name),
                owner_name=owner,
                due_on=case.today + timedelta(days=due_in),
            )
            if status != ActionStatusValue.OPEN:
                plan_action_status_record(
                    actor=actor,
                    access=case.access,
                    action=action,
                    status=status,
                    note="Done and checked at the core group" if status == ActionStatusValue.DONE else "",
                )

    return add


def _visits(case: _Case, actor: Actor) -> None:
    """One series of visits that meets every plan's cadence, mostly seen alone."""
    if not case.visit_needs:
        return
    start = min(n[0] for n in case.visit_needs)
    every = min(n[1] for n in case.visit_needs)
    last = min(n[2] for n in case.visit_needs)
    location = case.visit_needs[0][3]
    days = set(_visit_days(start=start, last=last, every=every))
    for placement_on in (n[4] for n in case.visit_needs if n[4] is not None):
        if not any(placement_on < d <= placement_on + timedelta(days=6) for d in days):
            first = _weekday(placement_on + timedelta(days=4))
            days.add(first if first > placement_on else placement_on + timedelta(days=1))
    ordered = sorted(days)
    for index, day in enumerate(ordered):
        from_end = len(ordered) - index
        alone = not (case.not_alone_last_two and from_end <= 2) and not (from_end == 4 and len(ordered) >= 6)
        visited_at = _at(day, 16 if index % 2 else 10, 30 if index % 3 == 0 else 0)
        reason = "" if alone else _NOT_ALONE[index % len(_NOT_ALONE)]

        def record(visited_at: datetime = visited_at, alone: bool = alone, reason: str = reason) -> None:
            visit_record(
                actor=actor,
                access=case.access,
                visited_at=visited_at,
                child_seen=True,
                seen_alone=alone,
                not_seen_alone_reason=reason,
                location=location,
                child_words=case.words(),
                observations=case.rng.choice(_OBSERVATIONS),
                bedroom_seen=True if location in _HOMES else None,
            )

        case.at(visited_at, record)


def _actor_for(membership: Membership) -> Actor:
    return Actor(
        user_id=membership.user_id,
        username=membership.user.username,
        role=membership.role,
        agency_id=membership.agency_id,
        team_id=membership.team_id,
        membership_id=membership.pk,
    )

"""The demo: one user per role, placed in the borough, with relationships that make each role's
pages show something.

Everything here is idempotent: a second run finds what the first made and creates nothing.
Passwords are random on first creation and kept in a file beside the embedded database
(.data is never committed), so the table printed on each run is the truth.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.selectors import ChildAccess, child_get_for_user
from openmash.access.services import relationship_start
from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency, Membership, Team, User
from openmash.accounts.roles import Role
from openmash.accounts.services import membership_start, user_create
from openmash.casework.models import (
    ActionStatusValue,
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
    plan_action_add,
    plan_action_status_record,
    plan_start,
    return_interview_record,
    visit_record,
)
from openmash.exploitation.models import RiskLevel as RiskHistory
from openmash.exploitation.services import risk_history_import
from openmash.people.models import Child

from .generator import PROCESS
from .models import BoroughAgency, Household, HouseholdKind, RiskLevel, Service, TrueAdult, TrueChild
from .selectors import agency_for_service, hub_children_truth, school_with_most_hub_children, team_named

DEMO_SEED = 20261121
DEMO_URL = "http://127.0.0.1:8000"
CREDENTIALS_HEADER = "# OpenMASH demo sign-ins: synthetic data only. role\tusername\tpassword\n"

MASH_TEAM = "Multi-Agency Safeguarding Hub"
SOCIAL_WORK_TEAM = "Child Protection Team"
CASELOAD = 12
INTELLIGENCE_TEAM = "Intelligence Unit"


@dataclass(frozen=True)
class DemoPerson:
    role: str
    username: str
    full_name: str
    # Which agency and team: a borough service and a team name, or "school" for the practitioner.
    service: str
    team: str | None


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(Role.PRACTITIONER, "demo.practitioner", "Jo Pemberton", "school", "Safeguarding Team"),
    DemoPerson(Role.MASH_OFFICER, "demo.mash.officer", "Ravi Mistry", Service.CHILDRENS_SERVICES, MASH_TEAM),
    DemoPerson(
        Role.MASH_MANAGER, "demo.mash.manager", "Helen Garside", Service.CHILDRENS_SERVICES, MASH_TEAM
    ),
    DemoPerson(
        Role.SOCIAL_WORKER, "demo.social.worker", "Amira Hale", Service.CHILDRENS_SERVICES, SOCIAL_WORK_TEAM
    ),
    DemoPerson(
        Role.TEAM_MANAGER, "demo.team.manager", "Tom Brennan", Service.CHILDRENS_SERVICES, SOCIAL_WORK_TEAM
    ),
    DemoPerson(Role.INTELLIGENCE_ANALYST, "demo.analyst", "Kerry Lomax", Service.POLICE, INTELLIGENCE_TEAM),
    DemoPerson(Role.PRIVACY_OFFICER, "demo.privacy", "Nadia Ferris", Service.CHILDRENS_SERVICES, None),
    DemoPerson(Role.BOARD_MEMBER, "demo.board", "Graham Oduya", Service.CHILDRENS_SERVICES, None),
    DemoPerson(Role.SYSTEM_ADMIN, "demo.admin", "Lee Ashdown", Service.CHILDRENS_SERVICES, None),
)


@dataclass(frozen=True)
class DemoAccount:
    role: str
    role_label: str
    username: str
    password: str
    agency: str
    team: str


@dataclass(frozen=True)
class DemoResult:
    accounts: list[DemoAccount]
    users_created: int
    memberships_created: int
    relationships_created: int


def _read_credentials(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and not line.startswith("#"):
            found[parts[1]] = parts[2]
    return found


def _write_credentials(path: Path, accounts: list[DemoAccount]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [CREDENTIALS_HEADER, *(f"{a.role}\t{a.username}\t{a.password}\n" for a in accounts)]
    path.write_text("".join(lines), encoding="utf-8")
    path.chmod(0o600)


def _new_password() -> str:
    # 16 characters from a URL-safe alphabet: about 96 bits, and passes every password validator.
    return secrets.token_urlsafe(12)


def _placement(person: DemoPerson) -> tuple[Agency, Team | None]:
    if person.service == "school":
        found = school_with_most_hub_children()
        if found is None:
            raise ValueError("The borough has no school with a safeguarding team")
        return found
    agency = agency_for_service(service=person.service)
    return agency, team_named(agency=agency, name=person.team) if person.team else None


@transaction.atomic
def demo_users_ensure(*, credentials_path: Path) -> tuple[list[DemoAccount], int, int]:
    """One user per role with a membership where that role works. Returns accounts and what was new."""
    stored = _read_credentials(credentials_path)
    accounts: list[DemoAccount] = []
    users_created = memberships_created = 0
    for person in DEMO_PEOPLE:
        agency, team = _placement(person)
        user = User.objects.filter(username=person.username).first()
        password = stored.get(person.username)
        if user is None:
            password = _new_password()
            user = user_create(username=person.username, full_name=person.full_name, password=password)
            users_created += 1
        elif password is None or not user.check_password(password):
            # The file was lost or edited: a fresh password, so that what is printed works.
            password = _new_password()
            user.set_password(password)
            user.save(update_fields=["password"])
        if not Membership.objects.filter(
            user=user, agency=agency, team=team, role=person.role, ended_at__isnull=True
        ).exists():
            membership_start(user=user, agency=agency, team=team, role=person.role)
            memberships_created += 1
        accounts.append(
            DemoAccount(
                role=person.role,
                role_label=Role(person.role).label,
                username=person.username,
                password=password,
                agency=agency.name,
                team=team.name if team else "",
            )
        )
    if any(stored.get(a.username) != a.password for a in accounts) or not credentials_path.exists():
        _write_credentials(credentials_path, accounts)
    return accounts, users_created, memberships_created


def _morning(day: date | None, *, fallback_days: int, now: datetime) -> datetime:
    """9am on a day from the borough's history, never later than yesterday (so it is active now)."""
    latest = (now - timedelta(days=1)).date()
    chosen = min(day, latest) if day else now.date() - timedelta(days=fallback_days)
    return timezone.make_aware(datetime.combine(chosen, time(9, 0)))


def _ensure(
    *,
    child_id: uuid.UUID | None,
    basis: str,
    valid_from: datetime,
    holder_user: User | None = None,
    holder_team: Team | None = None,
    holder_agency: Agency | None = None,
) -> int:
    if child_id is None:  # only hub children are chosen, so this never happens
        return 0
    exists = Relationship.objects.filter(
        child_id=child_id,
        basis=basis,
        holder_user=holder_user,
        holder_team=holder_team,
        holder_agency=holder_agency,
        created_by_process=PROCESS,
        valid_to__isnull=True,
    ).exists()
    if exists:
        return 0
    relationship_start(
        child=Child.objects.get(pk=child_id),
        basis=basis,
        created_by_process=PROCESS,
        holder_user=holder_user,
        holder_team=holder_team,
        holder_agency=holder_agency,
        valid_from=valid_from,
        source_reference="demo",
    )
    return 1


def _first(children: list[TrueChild], count: int, taken: set[uuid.UUID | None]) -> list[TrueChild]:
    chosen = [c for c in children if c.hub_child_id not in taken][:count]
    taken.update(c.hub_child_id for c in chosen)
    return chosen


@transaction.atomic
def demo_relationships_ensure(*, now: datetime | None = None) -> int:
    """Caseloads that make the demo meaningful. Chosen by the borough's own order, so always the same."""
    now = now or timezone.now()
    users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in DEMO_PEOPLE])}
    hub = hub_children_truth()
    created = 0

    # The social worker: children on plans, at risk of exploitation, and in need or looked after.
    social_worker = users["demo.social.worker"]
    team = Membership.objects.get(user=social_worker, role=Role.SOCIAL_WORKER, ended_at__isnull=True).team
    taken: set[uuid.UUID | None] = set()
    caseload = (
        _first(list(hub.exclude(cp_category="")[:20]), 5, taken)
        # At least one child at high risk (the demo's exploitation plan, meeting and missing episodes).
        + _first(list(hub.filter(exploitation_risk=RiskLevel.HIGH)[:20]), 1, taken)
        + _first(list(hub.filter(exploitation_risk__in=[RiskLevel.HIGH, RiskLevel.MEDIUM])[:20]), 2, taken)
        + _first(list(hub.filter(exploitation_risk=RiskLevel.LOW)[:20]), 1, taken)
        + _first(list(hub.filter(looked_after=True)[:20]), 1, taken)
        + _first(list(hub.filter(care_leaver=True)[:20]), 1, taken)
        + _first(list(hub.filter(child_in_need=True, exploitation_risk=RiskLevel.NONE)[:20]), 1, taken)
    )
    # A small borough has too few children on plans or at risk: fill up with others known to the hub.
    caseload += _first(list(hub[:40]), max(CASELOAD - len(caseload), 0), taken)
    for child in caseload:
        start = _morning(
            child.cp_plan_start or child.exploitation_identified_on or child.first_contact_on,
            fallback_days=60,
            now=now,
        )
        created += _ensure(
            child_id=child.hub_child_id,
            basis=RelationshipBasis.ALLOCATED_WORKER,
            holder_user=social_worker,
            valid_from=start,
        )
        if team is not None:
            created += _ensure(
                child_id=child.hub_child_id, basis=RelationshipBasis.TEAM, holder_team=team, valid_from=start
            )

    # The MASH: contacts open in the last fortnight, for children known only from earlier contacts.
    mash_team = Membership.objects.get(
        user=users["demo.mash.officer"], role=Role.MASH_OFFICER, ended_at__isnull=True
    ).team
    recent = hub.filter(
        child_in_need=False,
        cp_category="",
        looked_after=False,
        care_leaver=False,
        exploitation_risk=RiskLevel.NONE,
    )
    for days_ago, child in enumerate(_first(list(recent[:40]), 10, taken), start=1):
        created += _ensure(
            child_id=child.hub_child_id,
            basis=RelationshipBasis.HUB_CONTACT,
            holder_team=mash_team,
            valid_from=_morning(None, fallback_days=days_ago, now=now),
        )

    # The school: it referred three of its own pupils.
    school = Membership.objects.get(
        user=users["demo.practitioner"], role=Role.PRACTITIONER, ended_at__isnull=True
    ).agency
    for days_ago, child in enumerate(hub.filter(school_id=school.pk)[:3], start=1):
        created += _ensure(
            child_id=child.hub_child_id,
            basis=RelationshipBasis.REFERRER,
            holder_agency=school,
            valid_from=_morning(None, fallback_days=7 * days_ago, now=now),
        )

    # The intelligence analyst: every child at high risk of sexual exploitation.
    analyst = users["demo.analyst"]
    for child in hub.filter(exploitation_risk=RiskLevel.HIGH):
        created += _ensure(
            child_id=child.hub_child_id,
            basis=RelationshipBasis.INTELLIGENCE_CASE,
            holder_user=analyst,
            valid_from=_morning(child.exploitation_identified_on, fallback_days=30, now=now),
        )
    return created


def demo_accounts_ensure(*, credentials_path: Path) -> DemoResult:
    accounts, users_created, memberships_created = demo_users_ensure(credentials_path=credentials_path)
    relationships_created = demo_relationships_ensure()
    return DemoResult(
        accounts=accounts,
        users_created=users_created,
        memberships_created=memberships_created,
        relationships_created=relationships_created,
    )


_RISK_LEVELS: dict[str, int] = {RiskLevel.LOW: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 3}


@transaction.atomic
def demo_risk_history_ensure() -> int:
    """Give the borough's children at risk of exploitation a risk history on the continuum.

    Levels move: a child at medium or high risk is shown first identified at low a few
    months before the level the borough says they are at now. Skips any child who already
    has a history. Returns how many children were given one.
    """
    actor = Actor.system("demo_setup")
    seeded = 0
    at_risk = TrueChild.objects.filter(hub_child__isnull=False).exclude(exploitation_risk=RiskLevel.NONE)
    already = set(RiskHistory.objects.values_list("child_id", flat=True).distinct())
    for truth in at_risk.order_by("pk"):
        if truth.hub_child_id in already:
            continue
        assert truth.hub_child_id is not None  # filtered above
        child = Child.objects.get(pk=truth.hub_child_id)
        identified = truth.exploitation_identified_on or timezone.localdate() - timedelta(days=120)
        level = _RISK_LEVELS[truth.exploitation_risk]
        reason = "Level recorded before OpenMASH (synthetic borough)"
        if level > 1:
            risk_history_import(
                actor=actor,
                child=child,
                level=1,
                effective_on=identified - timedelta(days=90),
                reason=reason,
                process=PROCESS,
            )
        risk_history_import(
            actor=actor, child=child, level=level, effective_on=identified, reason=reason, process=PROCESS
        )
        seeded += 1
    return seeded


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


def _actor_for(membership: Membership) -> Actor:
    return Actor(
        user_id=membership.user_id,
        username=membership.user.username,
        role=membership.role,
        agency_id=membership.agency_id,
        team_id=membership.team_id,
        membership_id=membership.pk,
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

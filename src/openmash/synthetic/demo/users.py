"""Demo users: one per role, placed in the borough, their passwords kept beside the embedded
database, and the relationships that make each role's pages show something. Idempotent: a
second run finds what the first made.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.services import relationship_start
from openmash.accounts.models import Agency, Membership, Team, User
from openmash.accounts.roles import Role
from openmash.accounts.services import membership_start, user_create
from openmash.people.models import Child
from openmash.synthetic.generator import PROCESS
from openmash.synthetic.models import (
    RiskLevel,
    Service,
    TrueChild,
)
from openmash.synthetic.selectors import (
    agency_for_service,
    hub_children_truth,
    school_with_most_hub_children,
    team_named,
)

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

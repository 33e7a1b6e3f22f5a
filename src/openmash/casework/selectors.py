"""Casework reads. A child's records are read through the ChildAccess the choke point handed out;
lists and dashboards name only children the actor may see (access.children_get_for_user)."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.selectors import ChildAccess, children_get_for_user
from openmash.accounts.actor import Actor
from openmash.accounts.models import User
from openmash.accounts.roles import Role
from openmash.casework.models import (
    UNFINISHED_ACTION_STATUSES,
    ActionStatusValue,
    AdviserChange,
    CareCouncilFeedback,
    CaseClosure,
    LegalStatus,
    LegalStatusCode,
    Meeting,
    MeetingInvitee,
    MeetingKind,
    MissingEpisode,
    MissingKind,
    PathwayEntry,
    Placement,
    PlacementType,
    Plan,
    PlanAction,
    PlanKind,
    PlanState,
    PlanStateValue,
    Visit,
)
from openmash.casework.visit_regimes import VISIT_RULES
from openmash.people.extensions import ChronologyQuery, count_rows, newest
from openmash.timescales.models import Clock
from openmash.timescales.rules import rule_for

if TYPE_CHECKING:
    from openmash.people.selectors import ChronologyEntry

DEFAULT_CURRENT_MONTHS = 3
# Roles who work the case and see every agency's casework records for a child they may see.
CASE_OWNING_ROLES = frozenset({Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.MASH_OFFICER, Role.MASH_MANAGER})


def _active() -> Q:
    now = timezone.now()
    return Q(valid_from__lte=now) & (Q(valid_to__isnull=True) | Q(valid_to__gt=now))


# -- one child --------------------------------------------------------------------------------


def child_allocations(*, access: ChildAccess) -> list[Relationship]:
    return list(
        Relationship.objects.filter(
            _active(),
            child=access.child,
            basis__in=(
                RelationshipBasis.ALLOCATED_WORKER,
                RelationshipBasis.SUPPORTING_WORKER,
                RelationshipBasis.TEAM,
            ),
        )
        .select_related("holder_user", "holder_team")
        .order_by("basis", "valid_from")
    )


@dataclass(frozen=True)
class ActionView:
    action: PlanAction
    status: str
    status_label: str
    overdue: bool
    owner_name: str
    due_on: date
    note: str = ""

    @property
    def unfinished(self) -> bool:
        return self.status in UNFINISHED_ACTION_STATUSES


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    live: bool
    state_since: datetime
    actions: list[ActionView]
    legal_status: LegalStatus | None
    placement: Placement | None
    pathway: list[PathwayEntry]
    clocks: list[Clock]
    placements: list[Placement]
    legal_statuses: list[LegalStatus]
    adviser_changes: list[AdviserChange] = field(default_factory=list)

    @property
    def personal_adviser(self) -> User | None:
        """Who advises the young person now: the newest change's adviser, or the plan's first."""
        return self.adviser_changes[-1].adviser if self.adviser_changes else self.plan.personal_adviser

    def clock_label(self, clock: Clock) -> str:
        """What the deadline is, in words (the rule's label), for the plan's table."""
        return rule_for(clock.rule_code).label


def action_current(action: PlanAction) -> tuple[str, str, date]:
    """(status, owner, due date) of an action now: the newest change of each wins."""
    status, owner, due_on = ActionStatusValue.OPEN.value, action.owner_name, action.due_on
    for row in sorted(action.statuses.all(), key=lambda r: (r.effective_at, r.created_at)):
        status = row.status
        owner = row.owner_name or owner
        due_on = row.due_on or due_on
    return status, owner, due_on


def _plan_views(plans: list[Plan]) -> list[PlanView]:
    today = timezone.localdate()
    views = []
    for plan in plans:
        states = sorted(plan.states.all(), key=lambda s: (s.effective_at, s.created_at))
        actions = []
        for action in plan.actions.all():
            status, owner, due_on = action_current(action)
            statuses = sorted(action.statuses.all(), key=lambda s: (s.effective_at, s.created_at))
            actions.append(
                ActionView(
                    action,
                    status,
                    ActionStatusValue(status).label,
                    status in UNFINISHED_ACTION_STATUSES and due_on < today,
                    owner,
                    due_on,
                    statuses[-1].note if statuses else "",
                )
            )
        legal = sorted(plan.legal_statuses.all(), key=lambda r: (r.effective_on, r.created_at))
        placements = sorted(plan.placements.all(), key=lambda r: (r.started_on, r.created_at))
        latest: dict[str, PathwayEntry] = {}
        for entry in sorted(plan.pathway_entries.all(), key=lambda e: e.created_at):
            latest[entry.dimension] = entry
        subjects = {str(plan.pk), *(str(p.pk) for p in placements)}
        views.append(
            PlanView(
                plan=plan,
                live=bool(states) and states[-1].state == PlanStateValue.ACTIVE,
                state_since=states[-1].effective_at if states else plan.created_at,
                actions=actions,
                legal_status=legal[-1] if legal else None,
                placement=placements[-1] if placements else None,
                pathway=list(latest.values()),
                clocks=[
                    c
                    for c in Clock.objects.filter(child_id=plan.child_id, subject_id__in=subjects).order_by(
                        "due_at"
                    )
                ],
                placements=placements,
                legal_statuses=legal,
                adviser_changes=sorted(
                    plan.adviser_changes.all(), key=lambda r: (r.effective_on, r.created_at)
                ),
            )
        )
    return views


def child_plans(*, access: ChildAccess) -> list[PlanView]:
    plans = list(
        Plan.objects.filter(child=access.child)
        .select_related("personal_adviser", "source_meeting")
        .prefetch_related(
            "states",
            "actions__statuses",
            "legal_statuses",
            "placements__visit_agreements",
            "pathway_entries",
            "adviser_changes__adviser",
        )
    )
    return sorted(_plan_views(plans), key=lambda v: (not v.live, -v.plan.started_on.toordinal()))


def child_plan(*, access: ChildAccess, plan_id: uuid.UUID) -> PlanView | None:
    return next((v for v in child_plans(access=access) if v.plan.pk == plan_id), None)


def open_actions(*, access: ChildAccess) -> list[ActionView]:
    """Actions still to do (open or in progress) on the child's live plans."""
    plans = child_plans(access=access)
    return [view for plan in plans if plan.live for view in plan.actions if view.unfinished]


def child_visits(*, access: ChildAccess) -> list[Visit]:
    return list(Visit.objects.filter(child=access.child).select_related("visitor", "agency", "plan"))


def child_meetings(*, access: ChildAccess) -> list[Meeting]:
    return list(
        Meeting.objects.filter(child=access.child)
        .select_related("agency")
        .prefetch_related("invitees__agency")
    )


def child_missing_episodes(*, access: ChildAccess) -> list[MissingEpisode]:
    return list(
        MissingEpisode.objects.filter(child=access.child)
        .prefetch_related("return_interviews")
        .select_related("agency")
    )


def child_missing_episode(*, access: ChildAccess, episode_id: uuid.UUID) -> MissingEpisode | None:
    return MissingEpisode.objects.filter(child=access.child, pk=episode_id).first()


def child_care_council_feedback(*, access: ChildAccess) -> list[CareCouncilFeedback]:
    return list(CareCouncilFeedback.objects.filter(child=access.child))


def child_closures(*, access: ChildAccess) -> list[CaseClosure]:
    return list(
        CaseClosure.objects.filter(child=access.child).select_related("requested_by", "signed_off_by")
    )


def child_visit_clocks(*, access: ChildAccess) -> list[Clock]:
    return list(
        Clock.objects.filter(
            child=access.child,
            rule_code__in=VISIT_RULES,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
        )
    )


def not_seen_alone_twice(*, access: ChildAccess) -> bool:
    last_two = list(Visit.objects.filter(child=access.child).order_by("-visited_at", "-created_at")[:2])
    return len(last_two) == 2 and not any(v.seen_alone for v in last_two)


def _current_months() -> int:
    from openmash.exploitation.selectors import tool_definition, tools_current

    for tool in tools_current():
        if tool.purpose == "screening":
            return tool_definition(tool).current_months
    return DEFAULT_CURRENT_MONTHS


def current_signs_needing_screening(*, access: ChildAccess, on: date, with_screening: bool = False):  # type: ignore[no-untyped-def]
    """Exploitation warning signs still current on `on` (within the screening tool's current window).

    With `with_screening`, returns (signs, the newest screening completed on or after the newest
    current sign, or None). Without, the signs only.
    """
    from openmash.exploitation.models import Assessment, AssessmentStatus
    from openmash.exploitation.selectors import child_signs
    from openmash.timescales.calendar import add_months

    since = add_months(on, -_current_months())
    signs = [s for s in child_signs(access=access) if since <= s.observed_on <= on]
    if not with_screening:
        return signs
    if not signs:
        return signs, None
    newest = max(s.observed_on for s in signs)
    screening = (
        Assessment.objects.filter(
            child=access.child,
            status=AssessmentStatus.COMPLETED,
            tool__purpose="screening",
            assessed_on__gte=newest,
        )
        .order_by("-assessed_on", "-completed_at")
        .first()
    )
    return signs, screening


# -- the team ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildRow:
    child_id: uuid.UUID
    name: str
    detail: str = ""
    since: datetime | None = None


def _team_child_ids(actor: Actor) -> list[uuid.UUID]:
    if actor.team_id is None:
        return []
    return list(
        Relationship.objects.filter(_active(), holder_team_id=actor.team_id, basis=RelationshipBasis.TEAM)
        .values_list("child_id", flat=True)
        .distinct()
    )


def team_unallocated(*, actor: Actor) -> list[ChildRow]:
    """Children the actor's team holds with no key worker, longest waiting first."""
    if actor.team_id is None:
        return []
    allocated = Relationship.objects.filter(_active(), basis=RelationshipBasis.ALLOCATED_WORKER).values(
        "child_id"
    )
    held = (
        Relationship.objects.filter(_active(), holder_team_id=actor.team_id, basis=RelationshipBasis.TEAM)
        .exclude(child_id__in=allocated)
        .order_by("valid_from")
    )
    since: dict[uuid.UUID, datetime] = {}
    for rel in held:
        since.setdefault(rel.child_id, rel.valid_from)
    children = children_get_for_user(
        actor=actor, child_ids=list(since), purpose="Team casework: unallocated children"
    )
    return [
        ChildRow(child_id=cid, name=children[cid].full_name, since=when)
        for cid, when in since.items()
        if cid in children
    ]


@dataclass(frozen=True)
class Caseload:
    user_id: uuid.UUID
    name: str
    key_worker: int
    supporting: int


def team_caseloads(*, actor: Actor) -> list[Caseload]:
    from openmash.casework.services import member_users

    if actor.team_id is None:
        return []
    members = member_users(actor.team_id)
    team_children = _team_child_ids(actor)
    counts = Counter(
        Relationship.objects.filter(
            _active(),
            holder_user__in=members,
            child_id__in=team_children,
            basis__in=(RelationshipBasis.ALLOCATED_WORKER, RelationshipBasis.SUPPORTING_WORKER),
        ).values_list("holder_user_id", "basis")
    )
    return [
        Caseload(
            user_id=user.pk,
            name=user.full_name or user.username,
            key_worker=counts[(user.pk, RelationshipBasis.ALLOCATED_WORKER)],
            supporting=counts[(user.pk, RelationshipBasis.SUPPORTING_WORKER)],
        )
        for user in members
    ]


def _child_ids_for_alerts(actor: Actor) -> list[uuid.UUID]:
    """The team's children for a manager; the worker's own children for anyone else."""
    if actor.role == Role.TEAM_MANAGER:
        return _team_child_ids(actor)
    return list(
        Relationship.objects.filter(_active(), holder_user_id=actor.user_id).values_list(
            "child_id", flat=True
        )
    )


NOT_SEEN_ALONE_SQL = """
WITH recent AS (
    SELECT v.child_id, v.seen_alone,
           row_number() OVER (PARTITION BY v.child_id ORDER BY v.visited_at DESC, v.created_at DESC) AS n
    FROM casework_visit v
    WHERE v.child_id = ANY(%s)
)
SELECT child_id FROM recent
WHERE n <= 2
GROUP BY child_id
HAVING count(*) = 2 AND bool_or(seen_alone) = false
"""


def _children_on_live_plans(child_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    sql = """
    SELECT DISTINCT p.child_id FROM casework_plan p
    JOIN LATERAL (
        SELECT s.state FROM casework_planstate s WHERE s.plan_id = p.id
        ORDER BY s.effective_at DESC, s.created_at DESC LIMIT 1
    ) last ON true
    WHERE p.child_id = ANY(%s) AND last.state = 'active'
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [child_ids])
        return {row[0] for row in cursor.fetchall()}


def not_seen_alone_alerts(*, actor: Actor) -> list[ChildRow]:
    """Children on a plan who were not seen alone at either of their last two visits."""
    ids = _child_ids_for_alerts(actor)
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(NOT_SEEN_ALONE_SQL, [ids])
        flagged = [row[0] for row in cursor.fetchall()]
    flagged = [cid for cid in flagged if cid in _children_on_live_plans(flagged)]
    children = children_get_for_user(
        actor=actor, child_ids=flagged, purpose="Casework alerts: not seen alone"
    )
    return [
        ChildRow(child_id=cid, name=children[cid].full_name, detail="Not seen alone at the last two visits")
        for cid in flagged
        if cid in children
    ]


def visits_overdue_query(
    *, now: datetime, child_ids: list[uuid.UUID] | None = None
) -> list[tuple[uuid.UUID, str, datetime]]:
    """(child, rule, due) of every statutory visit clock that is overdue: the query the benchmark times."""
    clocks = Clock.objects.filter(
        rule_code__in=VISIT_RULES, completed_at__isnull=True, cancelled_at__isnull=True, due_at__lt=now
    )
    if child_ids is not None:
        clocks = clocks.filter(child_id__in=child_ids)
    return list(clocks.order_by("due_at").values_list("child_id", "rule_code", "due_at"))


def visits_overdue(*, actor: Actor, now: datetime | None = None) -> list[ChildRow]:
    now = now or timezone.now()
    ids = _child_ids_for_alerts(actor)
    if not ids:
        return []
    rows = visits_overdue_query(now=now, child_ids=ids)
    children = children_get_for_user(
        actor=actor, child_ids=[r[0] for r in rows], purpose="Casework alerts: statutory visits overdue"
    )
    return [
        ChildRow(
            child_id=cid,
            name=children[cid].full_name,
            detail=f"{rule_for(rule).label} was due {due:%-d %B %Y}",
        )
        for cid, rule, due in rows
        if cid in children
    ]


def return_interviews_overdue(*, actor: Actor, now: datetime | None = None) -> list[ChildRow]:
    now = now or timezone.now()
    ids = _child_ids_for_alerts(actor)
    clocks = list(
        Clock.objects.filter(
            child_id__in=ids,
            rule_code="return_interview",
            completed_at__isnull=True,
            cancelled_at__isnull=True,
            due_at__lt=now,
        ).values_list("child_id", "due_at")
    )
    children = children_get_for_user(
        actor=actor, child_ids=[c for c, _ in clocks], purpose="Casework alerts: return interviews overdue"
    )
    return [
        ChildRow(
            child_id=cid,
            name=children[cid].full_name,
            detail=f"Return home interview was due {due:%-d %B %Y %H:%M}",
        )
        for cid, due in clocks
        if cid in children
    ]


def care_council_summary(*, actor: Actor, since: date) -> list[tuple[str, int, int]]:
    """Feedback for the Children in Care Council by theme since a date: (theme, items, children).
    Counts only, no names or words: the council sees the themes; words stay on the child's record."""
    from openmash.casework.models import CareCouncilTheme

    if actor.role not in (Role.TEAM_MANAGER, Role.SOCIAL_WORKER) or actor.agency_id is None:
        return []
    rows = CareCouncilFeedback.objects.filter(
        agency_id=actor.agency_id, given_on__gte=since, share_with_council=True
    )
    items = Counter(rows.values_list("theme", flat=True))
    children = Counter(theme for theme, _ in set(rows.values_list("theme", "child_id")))
    return [(CareCouncilTheme(t).label, items[t], children[t]) for t in CareCouncilTheme.values if items[t]]


# -- the chronology ---------------------------------------------------------------------------

CHRONOLOGY_KINDS = {
    "visit": "Visit",
    "meeting": "Meeting",
    "plan": "Plan",
    "missing": "Missing episode",
    "placement": "Placement and legal status",
}


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def _chronology_sources(query: ChronologyQuery) -> dict[str, Any]:
    """Each casework source of chronology entries as a filtered queryset (None: skipped).

    Case-owning roles (social work, the hub) see every agency's casework records. Anyone else
    (a school nurse, a GP, a police officer) sees only their own agency's records and the
    meetings their agency was invited to; never visits, plans or missing episodes of others,
    nor placements and legal statuses at all.
    """
    every = query.actor.role in CASE_OWNING_ROLES
    viewer_agency = query.actor.agency_id
    if not every and viewer_agency is None:
        return {}
    own = Q() if every else Q(agency_id=viewer_agency)
    agency = query.agency_q("agency")
    if agency is None:
        return {}
    children = Q(child_id__in=query.child_ids)
    sources: dict[str, Any] = {}
    if query.wants("visit"):
        sources["visit"] = Visit.objects.filter(children, own, agency, query.at_range("visited_at"))
    if query.wants("meeting"):
        meetings = Meeting.objects.filter(children, agency, query.at_range("held_at"))
        if not every and viewer_agency is not None:
            invited = MeetingInvitee.objects.filter(meeting=OuterRef("pk"), agency_id=viewer_agency)
            meetings = meetings.filter(Q(agency_id=viewer_agency) | Exists(invited))
        sources["meeting"] = meetings
    if query.wants("plan"):
        plan_q = Q(plan__child_id__in=query.child_ids)
        plan_agency = query.agency_q("plan__agency")
        plan_own = Q() if every else Q(plan__agency_id=viewer_agency)
        sources["plan"] = Plan.objects.filter(children, own, agency, query.on_range("started_on"))
        sources["plan_end"] = PlanState.objects.filter(
            plan_q, plan_own, plan_agency, query.at_range("effective_at"), state=PlanStateValue.ENDED
        )
    if query.wants("placement") and every:
        plan_agency = query.agency_q("plan__agency")
        plans = Q(plan__child_id__in=query.child_ids)
        sources["placement"] = Placement.objects.filter(plans, plan_agency, query.on_range("started_on"))
        sources["legal_status"] = LegalStatus.objects.filter(
            plans, plan_agency, query.on_range("effective_on")
        )
    if query.wants("missing"):
        sources["missing"] = MissingEpisode.objects.filter(
            children, own, agency, query.at_range("started_at")
        )
        sources["returned"] = MissingEpisode.objects.filter(
            children, own, agency, query.at_range("ended_at"), ended_at__isnull=False
        )
    return sources


# source: (kind, the column it is dated by, the agency's name)
_CHRONOLOGY_SOURCES = {
    "visit": ("visit", "visited_at", "agency__name"),
    "meeting": ("meeting", "held_at", "agency__name"),
    "plan": ("plan", "started_on", "agency__name"),
    "plan_end": ("plan", "effective_at", "plan__agency__name"),
    "placement": ("placement", "started_on", "plan__agency__name"),
    "legal_status": ("placement", "effective_on", "plan__agency__name"),
    "missing": ("missing", "started_at", "agency__name"),
    "returned": ("missing", "ended_at", "agency__name"),
}
_CHRONOLOGY_FIELDS = {
    "visit": ("location", "child_seen", "seen_alone", "child_id"),
    "meeting": ("kind", "child_id"),
    "plan": ("kind", "child_id"),
    "plan_end": ("plan__kind", "reason", "plan__child_id"),
    "placement": ("place", "plan__child_id"),
    "legal_status": ("code", "plan__child_id"),
    "missing": ("kind", "child_id"),
    "returned": ("where_found", "child_id"),
}


def _chronology_summary(source: str, row: dict[str, Any]) -> str:
    if source == "visit":
        seen = "seen alone" if row["seen_alone"] else "seen, not alone" if row["child_seen"] else "not seen"
        return f"Visit at {row['location']}: child {seen}"
    if source == "meeting":
        return str(MeetingKind(row["kind"]).label)
    if source == "plan":
        return f"{PlanKind(row['kind']).label} started"
    if source == "plan_end":
        return f"{PlanKind(row['plan__kind']).label} ended: {row['reason']}"
    if source == "placement":
        return f"Placement: {PlacementType(row['place']).label}"
    if source == "legal_status":
        return f"Legal status: {LegalStatusCode(row['code']).label}"
    if source == "missing":
        return f"{MissingKind(row['kind']).label} episode began"
    where = row["where_found"]
    return "Returned" + (f" (found at {where})" if where else "")


def chronology_counts(query: ChronologyQuery) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for source, rows in _chronology_sources(query).items():
        kind, _when, agency = _CHRONOLOGY_SOURCES[source]
        counts.update(count_rows(rows, kind, agency=agency))
    return counts


def chronology_entries(query: ChronologyQuery) -> list[ChronologyEntry]:
    """Casework entries for the child's chronology: the newest `query.limit` of each source,
    from `values()` rows, merged and cut (people.extensions)."""
    from openmash.people.selectors import ChronologyEntry

    entries: list[ChronologyEntry] = []
    meetings: dict[uuid.UUID, int] = {}
    for source, rows in _chronology_sources(query).items():
        kind, when, agency = _CHRONOLOGY_SOURCES[source]
        fields = _CHRONOLOGY_FIELDS[source]
        rows = rows.order_by(*query.order(when)).values("pk", when, agency, *fields)
        for row in rows[: query.limit] if query.limit is not None else rows:
            at = row[when] if isinstance(row[when], datetime) else _at(row[when])
            child_id = row.get("child_id") or row.get("plan__child_id")
            if source == "meeting":
                meetings[row["pk"]] = len(entries)
            entries.append(
                ChronologyEntry(
                    at,
                    kind,
                    row[agency],
                    _chronology_summary(source, row),
                    key=f"{source}:{row['pk']}",
                    merged=query.is_merged(child_id),
                )
            )
    if meetings:
        invited: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        for meeting_id, agency_id in MeetingInvitee.objects.filter(meeting_id__in=list(meetings)).values_list(
            "meeting_id", "agency_id"
        ):
            invited[meeting_id].add(agency_id)
        for meeting_id, at in meetings.items():
            entries[at] = replace(entries[at], shared_with=frozenset(invited[meeting_id]))
    return newest(entries, query.limit, oldest_first=query.oldest_first)

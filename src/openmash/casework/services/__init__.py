"""Every casework write. Each takes the acting person and, for a child, the ChildAccess the
access choke point handed out (so nothing is written about a child the actor may not see).

Statutory clocks are started and met through openmash.timescales.services; this module
decides which clock each event starts or meets (docs/casework.md, ADR 0051).
"""

from openmash.casework.services._common import (
    ALLOCATION_BASES,
    MANAGER_ROLES,
    PROCESS,
    REPEAT_MISSING_COUNT,
    REPEAT_MISSING_WINDOW,
    live_plans,
    member_users,
    plan_is_live,
)
from openmash.casework.services.allocation import (
    allocation_end,
    allocation_start,
)
from openmash.casework.services.closure import (
    ClosureRefused,
    closure_blockers,
    closure_request,
    closure_sign_off,
)
from openmash.casework.services.meetings import (
    ActionData,
    InviteeData,
    MeetingOutcome,
    meeting_record,
)
from openmash.casework.services.missing import (
    care_council_feedback_record,
    missing_episode_record,
    missing_episode_return,
    return_interview_record,
)
from openmash.casework.services.placements import (
    PlacementData,
    legal_status_record,
    long_term_visits_agree,
    placement_record,
)
from openmash.casework.services.plans import (
    MIN_ADVISER_REASON,
    pathway_entry_record,
    personal_adviser_change,
    plan_action_add,
    plan_action_status_record,
    plan_end,
    plan_start,
)
from openmash.casework.services.visits import (
    visit_record,
)

__all__ = [
    "ALLOCATION_BASES",
    "MANAGER_ROLES",
    "MIN_ADVISER_REASON",
    "PROCESS",
    "REPEAT_MISSING_COUNT",
    "REPEAT_MISSING_WINDOW",
    "ActionData",
    "ClosureRefused",
    "InviteeData",
    "MeetingOutcome",
    "PlacementData",
    "allocation_end",
    "allocation_start",
    "care_council_feedback_record",
    "closure_blockers",
    "closure_request",
    "closure_sign_off",
    "legal_status_record",
    "live_plans",
    "long_term_visits_agree",
    "meeting_record",
    "member_users",
    "missing_episode_record",
    "missing_episode_return",
    "pathway_entry_record",
    "personal_adviser_change",
    "placement_record",
    "plan_action_add",
    "plan_action_status_record",
    "plan_end",
    "plan_is_live",
    "plan_start",
    "return_interview_record",
    "visit_record",
]

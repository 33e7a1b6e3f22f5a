"""Every write in the hub: triage and RAG ratings, information requests, threshold decisions.

The hub works contacts that intake opens. ``triage_open`` is registered with intake (in
``MashConfig.ready``) and runs inside the transaction that opens contacts: it gives each
contact its first RAG rating (from the urgency the referrer gave) and its deadlines, and
starts the decision and RAG clocks for contacts whose child is known.
"""

from openmash.mash.services._common import (
    CONTACT_SUBJECT,
    DECISION_PROCESS,
    DECISION_SUBJECT,
    HUB_ROLES,
    MIN_RATIONALE,
    REQUEST_PROCESS,
    RESEARCHER_ROLES,
    TRIAGE_RULES,
    URGENCY_RAG,
    decision_due,
    rag_due,
    rag_rule_code,
)
from openmash.mash.services.decisions import (
    MIN_RETURN_REASON,
    live_exploitation_signs,
    threshold_decision_amend,
    threshold_decision_record,
    threshold_decision_return,
    threshold_decision_sign_off,
)
from openmash.mash.services.identification import (
    IDENTIFY_PROCESS,
    MIN_IDENTIFY_REASON,
    DescribedChild,
    contact_child_create,
    contact_child_identification_undo,
    contact_child_identify,
)
from openmash.mash.services.requests import (
    information_request_answer,
    information_request_send,
    may_answer,
    researcher_team_for,
)
from openmash.mash.services.triage import (
    contact_closed,
    contacts_matched,
    rag_rate,
    triage_open,
)

__all__ = [
    "CONTACT_SUBJECT",
    "DECISION_PROCESS",
    "DECISION_SUBJECT",
    "HUB_ROLES",
    "IDENTIFY_PROCESS",
    "MIN_IDENTIFY_REASON",
    "MIN_RATIONALE",
    "MIN_RETURN_REASON",
    "REQUEST_PROCESS",
    "RESEARCHER_ROLES",
    "TRIAGE_RULES",
    "URGENCY_RAG",
    "DescribedChild",
    "contact_child_create",
    "contact_child_identification_undo",
    "contact_child_identify",
    "contact_closed",
    "contacts_matched",
    "decision_due",
    "information_request_answer",
    "information_request_send",
    "live_exploitation_signs",
    "may_answer",
    "rag_due",
    "rag_rate",
    "rag_rule_code",
    "researcher_team_for",
    "threshold_decision_amend",
    "threshold_decision_record",
    "threshold_decision_return",
    "threshold_decision_sign_off",
    "triage_open",
]

"""Shared pieces of the hub's services: its subjects and processes, who may act, deadlines from a
RAG rating.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.accounts.roles import Role
from openmash.intake.models import Contact, Urgency
from openmash.mash.models import (
    Rag,
)
from openmash.timescales.calendar import ENGLAND
from openmash.timescales.models import Clock
from openmash.timescales.rules import due_at, rule_for

CONTACT_SUBJECT = "intake.Contact"
DECISION_SUBJECT = "mash.ThresholdDecision"
DECISION_PROCESS = "mash.threshold_decision"
REQUEST_PROCESS = "mash.information_request"
HUB_ROLES = frozenset({Role.MASH_OFFICER, Role.MASH_MANAGER})
# Who answers an agency's information requests: its people in hub-facing roles.
RESEARCHER_ROLES = frozenset({Role.MASH_OFFICER, Role.MASH_MANAGER, Role.PRACTITIONER})
URGENCY_RAG = {Urgency.IMMEDIATE: Rag.RED, Urgency.SAME_DAY: Rag.AMBER, Urgency.ROUTINE: Rag.GREEN}
TRIAGE_RULES = ("mash_decision", "rag_red", "rag_amber", "rag_green")
MIN_RATIONALE = 20


def rag_rule_code(rag: str) -> str:
    return f"rag_{rag}"


def rag_due(rag: str, received_at: datetime) -> tuple[datetime, str]:
    rule = rule_for(rag_rule_code(rag), on=timezone.localdate(received_at))
    return due_at(rule, received_at, ENGLAND), rule.describe()


def decision_due(received_at: datetime) -> datetime:
    return due_at(rule_for("mash_decision", on=timezone.localdate(received_at)), received_at, ENGLAND)


def _require_hub(actor: Actor) -> uuid.UUID:
    """The actor's user id, if they are one of the hub's triage officers or managers."""
    if actor.user_id is None or actor.role not in HUB_ROLES:
        raise ValidationError("Only the hub's triage officers and managers can do this.")
    return actor.user_id


def _require_manager(actor: Actor) -> uuid.UUID:
    if actor.user_id is None or actor.role != Role.MASH_MANAGER:
        raise ValidationError("Only a MASH manager can sign off or return a threshold decision.")
    return actor.user_id


def _running_contact_clocks(contact: Contact, rule_codes: tuple[str, ...]) -> list[Clock]:
    return list(
        Clock.objects.select_for_update().filter(
            subject_type=CONTACT_SUBJECT,
            subject_id=str(contact.pk),
            rule_code__in=rule_codes,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
        )
    )

"""Demo exploitation risk histories, from the borough's truth."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.exploitation.models import RiskLevel as RiskHistory
from openmash.exploitation.services import risk_history_import
from openmash.people.models import Child
from openmash.synthetic.generator import PROCESS
from openmash.synthetic.models import (
    RiskLevel,
    TrueChild,
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

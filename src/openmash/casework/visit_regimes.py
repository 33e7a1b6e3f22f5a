"""Which visit clock runs for a child: casework configuration of the visit regimes (ADR 0053).

The amounts live in timescales rules (statutory ones fixed, local ones overridable through
the timescales file, e.g. `cp_visit`, `cin_visit`, `exploitation_visit`, `core_group`). This
module only decides *which* rule applies after each event:

- standard: first visit within 7 days, then at most every 6 weeks; after the placement's first
  year every 3 months if it is meant to last until 18 (else still 6 weeks), and every 6 months
  once a long-term foster placement is agreed with the child (reg 28(3A));
- reg 19, placed with parents before assessment: 7 days, weekly until the first review, then
  6 weeks;
- reg 24, connected person with temporary approval, or an interim care order at home: 7 days,
  weekly until the first review, then 4 weeks;
- a care order at home: 7 days, then 6 weeks.

For a child placed with a parent (P1) the legal status decides: an interim care order (C1)
runs the reg 24 regime, a full care order (C2) the care-order-at-home one; so a change of legal
status can change the regime, and casework re-times the running clock when it does.
"""

from __future__ import annotations

from datetime import date

from openmash.casework.models import PlacementType, PlanKind, VisitRegime
from openmash.timescales.calendar import add_months

CLA_VISIT_RULES = (
    "cla_visit_first",
    "cla_visit",
    "cla_visit_later",
    "cla_visit_long_term_foster",
    "cla_visit_weekly",
    "cla_visit_four_weekly",
)
# Plan visits whose cadence is local practice (configurable in the timescales file).
PLAN_VISIT_RULES: dict[str, str] = {
    PlanKind.CHILD_PROTECTION: "cp_visit",
    PlanKind.CHILD_IN_NEED: "cin_visit",
    PlanKind.EXPLOITATION: "exploitation_visit",
    PlanKind.PATHWAY: "pa_contact",
}
VISIT_RULES = (*CLA_VISIT_RULES, *PLAN_VISIT_RULES.values())

# SSDA903 long-term foster placement codes: the only ones reg 28(3A) can relax.
LONG_TERM_FOSTER = frozenset({PlacementType.U1, PlacementType.U4})
AT_HOME = PlacementType.P1


def suggested_regime(*, place: str, legal_status: str) -> str:
    """The regime a placement most likely runs, as the form's default (the worker may change it)."""
    if place == AT_HOME:
        if legal_status == "C1":
            return VisitRegime.CONNECTED_PERSON
        if legal_status == "C2":
            return VisitRegime.CARE_ORDER_AT_HOME
        return VisitRegime.PLACED_WITH_PARENTS
    return VisitRegime.STANDARD


def effective_regime(*, regime: str, place: str, legal_status: str) -> str:
    """At home, the legal status in force decides the regime; elsewhere the placement's own."""
    if place == AT_HOME and legal_status in ("C1", "C2"):
        return suggested_regime(place=place, legal_status=legal_status)
    return regime


def next_cla_visit_rule(
    *,
    regime: str,
    placement_started_on: date,
    intended_until_18: bool,
    visited_on: date,
    first_review_held: bool,
    long_term_agreed: bool,
) -> str:
    """The clock a statutory visit (child seen) starts for the next one."""
    if regime == VisitRegime.PLACED_WITH_PARENTS:
        return "cla_visit" if first_review_held else "cla_visit_weekly"
    if regime == VisitRegime.CONNECTED_PERSON:
        return "cla_visit_four_weekly" if first_review_held else "cla_visit_weekly"
    if regime == VisitRegime.CARE_ORDER_AT_HOME:
        return "cla_visit"
    if visited_on >= add_months(placement_started_on, 12):
        if long_term_agreed:
            return "cla_visit_long_term_foster"
        if intended_until_18:
            return "cla_visit_later"
    return "cla_visit"

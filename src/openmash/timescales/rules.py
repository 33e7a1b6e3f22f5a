"""The clocks OpenMASH runs, and how each computes its due time.

Statutory timescales are fixed here, with their source. Local rules (MASH RAG, visit
cadences, repeat-missing meetings) are partnership configuration: a YAML file named by
OPENMASH_TIMESCALES_FILE may change their amount and unit, and must name an owner and the
date the change takes effect (reference §6.1). Statutory rules cannot be overridden.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings

from openmash.timescales.calendar import ENGLAND, LONDON, WorkingCalendar, add_months


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    HOURS = "hours"
    WEEKS = "weeks"
    MONTHS = "months"


@dataclass(frozen=True)
class ClockRule:
    code: str
    label: str
    unit: Unit
    amount: int
    statutory: bool
    source: str
    owner: str = "OpenMASH default"
    effective_from: date = date(2000, 1, 1)

    def describe(self) -> str:
        return f"{self.amount} {self.unit.value.replace('_', ' ')}"


def end_of_day(day: date) -> datetime:
    # A day-based deadline is met by anything done on that day.
    return datetime.combine(day, time(23, 59, 59), tzinfo=LONDON)


def due_at(rule: ClockRule, started_at: datetime, calendar: WorkingCalendar = ENGLAND) -> datetime:
    start = started_at.astimezone(LONDON)
    match rule.unit:
        case Unit.WORKING_DAYS:
            return end_of_day(calendar.add_working_days(start.date(), rule.amount))
        case Unit.WORKING_HOURS:
            return calendar.add_working_hours(start, rule.amount)
        case Unit.HOURS:
            return start + timedelta(hours=rule.amount)
        case Unit.CALENDAR_DAYS:
            return end_of_day(start.date() + timedelta(days=rule.amount))
        case Unit.WEEKS:
            return end_of_day(start.date() + timedelta(weeks=rule.amount))
        case Unit.MONTHS:
            return end_of_day(add_months(start.date(), rule.amount))
    raise ValueError(f"unknown unit {rule.unit}")


_S = "Working Together 2023; reference §6"
DEFAULT_RULES: dict[str, ClockRule] = {
    rule.code: rule
    for rule in [
        ClockRule("referral_decision", "Decide next steps on a referral", Unit.WORKING_DAYS, 1, True, _S),
        ClockRule("mash_decision", "MASH contact decision", Unit.WORKING_DAYS, 1, False, "local practice"),
        ClockRule("rag_red", "Red contact: outcome", Unit.WORKING_HOURS, 4, False, "local practice"),
        ClockRule("rag_amber", "Amber contact: outcome", Unit.WORKING_DAYS, 1, False, "local practice"),
        ClockRule("rag_green", "Green contact: outcome", Unit.WORKING_DAYS, 3, False, "local practice"),
        ClockRule(
            "assessment", "Child and family assessment", Unit.WORKING_DAYS, 45, True, _S + "; CIN 8670Q"
        ),
        ClockRule(
            "icpc", "Initial child protection conference", Unit.WORKING_DAYS, 15, True, _S + "; CIN 8675Q"
        ),
        ClockRule("core_group_first", "First core group", Unit.WORKING_DAYS, 10, True, _S),
        ClockRule("cp_review_first", "First child protection review", Unit.MONTHS, 3, True, _S),
        ClockRule("cp_review", "Child protection review", Unit.MONTHS, 6, True, _S),
        ClockRule(
            "cla_review_first", "First looked-after review", Unit.WORKING_DAYS, 20, True, "SI 2010/959 reg 33"
        ),
        ClockRule(
            "cla_review_second", "Second looked-after review", Unit.MONTHS, 3, True, "SI 2010/959 reg 33"
        ),
        ClockRule("cla_review", "Looked-after review", Unit.MONTHS, 6, True, "SI 2010/959 reg 33"),
        ClockRule(
            "cla_visit_first", "First visit in a placement", Unit.CALENDAR_DAYS, 7, True, "SI 2010/959 reg 28"
        ),
        ClockRule("cla_visit", "Statutory visit (first year)", Unit.WEEKS, 6, True, "SI 2010/959 reg 28"),
        ClockRule("cp_visit", "Child protection visit", Unit.WORKING_DAYS, 10, False, "local practice"),
        # Visit regimes after the first visit of a placement (casework chooses which applies).
        ClockRule(
            "cla_visit_later",
            "Statutory visit (placement meant to last to 18, after its first year)",
            Unit.MONTHS,
            3,
            True,
            "SI 2010/959 reg 28(2)(b)",
        ),
        ClockRule(
            "cla_visit_long_term_foster",
            "Statutory visit (long-term foster placement, child agrees)",
            Unit.MONTHS,
            6,
            True,
            "SI 2010/959 reg 28(3A); verify",
        ),
        ClockRule(
            "cla_visit_weekly",
            "Statutory visit (weekly until the first review)",
            Unit.WEEKS,
            1,
            True,
            "SI 2010/959 regs 19, 24 and 28",
        ),
        ClockRule(
            "cla_visit_four_weekly",
            "Statutory visit (connected person or interim care order at home)",
            Unit.WEEKS,
            4,
            True,
            "SI 2010/959 regs 24 and 28",
        ),
        ClockRule("core_group", "Core group", Unit.WEEKS, 6, False, "Working Together 2023; cadence local"),
        ClockRule("cin_visit", "Child in need plan visit", Unit.WORKING_DAYS, 20, False, "local practice"),
        ClockRule(
            "exploitation_visit", "Exploitation plan visit", Unit.WORKING_DAYS, 10, False, "local practice"
        ),
        ClockRule(
            "pa_contact",
            "Personal adviser contact",
            Unit.MONTHS,
            2,
            True,
            "Care Leavers (England) Regulations 2010; verify",
        ),
        ClockRule(
            "return_interview", "Return home interview", Unit.HOURS, 72, True, "DfE 2014 missing guidance"
        ),
        ClockRule("pathway_review", "Pathway plan review", Unit.MONTHS, 6, True, "SI 2010/2571"),
        ClockRule(
            "repeat_missing_meeting",
            "Repeat-missing strategy meeting",
            Unit.WORKING_DAYS,
            5,
            False,
            "local practice",
        ),
        ClockRule(
            "serious_incident",
            "Notify a serious incident",
            Unit.WORKING_DAYS,
            5,
            True,
            "Children Act 2004 s16C",
        ),
        ClockRule("rapid_review", "Rapid review", Unit.WORKING_DAYS, 15, True, _S),
        # The due date comes from the exploitation tool's review interval for the band (issue 6).
        ClockRule(
            "exploitation_review",
            "Exploitation risk review",
            Unit.MONTHS,
            3,
            False,
            "the indicator tool's band",
        ),
    ]
}


class RulesFileError(ValueError):
    """The local timescales file is malformed, or tries to change a statutory timescale."""


def _load_overrides(path: Path) -> dict[str, ClockRule]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise RulesFileError(f"{path}: {error}") from error
    overrides: dict[str, ClockRule] = {}
    for code, change in (document.get("rules") or {}).items():
        base = DEFAULT_RULES.get(code)
        if base is None:
            raise RulesFileError(f"{path}: rule '{code}' is not a clock OpenMASH knows")
        if base.statutory:
            raise RulesFileError(f"{path}: rule '{code}' is statutory and cannot be changed locally")
        missing = {"amount", "unit", "owner", "effective_from"} - set(change or {})
        if missing:
            raise RulesFileError(f"{path}: rule '{code}' needs {', '.join(sorted(missing))}")
        try:
            overrides[code] = replace(
                base,
                amount=int(change["amount"]),
                unit=Unit(change["unit"]),
                owner=str(change["owner"]),
                effective_from=date.fromisoformat(str(change["effective_from"])),
            )
        except ValueError as error:
            raise RulesFileError(f"{path}: rule '{code}': {error}") from error
    return overrides


@cache
def _rules_from(path: str) -> dict[str, ClockRule]:
    rules = dict(DEFAULT_RULES)
    if path:
        rules.update(_load_overrides(Path(path)))
    return rules


def rule_for(code: str, *, on: date | None = None) -> ClockRule:
    """The rule in force for `code` on a date (a local change applies from its effective date)."""
    configured = _rules_from(getattr(settings, "OPENMASH_TIMESCALES_FILE", "") or "")[code]
    if on is not None and on < configured.effective_from:
        return DEFAULT_RULES[code]
    return configured

"""Predicates for templates and services (django-rules). Object access itself is the choke point's."""

from __future__ import annotations

import rules

from openmash.accounts.roles import BREAK_GLASS_ROLES, CASE_ROLES, Role


def _role(user: object) -> str | None:
    membership = getattr(user, "_openmash_membership", None)
    return getattr(membership, "role", None)


@rules.predicate
def works_with_children(user: object) -> bool:
    return _role(user) in CASE_ROLES


@rules.predicate
def may_break_glass(user: object) -> bool:
    return _role(user) in BREAK_GLASS_ROLES


@rules.predicate
def reviews_privacy_alerts(user: object) -> bool:
    return _role(user) == Role.PRIVACY_OFFICER


rules.add_rule("can_work_with_children", works_with_children)
rules.add_rule("can_break_glass", may_break_glass)
rules.add_rule("can_review_alerts", reviews_privacy_alerts)

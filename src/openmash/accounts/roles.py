"""The roles of ARCHITECTURE.md, what each may do in principle, and its navigation.

A role never grants sight of a child by itself: that needs a relationship or a
break-glass grant (see openmash.access). Roles decide which kinds of thing a
person may hold a relationship for, and what they see in the navigation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Agency practitioner"
    MASH_OFFICER = "mash_officer", "MASH triage officer"
    MASH_MANAGER = "mash_manager", "MASH manager"
    SOCIAL_WORKER = "social_worker", "Social worker or exploitation key worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    INTELLIGENCE_ANALYST = "intelligence_analyst", "Police or exploitation intelligence analyst"
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer"
    BOARD_MEMBER = "board_member", "Board member or performance analyst"
    SYSTEM_ADMIN = "system_admin", "System administrator"


# Roles whose work is about individual children. Only these can ever open a child's
# record, and then only with a relationship or a break-glass grant.
CASE_ROLES: frozenset[str] = frozenset(
    {
        Role.PRACTITIONER,
        Role.MASH_OFFICER,
        Role.MASH_MANAGER,
        Role.SOCIAL_WORKER,
        Role.TEAM_MANAGER,
        Role.INTELLIGENCE_ANALYST,
    }
)

# Roles that may ask for emergency (break-glass) access to a child.
BREAK_GLASS_ROLES: frozenset[str] = frozenset(
    {Role.MASH_OFFICER, Role.MASH_MANAGER, Role.SOCIAL_WORKER, Role.TEAM_MANAGER}
)


@dataclass(frozen=True)
class NavItem:
    text: str
    url_name: str


NAVIGATION: dict[str, list[NavItem]] = {
    role: [
        NavItem("My children", "people:my-children"),
        NavItem("Find a child", "people:search"),
        NavItem("Report a concern", "intake:start"),
    ]
    for role in CASE_ROLES
}
for _hub_role in (Role.MASH_OFFICER, Role.MASH_MANAGER):
    NAVIGATION[_hub_role] = [NavItem("Triage queue", "mash:queue"), *NAVIGATION[_hub_role]]
# Information requests from the hub: for the people who answer them for their agency.
for _researcher_role in (Role.MASH_OFFICER, Role.MASH_MANAGER, Role.PRACTITIONER):
    NAVIGATION[_researcher_role].append(NavItem("Information requests", "mash:requests"))
NAVIGATION[Role.PRIVACY_OFFICER] = [
    NavItem("Privacy alerts", "access:alerts"),
    NavItem("Audit trail", "audit:trail"),
]
NAVIGATION[Role.BOARD_MEMBER] = [NavItem("Overview", "accounts:home")]
NAVIGATION[Role.SYSTEM_ADMIN] = [
    NavItem("Overview", "accounts:home"),
    NavItem("Agencies", "onboarding:agencies"),
]

# Exploitation: reviews that are overdue for anyone with a caseload; language use for managers.
for _case_role in CASE_ROLES:
    NAVIGATION[_case_role].append(NavItem("Exploitation reviews", "exploitation:reviews"))
for _manager_role in (Role.TEAM_MANAGER, Role.MASH_MANAGER):
    NAVIGATION[_manager_role].append(NavItem("Language use", "exploitation:language-stats"))
# Timescales: what the team has due and overdue, for roles that work in a team with deadlines.
for _team_role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.MASH_OFFICER, Role.MASH_MANAGER):
    NAVIGATION[_team_role].insert(1, NavItem("Due and overdue", "timescales:due"))

# Casework: the team's unallocated children, caseloads and alerts; Children in Care Council themes.
for _casework_role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER):
    NAVIGATION[_casework_role].insert(1, NavItem("Team casework", "casework:team"))
NAVIGATION[Role.TEAM_MANAGER].append(NavItem("Children in Care Council", "casework:care-council"))


def navigation_for(role: str | None) -> list[NavItem]:
    return NAVIGATION.get(role or "", [])

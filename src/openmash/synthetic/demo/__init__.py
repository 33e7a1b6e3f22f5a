"""The demo: one user per role, placed in the borough, with relationships that make each role's
pages show something.

Everything here is idempotent: a second run finds what the first made and creates nothing.
Passwords are random on first creation and kept in a file beside the embedded database
(.data is never committed), so the table printed on each run is the truth.
"""

from openmash.synthetic.demo.casework import (
    demo_casework_ensure,
)
from openmash.synthetic.demo.casework_parts import (
    CASEWORK_PURPOSE,
    DOING,
    DONE,
    OPEN,
)
from openmash.synthetic.demo.risk import (
    demo_risk_history_ensure,
)
from openmash.synthetic.demo.users import (
    CASELOAD,
    CREDENTIALS_HEADER,
    DEMO_PEOPLE,
    DEMO_SEED,
    DEMO_URL,
    INTELLIGENCE_TEAM,
    MASH_TEAM,
    SOCIAL_WORK_TEAM,
    DemoAccount,
    DemoPerson,
    DemoResult,
    demo_accounts_ensure,
    demo_relationships_ensure,
    demo_users_ensure,
)

__all__ = [
    "CASELOAD",
    "CASEWORK_PURPOSE",
    "CREDENTIALS_HEADER",
    "DEMO_PEOPLE",
    "DEMO_SEED",
    "DEMO_URL",
    "DOING",
    "DONE",
    "INTELLIGENCE_TEAM",
    "MASH_TEAM",
    "OPEN",
    "SOCIAL_WORK_TEAM",
    "DemoAccount",
    "DemoPerson",
    "DemoResult",
    "demo_accounts_ensure",
    "demo_casework_ensure",
    "demo_relationships_ensure",
    "demo_risk_history_ensure",
    "demo_users_ensure",
]

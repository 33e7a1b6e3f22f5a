"""The one way to read a child: check the relationship, write the AccessEvent, or answer 404.

Every page, API endpoint and export that shows a child's data goes through
`child_get_for_user` (one child) or `child_page_for_user` (a list or search).
Both fail closed: if the audit write fails, the read fails with it.
"""

from openmash.access.selectors.child import (
    CHILD_RESOURCE,
    ChildAccess,
    ChildNotFound,
    Viewer,
    child_get_for_user,
    child_id_for_break_glass,
    child_page_for_user,
    child_viewers_for_user,
    children_get_for_user,
    children_visible_to,
    may_see_who_viewed,
    relationships_active_for,
)
from openmash.access.selectors.identification import (
    IDENTIFY_AGE_TOLERANCE_YEARS,
    IDENTIFY_LIMIT,
    IDENTIFY_ROLES,
    IdentificationRefused,
    IdentifyCandidate,
    IdentifyCriteria,
    IdentifyResult,
    child_for_contact_identification,
    children_for_contact_identification,
    may_identify_child_for_contact,
)
from openmash.access.selectors.sealing import (
    SEAL_HUB_ROLES,
    SealedAccess,
    SealedItem,
    may_override_seal,
    seal_allows_without_override,
    seal_override_active,
    sealed_item_access,
)

__all__ = [
    "CHILD_RESOURCE",
    "IDENTIFY_AGE_TOLERANCE_YEARS",
    "IDENTIFY_LIMIT",
    "IDENTIFY_ROLES",
    "SEAL_HUB_ROLES",
    "ChildAccess",
    "ChildNotFound",
    "IdentificationRefused",
    "IdentifyCandidate",
    "IdentifyCriteria",
    "IdentifyResult",
    "SealedAccess",
    "SealedItem",
    "Viewer",
    "child_for_contact_identification",
    "child_get_for_user",
    "child_id_for_break_glass",
    "child_page_for_user",
    "child_viewers_for_user",
    "children_for_contact_identification",
    "children_get_for_user",
    "children_visible_to",
    "may_identify_child_for_contact",
    "may_override_seal",
    "may_see_who_viewed",
    "relationships_active_for",
    "seal_allows_without_override",
    "seal_override_active",
    "sealed_item_access",
]

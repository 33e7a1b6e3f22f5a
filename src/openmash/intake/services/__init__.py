"""Every write in intake: contacts, concerns, public reports, identity links and feed clients.

Feed imports themselves are in ``openmash.intake.feeds.importer`` (a service too, split
out for size).
"""

from openmash.intake.services._common import (
    CASE_BASES,
    HUB_PROCESS,
    RE_REFERRAL_WINDOW,
    REFERENCE_ALPHABET,
    ContactsHook,
    contact_reference_new,
    hub_team_get,
    re_referral_check,
    register_concern_submitted,
    register_contact_closed,
    register_contacts_matched,
    register_contacts_opened,
)
from openmash.intake.services.concerns import (
    ConcernAnswers,
    concern_draft_save,
    concern_draft_start,
    concern_submit,
)
from openmash.intake.services.contacts import (
    FeedContact,
    contact_child_attach,
    contact_close,
    contact_hub_relationship_release,
    contact_open,
    contacts_open_for_feed,
    identity_link_to_child,
)
from openmash.intake.services.feed_clients import (
    TOKEN_PREFIX,
    feed_client_create,
    feed_client_revoke,
    feed_token_hash,
)
from openmash.intake.services.public_reports import (
    PUBLIC_ATTEMPT_RETENTION_HOURS,
    PUBLIC_ATTEMPTS_PER_HOUR,
    PUBLIC_LIMIT_PER_HOUR,
    PUBLIC_RATE_WINDOW,
    public_attempt_retention,
    public_client_hash,
    public_report_allowed,
    public_report_attempts_purge,
    public_report_refusal_record,
    public_report_submit,
)

__all__ = [
    "CASE_BASES",
    "HUB_PROCESS",
    "PUBLIC_ATTEMPTS_PER_HOUR",
    "PUBLIC_ATTEMPT_RETENTION_HOURS",
    "PUBLIC_LIMIT_PER_HOUR",
    "PUBLIC_RATE_WINDOW",
    "REFERENCE_ALPHABET",
    "RE_REFERRAL_WINDOW",
    "TOKEN_PREFIX",
    "ConcernAnswers",
    "ContactsHook",
    "FeedContact",
    "concern_draft_save",
    "concern_draft_start",
    "concern_submit",
    "contact_child_attach",
    "contact_close",
    "contact_hub_relationship_release",
    "contact_open",
    "contact_reference_new",
    "contacts_open_for_feed",
    "feed_client_create",
    "feed_client_revoke",
    "feed_token_hash",
    "hub_team_get",
    "identity_link_to_child",
    "public_attempt_retention",
    "public_client_hash",
    "public_report_allowed",
    "public_report_attempts_purge",
    "public_report_refusal_record",
    "public_report_submit",
    "re_referral_check",
    "register_concern_submitted",
    "register_contact_closed",
    "register_contacts_matched",
    "register_contacts_opened",
]

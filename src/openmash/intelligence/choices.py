"""The intelligence picture's vocabularies, kept out of models.py (house style).

Link kinds describe what adults did or what was seen, never a child's choice: a child who
introduced others is recorded as a child *made* to introduce them, a victim (practice
reference §10). No vocabulary here labels anyone by ethnicity or religion.
"""

from __future__ import annotations

from django.db import models


class EntityKind(models.TextChoices):
    ADULT = "adult", "Adult of concern"
    CHILD = "child", "Child"
    PLACE = "place", "Place"
    VEHICLE = "vehicle", "Vehicle"
    PHONE = "phone", "Phone"
    ACCOUNT = "account", "Online account"
    GROUP = "group", "Group"


class PlaceKind(models.TextChoices):
    PREMISES = "premises", "Premises or address"
    HOME = "home", "Home address"
    HOTEL = "hotel", "Hotel"
    TAKEAWAY = "takeaway", "Takeaway"
    PARK = "park", "Park"
    STATION = "station", "Station"
    SHOPPING_CENTRE = "shopping_centre", "Shopping centre"
    TAXI_OFFICE = "taxi_office", "Taxi office"
    OTHER = "other", "Other place"


class LinkKind(models.TextChoices):
    ASSOCIATES_WITH = "associates_with", "associates with"
    SEEN_WITH = "seen_with", "seen with"
    TRANSPORTED_IN = "transported_in", "transported in"
    CONTACTED_BY = "contacted_by", "contacted by"
    PRESENT_AT = "present_at", "present at"
    GAVE_GIFTS_TO = "gave_gifts_to", "gave gifts or money to"
    OWNS_OR_USES = "owns_or_uses", "owns or uses"
    MADE_TO_INTRODUCE = "made_to_introduce", "was made to introduce"
    MEMBER_OF = "member_of", "is linked to group"


class SourceEvaluation(models.TextChoices):
    """3x5x2 source evaluation (practice reference §9)."""

    RELIABLE = "reliable", "1 Reliable"
    UNTESTED = "untested", "2 Untested"
    NOT_RELIABLE = "not_reliable", "3 Not reliable"


class IntelligenceAssessment(models.TextChoices):
    A = "A", "A Known directly to the source"
    B = "B", "B Known indirectly, corroborated"
    C = "C", "C Known indirectly"
    D = "D", "D Not known"
    E = "E", "E Suspected to be false"


class HandlingCode(models.TextChoices):
    P = "P", "P Lawful sharing permitted"
    C = "C", "C Sharing permitted with conditions"


class Status(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Unconfirmed"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class GroupKind(models.TextChoices):
    GROUP = "group", "Group of adults"
    GANG = "gang", "Gang"
    NETWORK = "network", "Organised network"


# Which kinds of entity each link kind may join, source first. A link outside these is refused.
LINK_ENDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    LinkKind.ASSOCIATES_WITH: (frozenset({"adult", "child"}), frozenset({"adult", "child"})),
    LinkKind.SEEN_WITH: (frozenset({"adult", "child"}), frozenset({"adult", "child"})),
    LinkKind.TRANSPORTED_IN: (frozenset({"child", "adult"}), frozenset({"vehicle"})),
    LinkKind.CONTACTED_BY: (
        frozenset({"child", "adult", "phone", "account"}),
        frozenset({"adult", "phone", "account"}),
    ),
    LinkKind.PRESENT_AT: (frozenset({"adult", "child", "vehicle"}), frozenset({"place"})),
    LinkKind.GAVE_GIFTS_TO: (frozenset({"adult"}), frozenset({"child"})),
    LinkKind.OWNS_OR_USES: (
        frozenset({"adult", "child", "group"}),
        frozenset({"vehicle", "phone", "account", "place"}),
    ),
    LinkKind.MADE_TO_INTRODUCE: (frozenset({"child"}), frozenset({"child"})),
    LinkKind.MEMBER_OF: (frozenset({"adult"}), frozenset({"group"})),
}

# The intelligence grading as one short code, e.g. "1/B/P" (3x5x2).
SOURCE_CODE: dict[str, str] = {
    SourceEvaluation.RELIABLE: "1",
    SourceEvaluation.UNTESTED: "2",
    SourceEvaluation.NOT_RELIABLE: "3",
}


def grading_code(source: str, assessment: str, handling: str) -> str:
    return f"{SOURCE_CODE.get(source, '?')}/{assessment}/{handling}"

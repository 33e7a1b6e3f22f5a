"""Shape intake data for GOV.UK summary lists and tables."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from markupsafe import Markup

from openmash.core.formatting import govuk_date
from openmash.intake.indicators import IndicatorChoice
from openmash.intake.models import FamilyKnows, SharingBasis, Urgency
from openmash.intake.services import ConcernAnswers

NOT_GIVEN = "Not given"


def preserve_lines(text: str) -> dict[str, str]:
    """A summary-list value that keeps the writer's line breaks (escaped; no HTML gets through)."""
    return {"html": str(Markup('<span class="openmash-preserve-lines">{}</span>').format(text))}


def _row(key: str, value: str, change: str | None = None, *, visually_hidden: str = "") -> dict[str, Any]:
    row: dict[str, Any] = {"key": {"text": key}, "value": preserve_lines(value or NOT_GIVEN)}
    if change:
        row["actions"] = {
            "items": [
                {"href": change, "text": "Change", "visuallyHiddenText": visually_hidden or key.lower()}
            ]
        }
    return row


def _lines(items: list[str]) -> str:
    return "\n".join(items) if items else "None"


def check_answer_sections(
    *, draft_id: Any, answers: ConcernAnswers, chosen_child: Any, indicators: list[IndicatorChoice]
) -> list[dict[str, Any]]:
    """Sections of the check-your-answers page, each a heading and summary-list rows with Change links."""

    def change(slug: str) -> str:
        return reverse("intake:step", args=[draft_id, slug]) + "?change=1"

    child = answers.child
    if chosen_child is not None:
        child_rows = [
            _row("Child", f"{chosen_child.full_name}, born {govuk_date(chosen_child.date_of_birth)}",
                 reverse("intake:child-find", args=[draft_id]), visually_hidden="the child"),
        ]  # fmt: skip
    else:
        name = " ".join(p for p in (child.get("forename"), child.get("surname")) if p)
        born = govuk_date(child["date_of_birth"]) if child.get("date_of_birth") else child.get("age") or ""
        child_rows = [
            _row("Name", name, change("child"), visually_hidden="the child's name"),
            _row("Known as", child.get("known_as") or "", change("child")),
            _row("Date of birth or age", born, change("child")),
            _row("NHS number", child.get("nhs_number") or "", change("child")),
            _row("Unique pupil number", child.get("upn") or "", change("child")),
            _row(
                "Address",
                ", ".join(p for p in (child.get("address"), child.get("postcode")) if p),
                change("child"),
            ),
            _row("School or setting", child.get("school") or "", change("child")),
        ]
    wording = {choice.code: choice.wording for choice in indicators}
    when = govuk_date(answers.happened_on) if answers.happened_on else answers.happened_when_text
    referrer = answers.referrer
    return [
        {"heading": "The child", "rows": child_rows},
        {
            "heading": "What happened",
            "rows": [
                _row("What happened", answers.what_happened, change("what-happened")),
                _row("When", when, change("what-happened"), visually_hidden="when it happened"),
                _row("Where", answers.where, change("what-happened"), visually_hidden="where it happened"),
                _row("What you saw or were told", answers.what_seen_or_told, change("seen-or-told")),
                _row(
                    "The child's own words",
                    answers.child_words or "The child did not say anything themselves",
                    change("seen-or-told"),
                ),
                _row(
                    "Warning signs",
                    _lines([wording.get(code, code) for code in answers.indicator_codes]),
                    change("warning-signs"),
                ),
            ],
        },
        {
            "heading": "People, places, vehicles and phones",
            "rows": [
                _row("Adults", _lines(answers.adults), change("people-and-places"), visually_hidden="adults"),
                _row("Places", _lines(answers.places), change("people-and-places"), visually_hidden="places"),
                _row(
                    "Vehicles",
                    _lines(answers.vehicles),
                    change("people-and-places"),
                    visually_hidden="vehicles",
                ),
                _row("Phones and accounts", _lines(answers.phones), change("people-and-places")),
            ],
        },
        {
            "heading": "Urgency and sharing",
            "rows": [
                _row("Urgency", str(Urgency(answers.urgency).label), change("urgency")),
                _row(
                    "Does the family know?", str(FamilyKnows(answers.family_knows).label), change("sharing")
                ),
                *(
                    [
                        _row(
                            "Why the family has not been told",
                            answers.family_not_told_reason,
                            change("sharing"),
                        )
                    ]
                    if answers.family_not_told_reason
                    else []
                ),
                _row(
                    "Why you may share this",
                    str(SharingBasis(answers.sharing_basis).label),
                    change("sharing"),
                ),
            ],
        },
        {
            "heading": "Your details",
            "rows": [
                _row("Name", referrer["name"], change("your-details"), visually_hidden="your name"),
                _row("Role", referrer["role"], change("your-details"), visually_hidden="your role"),
                _row("Organisation", referrer["agency_name"], change("your-details")),
                _row("Phone", referrer["phone"], change("your-details"), visually_hidden="your phone number"),
                _row(
                    "Email", referrer["email"], change("your-details"), visually_hidden="your email address"
                ),
                _row(
                    "Keep your details from the family",
                    "Yes" if referrer["sealed"] else "No",
                    change("your-details"),
                    visually_hidden="whether to keep your details from the family",
                ),
            ],
        },
    ]


URGENCY_TAGS = {
    Urgency.IMMEDIATE: "govuk-tag--red",
    Urgency.SAME_DAY: "govuk-tag--orange",
    Urgency.ROUTINE: "govuk-tag--grey",
}
SOURCE_TAGS = {
    "professional": "govuk-tag--blue",
    "public": "govuk-tag--purple",
    "feed": "govuk-tag--turquoise",
}


def urgency_tag(code: str) -> dict[str, str]:
    return {"text": str(Urgency(code).label), "classes": URGENCY_TAGS.get(Urgency(code), "")}


def feed_payload_rows(
    feed: str, payload: dict[str, Any], held_back: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The original payload in the feed's column order (then any extra columns), empty values left out.

    A field held back for a bad value (ADR 0038) shows the value as sent and why it was not used."""
    from openmash.intake.feeds.catalogue import FEEDS

    spec = FEEDS.get(feed)
    order = spec.columns if spec else []
    keys = [key for key in order if key in payload] + sorted(key for key in payload if key not in order)
    held = {item.get("field"): item.get("reason", "") for item in held_back or []}
    rows = []
    for key in keys:
        if payload[key] in ("", None):
            continue
        value: dict[str, Any] = {"text": str(payload[key])}
        if key in held:
            value = {"text": f"{payload[key]} (held back, not used: {held[key]})"}
        rows.append({"key": {"text": key}, "value": value})
    return rows

"""Shape children's data for GOV.UK components (summary lists, tables)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from openmash.core.formatting import age_in_years, govuk_date


def child_summary_rows(child: Any) -> list[dict[str, Any]]:
    rows = [
        ("Name", child.full_name),
        ("Known as", child.preferred_name or "—"),
        ("Date of birth", f"{govuk_date(child.date_of_birth)} (age {age_in_years(child.date_of_birth)})"),
        ("Sex", child.get_sex_display()),
        ("NHS number", child.nhs_number or "Not known"),
        ("Unique pupil number", child.unique_pupil_number or "Not known"),
        ("Address", ", ".join(part for part in (child.address, child.postcode) if part) or "Not known"),
    ]
    return [{"key": {"text": key}, "value": {"text": value}} for key, value in rows]


def identity_table_rows(identities: list[Any]) -> list[list[dict[str, str]]]:
    return [
        [
            {"text": identity.agency.name},
            {"text": identity.agency_record_id},
            {
                "text": identity.full_name
                + (f" (also {identity.other_surnames})" if identity.other_surnames else "")
            },
            {"text": govuk_date(identity.date_of_birth)},
            {"text": identity.get_sex_display()},
            {"text": ", ".join(p for p in (identity.address, identity.postcode) if p) or "—"},
            {"text": identity.nhs_number or "—"},
            {"text": identity.unique_pupil_number or "—"},
        ]
        for identity in identities
    ]


def pagination(number: int, pages: int, params: dict[str, str]) -> dict[str, Any] | None:
    """GOV.UK pagination for a list of `pages` pages (None for one page): the first and last
    pages, and those either side of the current one, with ellipses between."""
    if pages <= 1:
        return None

    def href(n: int) -> str:
        return "?" + urlencode({**params, "page": n})

    shown = sorted({1, pages, number - 1, number, number + 1} & set(range(1, pages + 1)))
    items: list[dict[str, Any]] = []
    for n in shown:
        if items and n - items[-1].get("number", n) > 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": href(n), "current": n == number})
    result: dict[str, Any] = {"items": items, "landmarkLabel": "Chronology pages"}
    if number > 1:
        result["previous"] = {"href": href(number - 1), "labelText": f"Page {number - 1} of {pages}"}
    if number < pages:
        result["next"] = {"href": href(number + 1), "labelText": f"Page {number + 1} of {pages}"}
    return result


def filter_description(filters: dict[str, Any], kinds: dict[str, str]) -> str:
    """The filter in words, for the printed header and the read log: "whole chronology" when none."""
    parts = []
    if filters.get("agency"):
        parts.append(f"agency {filters['agency']}")
    if filters.get("kind"):
        parts.append(f"kind {kinds.get(filters['kind'], filters['kind'])}")
    if filters.get("since"):
        parts.append(f"from {govuk_date(filters['since'])}")
    if filters.get("until"):
        parts.append(f"to {govuk_date(filters['until'])}")
    return ", ".join(parts) if parts else "whole chronology"

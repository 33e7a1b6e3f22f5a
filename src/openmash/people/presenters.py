"""Shape children's data for GOV.UK components (summary lists, tables)."""

from __future__ import annotations

from typing import Any

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

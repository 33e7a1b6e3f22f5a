"""How the hub's states look: GOV.UK tag colours for RAG and for time standing."""

from __future__ import annotations

from typing import Any

RAG_TAGS = {"red": "govuk-tag--red", "amber": "govuk-tag--orange", "green": "govuk-tag--green"}
STATE_TAGS = {
    "overdue": ("govuk-tag--red", "Past its time"),
    "near": ("govuk-tag--yellow", "Near its time"),
    "on_time": ("govuk-tag--grey", "Within its time"),
}


def select_items(choices: Any, selected: str, all_text: str | None) -> list[dict[str, Any]]:
    """Items for govukSelect, with an "any" first option unless ``all_text`` is None."""
    items = [] if all_text is None else [{"value": "", "text": all_text, "selected": not selected}]
    items += [{"value": value, "text": text, "selected": selected == value} for value, text in choices]
    return items

"""The warning signs a practitioner can tick on a concern: the active screening tool's indicators.

When the exploitation app has a screening tool loaded, its indicators (with their kind)
are the list, so a concern's ticks line up with a later screening. Before any tool is
loaded, a short seed list in the project's own words stands in.
"""

from __future__ import annotations

from dataclasses import dataclass

KIND_ORDER = {"harm": 0, "risk": 1, "vulnerability": 2}
KIND_HEADINGS = {
    "harm": "Signs that harm may already be happening",
    "risk": "Signs that someone may be targeting or grooming the child",
    "vulnerability": "Things that make the child more vulnerable",
}


@dataclass(frozen=True)
class IndicatorChoice:
    code: str
    kind: str
    wording: str


SEED: tuple[IndicatorChoice, ...] = (
    IndicatorChoice("disclosure", "harm", "The child has told someone they are being abused or exploited."),
    IndicatorChoice(
        "sti_or_pregnancy", "harm", "A sexually transmitted infection, pregnancy or termination."
    ),
    IndicatorChoice("unexplained_injuries", "harm", "Injuries the child or family cannot explain."),
    IndicatorChoice("self_harm", "harm", "Self-harm, or a sharp decline in the child's mental health."),
    IndicatorChoice(
        "missing_repeated", "risk", "The child goes missing, or comes home late with no explanation."
    ),
    IndicatorChoice(
        "unexplained_gifts", "risk", "Money, phones, clothes or gifts the child cannot account for."
    ),
    IndicatorChoice(
        "older_adults", "risk", "Contact with adults who are much older, or who control the child."
    ),
    IndicatorChoice("vehicles", "risk", "Seen getting into cars with adults the family does not know."),
    IndicatorChoice("locations_of_concern", "risk", "Seen at addresses, venues or places of concern."),
    IndicatorChoice("substances", "risk", "Given alcohol or drugs, or using them."),
    IndicatorChoice("absence_persistent", "risk", "Often absent from school, excluded, or not in education."),
    IndicatorChoice("earlier_abuse", "vulnerability", "Has experienced abuse or neglect before."),
    IndicatorChoice(
        "looked_after", "vulnerability", "Is looked after, especially away from their home area."
    ),
    IndicatorChoice("no_trusted_adult", "vulnerability", "Has no adult they trust and can turn to."),
)


def indicators_active() -> list[IndicatorChoice]:
    """The current screening tool's indicators (harm first), or the seed list if none is loaded."""
    try:
        from openmash.exploitation.selectors import tool_definition, tools_current
    except ImportError:
        return list(SEED)
    screening = [tool for tool in tools_current() if tool.purpose == "screening"]
    if not screening:
        return list(SEED)
    definition = tool_definition(screening[0])
    choices = [
        IndicatorChoice(indicator.id, indicator.kind, indicator.wording)
        for indicator in definition.indicators.values()
    ]
    return sorted(choices, key=lambda choice: KIND_ORDER.get(choice.kind, 9))


def indicator_groups(choices: list[IndicatorChoice]) -> list[tuple[str, list[IndicatorChoice]]]:
    groups: dict[str, list[IndicatorChoice]] = {}
    for choice in choices:
        groups.setdefault(choice.kind, []).append(choice)
    return [(KIND_HEADINGS.get(kind, kind.title()), items) for kind, items in groups.items()]

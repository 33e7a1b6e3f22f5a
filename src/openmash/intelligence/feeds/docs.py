# ruff: noqa: E501 -- documentation prose
"""docs/feeds/intelligence_*.md, written from the feed declarations (a test checks they match)."""

from __future__ import annotations

from pathlib import Path

from openmash.intake.feeds.docs import _cell, _limits
from openmash.intake.feeds.spec import TYPE_WORDS, FeedSpec

from .spec import ENTITIES, FEEDS

EXAMPLES = {
    "intelligence_entities": (
        "record_id,recorded_on,entity_type,name,registration,make,colour,phone_number,place_kind,latitude,longitude,"
        "source_evaluation,intelligence_assessment,handling_code\n"
        "E-0001,2026-10-02,adult,Logan Marwood,,,,,,,,reliable,B,P\n"
        "E-0002,2026-10-02,vehicle,,ZA71 KXT,Hatchback,Silver,,,,,untested,C,C\n"
        "E-0003,2026-10-03,place,Cinder Bank Park,,,,,park,54.0312,0.9521,untested,C,C\n"
        "E-0004,2026-10-03,phone,,,,,07700 900123,,,,reliable,C,C\n"
    ),
    "intelligence_links": (
        "record_id,recorded_on,link_type,from_entity,to_entity,valid_from,valid_to,confirmed,source_record,"
        "source_evaluation,intelligence_assessment,handling_code\n"
        "L-0001,2026-10-04,owns_or_uses,E-0001,E-0002,2026-09-01,,Y,INT-7712,reliable,B,P\n"
        "L-0002,2026-10-04,owns_or_uses,E-0001,E-0004,2026-09-01,,N,INT-7713,untested,C,C\n"
    ),
}


def page(spec: FeedSpec) -> str:
    lines = [
        f"# {spec.title} (`{spec.code}`)",
        "",
        "<!-- Written by `openmash intelligence_feed_docs` from src/openmash/intelligence/feeds/spec.py. Do not edit. -->",
        "",
        spec.description,
        "",
        f"Sent by police and partner agencies, as a file (`openmash intelligence_import {spec.code} FILE --agency CODE`) "
        f"or to the API (`POST /api/v1/intelligence/{spec.code}`, JSON or CSV, with a token issued for the feed by "
        "`openmash feed_client_create`). Encoding, dates, row numbers, limits, 200/422 answers and the error "
        "report are as for every feed ([README.md](README.md)).",
        "",
        "## Columns",
        "",
        "| column | required | type | meaning | codes, limits, example |",
        "|---|---|---|---|---|",
    ]
    for field in spec.fields:
        lines.append(
            f"| `{field.name}` | {'yes' if field.required else 'no'} | {_cell(TYPE_WORDS[field.kind])} | "
            f"{_cell(field.description)} | {_cell(_limits(field))} |"
        )
    lines += ["", "## What the hub does with each row", ""]
    if spec is ENTITIES:
        lines += [
            "- Adds the entity to the intelligence picture, seen by intelligence analysts only. A vehicle is one "
            "vehicle however its registration is written (`ZA71 KXT`, `za71kxt`); a phone one phone however "
            "its number is (`+44 7700 900123`); a registration or number that is not one is refused with its field.",
            "- A **child** is found by exact NHS number (or unique pupil number) on the hub's records; if no "
            "single child holds it, the row is refused (`nhs_number`) for you to check.",
            "- Needed by kind: an adult or group needs `name`; a vehicle `registration`; a phone `phone_number`; "
            "an account `platform` and `handle`; a place `name` or `address` (coordinates within -90..90 and "
            "-180..180); a child `nhs_number` or `upn`.",
            "- Sent again unchanged: stored once. Sent with new content: a new version of the entity's "
            "details that points at the one it corrects; nothing is overwritten. A record_id cannot change "
            "kind (send a new record_id).",
        ]
    else:
        lines += [
            "- `from_entity` and `to_entity` are record_ids your agency has sent in `intelligence_entities`; a "
            "link to an entity not sent (yet) is refused with the field, so send entities first.",
            "- Which kinds a link may join is fixed (an adult `gave_gifts_to` a child; a child `made_to_introduce` "
            "a child; anything `present_at` a place...); another pairing is refused with its field.",
            "- `valid_from` (and `valid_to`, `recorded_on`) may not be in the future; `valid_to` not before "
            "`valid_from`; the grading must be 3x5x2.",
            "- `confirmed` Y is shown as a solid line, N or blank as dashed, until an analyst confirms or rejects "
            "it. Sent again with new content, it is stored as a correction of the link it replaces.",
        ]
    lines += ["", "## Example", "", "```csv", *EXAMPLES[spec.code].splitlines(), "```", ""]
    return "\n".join(lines)


def docs_write(directory: Path) -> list[Path]:
    written = []
    for code, spec in FEEDS.items():
        path = directory / f"{code}.md"
        path.write_text(page(spec), encoding="utf-8")
        written.append(path)
    return written

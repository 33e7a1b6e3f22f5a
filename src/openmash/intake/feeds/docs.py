"""docs/feeds/: one page per feed, written from the same specs that validate the rows.

`openmash feed_docs` rewrites the pages; a test fails if they are out of date.
"""

from __future__ import annotations

import json
from pathlib import Path

from openmash.intake.feeds.catalogue import FEEDS
from openmash.intake.feeds.read import BLOCK
from openmash.intake.feeds.spec import MAX_AGE_YEARS, MAX_TEXT, TYPE_WORDS, FeedSpec, FieldSpec

AGENCY_WORDS = {
    "police": "a police force",
    "nhs_trust": "an NHS trust",
    "school": "a school",
    "childrens_services": "the council's children's services",
}


def _limits(field: FieldSpec) -> str:
    parts: list[str] = []
    if field.choices:
        labels = field.choice_labels or {}
        parts.append(
            ", ".join(f"`{code}`" + (f" {labels[code]}" if code in labels else "") for code in field.choices)
        )
    if field.kind == "text":
        parts.append(f"up to {(field.max_length or MAX_TEXT):,} characters")
    if field.range:
        parts.append(f"{field.range[0]} to {field.range[1]}")
    if field.example:
        parts.append(f"e.g. `{field.example}`")
    return "; ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def feed_page(spec: FeedSpec, samples: Path) -> str:
    senders = " or ".join(AGENCY_WORDS.get(kind, kind) for kind in spec.agency_kinds)
    lines = [
        f"# {spec.title} (`{spec.code}`)",
        "",
        "<!-- Written by `openmash feed_docs` from src/openmash/intake/feeds/catalogue.py. Do not edit. -->",
        "",
        spec.description,
        "",
        f"Sent by {senders}, as a file (`openmash import {spec.code} FILE --agency CODE`) or to the API "
        f"(`POST /api/v1/feeds/{spec.code}`, JSON or CSV). The rules every feed shares (encoding, dates, "
        "row numbers, versions, errors, limits) are in [README.md](README.md).",
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
    lines += [
        "",
        "## What the hub does with each row",
        "",
        "- **The child:** linked by exact NHS number or unique pupil number when exactly one child on the "
        "hub's records holds it; otherwise kept as an unmatched identity and queued for review "
        "(`person_id` keeps your record and ours together from then on).",
        f"- **Contact:** {spec.contact_rule}",
        f"- **Warning signs:** {spec.signs_doc or 'none by itself.'}",
        f"- **Event date:** `{spec.event_date_field}` (used for windows and for the child's chronology).",
        "",
        "## Example",
        "",
        f"From [samples/{spec.code}.csv](samples/{spec.code}.csv) (and "
        f"[samples/{spec.code}.json](samples/{spec.code}.json)), generated from the synthetic borough:",
        "",
        "```csv",
    ]
    sample_csv = samples / f"{spec.code}.csv"
    if sample_csv.exists():
        lines += sample_csv.read_text(encoding="utf-8").splitlines()[:3]
    lines += ["```", "", "The same first record as JSON:", "", "```json"]
    sample_json = samples / f"{spec.code}.json"
    if sample_json.exists():
        first = json.loads(sample_json.read_text(encoding="utf-8"))["records"][:1]
        lines += json.dumps({"records": first}, indent=2, ensure_ascii=False).splitlines()
    lines += ["```", ""]
    return "\n".join(lines)


def readme() -> str:
    rows = "\n".join(
        f"| [`{code}`]({code}.md) | {spec.title} | {', '.join(spec.agency_kinds)} |"
        for code, spec in FEEDS.items()
    )
    return f"""# Agency feeds

<!-- Written by `openmash feed_docs` from src/openmash/intake/feeds/. Do not edit. -->

How agency systems send records to the hub: police, health, education and the council's own
contacts. Every feed has a page here with its columns, and a sample CSV and JSON file in
[samples/](samples/) generated from the synthetic borough (`openmash feed_samples --from-borough`).

| feed | what | sent by (agency kind) |
|---|---|---|
{rows}

## Two ways to send

**A file**, by whoever runs the hub:

```sh
openmash import police_missing missing-2026-11.csv --agency wrenford-police
```

It shows a progress bar, then a summary (rows read, stored, stored as new versions, already
held, refused, contacts sent to the hub, warning signs raised). Every refused row is written
to `FILE.errors.csv` (`--report PATH` to choose) as `row,field,reason`. Exit status: `0` every
row stored or already held; `1` some rows refused (the rest were stored); `2` the file was
refused as a whole, or the command was used wrongly. `.json` files are read as JSON, anything
else as CSV.

**The API**, by the agency's own system, with the token issued for it
(`openmash feed_client_create --agency CODE --name "System name" --feeds feed_a,feed_b`; only a
SHA-256 of the token is stored, so a lost token is revoked with `--revoke` and replaced):

```sh
curl -X POST https://HUB/api/v1/feeds/police_missing \\
  -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
  --data @samples/police_missing.json
```

The body is `{{"records": [{{...}}, ...]}}` (values may be strings, numbers, true/false or null) or a
CSV file with `Content-Type: text/csv`. At most 5,000 records and 2.5 MB per request. Answers:
`200` every record stored or already held; `422` some records (or the whole body) refused, with
`errors: [{{"row", "field", "reason"}}]`, every other record stored; `401` no or unknown token;
`403` the token may not send this feed; `404` no such feed; `413` too big; `415` another content
type. Never a `5xx` for anything a client can send (fuzzed with schemathesis in the test suite).
The OpenAPI document is at `/api/openapi.json`, with interactive documentation at `/api/docs`.

## Rules every feed shares

- **Encoding:** UTF-8 (a byte-order mark is fine). A file in another encoding (Windows-1252,
  Latin-1, UTF-16), a spreadsheet (`.xlsx`, `.xls`), a PDF or any other binary file is refused
  as a whole, with the reason and the line of the first bad byte; nothing from it is stored.
- **CSV:** comma-separated, values quoted with `"` when they contain commas, quotes or line
  breaks. The first row names the columns (any order, case and surrounding spaces ignored).
  Columns a feed does not know are kept in the stored payload but not used; a missing required
  column refuses the file. Blank lines are skipped.
- **Row numbers:** in a CSV file, the line where the row starts (the header is line 1), which
  is the spreadsheet row number unless a value spans lines. In JSON, the record's position in
  `records`, from 1. Problems with the whole body are reported on row 0.
- **Dates** are `YYYY-MM-DD`; **dates and times** are ISO 8601, `YYYY-MM-DDTHH:MM`, optionally
  with seconds and a UTC offset (`Z`, `+01:00`); without an offset they are UK local time.
  Dates before 1900 and events after today are refused. A **date of birth** is refused if it is in
  the future, after the event, or makes the person older than {MAX_AGE_YEARS} at the event.
- **NHS numbers** must be 10 digits with a valid check digit, **unique pupil numbers** 13
  characters with a valid check letter: a mistyped identifier would link a record to the wrong
  child, so the row is refused for the sender to correct.
- **Values** may not contain control characters (NUL, bell, escape...). Text columns have the
  lengths given on each page (at most {MAX_TEXT:,} characters).
- **Size:** files up to 2 GB by `openmash import` (`--max-mb` to change), JSON files up to 200 MB,
  read in {BLOCK // 1024 // 1024} MB blocks and stored in chunks, so memory stays flat.

## The same record twice, a changed record, an interrupted import

- Each record is keyed by the sending agency, the feed and your `record_id`. Its **original
  payload** is kept exactly as received, with the agency, batch and row it came in.
- Sent again with the same content (by file or API, CSV or JSON: `Y` and `true` are the same),
  it is **not stored again**. Sent with different content, it is stored as the **next version**;
  earlier versions are kept. Content that matches an earlier version is treated as a repeat;
  send `record_updated_at` to make a real change back to earlier content a new version.
- Rows are stored in chunks, each in one transaction. An import that is killed part-way has
  stored whole chunks only; **running the same file again** resumes the same batch and ends in
  exactly the state of one clean run (tested by killing a real import process).

## Warning signs

Rows that are warning signs in the practice reference raise a sign on the child's record, linked
back to the record (`source_type` `intake.FeedRecord`, `source_id` the stored version). They are
kept in an outbox in the import's own transactions and handed to the exploitation app after it
(`openmash import` does so at the end unless `--signs-later`; the API after its transaction
commits, on a short thread, or not at all with `OPENMASH_SIGNS_PUSH=worker`, when a separate
`openmash intake_signs_push --watch` process does it; `openmash intake_signs_push` empties the
outbox at any time):
`missing_repeated` (a third missing episode within 90 days), `sexual_health_repeat` (a second
sexual health presentation within 365 days), `ae_injury` (an A&E attendance with an injury),
`absence_persistent` (attendance below 90% over a period of at least 20 sessions; once per child
per school year) and `missing_education`. The rules are recomputed over all of a child's records
whenever one arrives, so the order rows arrive in does not matter. Records not yet matched to a
child raise their signs when they are matched.
"""


def feed_docs_write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / "README.md"]
    written[0].write_text(readme(), encoding="utf-8")
    for code, spec in FEEDS.items():
        path = directory / f"{code}.md"
        path.write_text(feed_page(spec, directory / "samples"), encoding="utf-8")
        written.append(path)
    return written

"""Turning a file or a request body into rows, or into one clear reason why it cannot be read.

A problem with the whole file (not text, not UTF-8, no header, missing columns, too
big) is a ``FileProblem`` and nothing is imported. A problem with one row is a
``RowError`` and the other rows carry on.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from openmash.intake.feeds.spec import FeedSpec, RowError

BLOCK = 1 << 20
# Magic numbers of the files people most often send by mistake instead of CSV.
_NOT_CSV = {
    b"PK\x03\x04": "a ZIP archive or an Excel .xlsx workbook",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls or Word document",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip-compressed file",
}


class FileProblem(Exception):
    """The whole file was refused; ``reason`` says why in words a data manager can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Header:
    columns: list[str]
    unknown: list[str]


def check_bytes(stream: IO[bytes], *, max_bytes: int, kind: str = "csv") -> int:
    """Read the whole stream once: size limit, not a binary file, valid UTF-8. Returns the size.

    Done before anything is stored, so a file that is wrong as a whole is refused whole
    rather than half-imported.
    """
    head = stream.read(4096)
    for magic, what in _NOT_CSV.items():
        if head.startswith(magic):
            raise FileProblem(
                f"This is {what}, not a {kind.upper()} file. Export the data as "
                f"{'CSV UTF-8 (comma delimited)' if kind == 'csv' else 'JSON'} and send it again."
            )
    if b"\x00" in head.split(b"\n", 1)[0]:
        # NUL bytes in the header line: UTF-16 text or a binary file. (A stray NUL in a data
        # row is that row's problem, reported as a row error.)
        raise FileProblem(
            "This file contains binary data (NUL bytes), so it is not a text file. "
            "If it is UTF-16 text, save it as CSV UTF-8 instead."
        )
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    size = 0
    lines = 1
    block = head
    while block:
        if size + len(block) > max_bytes:
            raise FileProblem(
                f"The file is larger than the {max_bytes:,}-byte limit. Split it into smaller files."
            )
        try:
            decoder.decode(block)
        except UnicodeDecodeError as error:
            line = lines + block[: error.start].count(b"\n")
            bad = block[error.start : error.start + 1].hex().upper()
            raise FileProblem(
                f"The file is not UTF-8 text: byte 0x{bad} on line {line:,} cannot be read "
                "(it is probably Windows-1252 or Latin-1). Save it as 'CSV UTF-8' and send it again. "
                "Nothing from this file was imported."
            ) from None
        lines += block.count(b"\n")
        size += len(block)
        block = stream.read(BLOCK)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise FileProblem(
            "The file ends part-way through a character, so it is not complete UTF-8 text."
        ) from None
    if size == 0:
        raise FileProblem("The file is empty.")
    return size


def _normalise(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def read_header(reader: Iterator[list[str]], spec: FeedSpec) -> Header:
    try:
        first = next(reader)
    except StopIteration:
        raise FileProblem("The file is empty: the first row must name the columns.") from None
    except csv.Error as error:
        raise FileProblem(f"The first row (the column names) cannot be read as CSV: {error}.") from None
    columns = [_normalise(name) for name in first]
    if columns and columns[0].startswith("\ufeff"):
        columns[0] = columns[0][1:]
    duplicates = sorted({name for name in columns if name and columns.count(name) > 1})
    if duplicates:
        raise FileProblem(f"These columns appear more than once: {', '.join(duplicates)}.")
    missing = [name for name in spec.required_columns if name not in columns]
    if missing:
        known = set(spec.columns)
        looks_like_data = not any(name in known for name in columns)
        hint = (
            " The first row must name the columns; it looks like data."
            if looks_like_data
            else f" The columns this feed needs are: {', '.join(spec.required_columns)}."
        )
        raise FileProblem(
            f"The file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}.{hint}"
        )
    unknown = [name for name in columns if name and name not in spec.field_map]
    return Header(columns=columns, unknown=unknown)


def csv_rows(
    text: IO[str], spec: FeedSpec
) -> tuple[Header, Iterator[tuple[int, Mapping[str, Any] | RowError]]]:
    """The header, then (row number, row dict or RowError) for each record.

    The row number is the line where the record starts (the header is line 1), which is
    the row number a spreadsheet shows unless a value spans lines.
    """
    reader = csv.reader(text, strict=False)
    header = read_header(reader, spec)

    def rows() -> Iterator[tuple[int, Mapping[str, Any] | RowError]]:
        width = len(header.columns)
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield start, RowError(start, "", f"row {start} cannot be read as CSV: {error}")
                continue
            if not values or (len(values) == 1 and not values[0].strip()):
                continue  # a blank line
            if len(values) != width:
                yield (
                    start,
                    RowError(
                        start,
                        "",
                        f"row {start} has {len(values)} values but the header names {width} columns",
                    ),
                )
                continue
            yield start, dict(zip(header.columns, values, strict=True))

    return header, rows()


def csv_rows_from_bytes(
    data: bytes, spec: FeedSpec
) -> tuple[Header, Iterator[tuple[int, Mapping[str, Any] | RowError]]]:
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    return csv_rows(text, spec)


def json_records(
    data: bytes, spec: FeedSpec
) -> tuple[Header, Iterator[tuple[int, Mapping[str, Any] | RowError]]]:
    """A JSON file: ``{"records": [{...}, ...]}`` (or a bare list). Record n is row n, from 1."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise FileProblem(f"The file is not valid JSON: {error}.") from None
    records = document.get("records") if isinstance(document, dict) else document
    if not isinstance(records, list):
        raise FileProblem('The JSON must be an object with a "records" list, or a list of records.')
    return Header(columns=spec.columns, unknown=[]), json_items(records, spec)


def json_items(records: list[Any], spec: FeedSpec) -> Iterator[tuple[int, Mapping[str, Any] | RowError]]:
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            yield index, RowError(index, "", f"record {index} is not a JSON object")
            continue
        yield index, record

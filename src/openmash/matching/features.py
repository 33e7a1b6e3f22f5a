# ruff: noqa: S608  (SQL over DuckDB tables whose names come from this code, never from input)
"""What the model compares: agency identities turned into normalised columns.

One SQL statement (DuckDB) does it for a million rows and for the single identity that
arrives through intake, so the two paths can never disagree. The Spark backend is given
the same prepared table.

Columns
-------
``unique_id``            the AgencyIdentity's id (text)
``agency``               the holding agency's id (text): kept for reports, not compared
``forename``             letters only, lower case, accents written plainly (Zoë, zoe)
``forename_canon``       the forename's nickname group (nicknames.py), or the forename
``middle_name``          the first middle name, normalised
``surname``              letters only, lower case
``surnames``             the surname, every earlier or other surname, and each word of a double or
                         hyphenated one, as a list
``other_surname``        the first earlier or other surname (a blocking key)
``surname_first``, ``surname_last``  the first and last word of a double or hyphenated surname
``forename_initial``     the first letter of the forename's nickname group (a blocking key)
``dob``                  YYYY-MM-DD text; ``dob_swapped``: with day and month exchanged
``dob_year``, ``dob_md`` year as an integer, and MM-DD
``sex``                  F, M or I; null when not known
``postcode``             upper case without spaces; ``postcode_sector``, ``postcode_district``
``address_line``         the first line of the address (number and street), normalised
``nhs_number``, ``upn``  null when missing
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import duckdb
import pyarrow as pa

from .nicknames import canonical_forms

RAW_COLUMNS: tuple[str, ...] = (
    "id",
    "agency_id",
    "forename",
    "middle_names",
    "surname",
    "other_surnames",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "nhs_number",
    "unique_pupil_number",
)

RAW_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("agency_id", pa.string()),
        ("forename", pa.string()),
        ("middle_names", pa.string()),
        ("surname", pa.string()),
        ("other_surnames", pa.string()),
        ("date_of_birth", pa.date32()),
        ("sex", pa.string()),
        ("address", pa.string()),
        ("postcode", pa.string()),
        ("nhs_number", pa.string()),
        ("unique_pupil_number", pa.string()),
    ]
)

FEATURE_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "agency",
    "forename",
    "forename_canon",
    "middle_name",
    "surname",
    "surnames",
    "other_surname",
    "surname_first",
    "surname_last",
    "forename_initial",
    "dob",
    "dob_swapped",
    "dob_year",
    "dob_md",
    "sex",
    "postcode",
    "postcode_sector",
    "postcode_district",
    "address_line",
    "nhs_number",
    "upn",
)


def _folded(expr: str) -> str:
    """Lower case with accents and special letters written in plain Latin (Zoë, Zoe; Søren, Soren)."""
    text = f"strip_accents(lower(coalesce({expr}, '')))"
    text = f"replace(replace(replace({text}, 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe')"
    return f"translate({text}, 'øłđħıþ', 'oldhit')"


def _letters(expr: str) -> str:
    return f"nullif(regexp_replace({_folded(expr)}, '[^a-z]', '', 'g'), '')"


def _tokens(expr: str) -> str:
    """The name's words (split at spaces, hyphens, commas and slashes), letters only, two or more each."""
    return (
        f"list_filter(list_transform(regexp_split_to_array({_folded(expr)}, '[ ,;/-]+'), "
        "lambda x: regexp_replace(x, '[^a-z]', '', 'g')), lambda x: length(x) >= 2)"
    )


FEATURE_SQL = f"""
with raw as (
    select *, {_letters("forename")} as fn,
           {_letters("surname")} as sn,
           list_filter(
               list_transform(string_split(regexp_replace({_folded("other_surnames")},
                   '[^a-z ,;/]', '', 'g'), ' '), lambda x: regexp_replace(x, '[^a-z]', '', 'g')),
               lambda x: x <> '') as others,
           {_tokens("surname")} as sn_tokens,
           {_tokens("other_surnames")} as other_tokens,
           nullif(upper(replace(coalesce(postcode, ''), ' ', '')), '') as pc
    from {{source}}
)
select
    id::varchar as unique_id,
    agency_id::varchar as agency,
    fn as forename,
    coalesce(nick.canonical, fn) as forename_canon,
    {_letters("split_part(trim(coalesce(middle_names, '')), ' ', 1)")} as middle_name,
    sn as surname,
    list_distinct(list_concat(case when sn is null then [] else [sn] end, others, sn_tokens, other_tokens))
        as surnames,
    others[1] as other_surname,
    sn_tokens[1] as surname_first,
    sn_tokens[-1] as surname_last,
    left(coalesce(nick.canonical, fn), 1) as forename_initial,
    strftime(date_of_birth, '%Y-%m-%d') as dob,
    case when day(date_of_birth) <= 12 and day(date_of_birth) <> month(date_of_birth)
         then strftime(date_of_birth, '%Y') || '-' || lpad(day(date_of_birth)::varchar, 2, '0')
              || '-' || lpad(month(date_of_birth)::varchar, 2, '0') end as dob_swapped,
    year(date_of_birth)::integer as dob_year,
    strftime(date_of_birth, '%m-%d') as dob_md,
    case when upper(sex) in ('F', 'M', 'I') then upper(sex) end as sex,
    pc as postcode,
    case when length(pc) >= 5 then left(pc, length(pc) - 2) end as postcode_sector,
    case when length(pc) >= 5 then left(pc, length(pc) - 3) end as postcode_district,
    nullif(regexp_replace(regexp_replace(lower(split_part(coalesce(address, ''), ',', 1)),
        '[^a-z0-9 ]', '', 'g'), '\\s+', ' ', 'g'), '') as address_line,
    nullif(regexp_replace(coalesce(nhs_number, ''), '[^0-9]', '', 'g'), '') as nhs_number,
    nullif(upper(trim(coalesce(unique_pupil_number, ''))), '') as upn
from raw
left join __openmash_nicknames nick on nick.name = raw.fn
"""


def nickname_table() -> pa.Table:
    forms = canonical_forms()
    return pa.table({"name": list(forms), "canonical": list(forms.values())})


def connect(memory_limit: str | None = None, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the nickname table registered."""
    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.register("__openmash_nicknames_arrow", nickname_table())
    con.execute("CREATE OR REPLACE TABLE __openmash_nicknames AS SELECT * FROM __openmash_nicknames_arrow")
    con.unregister("__openmash_nicknames_arrow")
    return con


def prepare(con: duckdb.DuckDBPyConnection, raw: pa.Table, *, into: str = "identities") -> str:
    """Turn a raw identity table (RAW_SCHEMA) into the feature table `into`; returns its name."""
    con.register("__openmash_raw", raw)
    con.execute(f"CREATE OR REPLACE TABLE {into} AS {FEATURE_SQL.format(source='__openmash_raw')}")
    con.unregister("__openmash_raw")
    return into


def raw_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Raw identity rows (dicts with RAW_COLUMNS) as an Arrow table."""
    columns: dict[str, list[Any]] = {name: [] for name in RAW_COLUMNS}
    for row in rows:
        for name in RAW_COLUMNS:
            value = row.get(name)
            if name in {"id", "agency_id"} and value is not None:
                value = str(value)
            columns[name].append(value)
    return pa.table(columns, schema=RAW_SCHEMA)


def features_of(con: duckdb.DuckDBPyConnection, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The feature rows of a few identities (the match-on-arrival path), as dicts."""
    con.register("__openmash_raw_one", raw_table(rows))
    try:
        result = con.sql(FEATURE_SQL.format(source="__openmash_raw_one")).to_arrow_table()
    finally:
        con.unregister("__openmash_raw_one")
    return result.to_pylist()

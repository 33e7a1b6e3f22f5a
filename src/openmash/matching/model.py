# ruff: noqa: S608  (SQL over DuckDB tables whose names come from this code, never from input)
"""The Fellegi-Sunter model of agency identities, declared, trained and explained with Splink.

Comparisons (most to least specific level within each):

- forename: exact; same nickname group (Bill/William, Kayleigh/Kaylee); Jaro-Winkler ≥ 0.92;
  one's forename is the other's middle name; Jaro-Winkler ≥ 0.80; anything else.
- surname: exact; one's surname is among the other's earlier or other surnames; Jaro-Winkler
  ≥ 0.92; at most two edits; anything else.
- date of birth: exact; day and month swapped; year off by one; one character off; within
  a year; anything else.
- sex; postcode and address (same address and postcode, same postcode, same street address
  with a different postcode, same postcode sector, same district); NHS number; unique pupil
  number. A missing value on either side is a null level: no evidence either way.

Blocking rules keep recall high: identifiers, date of birth with the canonical forename or
with any surname (current or earlier, both ways), canonical forename with surname or
postcode, and day/month-swapped dates of birth.

Training: the prior from strict deterministic rules, u from random sampling, m by
expectation maximisation over two blocking rules (each estimates what the other cannot).
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator

MODEL_NAME = "openmash-identities"


SWAPPED_NAMES = "forename_l = surname_r AND surname_l = forename_r AND forename_l <> surname_l"


def _custom(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")


COMPARISON_LABELS = {
    "forename": "Forename",
    "middle_name": "Middle name",
    "surname": "Surname",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "address": "Postcode and address",
    "nhs_number": "NHS number",
    "upn": "Unique pupil number",
}


def _same_or_not(column: str, output: str, description: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=output,
        comparison_description=description,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column).configure(label_for_charts="Same"),
            cll.ElseLevel(),
        ],
    )


def comparisons() -> list[cl.CustomComparison]:
    return [
        cl.CustomComparison(
            output_column_name="forename",
            comparison_description="Forename",
            comparison_levels=[
                cll.NullLevel("forename"),
                cll.ExactMatchLevel("forename").configure(
                    label_for_charts="Exact", tf_adjustment_column="forename", tf_adjustment_weight=1.0
                ),
                _custom(SWAPPED_NAMES, "Forename and surname swapped"),
                _custom("forename_canon_l = forename_canon_r", "Same name, other form (nickname)"),
                cll.JaroWinklerLevel("forename", 0.92).configure(label_for_charts="Very similar"),
                _custom(
                    "least(length(forename_l), length(forename_r)) >= 3 AND "
                    "(starts_with(forename_l, forename_r) OR starts_with(forename_r, forename_l))",
                    "One is the start of the other (Alex, Alexander)",
                ),
                _custom(
                    "forename_l = middle_name_r OR middle_name_l = forename_r",
                    "Forename is the other's middle name",
                ),
                cll.JaroWinklerLevel("forename", 0.8).configure(label_for_charts="Similar"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="middle_name",
            comparison_description="Middle name",
            comparison_levels=[
                cll.NullLevel("middle_name"),
                cll.ExactMatchLevel("middle_name").configure(label_for_charts="Exact"),
                cll.JaroWinklerLevel("middle_name", 0.9).configure(label_for_charts="Very similar"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="surname",
            comparison_description="Surname",
            comparison_levels=[
                cll.NullLevel("surname"),
                cll.ExactMatchLevel("surname").configure(
                    label_for_charts="Exact", tf_adjustment_column="surname", tf_adjustment_weight=1.0
                ),
                _custom(SWAPPED_NAMES, "Forename and surname swapped"),
                cll.ArrayIntersectLevel("surnames", 1).configure(
                    label_for_charts="Share a surname (earlier, other, or part of a double one)"
                ),
                cll.JaroWinklerLevel("surname", 0.92).configure(label_for_charts="Very similar"),
                cll.LevenshteinLevel("surname", 2).configure(label_for_charts="At most two edits"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="date_of_birth",
            comparison_description="Date of birth",
            comparison_levels=[
                cll.NullLevel("dob"),
                cll.ExactMatchLevel("dob").configure(label_for_charts="Exact"),
                _custom("dob_l = dob_swapped_r", "Day and month swapped"),
                _custom("dob_md_l = dob_md_r AND abs(dob_year_l - dob_year_r) = 1", "Year off by one"),
                cll.LevenshteinLevel("dob", 1).configure(label_for_charts="One character off"),
                _custom("abs(dob_year_l - dob_year_r) <= 1", "Within a year or so"),
                cll.ElseLevel(),
            ],
        ),
        _same_or_not("sex", "sex", "Sex"),
        cl.CustomComparison(
            output_column_name="address",
            comparison_description="Postcode and address",
            comparison_levels=[
                _custom(
                    "(postcode_l IS NULL AND address_line_l IS NULL) "
                    "OR (postcode_r IS NULL AND address_line_r IS NULL)",
                    "Missing",
                ).configure(is_null_level=True),
                _custom(
                    "postcode_l = postcode_r AND address_line_l = address_line_r",
                    "Same address and postcode",
                ),
                _custom("postcode_l = postcode_r", "Same postcode, other address"),
                _custom("address_line_l = address_line_r", "Same street address, other postcode"),
                _custom("postcode_sector_l = postcode_sector_r", "Same postcode sector"),
                _custom("postcode_district_l = postcode_district_r", "Same postcode district"),
                cll.ElseLevel(),
            ],
        ),
        _same_or_not("nhs_number", "nhs_number", "NHS number"),
        _same_or_not("upn", "upn", "Unique pupil number"),
    ]


# Blocking keys: (name, columns on one side, columns on the other side or None when the same).
# Two identities become a candidate pair when any key agrees; the batch's blocking rules and
# match on arrival's key lookups are both made from this one list.
BLOCKING_KEYS: list[tuple[str, tuple[str, ...], tuple[str, ...] | None]] = [
    ("nhs", ("nhs_number",), None),
    ("upn", ("upn",), None),
    ("dob_forename", ("dob", "forename_canon"), None),
    ("dob_surname", ("dob", "surname"), None),
    ("forename_surname", ("forename_canon", "surname"), None),
    ("postcode_forename", ("postcode", "forename_canon"), None),
    ("postcode_dob", ("postcode", "dob"), None),
    ("dob_earlier_surname", ("dob", "other_surname"), ("dob", "surname")),
    ("swapped_dob_forename", ("dob_swapped", "forename_canon"), ("dob", "forename_canon")),
    ("forename_birthday_district", ("forename_canon", "dob_md", "postcode_district"), None),
    ("address_forename", ("address_line", "forename_canon"), None),
    # Moved with a new or double surname, names written the other way round, a nickname the
    # table does not know, a date of birth mistyped: the keys a child keeps through each.
    ("dob_surname_first", ("dob", "surname_first"), None),
    ("dob_surname_last", ("dob", "surname_last"), None),
    ("names_swapped", ("dob", "forename_canon"), ("dob", "surname")),
    ("surname_postcode", ("surname", "postcode"), None),
    ("surname_birthday", ("surname", "dob_md"), None),
    ("dob_initial", ("dob", "forename_initial"), None),
    ("swapped_dob_surname", ("dob_swapped", "surname"), ("dob", "surname")),
]


def blocking_rules() -> list[BlockingRuleCreator | str]:
    rules: list[BlockingRuleCreator | str] = []
    for _, one, other in BLOCKING_KEYS:
        if other is None:
            rules.append(block_on(*one))
            continue
        for left, right in ((one, other), (other, one)):
            rules.append(" AND ".join(f"l.{a} = r.{b}" for a, b in zip(left, right, strict=True)))
    return rules


def settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=list[Any](comparisons()),
        blocking_rules_to_generate_predictions=list[Any](blocking_rules()),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        additional_columns_to_retain=["agency"],
    )


DETERMINISTIC_RULES = [
    "l.nhs_number = r.nhs_number AND l.dob = r.dob",
    "l.forename = r.forename AND l.surname = r.surname AND l.dob = r.dob AND l.postcode = r.postcode",
]
EM_RULES = [block_on("dob"), block_on("nhs_number")]


@dataclass
class TrainingSummary:
    """What a trained model was trained on and how long it took: saved with the model."""

    records: int
    agencies: int
    u_max_pairs: float
    em_max_pairs: float
    em_rules: list[str]
    deterministic_rules: list[str]
    deterministic_recall: float
    completeness: dict[str, float]
    seconds: dict[str, float] = field(default_factory=dict)
    source: str = ""
    labels: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _completeness(con: Any, table: str) -> dict[str, float]:
    columns = ["forename", "surname", "dob", "sex", "postcode", "address_line", "nhs_number", "upn"]
    selects = ", ".join(f"avg(({c} is not null)::int) as {c}" for c in columns)
    row = con.execute(f"select count(*), count(distinct agency), {selects} from {table}").fetchall()[0]
    return {
        "records": row[0],
        "agencies": row[1],
        **{c: round(float(v or 0), 4) for c, v in zip(columns, row[2:], strict=True)},
    }


def train(
    linker: Any,
    *,
    con: Any,
    table: str,
    u_max_pairs: float = 5e6,
    em_max_pairs: float = 2e6,
    deterministic_recall: float = 0.8,
    seed: int = 42,
    source: str = "",
    progress: Any = None,
) -> TrainingSummary:
    """Train `linker` in place: prior, u by random sampling, m by EM. Returns the summary, whose
    `notes` say in plain words what could not be estimated and what was done instead."""
    seconds: dict[str, float] = {}
    capture = _SplinkWarnings()
    splink_logger = logging.getLogger("splink")
    splink_logger.addHandler(capture)
    previous = splink_logger.propagate
    splink_logger.propagate = False

    def step(name: str, fn: Any) -> None:
        started = time.perf_counter()
        fn()
        seconds[name] = round(time.perf_counter() - started, 2)
        if progress is not None:
            progress(name)

    step(
        "prior",
        lambda: linker.training.estimate_probability_two_random_records_match(
            DETERMINISTIC_RULES, recall=deterministic_recall
        ),
    )
    step("u", lambda: linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed))
    try:
        for index, rule in enumerate(EM_RULES):
            step(
                f"em_{index + 1}",
                lambda rule=rule: linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, max_pairs=em_max_pairs
                ),
            )
    finally:
        splink_logger.removeHandler(capture)
        splink_logger.propagate = previous
    stats = _completeness(con, table)
    return TrainingSummary(
        records=int(stats.pop("records")),
        agencies=int(stats.pop("agencies")),
        u_max_pairs=u_max_pairs,
        em_max_pairs=em_max_pairs,
        em_rules=[json.dumps(rule.get_blocking_rule("duckdb").blocking_rule_sql) for rule in EM_RULES],
        deterministic_rules=list(DETERMINISTIC_RULES),
        deterministic_recall=deterministic_recall,
        completeness=stats,
        seconds=seconds,
        source=source,
        notes=capture.plain_words(),
    )


_NOT_OBSERVED = re.compile(r"Level (?P<level>.+) on comparison (?P<comparison>\S+) not observed in dataset, "
                           r"unable to train (?P<which>[mu]) value")  # fmt: skip


class _SplinkWarnings(logging.Handler):
    """Collects what Splink warns about while training, to say it in plain words."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def plain_words(self) -> list[str]:
        notes: list[str] = []
        for message in dict.fromkeys(self.messages):
            found = _NOT_OBSERVED.search(message.replace("\n", " "))
            if found is None:
                notes.append("Splink said: " + " ".join(message.replace("WARNING:", "").split()))
                continue
            level, which = found["level"], found["which"]
            comparison = COMPARISON_LABELS.get(found["comparison"], found["comparison"])
            if which == "m":
                notes.append(
                    f"{comparison}, '{level}': none of the pairs used to learn how true matches look "
                    f"showed this, so how often a true match shows it could not be estimated. It was set "
                    f"to the floor (1 in {round(1 / M_FLOOR):,}), so this level counts as evidence against "
                    "a match rather than being left out."
                )
            else:
                notes.append(
                    f"{comparison}, '{level}': no random pair of records showed this, so how often two "
                    f"different children show it could not be estimated. It was set to the floor (1 in "
                    f"{round(1 / U_FLOOR):,}), which makes it strong evidence for a match."
                )
        return notes


def probability(weight: float) -> float:
    return 1.0 / (1.0 + 2.0 ** (-weight))


def weight(probability_: float) -> float:
    probability_ = min(max(probability_, 1e-15), 1 - 1e-15)
    return math.log2(probability_ / (1 - probability_))


# No level may claim a true match never shows it: a real record can hold any mistake once.
M_FLOOR = 1e-4
U_FLOOR = 1e-6


def regularise(model_dict: dict[str, Any]) -> dict[str, Any]:
    """Give every level an m and u probability, none below the floors, each comparison's m summing to 1.

    EM cannot estimate a level its blocking never shows (a date of birth that differs
    completely, among pairs that share an NHS number); Splink would then use a neutral
    default, which lets two siblings of the same name at the same address look alike.
    """
    result = json.loads(json.dumps(model_dict))
    for comparison in result["comparisons"]:
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        for key, floor in (("m_probability", M_FLOOR), ("u_probability", U_FLOOR)):
            values = [max(float(level.get(key) or 0.0), floor) for level in levels]
            total = sum(values)
            for level, value in zip(levels, values, strict=True):
                level[key] = value / total
    return result


def level_weights(model_dict: dict[str, Any]) -> dict[str, list[tuple[str, float]]]:
    """comparison -> [(level label, match weight in bits)], for the model page and the summary."""
    out: dict[str, list[tuple[str, float]]] = {}
    for comparison in model_dict["comparisons"]:
        rows = []
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            bits = math.log2(m / u) if m and u else 0.0
            rows.append((str(level.get("label_for_charts") or level.get("sql_condition")), round(bits, 2)))
        out[str(comparison["output_column_name"])] = rows
    return out


def level_value(splink_model: dict[str, Any], comparison: str, label: str) -> int | None:
    """The gamma value Splink gives the level of `comparison` labelled `label` (else is 0)."""
    for item in splink_model["comparisons"]:
        if item["output_column_name"] != comparison:
            continue
        levels = [level for level in item["comparison_levels"] if not level.get("is_null_level")]
        for index, level in enumerate(levels):
            if level.get("label_for_charts") == label:
                return len(levels) - 1 - index
    return None


def own_details_sql(splink_model: dict[str, Any]) -> str:
    """SQL over a scored pair's gamma columns: true when the child's own details allow a link
    without a person (ADR 0036).

    Shared-household details (surname, address, postcode) say where a child lives, not who
    they are: siblings and twins share them. A pair is linked automatically only when a
    national identifier agrees, or when neither the forename nor the date of birth says these
    are two children: the forename agrees in some form (missing is no evidence), and the date
    of birth agrees, or differs only as a slip of the pen would (day and month swapped, a year
    off, one character), or is missing. Anything else goes to a person, whatever its weight.
    """
    same_nhs = level_value(splink_model, "nhs_number", "Same")
    same_upn = level_value(splink_model, "upn", "Same")
    vague_dob = level_value(splink_model, "date_of_birth", "Within a year or so")
    identifier = " or ".join(
        f"gamma_{column} = {value}"
        for column, value in (("nhs_number", same_nhs), ("upn", same_upn))
        if value is not None
    )
    dob_values = ", ".join(str(v) for v in (0, vague_dob) if v is not None)
    own = f"(gamma_forename <> 0 and gamma_date_of_birth not in ({dob_values}))"
    return f"(({identifier}) or {own})" if identifier else own


# Bits more a pair needs when nothing but names and a date of birth agree (no identifier, no
# shared address or postcode): how much names say then rests on name frequencies alone, which
# differ between communities and are not independent of each other (ADR 0036).
UNCORROBORATED_MARGIN = 2.0


def corroborated_sql(splink_model: dict[str, Any]) -> str:
    """SQL true when an identifier or the place agrees (same address, postcode or street)."""
    terms = []
    for column in ("nhs_number", "upn"):
        value = level_value(splink_model, column, "Same")
        if value is not None:
            terms.append(f"gamma_{column} = {value}")
    places = [
        level_value(splink_model, "address", label)
        for label in (
            "Same address and postcode",
            "Same postcode, other address",
            "Same street address, other postcode",
        )
    ]
    values = ", ".join(str(v) for v in places if v is not None)
    if values:
        terms.append(f"gamma_address in ({values})")
    return f"({' or '.join(terms)})" if terms else "false"


def auto_link_sql(splink_model: dict[str, Any] | None, upper: float) -> str:
    """SQL true for a scored pair that links without a person: at or above the upper threshold,
    the child's own details allow it (`own_details_sql`), and either something beyond names and
    date of birth agrees or the weight clears the threshold by UNCORROBORATED_MARGIN."""
    weight = f"match_weight >= {float(upper)}"
    if not splink_model:
        return f"({weight})"
    strong = f"match_weight >= {float(upper) + UNCORROBORATED_MARGIN}"
    return (
        f"({weight} and {own_details_sql(splink_model)} and ({corroborated_sql(splink_model)} or {strong}))"
    )

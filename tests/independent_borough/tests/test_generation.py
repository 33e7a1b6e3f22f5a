"""The independent borough's files: complete truth, the same files from the same seed, the
documented noise measured back from the files, and the people it was asked to contain."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from tests.independent_borough import tables
from tests.independent_borough.agencies import AGENCIES, COVERAGE
from tests.independent_borough.distort import RATES
from tests.independent_borough.generate import generate
from tests.independent_borough.measure import measure
from tests.independent_borough.population import POPULATION_RATES

README = Path(__file__).resolve().parents[1] / "README.md"
ROOT = Path(__file__).resolve().parents[3]
TRUTH_COLUMNS = {"child_id", "household_id", "twin_of", "namesake_of", "tags", "heritage"}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_same_seed_writes_the_same_files_and_another_seed_does_not(tmp_path: Path) -> None:
    first = generate(seed=5, children=150, out=tmp_path / "a")
    generate(seed=5, children=150, out=tmp_path / "b")
    generate(seed=6, children=150, out=tmp_path / "c")
    a, b, c = (_digests(tmp_path / name) for name in "abc")
    assert a == b
    assert set(a) == set(c)
    assert all(a[name] != c[name] for name in a if name.startswith("feeds/"))
    assert sum(first.rows.values()) > 150


def test_the_command_writes_the_same_files_in_another_process(tmp_path: Path) -> None:
    """Run as `python -m tests.independent_borough` with another hash seed: nothing depends on set order."""
    generate(seed=8, children=120, out=tmp_path / "here")
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.independent_borough", "--seed", "8", "--children", "120",
         "--out", str(tmp_path / "there"), "--no-progress"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "education_attendance.csv" in done.stdout and "rows a child" in done.stdout
    assert _digests(tmp_path / "here") == _digests(tmp_path / "there")


def test_the_truth_names_the_child_of_every_row_and_is_kept_out_of_the_feeds(borough) -> None:
    out, result = borough
    truth = {(row["file"], row["row"]): row for row in _read(out / "truth" / "records.csv")}
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    children = {row["child_id"] for row in _read(out / "truth" / "children.csv")}
    rows = 0
    for agency in AGENCIES:
        path = out / "feeds" / f"{agency.feed}.csv"
        feed_rows = _read(path)
        header = set(feed_rows[0])
        assert not header & TRUTH_COLUMNS, f"{path.name} carries truth columns"
        assert len({row["record_id"] for row in feed_rows}) == len(feed_rows), "record_id repeated"
        for line, row in enumerate(feed_rows, start=2):
            record = truth[(path.name, str(line))]
            assert (record["agency"], record["feed"], record["record_id"]) == (
                agency.code,
                agency.feed,
                row["record_id"],
            )
            assert record["child_id"] in children
            owners[(agency.code, row["person_id"])].add(record["child_id"])
        assert len(feed_rows) == result.rows[agency.code]
        rows += len(feed_rows)
    assert rows == len(truth)
    assert all(len(ids) == 1 for ids in owners.values()), "a person_id was reused for another child"
    feeds = {p.name for p in (out / "feeds").iterdir()}
    assert feeds == {f"{agency.feed}.csv" for agency in AGENCIES}


def test_about_two_and_a_half_rows_a_child_with_uneven_coverage(borough) -> None:
    out, result = borough
    assert 2.3 <= sum(result.rows.values()) / result.children <= 2.8
    agencies_of: dict[str, set[str]] = defaultdict(set)
    for record in _read(out / "truth" / "records.csv"):
        agencies_of[record["child_id"]].add(record["agency"])
    spread = Counter(len(found) for found in agencies_of.values())
    assert spread[1] > 0.3 * len(agencies_of), spread
    assert spread[2] > 0 and spread[3] > 0 and spread[4] > 0, spread
    assert len(agencies_of) < result.children  # some children are known to none of them
    assert (
        result.rows["thornmere-schools"]
        > result.rows["thornmere-hospitals"]
        > result.rows["thornmere-council"]
        > result.rows["northvale-police"]
    )


def test_every_documented_rate_is_measured_back_from_the_files_within_tolerance(borough) -> None:
    out, _ = borough
    rates = measure(out)
    keys = {rate.key for rate in rates}
    assert set(RATES) <= keys, set(RATES) - keys
    assert {"twin_births", "household_moves", "care_entry", "new_relationship", "namesakes"} <= keys
    off = [rate.line() for rate in rates if not rate.ok]
    assert not off, "\n".join(off)


def test_measuring_notices_a_rate_that_is_not_what_is_documented(borough) -> None:
    """The measurement can fail: pretend the documented rates were different."""
    out, _ = borough
    rates = {rate.key: rate for rate in measure(out)}
    for key in (
        "nickname_otherwise",
        "surname_last_part",
        "household_moves",
        "thornmere-schools.missing.nhs_number",
    ):
        rate = rates[key]
        rate.documented = rate.documented * 3 if rate.documented < 0.5 else rate.documented / 2
        assert not rate.ok, rate.line()


def test_twins_siblings_and_namesakes_are_there(borough) -> None:
    out, _ = borough
    children = {row["child_id"]: row for row in _read(out / "truth" / "children.csv")}
    twins = [row for row in children.values() if row["twin_of"]]
    assert twins
    for row in twins:
        other = children[row["twin_of"]]
        assert other["twin_of"] == row["child_id"]
        assert (other["household_id"], other["date_of_birth"], other["address"]) == (
            row["household_id"],
            row["date_of_birth"],
            row["address"],
        )
        family = [tables.surname_family_form(r["surname"]) or r["surname"] for r in (row, other)]
        assert family[0] == family[1], (row["surname"], other["surname"])
        assert (other["calling_name"] or other["forename"]) != (row["calling_name"] or row["forename"])
    namesakes = [row for row in children.values() if row["namesake_of"]]
    assert namesakes
    for row in namesakes:
        other = children[row["namesake_of"]]
        assert (other["forename"], other["surname"], other["date_of_birth"]) == (
            row["forename"],
            row["surname"],
            row["date_of_birth"],
        )
        assert other["household_id"] != row["household_id"]
    households: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in children.values():
        households[row["household_id"]].append(row)
    patterned = Counter()
    for members in households.values():
        pattern = members[0]["household_pattern"]
        singles = [m for m in members if not m["twin_of"]]
        assert len({m["date_of_birth"] for m in singles}) == len(singles), "siblings born the same day"
        if pattern == "initial":
            assert len({m["forename"][0] for m in members}) == 1
        if pattern == "muhammad":
            sons = [m for m in members if m["sex"] == "M"]
            assert all(m["calling_name"] for m in sons) and len({m["forename"] for m in sons}) <= 1
        patterned[pattern] += len(members) > 1
    assert patterned["initial"] and patterned["muhammad"]


def test_names_come_from_many_traditions_with_diacritics(borough) -> None:
    out, _ = borough
    children = _read(out / "truth" / "children.csv")
    heritages = Counter(row["heritage"] for row in children)
    assert len(heritages) == 16
    accented = [
        row["forename"] + " " + row["surname"]
        for row in children
        if not (row["forename"] + row["surname"]).isascii()
    ]
    assert len(accented) > 0.03 * len(children)
    rows = _read(out / "feeds" / "health_ae.csv")
    assert any(not row["surname"].isascii() for row in rows)
    assert any(re.search(r"oe|ue", row["surname"]) for row in rows)


def test_each_deliberately_bad_field_is_listed_and_no_row_has_two(borough) -> None:
    out, _ = borough
    expected = _read(out / "truth" / "expected_errors.csv")
    assert expected
    per_row = Counter((row["file"], row["row"]) for row in expected)
    assert max(per_row.values()) == 1
    assert {row["field"] for row in expected} == {"nhs_number", "upn", "date_of_birth"}
    tags = {(r["file"], r["row"]): r["tags"].split() for r in _read(out / "truth" / "records.csv")}
    deliberate = {
        "nhs_invalid": "nhs_number",
        "upn_invalid": "upn",
        "dob_bad_future": "date_of_birth",
        "dob_bad_impossible": "date_of_birth",
        "dob_bad_too_old": "date_of_birth",
    }
    tagged = {(key, deliberate[tag]) for key, found in tags.items() for tag in found if tag in deliberate}
    listed = {((row["file"], row["row"]), row["field"]) for row in expected}
    assert listed == tagged


def test_the_readme_documents_every_rate_the_generator_uses() -> None:
    text = README.read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `([a-z_.]+)` \| ([0-9.]+) \|", text, flags=re.MULTILINE))
    for key, value in {**RATES, **POPULATION_RATES, **COVERAGE}.items():
        assert key in documented, f"README.md does not document {key}"
        assert float(documented[key]) == value, f"README.md says {key} = {documented[key]}, code {value}"
    for agency in AGENCIES:
        assert agency.code in text


def test_the_manifest_says_what_to_create_and_import(borough) -> None:
    out, result = borough
    manifest = json.loads((out / "truth" / "manifest.json").read_text())
    assert manifest["children"] == result.children
    assert date.fromisoformat(manifest["as_of"]) <= date.today()
    assert [(a["code"], a["kind"], a["feed"]) for a in manifest["agencies"]] == [
        (a.code, a.kind, a.feed) for a in AGENCIES
    ]

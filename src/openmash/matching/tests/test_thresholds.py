"""Thresholds from reviewers' decisions on a random sample (ADR 0039)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from openmash.accounts.actor import Actor
from openmash.accounts.roles import Role
from openmash.matching import thresholds
from openmash.matching.models import Decision, MatchModel, ReviewDecision, ReviewPair, ReviewSource
from tests.factories import AgencyFactory, AgencyIdentityFactory


def test_the_curve_counts_each_group_by_its_share_decided_same_and_proposes_thresholds() -> None:
    population = {0: 1000, 4: 200, 8: 100, 12: 5000}
    decided = {0: (0, 20), 4: (5, 15), 8: (10, 10), 12: (20, 0)}
    curve = {row.threshold: row for row in thresholds.estimate(population, decided, draws=500)}
    # At 12 bits every decided pair was the same child; its precision is high, its interval honest.
    assert (
        curve[12].precision > 0.95
        and curve[12].precision_low < curve[12].precision < curve[12].precision_high
    )
    assert curve[0].recall == pytest.approx(1.0) and curve[12].recall < curve[8].recall < curve[0].recall
    assert curve[8].precision < curve[12].precision
    upper, lower = thresholds.propose(list(curve.values()), precision=0.95, recall=0.99)  # type: ignore[misc]
    assert upper == 12 and lower < upper
    assert thresholds.estimate(population, {}) == []


def test_sample_show_and_a_managers_confirmation(saved_model: MatchModel, make_member) -> None:
    born = datetime.date(2012, 4, 9)
    police, school = AgencyFactory(), AgencyFactory()
    for n, (forename, surname) in enumerate(
        [("Amelia", "Sampletest"), ("Amelia", "Sampletest"), ("Amy", "Sampletest"), ("Ava", "Samples"),
         ("Noah", "Other"), ("Noah", "Otherr")]
    ):  # fmt: skip
        AgencyIdentityFactory(
            child=None, agency=police if n % 2 else school, forename=forename, surname=surname,
            date_of_birth=born, postcode="OM3 7SE", address="4 Rowan Close",
        )  # fmt: skip
    out = io.StringIO()
    call_command("match", "thresholds", "sample", "--per-group", "50", stdout=out)
    sample = ReviewPair.objects.filter(source=ReviewSource.SAMPLE)
    assert sample.exists()
    officer = make_member(Role.MASH_OFFICER)
    for review in sample:
        same = review.match_weight > 5
        ReviewDecision.objects.create(
            review=review, decision=Decision.MATCH if same else Decision.NOT_MATCH,
            reason="Checked the records", decided_by=officer.user, decided_by_role=officer.role,
        )  # fmt: skip
    call_command("match", "thresholds", stdout=out)
    saved_model.refresh_from_db()
    assert saved_model.accuracy["reviewed"]["labels"] == sample.count()
    with pytest.raises(CommandError, match="not a MASH manager"):
        call_command(
            "match", "thresholds", "confirm", "--upper", "9", "--lower", "3", "--by", officer.user.username
        )
    manager = make_member(Role.MASH_MANAGER)
    call_command(
        "match", "thresholds", "confirm", "--upper", "9", "--lower", "3", "--by", manager.user.username
    )
    saved_model.refresh_from_db()
    assert (saved_model.upper_threshold, saved_model.lower_threshold) == (9, 3)
    assert saved_model.training_summary["threshold_changes"][-1]["by"] == manager.user.username
    assert Actor.system("x").is_system

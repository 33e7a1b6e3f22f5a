"""The journey docs/matching.md walks: from an empty database, four agencies onboarded, their files
imported, a model trained and the index built, to children holding all their agencies' records."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from itertools import combinations

import pytest
from django.core.management import call_command

from openmash.intake.models import IdentityReview, IdentityReviewStatus
from openmash.people.models import AgencyIdentity, Child
from openmash.synthetic.agency_files import agency_files_write

AGENCIES = [
    ("Wrenford Council", "childrens_services", "wrenford-council", "la_contacts", "council"),
    ("Wrenford Police", "police", "wrenford-police", "police_missing", "police"),
    ("Wrenford Hospitals NHS Trust", "nhs_trust", "wrenford-hospitals", "health_ae", "hospital"),
    ("Wrenford Schools", "school", "wrenford-schools", "education_attendance", "schools"),
]


@pytest.mark.slow
def test_from_an_empty_database_to_children_with_all_their_agencies_records(db: None, tmp_path) -> None:
    assert not Child.objects.exists() and not AgencyIdentity.objects.exists()
    agency_files_write(directory=tmp_path, seed=11, children=400, as_of=date(2026, 11, 20))
    for name, kind, code, feed, _ in AGENCIES:
        call_command("agency", "add", "--name", name, "--kind", kind, "--code", code, "--feeds", feed)
    for _, _, code, feed, stem in AGENCIES:
        try:
            call_command(
                "import_feed", feed, str(tmp_path / f"{stem}.csv"), "--agency", code, "--no-progress"
            )
        except SystemExit as stopped:  # pragma: no cover - the files are clean
            pytest.fail(f"{stem}.csv was not imported cleanly (exit {stopped.code})")
    records = AgencyIdentity.objects.count()
    assert records > 100 and not AgencyIdentity.objects.filter(child__isnull=False).exists()
    call_command("match", "train", stdout=io.StringIO())
    call_command("match", "run", stdout=io.StringIO())

    truth: dict[tuple[str, str], str] = {}
    with (tmp_path / "truth.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            truth[(row["file"], row["person_id"])] = row["true_child"]
    code_to_stem = {code: stem for _, _, code, _, stem in AGENCIES}
    child_of: dict[str, str | None] = {}
    true_of: dict[str, str] = {}
    for pk, code, record_id, child_id in AgencyIdentity.objects.values_list(
        "pk", "agency__code", "agency_record_id", "child_id"
    ):
        true_of[str(pk)] = truth[(code_to_stem[code], record_id)]
        child_of[str(pk)] = str(child_id) if child_id else None
    waiting = [pk for pk, child in child_of.items() if child is None]
    # Every record has a child, or waits for a person's decision.
    assert len(waiting) <= 0.03 * records
    assert (
        not IdentityReview.objects.filter(status=IdentityReviewStatus.OPEN)
        .exclude(identity_id__in=waiting)
        .exists()
    )
    # A hub child holds one true child's records (pairwise precision), and most of them.
    by_child: dict[str, list[str]] = defaultdict(list)
    for pk, child in child_of.items():
        if child:
            by_child[child].append(pk)
    same = [(a, b) for members in by_child.values() for a, b in combinations(members, 2)]
    wrong = [(a, b) for a, b in same if true_of[a] != true_of[b]]
    # A model trained on a few hundred records is rougher than on a borough (docs/benchmarks.md).
    assert len(wrong) <= max(1, 0.02 * len(same)), wrong
    by_truth: dict[str, list[str]] = defaultdict(list)
    for pk, true_child in true_of.items():
        by_truth[true_child].append(pk)
    true_pairs = [(a, b) for members in by_truth.values() for a, b in combinations(members, 2)]
    together = [(a, b) for a, b in true_pairs if child_of[a] and child_of[a] == child_of[b]]
    assert len(together) >= 0.9 * len(true_pairs), (len(together), len(true_pairs))
    # A second run changes nothing.
    before = (Child.objects.count(), sorted(child_of.items(), key=lambda item: item[0]))
    call_command("match", "run", stdout=io.StringIO())
    after_children = {
        str(pk): str(child) if child else None
        for pk, child in AgencyIdentity.objects.values_list("pk", "child_id")
    }
    assert (Child.objects.count(), sorted(after_children.items(), key=lambda item: item[0])) == before

"""The synthetic borough's planted groups are found again by the analytics (ARI at least 0.9)."""

from __future__ import annotations

import pytest

from openmash.intelligence.analytics.communities import candidate_groups, communities_detect
from openmash.intelligence.analytics.graph import graph_load
from openmash.intelligence.models import Entity, Link
from openmash.synthetic.intelligence import picture_observe
from openmash.synthetic.intelligence_scoring import planted_groups, score_partition
from openmash.synthetic.services import borough_generate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.mark.parametrize("seed", [3, 21])
def test_planted_groups_are_recovered_with_ari_at_least_0_9(seed):
    borough_generate(seed=seed, children=12000)
    counts = picture_observe()
    assert counts["intelligence_links"] > 50
    pg = graph_load()
    membership = communities_detect(pg)
    found = {pg.ids[v]: community for v, community in enumerate(membership)}

    score = score_partition(planted_groups(), found)

    print(
        f"seed {seed}: ARI {score.ari:.3f} NMI {score.nmi:.3f} "
        f"over {score.people} people in {score.groups} groups"
    )
    assert score.groups >= 2
    assert score.ari >= 0.9
    groups = candidate_groups(pg, membership)
    assert groups and all("links" in group.explanation for group in groups)


def test_a_child_made_to_introduce_others_is_the_source_of_a_made_to_introduce_link():
    borough_generate(seed=5, children=12000)
    picture_observe()
    introductions = Link.objects.filter(kind="made_to_introduce")
    assert introductions.exists()
    assert all(link.source.kind == "child" and link.target.kind == "child" for link in introductions)
    assert not Entity.objects.filter(kind="adult", person__isnull=True).exists()

"""The synthetic borough carries the truth; the analytics find its planted groups again (ARI >= 0.9)."""

from __future__ import annotations

import pytest

from openmash.intelligence.analytics.communities import candidate_groups, communities_detect
from openmash.intelligence.analytics.graph import graph_load
from openmash.intelligence.models import Entity, Link
from openmash.synthetic.intelligence_scoring import planted_groups, score_partition
from openmash.synthetic.services import borough_generate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_borough_carries_the_picture_and_its_planted_groups_are_recovered():
    borough = borough_generate(seed=3, children=30000)
    assert borough.counts["intelligence_links"] > 100
    pg = graph_load()
    membership = communities_detect(pg)

    score = score_partition(planted_groups(), {pg.ids[v]: c for v, c in enumerate(membership)})

    assert score.groups >= 4
    assert score.ari >= 0.9
    groups = candidate_groups(pg, membership)
    assert groups and all("links" in group.explanation for group in groups)
    # Children made to introduce others are the source of the link, as victims; adults of concern
    # are linked to people records and carry no ethnicity or religion field at all.
    introductions = Link.objects.filter(kind="made_to_introduce")
    assert introductions.exists()
    assert all(link.source.kind == "child" and link.target.kind == "child" for link in introductions)
    assert not Entity.objects.filter(kind="adult", person__isnull=True).exists()
    fields = {field.name for field in Entity._meta.get_fields()} | {f.name for f in Link._meta.get_fields()}
    assert not {"ethnicity", "religion"} & fields

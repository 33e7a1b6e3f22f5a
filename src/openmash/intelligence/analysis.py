"""The analyses as the pages show them: each read checks access and writes its event first."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from openmash.accounts.actor import Actor
from openmash.audit.models import Action

from .access import entity_get_for_user, may_see_network, network_read_for_user
from .analytics.alerts import SharedEntity, children_made_to_introduce, shared_entities
from .analytics.centrality import Central, centrality_by_kind
from .analytics.communities import CandidateGroup, candidate_groups, communities_detect
from .analytics.features import GroupFeatures, group_features
from .analytics.graph import PictureGraph, graph_load
from .analytics.hotspots import Hotspot, hotspots
from .geography import MapFrame, map_frame
from .models import Entity
from .selectors import Node, _nodes, current_versions

CENTRALITY_KINDS = ("adult", "child", "place", "vehicle", "phone")


@dataclass
class GroupView:
    group: CandidateGroup
    features: GroupFeatures
    members: list[Node]


@dataclass
class IntroducingChild:
    child: Node
    introduced: list[Node]
    explanation: str


@dataclass
class PictureAnalysis:
    window: tuple[date, date]
    groups: list[GroupView]
    alerts: list[SharedEntity]
    introducing: list[IntroducingChild]
    central: dict[str, list[Central]]
    nodes: dict[uuid.UUID, Node] = field(default_factory=dict)


def _groups(pg: PictureGraph, on: date) -> list[GroupView]:
    membership = communities_detect(pg)
    groups = candidate_groups(pg, membership)
    everyone = {entity_id for group in groups for entity_id in group.entity_ids}
    versions = current_versions(everyone)
    attributes = {entity_id: dict(version.attributes) for entity_id, version in versions.items()}
    nodes = _nodes(everyone)
    return [
        GroupView(
            group=group,
            features=group_features(pg, group, attributes, on=on),  # type: ignore[arg-type]
            members=sorted(
                (nodes[i] for i in group.entity_ids if i in nodes), key=lambda n: (n.kind, n.label)
            ),
        )
        for group in groups
    ]


def _introducing(window: tuple[date, date]) -> list[IntroducingChild]:
    made = children_made_to_introduce(*window)
    entities = dict(
        Entity.objects.filter(child_id__in=set(made) | {c for v in made.values() for c in v}).values_list(
            "child_id", "pk"
        )
    )
    nodes = _nodes(entities.values())
    by_child = {node.child_id: node for node in nodes.values()}
    found = []
    for child_id, introduced in made.items():
        child = by_child.get(child_id)
        if child is None:
            continue
        others = [by_child[c] for c in introduced if c in by_child]
        found.append(
            IntroducingChild(
                child=child,
                introduced=others,
                explanation=(
                    f"This child appears to have been made to introduce {len(others)} other "
                    f"child{'ren' if len(others) != 1 else ''} to adults of concern. That is a sign of harm: "
                    "the child is a victim, to be safeguarded, never treated as an offender."
                ),
            )
        )
    return found


def picture_analysis_for_user(*, actor: Actor, purpose: str, window: tuple[date, date]) -> PictureAnalysis:
    """Candidate groups, alerts, children made to introduce others and central entities, for an
    intelligence role (one event naming the children shown); 404 for anyone else."""
    if not may_see_network(actor):
        network_read_for_user(actor=actor, purpose=purpose)
    pg = graph_load(since=window[0], until=window[1])
    groups = _groups(pg, window[1])
    alerts = shared_entities(window_start=window[0], window_end=window[1])
    introducing = _introducing(window)
    central = {kind: centrality_by_kind(pg, kind, top=5) for kind in CENTRALITY_KINDS}
    shown = {n.child_id for g in groups for n in g.members if n.child_id}
    shown |= {c for alert in alerts for c in alert.children}
    shown |= {i.child.child_id for i in introducing if i.child.child_id}
    central_ids = {c.entity_id for items in central.values() for c in items}
    alert_ids = {alert.entity_id for alert in alerts}
    nodes = _nodes(central_ids | alert_ids)
    network_read_for_user(
        actor=actor,
        purpose=purpose,
        child_ids=sorted(shown),
        resource_id=f"analysis {window[0]}..{window[1]}",
    )
    return PictureAnalysis(window, groups, alerts, introducing, central, nodes)


@dataclass
class Volt:
    focus: Node
    group: GroupView | None
    victims: list[Node]
    introducing: list[IntroducingChild]
    offenders: list[Node]
    locations: list[Node]
    other: list[Node]
    themes: list[str]
    window: tuple[date, date]


def volt_for_user(
    *, actor: Actor, entity_id: uuid.UUID | str, purpose: str, window: tuple[date, date]
) -> Volt:
    """The VOLT profile (victims, offenders, locations, themes) of the candidate group around one
    entity, for the multi-agency exploitation meeting. Children are only ever victims here."""
    entity = entity_get_for_user(actor=actor, id=entity_id, purpose=purpose)
    pg = graph_load(since=window[0], until=window[1])
    groups = _groups(pg, window[1])
    group = next((g for g in groups if entity.pk in g.group.entity_ids), None)
    members = group.members if group else list(_nodes([entity.pk]).values())
    focus = (
        next(n for n in members if n.id == entity.pk)
        if any(n.id == entity.pk for n in members)
        else _nodes([entity.pk])[entity.pk]
    )
    introducing = [i for i in _introducing(window) if any(i.child.id == m.id for m in members)]
    member_index = {pg.index[m.id] for m in members if m.id in pg.index}
    kinds: Counter[str] = Counter()
    for edge_index, (a, b) in enumerate(pg.graph.get_edgelist()):
        if a in member_index and b in member_index:
            kinds[pg.edge_kinds[edge_index]] += 1
    places = Counter(str(n.attributes.get("place_kind", "place")) for n in members if n.kind == "place")
    themes = _themes(kinds, places, group.features if group else None)
    network_read_for_user(
        actor=actor,
        purpose=purpose,
        child_ids=[m.child_id for m in members if m.child_id],
        action=Action.VIEW,
        resource_id=f"volt {entity.pk}",
    )
    return Volt(
        focus=focus,
        group=group,
        victims=[m for m in members if m.kind == "child"],
        introducing=introducing,
        offenders=[m for m in members if m.kind == "adult"],
        locations=[m for m in members if m.kind == "place"],
        other=[m for m in members if m.kind not in ("child", "adult", "place")],
        themes=themes,
        window=window,
    )


THEME_WORDS = {
    "transported_in": "children transported in vehicles",
    "gave_gifts_to": "gifts or money given to children",
    "contacted_by": "contact by phone or online",
    "made_to_introduce": "children made to introduce other children",
    "present_at": "children and adults at the same places",
    "seen_with": "children seen with adults of concern",
    "associates_with": "adults acting together",
}


def _themes(kinds: Counter[str], places: Counter[str], features: GroupFeatures | None) -> list[str]:
    themes = [
        f"{THEME_WORDS[k]} ({n} link{'s' if n != 1 else ''})"
        for k, n in kinds.most_common()
        if k in THEME_WORDS
    ]
    if places:
        themes.append("places: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in places.most_common()))
    if features is not None:
        themes.append(features.explanation)
    return themes


@dataclass
class MapView:
    frame: MapFrame
    places: list[tuple[Node, tuple[float, float] | None]]
    hotspots: list[tuple[Hotspot, Node, tuple[float, float] | None]]
    window: tuple[date, date]


def map_for_user(*, actor: Actor, purpose: str, window: tuple[date, date]) -> MapView:
    """Places of concern and the window's hotspots on the borough's own map, with the same in a table."""
    if not may_see_network(actor):
        network_read_for_user(actor=actor, purpose=purpose)
    frame = map_frame()
    place_ids = list(Entity.objects.filter(kind="place").values_list("pk", flat=True)[:5000])
    nodes = _nodes(place_ids)
    spots = hotspots(window_start=window[0], window_end=window[1], top=15)

    def where(node: Node) -> tuple[float, float] | None:
        try:
            return frame.project(float(node.attributes["latitude"]), float(node.attributes["longitude"]))  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError):
            return None

    places = sorted(
        ((n, where(n)) for n in nodes.values() if n.attributes.get("place_kind") != "home"),
        key=lambda p: p[0].label,
    )
    hot = [
        (spot, nodes[spot.entity_id], where(nodes[spot.entity_id]))
        for spot in spots
        if spot.entity_id in nodes
    ]
    network_read_for_user(actor=actor, purpose=purpose, resource_id=f"map {window[0]}..{window[1]}")
    return MapView(frame=frame, places=places, hotspots=hot, window=window)

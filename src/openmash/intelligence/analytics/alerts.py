"""Unrelated children linked to the same adult, vehicle, phone or place in a window, and children
who are being made to introduce others (flagged as victims, never as offenders)."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import connection

from openmash.intelligence.models import Entity, Link
from openmash.people.models import FamilyLink

SHARED_KINDS = ("adult", "vehicle", "phone", "place")
KIND_PHRASE = {
    "adult": "the same adult of concern",
    "vehicle": "the same vehicle",
    "phone": "the same phone",
    "place": "the same place",
}


@dataclass(frozen=True)
class SharedEntity:
    """Children (entity and child record ids) linked to one entity within the window."""

    key: str
    entity_id: uuid.UUID
    entity_kind: str
    children: list[uuid.UUID]  # child record ids, the children made to introduce others first
    introducing: list[uuid.UUID]
    related_pairs: int
    window_start: date
    window_end: date
    explanation: str


def _date_words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _child_links(window_start: date, window_end: date) -> list[tuple[uuid.UUID, str, uuid.UUID]]:
    """(entity id, entity kind, child record id) for every current link in the window between a
    child and an adult, vehicle, phone or place, in one query."""
    entity, link = (connection.ops.quote_name(m._meta.db_table) for m in (Entity, Link))
    sql = f"""
        SELECT CASE WHEN a.kind = 'child' THEN b.id ELSE a.id END,
               CASE WHEN a.kind = 'child' THEN b.kind ELSE a.kind END,
               CASE WHEN a.kind = 'child' THEN a.child_id ELSE b.child_id END
        FROM {link} l
        JOIN {entity} a ON a.id = l.source_id
        JOIN {entity} b ON b.id = l.target_id
        WHERE l.status <> 'rejected'
          AND NOT EXISTS (SELECT 1 FROM {link} c WHERE c.corrects_id = l.id)
          AND (a.kind = 'child') <> (b.kind = 'child')
          AND (CASE WHEN a.kind = 'child' THEN b.kind ELSE a.kind END) = ANY(%s)
          AND (CASE WHEN a.kind = 'child' THEN a.child_id ELSE b.child_id END) IS NOT NULL
          AND l.valid_from <= %s AND (l.valid_to IS NULL OR l.valid_to >= %s)
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(SHARED_KINDS), window_end, window_start])
        return cursor.fetchall()


def _related_pairs(child_ids: set[uuid.UUID]) -> set[frozenset[uuid.UUID]]:
    pairs = FamilyLink.objects.filter(child_id__in=child_ids, related_child_id__in=child_ids).values_list(
        "child_id", "related_child_id"
    )
    return {frozenset(pair) for pair in pairs}


def children_made_to_introduce(
    window_start: date | None = None, window_end: date | None = None
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Child record id -> the child record ids they were made to introduce (current links)."""
    links = Link.objects.filter(kind="made_to_introduce", corrected_by__isnull=True).exclude(
        status="rejected"
    )
    if window_end is not None:
        links = links.filter(valid_from__lte=window_end)
    if window_start is not None:
        links = links.exclude(valid_to__lt=window_start)
    found: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for source, target in links.values_list("source__child_id", "target__child_id"):
        if source and target:
            found[source].append(target)
    return dict(found)


def _unrelated_children(children: set[uuid.UUID], related: set[frozenset[uuid.UUID]]) -> bool:
    listed = sorted(children)
    return any(frozenset((a, b)) not in related for i, a in enumerate(listed) for b in listed[i + 1 :])


def shared_entities(*, window_start: date, window_end: date) -> list[SharedEntity]:
    """Every adult, vehicle, phone and place linked in the window to two or more children who
    have no family link to each other, with the explanation the hub will read."""
    by_entity: dict[tuple[uuid.UUID, str], set[uuid.UUID]] = defaultdict(set)
    for entity_id, kind, child_id in _child_links(window_start, window_end):
        by_entity[(entity_id, kind)].add(child_id)
    shared = {key: children for key, children in by_entity.items() if len(children) >= 2}
    everyone = set().union(*shared.values()) if shared else set()
    related = _related_pairs(everyone)
    introducing = children_made_to_introduce(window_start, window_end)
    found: list[SharedEntity] = []
    for (entity_id, kind), children in shared.items():
        if not _unrelated_children(children, related):
            continue
        drawn_in = sorted(c for c in children if c in introducing)
        ordered = drawn_in + sorted(children - set(drawn_in))
        related_pairs = sum(1 for pair in related if pair <= children)
        key = hashlib.sha256(f"{entity_id}|{'|'.join(sorted(map(str, children)))}".encode()).hexdigest()
        found.append(
            SharedEntity(
                key=key,
                entity_id=entity_id,
                entity_kind=kind,
                children=ordered,
                introducing=drawn_in,
                related_pairs=related_pairs,
                window_start=window_start,
                window_end=window_end,
                explanation=_explain(
                    kind, len(children), related_pairs, len(drawn_in), window_start, window_end
                ),
            )
        )
    found.sort(key=lambda s: (-len(s.children), s.entity_kind, str(s.entity_id)))
    return found


def _explain(kind: str, children: int, related_pairs: int, drawn_in: int, start: date, end: date) -> str:
    words = (
        f"{children} children with no family link between them were linked to {KIND_PHRASE[kind]} "
        f"between {_date_words(start)} and {_date_words(end)}. They may be being exploited by the "
        "same people; each child's safety comes first."
    )
    if related_pairs:
        pairs = f"{related_pairs} pair{'s are' if related_pairs != 1 else ' is'}"
        words += f" ({pairs} related and not counted as unrelated.)"
    if drawn_in:
        words += (
            f" {drawn_in} of them may have been made to introduce other children: they are victims "
            "too, and are listed first."
        )
    return words


def child_alert_summary(shared: SharedEntity) -> str:
    """One line for the hub's queue, about the child's safety and naming no adult, vehicle or place."""
    others = len(shared.children) - 1
    return (
        f"Intelligence alert: this child and {others} other child{'ren' if others != 1 else ''} "
        f"with no family link were linked to {KIND_PHRASE[shared.entity_kind]} "
        f"between {_date_words(shared.window_start)} "
        f"and {_date_words(shared.window_end)}; they may be being exploited by the same people."
    )[:300]

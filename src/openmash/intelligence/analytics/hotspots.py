"""Places where children and adults of concern are most often linked over a chosen window."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import connection

from openmash.intelligence.models import Entity, Link


@dataclass(frozen=True)
class Hotspot:
    entity_id: uuid.UUID
    rank: int
    children: int
    adults: int
    links: int
    score: float
    explanation: str


def hotspots(*, window_start: date, window_end: date, top: int = 20, min_children: int = 1) -> list[Hotspot]:
    """Places ranked by how many different children (first) and adults of concern (then) were
    linked to them in the window, counting links to their vehicles too, with the reasons."""
    entity, link = (connection.ops.quote_name(m._meta.db_table) for m in (Entity, Link))
    sql = f"""
        SELECT p.id, o.kind, o.id
        FROM {link} l
        JOIN {entity} s ON s.id = l.source_id
        JOIN {entity} t ON t.id = l.target_id
        CROSS JOIN LATERAL (SELECT CASE WHEN t.kind = 'place' THEN t.id ELSE s.id END AS id) p
        CROSS JOIN LATERAL (SELECT CASE WHEN t.kind = 'place' THEN s.kind ELSE t.kind END AS kind,
                                   CASE WHEN t.kind = 'place' THEN s.id ELSE t.id END AS id) o
        WHERE (s.kind = 'place' OR t.kind = 'place')
          AND l.status <> 'rejected'
          AND NOT EXISTS (SELECT 1 FROM {link} c WHERE c.corrects_id = l.id)
          AND l.valid_from <= %s AND (l.valid_to IS NULL OR l.valid_to >= %s)
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [window_end, window_start])
        rows = cursor.fetchall()
    children: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    adults: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    links: dict[uuid.UUID, int] = defaultdict(int)
    for place, kind, other in rows:
        links[place] += 1
        if kind == "child":
            children[place].add(other)
        elif kind == "adult":
            adults[place].add(other)
    scored = [
        (len(children[p]) * 2 + len(adults[p]) + 0.1 * links[p], p)
        for p in links
        if len(children[p]) >= min_children
    ]
    scored.sort(key=lambda item: (-item[0], str(item[1])))
    found = []
    for rank, (score, place) in enumerate(scored[:top], start=1):
        c, a, n = len(children[place]), len(adults[place]), links[place]
        words = (
            f"{c} different child{'ren' if c != 1 else ''} and {a} adult{'s' if a != 1 else ''} of concern "
            f"were linked to this place between {window_start:%d %B %Y} and {window_end:%d %B %Y} "
            f"({n} link{'s' if n != 1 else ''}); ranked {rank} of {len(scored)} places with a child linked."
        )
        found.append(Hotspot(place, rank, c, a, n, score, words))
    return found

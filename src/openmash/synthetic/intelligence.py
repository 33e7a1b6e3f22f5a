# ruff: noqa: S608 -- table names come from model metadata, never from input
"""The synthetic borough's intelligence stage: what the agencies know of the exploitation networks.

The generator plants the truth (``ExploitationGroup``, ``TrueAdult``, ``Place``, ``Vehicle``,
``Phone``, ``NetworkLink``, kept apart for scoring). This stage writes what police and partners
would hold: an entity for each adult of concern (with a people record), child, place, vehicle
and phone they reported; most true links (not all: real pictures are partial), graded 3x5x2,
about half confirmed; some named groups; and background sightings of other children at busy
places, which are not exploitation. A child made to introduce others appears as the source of a
``made_to_introduce`` link, a victim. Deterministic from the seed.

Entity ids are ``uuid5(namespace, "intel:<true id>")``, so scoring maps each entity back to the
truth without a table the service could read.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pgtrigger
from django.db import connection, transaction
from django.utils import timezone

from openmash.accounts.models import Agency
from openmash.intelligence.identifiers import phone_normalise, registration_normalise
from openmash.intelligence.models import Entity, EntityVersion, Link, SharedEntityAlert
from openmash.people.models import Adult

from .models import (
    AdultRole,
    Borough,
    ExploitationGroup,
    ExploitationPattern,
    NetworkLink,
    Phone,
    Place,
    TrueAdult,
    TrueChild,
    Vehicle,
)

PROCESS = "synthetic"
OBSERVED_SHARE = 0.85
CONFIRMED_SHARE = 0.5
NAMED_GROUP_SHARE = 0.5
BACKGROUND_PER_EXPLOITED_CHILD = 1.0
BUSY_PLACES = ("station", "shopping_centre", "park")

# What each true edge looks like in the intelligence picture: (link kind, swap ends?).
OBSERVED_AS: dict[str, tuple[str, bool]] = {
    "exploits": ("seen_with", False),
    "associates_with": ("associates_with", False),
    "lives_at": ("owns_or_uses", False),
    "uses_place": ("present_at", False),
    "taken_to": ("present_at", False),
    "drives": ("owns_or_uses", False),
    "transported_in": ("transported_in", False),
    "uses_phone": ("owns_or_uses", False),
    "contacted": ("contacted_by", True),  # the child's phone was contacted by the adult's phone
    "introduced": ("made_to_introduce", False),
}
GRADINGS = (
    (("reliable", "A", "P"), 2),
    (("reliable", "B", "P"), 4),
    (("untested", "B", "C"), 3),
    (("untested", "C", "C"), 5),
    (("untested", "D", "C"), 2),
    (("not_reliable", "D", "C"), 1),
    (("not_reliable", "E", "C"), 1),
)


def observed_id(namespace: uuid.UUID, true_id: uuid.UUID | str) -> uuid.UUID:
    return uuid.uuid5(namespace, f"intel:{true_id}")


def _namespace(seed: int) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"openmash-synthetic-intelligence:{seed}")


class _Writer:
    def __init__(self, *, seed: int, as_of: date, police: Agency | None) -> None:
        self.ns = _namespace(seed)
        self.rng = random.Random(f"openmash-synthetic:{seed}:intelligence")
        self.as_of = as_of
        self.police_id = police.pk if police else None
        self.now = timezone.now()
        self.entities: dict[uuid.UUID, Entity] = {}
        self.versions: list[EntityVersion] = []
        self.links: list[Link] = []
        self.adults: list[Adult] = []
        self.record_number = 0

    def _grading(self) -> dict[str, str]:
        choices, weights = zip(*GRADINGS, strict=True)
        source, assessment, handling = self.rng.choices(choices, weights)[0]
        return {"source_evaluation": source, "intelligence_assessment": assessment, "handling_code": handling}

    def _graded(self, *, confirmed: bool | None = None) -> dict[str, Any]:
        self.record_number += 1
        if confirmed is None:
            confirmed = self.rng.random() < CONFIRMED_SHARE
        return {
            **self._grading(),
            "source_agency_id": self.police_id,
            "source_record": f"INT-{self.record_number:07d}",
            "status": "confirmed" if confirmed else "unconfirmed",
            "recorded_at": self.now,
            "recorded_by": f"system:{PROCESS}",
            "created_at": self.now,
            "updated_at": self.now,
        }

    def entity(
        self,
        true_id: uuid.UUID | str,
        kind: str,
        label: str,
        attributes: dict[str, Any],
        *,
        key: str = "",
        child_id: uuid.UUID | None = None,
        person_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        entity_id = observed_id(self.ns, true_id)
        if entity_id not in self.entities:
            self.entities[entity_id] = Entity(
                id=entity_id,
                kind=kind,
                key=key,
                child_id=child_id,
                person_id=person_id,
                created_by_process=PROCESS,
                created_at=self.now,
                updated_at=self.now,
            )
            self.versions.append(
                EntityVersion(
                    id=uuid.uuid5(self.ns, f"version:{true_id}"),
                    entity_id=entity_id,
                    label=label[:200],
                    attributes=attributes,
                    **self._graded(confirmed=True),
                )
            )
        return entity_id

    def link(
        self,
        kind: str,
        source: uuid.UUID,
        target: uuid.UUID,
        valid_from: date,
        *,
        confirmed: bool | None = None,
        valid_to: date | None = None,
    ) -> None:
        self.links.append(
            Link(
                id=uuid.uuid5(self.ns, f"link:{len(self.links)}"),
                kind=kind,
                source_id=source,
                target_id=target,
                valid_from=min(valid_from, self.as_of),
                valid_to=valid_to,
                **self._graded(confirmed=confirmed),
            )
        )


def _place_attributes(place: Place) -> dict[str, Any]:
    return {
        "place_kind": place.kind if place.kind != "home" else "home",
        "address": place.address,
        "postcode": place.postcode,
        "latitude": place.latitude,
        "longitude": place.longitude,
    }


@transaction.atomic
def picture_observe(*, seed: int | None = None, as_of: date | None = None) -> dict[str, int]:
    """Write the intelligence picture of the borough in the database (once; it must be empty of it)."""
    if seed is None or as_of is None:
        borough = Borough.objects.order_by("-generated_at").first()
        if borough is None:
            return {}
        seed = borough.seed if seed is None else seed
        as_of = as_of or borough.as_of
    police = Agency.objects.filter(code="wrenford-police").first()
    writer = _Writer(seed=seed, as_of=as_of, police=police)
    rng = writer.rng

    adults = {a.id: a for a in TrueAdult.objects.filter(role=AdultRole.ADULT_OF_CONCERN)}
    children = {
        c.id: c for c in TrueChild.objects.exclude(exploitation_risk="none").filter(hub_child__isnull=False)
    }
    places = {p.id: p for p in Place.objects.exclude(kind="home")}
    vehicles = {v.id: v for v in Vehicle.objects.all()}
    phones = {p.id: p for p in Phone.objects.all()}
    groups = {g.id: g for g in ExploitationGroup.objects.all()}

    def adult_entity(true_id: uuid.UUID) -> uuid.UUID:
        adult = adults[true_id]
        person_id = uuid.uuid5(writer.ns, f"person:{true_id}")
        if observed_id(writer.ns, true_id) not in writer.entities:
            writer.adults.append(
                Adult(
                    id=person_id,
                    forename=adult.forename,
                    middle_names=adult.middle_names,
                    surname=adult.surname,
                    date_of_birth=adult.date_of_birth,
                    sex=adult.sex,
                    address=adult.address,
                    postcode=adult.postcode,
                    created_at=writer.now,
                    updated_at=writer.now,
                )
            )
        return writer.entity(
            true_id,
            "adult",
            f"{adult.forename} {adult.surname}",
            {"date_of_birth": adult.date_of_birth.isoformat(), "sex": adult.sex},
            person_id=person_id,
        )

    def resolve(kind: str, true_id: uuid.UUID) -> uuid.UUID | None:
        if kind == "adult" and true_id in adults:
            return adult_entity(true_id)
        if kind == "child" and true_id in children:
            child = children[true_id]
            return writer.entity(
                true_id, "child", f"{child.forename} {child.surname}", {}, child_id=child.hub_child_id
            )
        if kind == "place":
            place = places.get(true_id) or Place.objects.filter(pk=true_id).first()
            if place is None:
                return None
            return writer.entity(true_id, "place", place.name or place.address, _place_attributes(place))
        if kind == "vehicle" and true_id in vehicles:
            vehicle = vehicles[true_id]
            colour, _, body = vehicle.description.partition(" ")
            return writer.entity(
                true_id,
                "vehicle",
                f"{vehicle.registration} {vehicle.description}",
                {"registration": vehicle.registration, "colour": colour, "make": body},
                key=registration_normalise(vehicle.registration),
            )
        if kind == "phone" and true_id in phones:
            phone = phones[true_id]
            return writer.entity(
                true_id, "phone", phone.number, {"number": phone.number}, key=phone_normalise(phone.number)
            )
        return None

    for edge in NetworkLink.objects.order_by("id"):
        if rng.random() > OBSERVED_SHARE:
            continue
        kind, swap = OBSERVED_AS[edge.kind]
        source = resolve(edge.source_kind, edge.source_id)
        target = resolve(edge.target_kind, edge.target_id)
        if source is None or target is None:
            continue
        if edge.kind == "exploits" and rng.random() < 0.35:
            kind = "gave_gifts_to"
        if swap:
            source, target = target, source
        writer.link(
            kind, source, target, edge.first_seen, confirmed=True if kind == "made_to_introduce" else None
        )

    # Some groups are known to the police by a name: their adults are linked to it.
    members: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for adult in adults.values():
        if adult.exploitation_group_id:
            members[adult.exploitation_group_id].append(adult.id)
    for number, (group_id, group) in enumerate(sorted(groups.items(), key=lambda g: g[1].number), start=1):
        if group.pattern != ExploitationPattern.ORGANISED_NETWORK or rng.random() > NAMED_GROUP_SHARE:
            continue
        group_entity = writer.entity(
            group_id, "group", f"Group {number} (as police know it)", {"group_kind": "group"}
        )
        for adult_id in members[group_id]:
            if rng.random() < 0.7:
                writer.link("member_of", adult_entity(adult_id), group_entity, group.formed_on)

    # Background: other children seen at busy places, which is not exploitation.
    busy = [p for p in places.values() if p.kind in BUSY_PLACES]
    others = list(
        TrueChild.objects.filter(hub_child__isnull=False, exploitation_risk="none").order_by("number")[:5000]
    )
    for _ in range(int(len(children) * BACKGROUND_PER_EXPLOITED_CHILD)):
        if not busy or not others:
            break
        child = rng.choice(others)
        place = rng.choice(busy)
        child_entity = writer.entity(
            child.id, "child", f"{child.forename} {child.surname}", {}, child_id=child.hub_child_id
        )
        place_entity = resolve("place", place.id)
        assert place_entity is not None
        seen = as_of - timedelta(days=rng.randint(1, 700))
        writer.link("present_at", child_entity, place_entity, seen, confirmed=False, valid_to=seen)

    Adult.objects.bulk_create(writer.adults, batch_size=2000)
    Entity.objects.bulk_create(list(writer.entities.values()), batch_size=5000)
    EntityVersion.objects.bulk_create(writer.versions, batch_size=5000)
    Link.objects.bulk_create(writer.links, batch_size=5000)
    return {
        "intelligence_entities": len(writer.entities),
        "intelligence_links": len(writer.links),
        "intelligence_people": len(writer.adults),
    }


def picture_delete() -> None:
    """Remove the synthetic picture (only when the borough itself is replaced or deleted)."""
    with (
        pgtrigger.ignore(
            "intelligence.Link:intel_link_append_only",
            "intelligence.EntityVersion:intel_entity_version_append_only",
            "intelligence.Entity:intel_entity_append_only",
            "intelligence.SharedEntityAlert:intel_alert_append_only",
        ),
        connection.cursor() as cursor,
    ):
        synthetic = f"SELECT id FROM {Entity._meta.db_table} WHERE created_by_process = %s"
        cursor.execute(
            f"DELETE FROM {SharedEntityAlert._meta.db_table} WHERE entity_id IN ({synthetic})", [PROCESS]
        )
        cursor.execute(
            f"DELETE FROM {Link._meta.db_table} "
            f"WHERE source_id IN ({synthetic}) OR target_id IN ({synthetic})",
            [PROCESS, PROCESS],
        )
        cursor.execute(
            f"DELETE FROM {EntityVersion._meta.db_table} WHERE entity_id IN ({synthetic})", [PROCESS]
        )
        cursor.execute(
            f"SELECT person_id FROM {Entity._meta.db_table} "
            "WHERE created_by_process = %s AND person_id IS NOT NULL",
            [PROCESS],
        )
        people = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"DELETE FROM {Entity._meta.db_table} WHERE created_by_process = %s", [PROCESS])
        if people:
            Adult.objects.filter(pk__in=people).delete()

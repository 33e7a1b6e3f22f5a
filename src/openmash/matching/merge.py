"""Merging two hub children into one, and undoing it exactly.

A merge points every row that refers to the merged child at the survivor, and lists each
row it moved, and each row the survivor already had, in `MergeMove`. Neither child's own
fields are changed, and no agency identity is altered beyond which child it belongs to.

An unmerge moves the listed rows back. Rows attached to the survivor since the merge are
placed by their evidence: an identity linked since goes to the side of the identity it
matched; a row that came in through an identity (a contact, a feed record) follows that
identity; anything else stays with the survivor unless the person unmerging places it.
Every placement is recorded with its reason.

Which rows refer to a child is found from the models, so rows of apps added later are moved
too. Excluded: the synthetic borough's truth tables (they say what is true, not what the hub
holds), the read log and the change-history event tables (history of what was so, never
rewritten: the moves themselves appear in the change history as updates), and this app's own
bookkeeping (it records the merge itself).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.accounts.actor import Actor
from openmash.accounts.roles import Role
from openmash.audit.models import Outcome
from openmash.audit.services import access_event_record
from openmash.notifications.services import notification_send
from openmash.people.models import AgencyIdentity, Child

from .models import ChildMerge, IdentityLink, MergeMove, MergeSide, MergeStatus, ReviewPair

EXCLUDED_APPS = frozenset({"synthetic", "matching", "audit"})
MERGE_ROLES = frozenset({Role.MASH_OFFICER, Role.MASH_MANAGER})
MIN_REASON = 10


class MergeError(ValidationError):
    pass


def child_references() -> list[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    """Every (model, foreign key) that points at people.Child, outside the excluded apps."""
    from pghistory.models import Event

    found = []
    for model in apps.get_models():
        if model._meta.app_label in EXCLUDED_APPS or model._meta.proxy or not model._meta.managed:
            continue
        if issubclass(model, Event):
            continue  # change history says what was so, and is never rewritten
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is Child:
                found.append((model, field))
    return found


def append_only(model: type[models.Model]) -> bool:
    """A table whose rows may not be updated (a pgtrigger Protect on update): its rows stay put."""
    import pgtrigger

    for trigger in getattr(model._meta, "triggers", []):
        if isinstance(trigger, pgtrigger.Protect) and "UPDATE" in str(trigger.operation).upper():
            return True
    return False


def _label(model: type[models.Model]) -> str:
    return model._meta.label


def _allocated_workers(child_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    now = timezone.now()
    return list(
        Relationship.objects.filter(
            child_id__in=child_ids,
            basis=RelationshipBasis.ALLOCATED_WORKER,
            holder_user__isnull=False,
            valid_from__lte=now,
        )
        .exclude(valid_to__lte=now)
        .values_list("holder_user_id", flat=True)
        .distinct()
    )


def _check(actor: Actor, reason: str) -> None:
    if actor.user_id is None or actor.role not in MERGE_ROLES:
        raise PermissionDenied("Only the hub's officers and managers merge or unmerge children")
    if len(reason.strip()) < MIN_REASON:
        raise MergeError(f"Give a reason of at least {MIN_REASON} characters")


def _audit(actor: Actor, *, action: str, merge: ChildMerge, purpose: str) -> None:
    access_event_record(
        actor=actor,
        action=action,
        resource_type="child_merge",
        resource_id=str(merge.pk),
        child_ids=[merge.survivor_id, merge.merged_id],
        purpose=purpose[:200],
        outcome=Outcome.GRANTED,
    )


def _notify(*, merge: ChildMerge, recipients: list[uuid.UUID], undone: bool) -> None:
    title = "Two child records were separated again" if undone else "Two child records were merged"
    body = (
        "A record you hold was "
        + ("separated from another it had been merged with. " if undone else "merged with another record. ")
        + "Check the child's chronology and identities. Reason given: "
        + (merge.unmerge_reason if undone else merge.reason)
    )
    notification_send(
        recipient_ids=recipients,
        kind="child_unmerged" if undone else "child_merged",
        title=title,
        body=body,
        link=f"/children/{merge.survivor_id}/",
        source_reference=f"{'unmerge' if undone else 'merge'}:{merge.pk}",
    )


@transaction.atomic
def child_merge(
    *,
    actor: Actor,
    survivor_id: uuid.UUID,
    merged_id: uuid.UUID,
    reason: str,
    review: ReviewPair | None = None,
) -> ChildMerge:
    """Fold `merged_id` into `survivor_id`. Every agency identity is kept; nothing is deleted."""
    _check(actor, reason)
    if survivor_id == merged_id:
        raise MergeError("A child cannot be merged with itself")
    children = {c.pk: c for c in Child.objects.select_for_update().filter(pk__in=[survivor_id, merged_id])}
    if len(children) != 2:
        raise MergeError("Both children must exist")
    busy = ChildMerge.objects.filter(status=MergeStatus.MERGED, merged_id__in=[survivor_id, merged_id])
    if busy.exists():
        raise MergeError("One of these children has already been merged into another")
    recipients = _allocated_workers([survivor_id, merged_id])
    assert actor.user_id is not None
    merge = ChildMerge.objects.create(
        survivor_id=survivor_id,
        merged_id=merged_id,
        review=review,
        reason=reason.strip(),
        merged_by_id=actor.user_id,
        merged_child_snapshot=_snapshot(children[merged_id]),
        survivor_snapshot=_snapshot(children[survivor_id]),
    )
    moves: list[MergeMove] = []
    for model, field in child_references():
        label = _label(model)
        for side, child_id in ((MergeSide.SURVIVOR, survivor_id), (MergeSide.MERGED, merged_id)):
            pks = list(
                model._default_manager.filter(**{field.attname: child_id}).values_list("pk", flat=True)
            )
            moves.extend(
                MergeMove(
                    merge=merge, side=side, model_label=label, field_name=field.attname, object_pk=str(pk)
                )
                for pk in pks
            )
            if side == MergeSide.MERGED and pks and append_only(model):
                # Append-only history cannot be re-pointed: it stays with the merged child and
                # is listed, so a reader that follows merges can find it.
                moves.extend(
                    MergeMove(
                        merge=merge,
                        side=MergeSide.LEFT,
                        model_label=label,
                        field_name=field.attname,
                        object_pk=str(pk),
                    )
                    for pk in pks
                )
                moves = [
                    m
                    for m in moves
                    if not (
                        m.side == MergeSide.MERGED
                        and m.model_label == label
                        and m.field_name == field.attname
                    )
                ]
            elif side == MergeSide.MERGED and pks:
                model._default_manager.filter(pk__in=pks).update(**{field.attname: survivor_id})
    MergeMove.objects.bulk_create(moves, batch_size=2000)
    _audit(actor, action="merge", merge=merge, purpose=f"Merged two child records: {merge.reason}")
    _notify(merge=merge, recipients=recipients, undone=False)
    return merge


def _snapshot(child: Child) -> dict[str, Any]:
    data = model_to_dict(child)
    return {
        key: (str(value) if value is not None and not isinstance(value, (str, int, bool)) else value)
        for key, value in data.items()
    }


@dataclass(frozen=True)
class Placement:
    model_label: str
    field_name: str
    object_pk: str
    side: str  # MergeSide
    why: str


def _since_merge(merge: ChildMerge) -> list[tuple[type[models.Model], models.ForeignKey[Any, Any], str]]:
    """Rows pointing at the survivor now that were attached to neither child at the merge."""
    recorded: dict[tuple[str, str], set[str]] = defaultdict(set)
    for label, field_name, pk in merge.moves.values_list("model_label", "field_name", "object_pk"):
        recorded[(label, field_name)].add(pk)
    found = []
    for model, field in child_references():
        key = (_label(model), field.attname)
        for pk in model._default_manager.filter(**{field.attname: merge.survivor_id}).values_list(
            "pk", flat=True
        ):
            if str(pk) not in recorded[key]:
                found.append((model, field, str(pk)))
    return found


def unmerge_plan(*, merge: ChildMerge, choices: dict[str, str] | None = None) -> list[Placement]:
    """Where each row attached since the merge would go, and why (no writes)."""
    choices = choices or {}
    moved_identity = set(
        merge.moves.filter(model_label=_label(AgencyIdentity), side=MergeSide.MERGED).values_list(
            "object_pk", flat=True
        )
    )
    survivor_identity = set(
        merge.moves.filter(model_label=_label(AgencyIdentity), side=MergeSide.SURVIVOR).values_list(
            "object_pk", flat=True
        )
    )
    since = _since_merge(merge)
    identity_side: dict[str, tuple[str, str]] = {}
    for model, _, pk in since:
        if model is AgencyIdentity:
            link = IdentityLink.objects.filter(identity_id=uuid.UUID(pk)).order_by("-created_at").first()
            matched = str(link.matched_identity_id) if link and link.matched_identity_id else ""
            if matched in moved_identity:
                identity_side[pk] = (
                    MergeSide.MERGED,
                    "Linked since the merge by matching an identity of the merged child",
                )
            elif matched in survivor_identity:
                identity_side[pk] = (
                    MergeSide.SURVIVOR,
                    "Linked since the merge by matching an identity of the survivor",
                )
    placements = []
    for model, field, pk in since:
        key = f"{_label(model)}:{field.attname}:{pk}"
        if key in choices:
            side, why = choices[key], "Placed by the person unmerging"
        elif model is AgencyIdentity and pk in identity_side:
            side, why = identity_side[pk]
        else:
            side, why = _follow_identity(model, pk, identity_side, moved_identity)
        placements.append(Placement(_label(model), field.attname, pk, side, why))
    return placements


def _follow_identity(
    model: type[models.Model], pk: str, identity_side: dict[str, tuple[str, str]], moved_identity: set[str]
) -> tuple[str, str]:
    identity_fields = [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is AgencyIdentity
    ]
    for field in identity_fields:
        identity_id = model._default_manager.filter(pk=pk).values_list(field.attname, flat=True).first()
        if identity_id is None:
            continue
        identity = str(identity_id)
        if identity in identity_side:
            return identity_side[identity][0], "Came in through an identity placed on that side"
        if identity in moved_identity:
            return MergeSide.MERGED, "Came in through an identity of the merged child"
        return MergeSide.SURVIVOR, "Came in through an identity of the survivor"
    return (
        MergeSide.SURVIVOR,
        "Attached to the merged record with no evidence of which child: left with the survivor",
    )


@transaction.atomic
def child_unmerge(
    *, actor: Actor, merge_id: uuid.UUID, reason: str, choices: dict[str, str] | None = None
) -> ChildMerge:
    """Undo a merge: both children end as they were, with what was attached since placed by evidence."""
    _check(actor, reason)
    merge = ChildMerge.objects.select_for_update().get(pk=merge_id)
    if merge.status != MergeStatus.MERGED:
        raise MergeError("This merge has already been undone")
    placements = unmerge_plan(merge=merge, choices=choices)
    references = {(_label(model), field.attname): model for model, field in child_references()}
    back: dict[tuple[str, str], list[str]] = defaultdict(list)
    for label, field, pk in merge.moves.filter(side=MergeSide.MERGED).values_list(
        "model_label", "field_name", "object_pk"
    ):
        back[(label, field)].append(pk)
    for placement in placements:
        if placement.side == MergeSide.MERGED:
            back[(placement.model_label, placement.field_name)].append(placement.object_pk)
    for (label, field), pks in back.items():
        model = references.get((label, field)) or apps.get_model(label)
        model._default_manager.filter(pk__in=pks, **{field: merge.survivor_id}).update(
            **{field: merge.merged_id}
        )
    merge.status = MergeStatus.UNMERGED
    merge.unmerged_at = timezone.now()
    merge.unmerged_by_id = actor.user_id
    merge.unmerge_reason = reason.strip()
    merge.unmerge_placements = [p.__dict__ for p in placements]
    merge.save()
    _audit(
        actor, action="unmerge", merge=merge, purpose=f"Unmerged two child records: {merge.unmerge_reason}"
    )
    _notify(merge=merge, recipients=_allocated_workers([merge.survivor_id, merge.merged_id]), undone=True)
    return merge

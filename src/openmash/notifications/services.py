from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.notifications.models import Notification


@transaction.atomic
def notification_send(
    *,
    recipient_ids: Iterable[uuid.UUID],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    source_reference: str = "",
) -> list[Notification]:
    """Notify each recipient once per (kind, source_reference); repeats are ignored."""
    created: list[Notification] = []
    for recipient_id in dict.fromkeys(recipient_ids):  # de-duplicate, keep order
        fields = {"title": title[:200], "body": body, "link": link[:300]}
        if source_reference:
            notification, was_created = Notification.objects.get_or_create(
                recipient_id=recipient_id, kind=kind, source_reference=source_reference, defaults=fields
            )
        else:
            notification, was_created = (
                Notification.objects.create(recipient_id=recipient_id, kind=kind, **fields),
                True,
            )
        if was_created:
            created.append(notification)
    return created


@transaction.atomic
def notifications_mark_read(*, actor: Actor, notification_ids: Iterable[uuid.UUID]) -> int:
    return Notification.objects.filter(
        recipient_id=actor.user_id, pk__in=list(notification_ids), read_at__isnull=True
    ).update(read_at=timezone.now())

from __future__ import annotations

from django.db.models import QuerySet

from openmash.accounts.actor import Actor
from openmash.notifications.models import Notification


def notifications_for(*, actor: Actor) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=actor.user_id)


def unread_count_for(*, actor: Actor) -> int:
    if actor.user_id is None:
        return 0
    return Notification.objects.filter(recipient_id=actor.user_id, read_at__isnull=True).count()

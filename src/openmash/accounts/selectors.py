from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet
from django.utils import timezone

from openmash.accounts.models import Membership, User


def memberships_active_for_user(*, user: User) -> QuerySet[Membership]:
    now = timezone.now()
    return (
        Membership.objects.filter(user=user, started_at__lte=now)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
        .select_related("agency", "team")
    )


def membership_active_get(*, user: User, membership_id: uuid.UUID | str) -> Membership | None:
    try:
        return memberships_active_for_user(user=user).get(pk=membership_id)
    except (Membership.DoesNotExist, ValueError):
        return None

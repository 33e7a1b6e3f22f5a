from __future__ import annotations

import uuid

from django.db.models import QuerySet

from openmash.audit.models import AccessEvent


def access_events_for_agency(*, agency_id: uuid.UUID, username: str = "") -> QuerySet[AccessEvent]:
    events = AccessEvent.objects.filter(actor_agency_id=agency_id)
    if username:
        events = events.filter(actor_username=username)
    return events.order_by("-occurred_at")

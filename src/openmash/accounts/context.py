from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openmash.accounts.actor import actor_from_request
from openmash.accounts.roles import navigation_for
from openmash.notifications.selectors import unread_count_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    unread = unread_count_for(actor=actor_from_request(request)) if membership is not None else 0
    return {
        "navigation": navigation_for(membership.role if membership else None),
        "notifications_unread": unread,
    }

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openmash.accounts.roles import navigation_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    return {"navigation": navigation_for(membership.role if membership else None)}

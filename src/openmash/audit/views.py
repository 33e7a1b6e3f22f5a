from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openmash.accounts.roles import Role
from openmash.audit.selectors import access_events_for_agency


def trail(request: HttpRequest) -> HttpResponse:
    """The privacy officer's view of reads by people in their agency. Audit data, not case content."""
    membership = getattr(request, "membership", None)
    if membership is None or membership.role != Role.PRIVACY_OFFICER:
        raise PermissionDenied
    username = request.GET.get("user", "")[:150]
    events = access_events_for_agency(agency_id=membership.agency_id, username=username)
    page = Paginator(events, 50).get_page(request.GET.get("page", 1))
    return render(request, "audit/trail.html", {"page": page, "username": username})

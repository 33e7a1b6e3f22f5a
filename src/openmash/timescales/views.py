from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openmash.accounts.actor import actor_from_request
from openmash.timescales.selectors import team_due_list


def due(request: HttpRequest) -> HttpResponse:
    items = team_due_list(actor=actor_from_request(request))
    counts = {
        state: sum(1 for item in items if item.state == state) for state in ("overdue", "due_soon", "later")
    }
    return render(request, "timescales/due.html", {"items": items, "counts": counts})

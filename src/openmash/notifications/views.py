from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from openmash.accounts.actor import actor_from_request
from openmash.notifications.selectors import notifications_for
from openmash.notifications.services import notifications_mark_read


def inbox(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    page = Paginator(notifications_for(actor=actor), 25).get_page(request.GET.get("page", 1))
    return render(request, "notifications/inbox.html", {"page": page})


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    ids = list(notifications_for(actor=actor).filter(read_at__isnull=True).values_list("pk", flat=True))
    notifications_mark_read(actor=actor, notification_ids=ids)
    return redirect("notifications:inbox")

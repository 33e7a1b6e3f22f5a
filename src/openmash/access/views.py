from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openmash.access.forms import AlertReviewForm, BreakGlassForm
from openmash.access.models import PrivacyAlert
from openmash.access.selectors import child_id_for_break_glass
from openmash.access.services import break_glass_grant, privacy_alert_review
from openmash.accounts.actor import actor_from_request
from openmash.accounts.roles import BREAK_GLASS_ROLES, Role


def break_glass(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    if actor.role not in BREAK_GLASS_ROLES:
        raise PermissionDenied
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        child_id = child_id_for_break_glass(identifier=form.cleaned_data["identifier"])
        if child_id is None:
            form.add_error("identifier", "No single child has that number. Check it, or contact the hub")
        else:
            try:
                grant = break_glass_grant(
                    actor=actor,
                    child_id=str(child_id),
                    reason=form.cleaned_data["reason"],
                    reason_text=form.cleaned_data["reason_text"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Emergency access is open. Your privacy officer has been told.")
                return redirect("people:child", child_id=grant.child_id)
    return render(request, "access/break_glass.html", {"form": form, "page_has_errors": bool(form.errors)})


def _privacy_officer(request: HttpRequest) -> None:
    membership = getattr(request, "membership", None)
    if membership is None or membership.role != Role.PRIVACY_OFFICER:
        raise PermissionDenied


def alerts(request: HttpRequest) -> HttpResponse:
    _privacy_officer(request)
    membership = request.membership  # type: ignore[attr-defined]
    queryset = PrivacyAlert.objects.filter(agency_id=membership.agency_id).select_related(
        "break_glass_grant__user", "seal_override__user", "reviewed_by"
    )
    page = Paginator(queryset, 25).get_page(request.GET.get("page", 1))
    return render(request, "access/alerts.html", {"page": page})


def alert_detail(request: HttpRequest, reference: str) -> HttpResponse:
    _privacy_officer(request)
    membership = request.membership  # type: ignore[attr-defined]
    alert = (
        PrivacyAlert.objects.filter(agency_id=membership.agency_id, reference=reference[:16])
        .select_related("break_glass_grant__user", "seal_override__user", "reviewed_by")
        .first()
    )
    if alert is None:
        from django.http import Http404

        raise Http404
    form = AlertReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        privacy_alert_review(
            actor=actor_from_request(request),
            alert=alert,
            outcome=form.cleaned_data["outcome"],
            notes=form.cleaned_data["notes"],
        )
        messages.success(request, f"Review of {alert.reference} saved.")
        return redirect("access:alerts")
    return render(
        request,
        "access/alert_detail.html",
        {"alert": alert, "form": form, "page_has_errors": bool(form.errors)},
    )

"""Pages of the intelligence picture. Thin: parse, call a selector or service, render."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openmash.access.selectors import may_see_who_viewed
from openmash.accounts.actor import actor_from_request
from openmash.people.extensions import visible_tabs

from . import presenters
from .access import export_record, may, may_see_network
from .analysis import map_for_user, picture_analysis_for_user, volt_for_user
from .exports import anx_document, csv_document
from .forms import ExportForm, NetworkFilterForm, ReviewForm, WindowForm
from .selectors import (
    NetworkFilters,
    child_network_for_user,
    entity_detail_for_user,
    link_get_for_user,
    network_for_user,
)
from .services import link_confirm, link_reject, shared_entity_alerts_raise


def _window_form(request: HttpRequest) -> WindowForm:
    form = WindowForm(request.GET or None)
    form.is_valid()
    return form


def home(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    form = _window_form(request)
    analysis = picture_analysis_for_user(
        actor=actor, purpose="Review candidate groups and alerts", window=form.window()
    )
    return render(
        request,
        "intelligence/home.html",
        {
            "form": form,
            "analysis": analysis,
            "may_run": may(actor, "intelligence.analysis.run") if may_see_network(actor) else False,
        },
    )


def network(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    form = NetworkFilterForm(request.GET or None)
    filters = form.filters() if request.GET else NetworkFilters()
    around = []
    if request.GET.get("around"):
        try:
            around = [uuid.UUID(request.GET["around"])]
        except ValueError:
            raise Http404("Not found") from None
    graph = network_for_user(actor=actor, purpose="View the network", filters=filters, around=around)
    return render(
        request,
        "intelligence/network.html",
        {
            "form": form,
            "network": graph,
            "elements": presenters.cytoscape_elements(graph),
            "node_rows": presenters.node_rows(graph),
            "edge_rows": presenters.edge_rows(graph),
            "filters": filters,
        },
    )


def entity(request: HttpRequest, entity_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    detail = entity_detail_for_user(actor=actor, entity_id=entity_id, purpose="View an entity and its links")
    return render(
        request,
        "intelligence/entity.html",
        {
            "detail": detail,
            "elements": presenters.cytoscape_elements(detail.network),
            "node_rows": presenters.node_rows(detail.network),
            "edge_rows": presenters.edge_rows(detail.network),
            "may_review": may(actor, "intelligence.link.confirm"),
        },
    )


@require_http_methods(["GET", "POST"])
def link_review(request: HttpRequest, link_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    link = link_get_for_user(actor=actor, link_id=link_id, purpose="Review a link")
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = link_confirm if form.cleaned_data["decision"] == "confirm" else link_reject
        try:
            service(actor=actor, link=link, reason=form.cleaned_data["reason"])
        except PermissionDenied:
            raise Http404("Not found") from None
        except ValidationError as error:
            for problem in error.messages:
                form.add_error(None, problem)
        else:
            messages.success(
                request, "Link confirmed." if form.cleaned_data["decision"] == "confirm" else "Link rejected."
            )
            return redirect("intelligence:entity", link.source_id)
    return render(request, "intelligence/link_review.html", {"link": link, "form": form})


def places_map(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    form = _window_form(request)
    view = map_for_user(actor=actor, purpose="View places and hotspots", window=form.window())
    return render(request, "intelligence/map.html", {"form": form, "map": view})


def volt(request: HttpRequest, entity_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    form = _window_form(request)
    profile = volt_for_user(
        actor=actor,
        entity_id=entity_id,
        purpose="Prepare the multi-agency exploitation meeting (VOLT)",
        window=form.window(),
    )
    return render(request, "intelligence/volt.html", {"form": form, "volt": profile})


@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    form = ExportForm(request.POST or None)
    if not may(actor, "intelligence.network.export"):
        # The refusal is logged like any other; the page does not exist for this person.
        export_record(actor=actor, purpose="Export the network (refused)", file_format="-", child_ids=[])
    if request.method == "POST" and form.is_valid():
        purpose = form.cleaned_data["purpose"]
        graph = network_for_user(actor=actor, purpose=purpose, filters=NetworkFilters())
        file_format = form.cleaned_data["file_format"]
        recipient = form.cleaned_data.get("recipient") or ""
        export_record(
            actor=actor,
            purpose=purpose,
            file_format=file_format,
            child_ids=graph.child_ids,
            recipients=[recipient] if recipient else [],
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if file_format == "anx":
            response = HttpResponse(anx_document(graph), content_type="application/xml; charset=utf-16")
            response["Content-Disposition"] = f'attachment; filename="openmash-network-{stamp}.anx"'
        else:
            response = HttpResponse(csv_document(graph), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="openmash-network-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "intelligence/export.html", {"form": form})


@require_POST
def alerts_run(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    form = WindowForm(request.POST)
    if not form.is_valid():
        return redirect("intelligence:home")
    try:
        raised = shared_entity_alerts_raise(actor=actor, window=form.window())
    except PermissionDenied:
        raise Http404("Not found") from None
    messages.success(
        request, f"{len(raised)} new alert{'s' if len(raised) != 1 else ''} sent to the hub's queue."
    )
    return redirect("intelligence:home")


def child_network(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    found = child_network_for_user(actor=actor, child_id=child_id, purpose="View the child's network")
    access = found.access
    return render(
        request,
        "intelligence/child_network.html",
        {
            "access": access,
            "child": access.child,
            "extra_tabs": visible_tabs(access, actor),
            "shows_viewers": may_see_who_viewed(access=access, actor=actor),
            "tab": "network",
            "found": found,
            "elements": presenters.cytoscape_elements(found.network),
            "node_rows": presenters.node_rows(found.network),
            "edge_rows": presenters.edge_rows(found.network),
            "count_words": presenters.count_words(found.counts),
        },
    )

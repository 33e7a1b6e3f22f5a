"""Children's pages. Every read goes through openmash.access.selectors (import-linter enforces it)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openmash.access.selectors import (
    child_get_for_user,
    child_page_for_user,
    child_viewers_for_user,
    may_see_who_viewed,
)
from openmash.accounts.actor import actor_from_request
from openmash.people import presenters
from openmash.people.extensions import visible_tabs
from openmash.people.forms import ChildSearchForm, ChronologyFilterForm
from openmash.people.selectors import (
    child_chronology,
    child_family,
    child_identities,
    chronology_filter,
    chronology_kinds,
)


def my_children(request: HttpRequest) -> HttpResponse:
    page = child_page_for_user(
        actor=actor_from_request(request),
        purpose="My children: caseload list",
        page_number=request.GET.get("page", 1),
        mine_only=True,
    )
    return render(request, "people/my_children.html", {"page": page})


def search(request: HttpRequest) -> HttpResponse:
    form = ChildSearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        page = child_page_for_user(
            actor=actor_from_request(request),
            purpose="Find a child",
            page_number=request.GET.get("page", 1),
            query=form.cleaned_data["q"],
        )
    return render(
        request, "people/search.html", {"form": form, "page": page, "page_has_errors": bool(form.errors)}
    )


def child_detail(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    access = child_get_for_user(actor=actor, child_id=child_id, purpose="View child record")
    return render(
        request,
        "people/child_detail.html",
        {
            "access": access,
            "child": access.child,
            "summary_rows": presenters.child_summary_rows(access.child),
            "identity_rows": presenters.identity_table_rows(child_identities(access=access)),
            "family": child_family(access=access),
            "shows_viewers": may_see_who_viewed(access=access, actor=actor),
            "extra_tabs": visible_tabs(access, actor),
            "tab": "record",
        },
    )


def child_chronology_view(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    access = child_get_for_user(actor=actor, child_id=child_id, purpose="View child chronology")
    kinds = chronology_kinds()
    form = ChronologyFilterForm(request.GET or None, kinds=kinds)
    agency = kind = ""
    if form.is_valid():
        agency, kind = form.cleaned_data["agency"], form.cleaned_data["kind"]
    everything = child_chronology(access=access, actor=actor)
    agencies = sorted({entry.agency for entry in everything})
    entries = chronology_filter(everything, agency=agency, kind=kind)
    return render(
        request,
        "people/child_chronology.html",
        {
            "access": access,
            "child": access.child,
            "entries": entries,
            "form": form,
            "agencies": agencies,
            "kinds": kinds,
            "shows_viewers": may_see_who_viewed(access=access, actor=actor),
            "extra_tabs": visible_tabs(access, actor),
            "tab": "chronology",
        },
    )


def child_viewers(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    access, viewers = child_viewers_for_user(actor=actor, child_id=child_id)
    return render(
        request,
        "people/child_viewers.html",
        {
            "access": access,
            "child": access.child,
            "viewers": viewers,
            "shows_viewers": True,
            "extra_tabs": visible_tabs(access, actor),
            "tab": "viewers",
        },
    )

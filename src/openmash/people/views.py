"""Children's pages. Every read goes through openmash.access.selectors (import-linter enforces it)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from openmash.access.selectors import (
    child_get_for_user,
    child_page_for_user,
    child_viewers_for_user,
    may_see_who_viewed,
)
from openmash.accounts.actor import actor_from_request
from openmash.audit.models import Action
from openmash.people import presenters
from openmash.people.extensions import visible_tabs
from openmash.people.forms import PRINT_PURPOSES, ChildSearchForm, ChronologyFilterForm, ChronologyPrintForm
from openmash.people.selectors import (
    child_chronology,
    child_family,
    child_identities,
    chronology_kinds,
    chronology_page,
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


def _chronology_filters(request: HttpRequest) -> tuple[ChronologyFilterForm, dict[str, Any], dict[str, str]]:
    """The filter form, the valid filters, and the query string that repeats them."""
    form = ChronologyFilterForm(request.GET or None, kinds=chronology_kinds())
    filters: dict[str, Any] = {"agency": "", "kind": "", "since": None, "until": None}
    if form.is_bound:
        form.is_valid()
        filters = form.filters()
    params = {
        "agency": filters["agency"],
        "kind": filters["kind"],
        "date_from": filters["since"].isoformat() if filters["since"] else "",
        "date_to": filters["until"].isoformat() if filters["until"] else "",
    }
    return form, filters, {key: value for key, value in params.items() if value}


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 1_000_000))
    except ValueError:
        return 1


def child_chronology_view(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    access = child_get_for_user(actor=actor, child_id=child_id, purpose="View child chronology")
    form, filters, params = _chronology_filters(request)
    page = chronology_page(access=access, actor=actor, page=_page_number(request), **filters)
    return render(
        request,
        "people/child_chronology.html",
        {
            "access": access,
            "child": access.child,
            "page": page,
            "entries": page.entries,
            "form": form,
            "filtered": bool(params),
            "params": params,
            "pagination": presenters.pagination(page.number, page.num_pages, params),
            "agencies": page.agencies,
            "kinds": chronology_kinds(),
            "purposes": PRINT_PURPOSES,
            "page_has_errors": bool(form.errors),
            "shows_viewers": may_see_who_viewed(access=access, actor=actor),
            "extra_tabs": visible_tabs(access, actor),
            "tab": "chronology",
        },
    )


def child_chronology_print(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    """The chronology (whole, or the filter it was opened from) laid out for paper.

    Opening it is recorded in the read log as a print, with the purpose given; without a
    purpose, the same page asks for one (and only that refusal-free read is a view).
    """
    actor = actor_from_request(request)
    # Bound when sent from a print form (which says `print=1`), so a bare link asks without an error.
    print_form = ChronologyPrintForm(request.GET if "print" in request.GET else None)
    _form, filters, params = _chronology_filters(request)
    if request.GET.get("scope") == "whole":
        filters, params = {"agency": "", "kind": "", "since": None, "until": None}, {}
    if not print_form.is_valid():
        access = child_get_for_user(
            actor=actor, child_id=child_id, purpose="Choose why to print a chronology"
        )
        return render(
            request,
            "people/child_chronology_print_purpose.html",
            {
                "access": access,
                "child": access.child,
                "print_form": print_form,
                "params": params,
                "purposes": PRINT_PURPOSES,
                "page_has_errors": print_form.is_bound,
                "shows_viewers": may_see_who_viewed(access=access, actor=actor),
                "extra_tabs": visible_tabs(access, actor),
                "tab": "chronology",
            },
        )
    purpose = PRINT_PURPOSES[print_form.cleaned_data["purpose"]]
    scope = presenters.filter_description(filters, chronology_kinds())
    access = child_get_for_user(
        actor=actor,
        child_id=child_id,
        purpose=f"Print chronology ({scope}): {purpose}"[:200],
        action=Action.PRINT,
    )
    entries = child_chronology(access=access, actor=actor, **filters)
    return render(
        request,
        "people/child_chronology_print.html",
        {
            "access": access,
            "child": access.child,
            "entries": entries,
            "kinds": chronology_kinds(),
            "scope": scope,
            "purpose": purpose,
            "params": params,
            "printed_by": request.user,
            "printed_by_agency": getattr(getattr(request, "membership", None), "agency", None),
            "printed_at": timezone.now(),
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

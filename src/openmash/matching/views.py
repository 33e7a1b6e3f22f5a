"""Clerical review pages and unmerge. Thin: parse, call a selector or a service, render."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openmash.accounts.actor import actor_from_request
from openmash.matching import presenters
from openmash.matching.forms import DecisionForm, UnmergeForm
from openmash.matching.merge import MergeError, child_unmerge
from openmash.matching.selectors import (
    ReviewNotFound,
    merges_for_user,
    review_get_for_user,
    review_queue_for_user,
)
from openmash.matching.services import review_decide


def review_queue(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    page, rows = review_queue_for_user(actor=actor, page_number=request.GET.get("page", 1))
    return render(request, "matching/queue.html", {"page": page, "queue": rows})


def review_detail(request: HttpRequest, review_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review_decide(
                actor=actor,
                review_id=review_id,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as error:
            raise ReviewNotFound("No such review", actor=actor, resource_id=str(review_id)) from error
        except ValidationError as error:
            for field, problems in (
                error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            ).items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, "Your decision has been recorded.")
            return redirect("matching:reviews")
    view = review_get_for_user(actor=actor, review_id=review_id)
    head, rows = presenters.weights_table(view.explanation)
    return render(
        request,
        "matching/review.html",
        {
            "view": view,
            "form": form,
            "chart_spec": presenters.weights_chart_spec(view.explanation),
            "table_head": head,
            "table_rows": rows,
        },
    )


def merges(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    return render(request, "matching/merges.html", {"merges": merges_for_user(actor=actor)})


def unmerge(request: HttpRequest, merge_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    merges_for_user(actor=actor)  # reviewers only
    form = UnmergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            child_unmerge(actor=actor, merge_id=merge_id, reason=form.cleaned_data["reason"])
        except (MergeError, ValidationError) as error:
            form.add_error(None, "; ".join(error.messages))
        else:
            messages.success(request, "The two records have been separated again.")
            return redirect("matching:merges")
    return render(request, "matching/unmerge.html", {"form": form, "merge_id": merge_id})

"""The hub's pages: triage queue, a contact (RAG, requests, linked children, decision), agency requests."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from openmash.access.selectors import ChildAccess, ChildNotFound, child_get_for_user
from openmash.accounts.actor import actor_from_request
from openmash.exploitation.services import language_flags_record
from openmash.intake.models import ContactSource, ContactStatus, Urgency
from openmash.intake.selectors import referrer_for_viewer

from . import selectors, services
from .forms import AnswerForm, DecisionForm, RagForm, RequestForm, ReturnForm, SignOffForm
from .models import DecisionStatus, Outcome, Rag, ThresholdDecision
from .presenters import RAG_TAGS, STATE_TAGS, select_items


def _errors_to_form(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def queue(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    filters = selectors.QueueFilters.from_query(request.GET)
    page, rows, counts = selectors.triage_queue(
        actor=actor, filters=filters, page_number=request.GET.get("page", 1)
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "mash/queue.html",
        {
            "page": page,
            "rows": rows,
            "counts": counts,
            "filters": filters,
            "query": query.urlencode(),
            "rags": Rag.choices,
            "sources": ContactSource.choices,
            "urgencies": Urgency.choices,
            "states": selectors.STATES,
            "sorts": {key: label for key, (label, _) in selectors.SORTS.items()},
            "rag_tags": RAG_TAGS,
            "state_tags": STATE_TAGS,
            "select_items": select_items,
        },
    )


def _child_access(request: HttpRequest, contact: Any) -> ChildAccess | None:
    if contact.child_id is None:
        return None
    try:
        return child_get_for_user(
            actor=actor_from_request(request),
            child_id=contact.child_id,
            purpose=f"Triage contact {contact.reference}",
        )
    except ChildNotFound:
        return None


def _contact_page(request: HttpRequest, contact_id: uuid.UUID, **form_overrides: Any) -> HttpResponse:
    actor = actor_from_request(request)
    contact = selectors.contact_get_for_triage(actor=actor, contact_id=contact_id)
    access = _child_access(request, contact)
    decision = selectors.contact_decision(contact=contact)
    returned = decision if decision is not None and decision.status == DecisionStatus.RETURNED else None
    forms_in = {
        "rag_form": RagForm(initial={"rag": contact.triage.rag} if hasattr(contact, "triage") else None),
        "request_form": RequestForm(),
        "decision_form": DecisionForm(initial=_decision_initial(returned) if returned else None),
        "sign_off_form": SignOffForm(),
        "return_form": ReturnForm(),
    }
    forms_in.update(form_overrides)
    has_errors = any(form.errors for form in forms_in.values() if form.is_bound)
    return render(
        request,
        "mash/contact.html",
        {
            "contact": contact,
            "child": access.child if access else None,
            "is_open": contact.status == ContactStatus.OPEN,
            "referrer": referrer_for_viewer(actor=actor, contact=contact),
            "ratings": selectors.rag_history(contact=contact),
            "requests": selectors.contact_requests(contact=contact),
            "linked": selectors.linked_children(actor=actor, child_id=access.child.pk) if access else None,
            "decision": decision,
            "decision_clocks": selectors.decision_clocks(decision=decision) if decision else [],
            "may_sign_off": decision is not None
            and decision.status in (DecisionStatus.AWAITING_SIGN_OFF, DecisionStatus.AWAITING_SECOND)
            and actor.role == "mash_manager"
            and not any(
                s.signed_by_id == actor.user_id and s.version == decision.version
                for s in decision.sign_offs.all()
            ),
            "may_return": decision is not None
            and decision.status in (DecisionStatus.AWAITING_SIGN_OFF, DecisionStatus.AWAITING_SECOND)
            and actor.role == "mash_manager",
            "may_amend": returned is not None
            and contact.status == ContactStatus.OPEN
            and selectors.may_triage(actor),
            "returns": list(decision.returns.select_related("returned_by")) if decision else [],
            "rag_tags": RAG_TAGS,
            "state_tags": STATE_TAGS,
            "outcomes": Outcome.choices,
            "page_has_errors": has_errors,
            "now_state": selectors.due_state(contact.triage.next_due_at, timezone.now())
            if hasattr(contact, "triage") and contact.status == ContactStatus.OPEN
            else "",
            **forms_in,
        },
        status=400 if has_errors else 200,
    )


def _decision_initial(decision: ThresholdDecision) -> dict[str, Any]:
    """A returned decision's form starts from what the officer proposed."""
    return {
        "outcome": decision.outcome,
        "rationale": decision.rationale,
        "receiving_team": decision.receiving_team_id,
        "strategy_discussion_on": decision.strategy_discussion_on.strftime("%d/%m/%Y")
        if decision.strategy_discussion_on
        else "",
        "late_reason": decision.late_reason,
    }


def contact(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    return _contact_page(request, contact_id)


@require_POST
def rate(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    contact = selectors.contact_get_for_triage(actor=actor, contact_id=contact_id)
    form = RagForm(request.POST)
    if form.is_valid():
        try:
            services.rag_rate(
                actor=actor, contact=contact, rag=form.cleaned_data["rag"], reason=form.cleaned_data["reason"]
            )
            return redirect("mash:contact", contact.pk)
        except ValidationError as error:
            _errors_to_form(form, error)
    return _contact_page(request, contact_id, rag_form=form)


@require_POST
def ask(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    contact = selectors.contact_get_for_triage(actor=actor, contact_id=contact_id)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            services.information_request_send(
                actor=actor,
                contact=contact,
                agencies=list(form.cleaned_data["agencies"]),
                question=form.cleaned_data["question"],
            )
            return redirect("mash:contact", contact.pk)
        except ValidationError as error:
            _errors_to_form(form, error)
    return _contact_page(request, contact_id, request_form=form)


@require_POST
def decide(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    contact = selectors.contact_get_for_triage(actor=actor, contact_id=contact_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        decision = selectors.contact_decision(contact=contact)
        proposal = {
            "actor": actor,
            "access": _child_access(request, contact),
            "outcome": data["outcome"],
            "rationale": data["rationale"],
            "receiving_team": data["receiving_team"],
            "strategy_discussion_on": data["strategy_discussion_on"],
            "late_reason": data["late_reason"],
        }
        try:
            if decision is not None and decision.status == DecisionStatus.RETURNED:
                services.threshold_decision_amend(decision=decision, **proposal)
            else:
                services.threshold_decision_record(contact=contact, **proposal)
            language_flags_record(actor=actor, outcomes=form.language_outcomes)
            return redirect("mash:contact", contact.pk)
        except ValidationError as error:
            _errors_to_form(form, error)
    return _contact_page(request, contact_id, decision_form=form)


@require_POST
def sign_off(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    contact = selectors.contact_get_for_triage(actor=actor, contact_id=contact_id)
    decision = selectors.contact_decision(contact=contact)
    form = SignOffForm(request.POST)
    if decision is None:
        raise selectors.NotFound("No decision")
    if form.is_valid():
        try:
            services.threshold_decision_sign_off(
                actor=actor, decision=decision, note=form.cleaned_data["note"]
            )
            return redirect("mash:contact", contact.pk)
        except ValidationError as error:
            _errors_to_form(form, error)
    return _contact_page(request, contact_id, sign_off_form=form)


@require_POST
def return_decision(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    contact = selectors.contact_get_for_triage(actor=actor, contact_id=contact_id)
    decision = selectors.contact_decision(contact=contact)
    if decision is None:
        raise selectors.NotFound("No decision")
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.threshold_decision_return(
                actor=actor, decision=decision, reason=form.cleaned_data["return_reason"]
            )
            language_flags_record(actor=actor, outcomes=form.language_outcomes)
            return redirect("mash:contact", contact.pk)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "reason" in error.error_dict:
                error = ValidationError({"return_reason": error.error_dict["reason"]})
            _errors_to_form(form, error)
    return _contact_page(request, contact_id, return_form=form)


def agency_requests(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    return render(
        request,
        "mash/requests.html",
        {
            "requests": selectors.requests_for_agency(
                actor=actor, include_closed=request.GET.get("all") == "1"
            )
        },
    )


def agency_request(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    actor = actor_from_request(request)
    info_request = selectors.request_get_for_agency(actor=actor, request_id=request_id)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.information_request_answer(
                actor=actor,
                request=info_request,
                holds_information=data["holds_information"] == "yes",
                shared=data["shared"],
                withheld=data["withheld"],
                reason=data["reason"],
                lawful_basis=data["lawful_basis"],
            )
            language_flags_record(actor=actor, outcomes=form.language_outcomes)
            return redirect("mash:requests")
        except ValidationError as error:
            _errors_to_form(form, error)
    child = None
    if info_request.status == "open":
        child = child_get_for_user(
            actor=actor,
            child_id=info_request.child_id,
            purpose=f"Answer the hub's request ({info_request.contact.reference})",
        ).child
    return render(
        request,
        "mash/request.html",
        {
            "info_request": info_request,
            "child": child,
            "form": form,
            "response": getattr(info_request, "response", None)
            if info_request.status == "answered"
            else None,
            "page_has_errors": bool(form.errors),
        },
        status=400 if form.errors else 200,
    )

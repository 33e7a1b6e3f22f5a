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

from openmash.access.selectors import (
    ChildAccess,
    ChildNotFound,
    IdentifyCriteria,
    child_for_contact_identification,
    child_get_for_user,
    children_for_contact_identification,
    may_identify_child_for_contact,
)
from openmash.accounts.actor import actor_from_request
from openmash.exploitation.language.forms import child_age
from openmash.exploitation.services import language_flags_record
from openmash.intake.models import ContactSource, ContactStatus, Urgency
from openmash.intake.selectors import referrer_for_viewer
from openmash.mash.services import (
    DescribedChild,
    contact_child_create,
    contact_child_identification_undo,
    contact_child_identify,
)

from . import selectors, services
from .forms import (
    AnswerForm,
    ChildDescribedForm,
    DecisionForm,
    IdentifyConfirmForm,
    IdentifySearchForm,
    RagForm,
    RequestForm,
    ReturnForm,
    SignOffForm,
    UndoIdentificationForm,
)
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
    age = child_age(access.child.date_of_birth) if access else None
    forms_in = {
        "rag_form": RagForm(initial={"rag": contact.triage.rag} if hasattr(contact, "triage") else None),
        "request_form": RequestForm(),
        "decision_form": DecisionForm(
            initial=_decision_initial(returned) if returned else None, language_age=age
        ),
        "sign_off_form": SignOffForm(),
        "return_form": ReturnForm(language_age=age),
        "undo_form": UndoIdentificationForm(),
    }
    forms_in.update(form_overrides)
    is_open = contact.status == ContactStatus.OPEN
    identifier = is_open and may_identify_child_for_contact(actor=actor, hub_team_id=contact.hub_team_id)
    has_errors = any(form.errors for form in forms_in.values() if form.is_bound)
    return render(
        request,
        "mash/contact.html",
        {
            "contact": contact,
            "child": access.child if access else None,
            "is_open": is_open,
            "may_identify": identifier and contact.child_id is None,
            "may_undo_identification": identifier
            and contact.child_id is not None
            and contact.identity_id is None
            and decision is None
            and actor.role == "mash_manager",
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
    access = _child_access(request, contact)
    form = DecisionForm(request.POST, language_age=child_age(access.child.date_of_birth) if access else None)
    if form.is_valid():
        data = form.cleaned_data
        decision = selectors.contact_decision(contact=contact)
        proposal = {
            "actor": actor,
            "access": access,
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


# --- Identifying the child for a contact that arrived without one (ADR 45) -------------------


def _contact_to_identify(request: HttpRequest, contact_id: uuid.UUID) -> Any:
    """The contact, for the hub team that holds it; anyone else gets the 404 a missing one gets."""
    actor = actor_from_request(request)
    contact = selectors.contact_get_for_triage(actor=actor, contact_id=contact_id)
    if not may_identify_child_for_contact(actor=actor, hub_team_id=contact.hub_team_id):
        raise selectors.NotFound("No such contact")
    return contact


def _described(contact: Any) -> list[tuple[str, str]]:
    """What the contact itself says about the child, to search with."""
    rows: list[tuple[str, str]] = []
    concern = getattr(contact, "concern", None)
    if concern is not None:
        name = " ".join(part for part in (concern.child_forename, concern.child_surname) if part)
        rows += [("Name given", name or concern.child_known_as or "Not given")]
        rows += [("School or setting", concern.child_school_or_setting or "Not given")]
    report = getattr(contact, "public_report", None)
    if report is not None:
        rows += [("The child, as described", report.child_description or "Not described")]
        rows += [("Where", report.location or "Not given"), ("What they are worried about", report.worry)]
    return rows


def _identify_render(request: HttpRequest, template: str, contact: Any, **context: Any) -> HttpResponse:
    forms_in = [value for value in context.values() if isinstance(value, forms.Form)]
    has_errors = any(form.is_bound and form.errors for form in forms_in)
    return render(
        request,
        template,
        {"contact": contact, "described": _described(contact), "page_has_errors": has_errors, **context},
        status=400 if has_errors else 200,
    )


def identify_search(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    """Find the child: a POSTed search (names and numbers stay out of URLs and server logs)."""
    contact = _contact_to_identify(request, contact_id)
    if contact.child_id is not None or contact.status != ContactStatus.OPEN:
        return redirect("mash:contact", contact.pk)
    form = IdentifySearchForm(request.POST if request.method == "POST" else None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = children_for_contact_identification(
                actor=actor_from_request(request),
                contact_reference=contact.reference,
                hub_team_id=contact.hub_team_id,
                criteria=IdentifyCriteria(**form.cleaned_data),  # the form's fields are the criteria
            )
        except ValidationError as error:
            _errors_to_form(form, error)
    return _identify_render(request, "mash/identify.html", contact, form=form, result=result)


def identify_confirm(request: HttpRequest, contact_id: uuid.UUID, child_id: uuid.UUID) -> HttpResponse:
    contact = _contact_to_identify(request, contact_id)
    if contact.child_id is not None or contact.status != ContactStatus.OPEN:
        return redirect("mash:contact", contact.pk)
    actor = actor_from_request(request)
    candidate = child_for_contact_identification(
        actor=actor, contact_reference=contact.reference, hub_team_id=contact.hub_team_id, child_id=child_id
    )
    form = IdentifyConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            contact_child_identify(
                actor=actor, contact=contact, child_id=candidate.child_id, reason=form.cleaned_data["reason"]
            )
            return redirect("mash:contact", contact.pk)
        except ValidationError as error:
            _errors_to_form(form, error)
    return _identify_render(request, "mash/identify_confirm.html", contact, form=form, candidate=candidate)


def identify_new(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    contact = _contact_to_identify(request, contact_id)
    if contact.child_id is not None or contact.status != ContactStatus.OPEN:
        return redirect("mash:contact", contact.pk)
    form = ChildDescribedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contact_child_create(
                actor=actor_from_request(request),
                contact=contact,
                described=DescribedChild(**{k: v for k, v in data.items() if k != "reason"}),
                reason=data["reason"],
            )
            return redirect("mash:contact", contact.pk)
        except ValidationError as error:
            _errors_to_form(form, error)
    return _identify_render(request, "mash/identify_new.html", contact, form=form)


@require_POST
def identify_undo(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    """A MASH manager returns a wrongly identified contact to unmatched, to find the right child."""
    contact = _contact_to_identify(request, contact_id)
    form = UndoIdentificationForm(request.POST)
    if form.is_valid():
        try:
            contact_child_identification_undo(
                actor=actor_from_request(request), contact=contact, reason=form.cleaned_data["undo_reason"]
            )
            return redirect("mash:identify", contact.pk)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "reason" in error.error_dict:
                error = ValidationError({"undo_reason": error.error_dict["reason"]})
            _errors_to_form(form, error)
    return _contact_page(request, contact_id, undo_form=form)


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

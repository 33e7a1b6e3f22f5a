"""Pages: report a concern (question pages), the hub's queue, and the public report form."""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from openmash.access.selectors import ChildNotFound, child_get_for_user, child_page_for_user
from openmash.access.services import seal_override_open
from openmash.accounts.actor import actor_from_request
from openmash.exploitation.services import language_flags_record
from openmash.intake import flow, presenters, selectors, services
from openmash.intake.forms import PublicReportForm, ReferrerOverrideForm
from openmash.intake.indicators import indicator_groups, indicators_active
from openmash.intake.models import ContactSource

CONCERN_PURPOSE = "Report a concern about a child"


def _reporter(request: HttpRequest) -> Any:
    actor = actor_from_request(request)
    if not selectors.may_report(actor):
        raise selectors.NotFound("This role cannot report concerns here")
    return actor


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    actor = _reporter(request)
    if request.method == "POST":
        draft = services.concern_draft_start(actor=actor)
        return redirect("intake:step", draft.pk, flow.STEPS[0].slug)
    return render(request, "intake/start.html", {"drafts": selectors.concern_drafts_for_user(actor=actor)})


def _referrer_initial(request: HttpRequest) -> dict[str, str]:
    membership = getattr(request, "membership", None)
    user = request.user
    return {
        "name": getattr(user, "full_name", "") or user.get_username(),
        "role": membership.get_role_display() if membership else "",
        "agency_name": membership.agency.name if membership else "",
        "email": getattr(user, "email", ""),
        "sealed": "yes",
    }


@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, draft_id: uuid.UUID, slug: str) -> HttpResponse:
    actor = _reporter(request)
    draft = selectors.concern_draft_get_for_user(actor=actor, draft_id=draft_id)
    current = flow.STEP_BY_SLUG.get(slug)
    if current is None:
        raise selectors.NotFound("No such question")
    indicators = indicators_active()
    changing = request.GET.get("change") == "1"
    age = flow.child_age_from_answers(draft.answers)
    if request.method == "POST":
        form = flow.make_form(current, data=request.POST, indicators=indicators, child_age=age)
        if form.is_valid():
            answers = form.answers()  # type: ignore[attr-defined]
            services.concern_draft_save(actor=actor, draft=draft, step=slug, answers=answers)
            language_flags_record(actor=actor, outcomes=getattr(form, "language_outcomes", []))
            following = flow.step_after(slug)
            if changing or following is None:
                return redirect("intake:check", draft.pk)
            return redirect("intake:step", draft.pk, following)
    else:
        form = flow.saved_form(current, draft.answers, indicators, child_age=age) or flow.make_form(
            current,
            indicators=indicators,
            initial=_referrer_initial(request) if slug == "your-details" else None,
            child_age=age,
        )
    previous = flow.step_before(slug)
    back = (
        reverse("intake:check", args=[draft.pk])
        if changing
        else reverse("intake:step", args=[draft.pk, previous])
        if previous
        else reverse("intake:start")
    )
    return render(
        request,
        current.template,
        {
            "form": form,
            "step": current,
            "draft": draft,
            "back": back,
            "number": [s.slug for s in flow.STEPS].index(slug) + 1,
            "total": len(flow.STEPS),
            "groups": indicator_groups(indicators) if slug == "warning-signs" else [],
            "chosen": flow.chosen_child_id(draft.answers) if slug == "child" else None,
            "page_has_errors": bool(form.errors),
        },
    )


@require_http_methods(["GET", "POST"])
def child_find(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    """Choose a child the reporter already works with: only children they can already see are searched."""
    actor = _reporter(request)
    draft = selectors.concern_draft_get_for_user(actor=actor, draft_id=draft_id)
    if request.method == "POST":
        try:
            access = child_get_for_user(
                actor=actor, child_id=request.POST.get("child_id", ""), purpose=CONCERN_PURPOSE
            )
        except ChildNotFound:
            return redirect("intake:child-find", draft.pk)
        services.concern_draft_save(
            actor=actor, draft=draft, step="child", answers={flow.CHOSEN_CHILD: str(access.child.pk)}
        )
        return redirect("intake:step", draft.pk, "what-happened")
    query = " ".join(request.GET.get("q", "").split())[:100]
    page = child_page_for_user(
        actor=actor,
        purpose=f"{CONCERN_PURPOSE}: choose the child",
        page_number=request.GET.get("page", 1),
        query=query,
        mine_only=not query,
    )
    return render(request, "intake/child_find.html", {"draft": draft, "page": page, "query": query})


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    actor = _reporter(request)
    draft = selectors.concern_draft_get_for_user(actor=actor, draft_id=draft_id)
    indicators = indicators_active()
    missing = flow.first_unanswered(draft.answers, indicators)
    if missing is not None:
        return redirect("intake:step", draft.pk, missing)
    answers = flow.concern_answers(draft.answers, indicators)
    chosen = None
    if answers.child_id is not None:
        try:
            chosen = child_get_for_user(actor=actor, child_id=answers.child_id, purpose=CONCERN_PURPOSE).child
        except ChildNotFound:
            # No longer theirs to see (the relationship ended): describe the child instead.
            return redirect("intake:step", draft.pk, "child")
    if request.method == "POST":
        try:
            contact = services.concern_submit(actor=actor, draft=draft, answers=answers, chosen_child=chosen)
        except ValidationError as error:
            return render(
                request,
                "intake/check.html",
                {
                    "draft": draft,
                    "sections": [],
                    "problem": "; ".join(error.messages),
                    "page_has_errors": True,
                },
            )
        return redirect("intake:sent", contact.pk)
    sections = presenters.check_answer_sections(
        draft_id=draft.pk, answers=answers, chosen_child=chosen, indicators=indicators
    )
    return render(request, "intake/check.html", {"draft": draft, "sections": sections})


def sent(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    actor = _reporter(request)
    contact = selectors.contact_sent_get_for_user(actor=actor, contact_id=contact_id)
    return render(request, "intake/sent.html", {"contact": contact})


def hub_queue(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    source = request.GET.get("source", "")
    page, rows = selectors.contact_queue_for_hub(
        actor=actor, page_number=request.GET.get("page", 1), source=source
    )
    return render(
        request,
        "intake/hub_queue.html",
        {
            "page": page,
            "rows": rows,
            "source": source if source in ContactSource.values else "",
            "sources": ContactSource.choices,
            "urgency_tag": presenters.urgency_tag,
            "source_tags": presenters.SOURCE_TAGS,
        },
    )


def contact_detail(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    return _contact_page(request, contact_id, ReferrerOverrideForm())


def _contact_page(
    request: HttpRequest, contact_id: uuid.UUID, override_form: ReferrerOverrideForm
) -> HttpResponse:
    actor = actor_from_request(request)
    contact, access = selectors.contact_get_for_viewer(actor=actor, contact_id=contact_id)
    child = access.child if access else None
    if access is None and contact.child_id is not None:
        try:
            child = child_get_for_user(
                actor=actor, child_id=contact.child_id, purpose=f"Triage contact {contact.reference}"
            ).child
        except ChildNotFound:
            child = None
    wording = {choice.code: choice.wording for choice in indicators_active()}
    concern = getattr(contact, "concern", None)
    lines = [wording.get(code, code) for code in concern.indicator_codes] if concern else []
    return render(
        request,
        "intake/contact_detail.html",
        {
            "contact": contact,
            "child": child,
            "from_hub": selectors.may_see_hub_queue(actor),
            "referrer": selectors.referrer_for_viewer(actor=actor, contact=contact),
            "override_form": override_form,
            "page_has_errors": bool(override_form.errors),
            "indicator_lines": lines,
            "payload_rows": presenters.feed_payload_rows(
                contact.feed_record.feed, contact.feed_record.payload, contact.feed_record.held_back
            )
            if contact.feed_record
            else [],
            "urgency_tag": presenters.urgency_tag,
        },
    )


@require_http_methods(["POST"])
def contact_referrer_open(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    """Open a sealed referrer's details with a written reason (logged; the privacy officer is alerted)."""
    actor = actor_from_request(request)
    contact, _ = selectors.contact_get_for_viewer(actor=actor, contact_id=contact_id)
    referrer = getattr(contact, "referrer", None)
    if referrer is None or not referrer.sealed:
        return redirect("intake:contact", contact.pk)
    form = ReferrerOverrideForm(request.POST)
    if form.is_valid():
        try:
            seal_override_open(
                actor=actor,
                item=selectors.referrer_sealed_item(contact, referrer),
                reason_text=form.cleaned_data["reason_text"],
            )
        except ValidationError as refusal:
            for message in refusal.messages:
                form.add_error("reason_text" if "characters" in message else None, message)
        else:
            return redirect(reverse("intake:contact", args=[contact.pk]) + "#referrer")
    return _contact_page(request, contact_id, form)


# --- The public report ("it's not okay") -------------------------------------------------------

MAX_PUBLIC_BODY = 128_000  # the form's own limits, in 4-byte characters, URL-encoded, fit well inside


def _client_address(request: HttpRequest) -> str:
    """The client's address; behind N trusted proxies (OPENMASH_PROXY_COUNT), the N-th from the right."""
    proxies = int(os.environ.get("OPENMASH_PROXY_COUNT", "0") or 0)
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _refused(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    return render(request, "intake/public_refused.html", {"reason": reason}, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "intake/public_report.html", {"form": PublicReportForm()})
    client = services.public_client_hash(_client_address(request))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_PUBLIC_BODY + 1
    if length > MAX_PUBLIC_BODY:
        services.public_report_refusal_record(client_hash=client, reason="too_large")
        return _refused(request, "too_large", 413)
    if not services.public_report_allowed(client_hash=client):
        services.public_report_refusal_record(client_hash=client, reason="rate_limited")
        return _refused(request, "rate_limited", 429)
    if request.POST.get("website", "").strip():
        services.public_report_refusal_record(client_hash=client, reason="honeypot")
        return _refused(request, "refused", 400)
    form = PublicReportForm(request.POST)
    if not form.is_valid():
        return render(request, "intake/public_report.html", {"form": form, "page_has_errors": True})
    data = form.cleaned_data
    contact = services.public_report_submit(
        client_hash=client,
        worry=data["worry"],
        child_description=data["child_description"],
        location=data["location"],
        when=data["when"],
        reporter_contact=data["reporter_contact"],
    )
    # Post/redirect/get, and the thank-you page shows the reference only, never the report.
    request.session["public_report_reference"] = contact.reference
    return redirect("public_report:thanks")


@login_not_required
def public_thanks(request: HttpRequest) -> HttpResponse:
    reference = request.session.pop("public_report_reference", None)
    return render(request, "intake/public_thanks.html", {"reference": reference})


def feed_record_detail(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    """An agency's record as it was received: where a warning sign on a child's record came from."""
    record, access = selectors.feed_record_get_for_user(
        actor=actor_from_request(request), record_id=record_id
    )
    return render(
        request,
        "intake/feed_record.html",
        {
            "record": record,
            "child": access.child,
            "payload_rows": presenters.feed_payload_rows(record.feed, record.payload, record.held_back),
        },
    )

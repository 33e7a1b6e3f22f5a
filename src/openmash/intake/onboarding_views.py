"""The administration pages for onboarding agencies (system administrators only; 404 for everyone else)."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from openmash.accounts.actor import Actor, actor_from_request
from openmash.accounts.models import Agency, AgencyKind
from openmash.intake.feeds.catalogue import FEEDS
from openmash.intake.models import FeedClient
from openmash.intake.onboarding import agency_client_issue, agency_onboard, feeds_for_kind, may_onboard


class AgencyForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the agency's name"})
    kind = forms.ChoiceField(
        choices=AgencyKind.choices, error_messages={"required": "Choose the kind of agency"}
    )
    code = forms.SlugField(
        max_length=40,
        error_messages={
            "required": "Enter a short code for the agency",
            "invalid": "Use lower-case letters, numbers and hyphens only, for example wrenford-police",
        },
    )
    feeds = forms.MultipleChoiceField(
        choices=[(code, f"{spec.title} ({code})") for code, spec in FEEDS.items()],
        error_messages={"required": "Choose at least one feed the agency may send"},
    )
    client_name = forms.CharField(max_length=200, required=False)


class ClientForm(forms.Form):
    client_name = forms.CharField(
        max_length=200, error_messages={"required": "Name the system that sends the feeds"}
    )


def _admin(request: HttpRequest) -> Actor:
    actor = actor_from_request(request)
    if not may_onboard(actor) or actor.is_system:
        raise Http404("No such page")
    return actor


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    for field, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def _token_page(request: HttpRequest, *, agency: Agency, client: FeedClient, token: str) -> HttpResponse:
    response = render(
        request, "intake/onboarding/token.html", {"agency": agency, "client": client, "token": token}
    )
    response["Cache-Control"] = "no-store"
    return response


def agencies(request: HttpRequest) -> HttpResponse:
    _admin(request)
    rows = [
        {
            "agency": agency,
            "feeds": list(agency.feeds) or feeds_for_kind(agency.kind),
            "any_of_kind": not agency.feeds,
            "clients": [c for c in agency.feed_clients.all() if c.revoked_at is None],  # type: ignore[attr-defined]
        }
        for agency in Agency.objects.prefetch_related("feed_clients").order_by("name")
    ]
    return render(request, "intake/onboarding/agencies.html", {"rows": rows})


def agency_add(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = agency_onboard(
                actor=actor, name=data["name"], kind=data["kind"], code=data["code"], feeds=data["feeds"],
                client_name=data["client_name"],
            )  # fmt: skip
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if done.client is not None:
                return _token_page(request, agency=done.agency, client=done.client, token=done.token)
            return render(request, "intake/onboarding/added.html", {"agency": done.agency})
    return render(
        request,
        "intake/onboarding/agency_form.html",
        {
            "form": form,
            "page_has_errors": bool(form.errors),
            "kinds": {k: feeds_for_kind(k) for k in AgencyKind.values},
        },
    )


def agency_client(request: HttpRequest, agency_id: uuid.UUID) -> HttpResponse:
    actor = _admin(request)
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise Http404("No such agency")
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client, token = agency_client_issue(
                actor=actor, agency=agency, client_name=form.cleaned_data["client_name"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _token_page(request, agency=agency, client=client, token=token)
    return render(
        request,
        "intake/onboarding/client_form.html",
        {"form": form, "agency": agency, "page_has_errors": bool(form.errors)},
    )

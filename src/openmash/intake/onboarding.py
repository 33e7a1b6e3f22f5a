"""Onboarding an agency: its name, kind, code, the feeds it may send, and its API client (ADR 0037).

Only a system administrator (or a command run on the server, a system actor) onboards. The API
token is shown once and never stored: only its SHA-256 is kept (``feed_client_create``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency, AgencyKind
from openmash.accounts.roles import Role
from openmash.intake.feeds.catalogue import FEEDS
from openmash.intake.models import FeedClient
from openmash.intake.services import feed_client_create


def may_onboard(actor: Actor) -> bool:
    return actor.is_system or (actor.user_id is not None and actor.role == Role.SYSTEM_ADMIN)


def feeds_for_kind(kind: str) -> list[str]:
    """The feeds an agency of this kind may send, in the catalogue's order."""
    return [code for code, spec in FEEDS.items() if kind in spec.agency_kinds]


@dataclass(frozen=True)
class Onboarded:
    agency: Agency
    client: FeedClient | None
    token: str  # shown once; empty when no API client was asked for


def _check_feeds(kind: str, feeds: list[str]) -> list[str]:
    unknown = [feed for feed in feeds if feed not in FEEDS]
    if unknown:
        raise ValidationError(
            {"feeds": f"There is no feed called {', '.join(unknown)}. Feeds: {', '.join(FEEDS)}."}
        )
    wrong = [feed for feed in feeds if feed not in feeds_for_kind(kind)]
    if wrong:
        label = dict(AgencyKind.choices).get(kind, kind)
        raise ValidationError(
            {"feeds": f"A {label.lower()} cannot send {', '.join(wrong)}. It can send: "
             f"{', '.join(feeds_for_kind(kind)) or 'no feed'}."}
        )  # fmt: skip
    return list(dict.fromkeys(feeds))


@transaction.atomic
def agency_onboard(
    *, actor: Actor, name: str, kind: str, code: str, feeds: list[str], client_name: str = ""
) -> Onboarded:
    """Add an agency with the feeds it may send and, if `client_name` is given, issue its API client."""
    if not may_onboard(actor):
        raise PermissionDenied("Only a system administrator adds agencies")
    if kind not in AgencyKind.values:
        raise ValidationError({"kind": f"Choose the kind of agency: {', '.join(AgencyKind.values)}."})
    feeds = _check_feeds(kind, feeds)
    if not feeds:
        raise ValidationError({"feeds": "Choose at least one feed the agency may send."})
    code = code.strip().lower()
    if Agency.objects.filter(code=code).exists():
        raise ValidationError({"code": f"An agency already has the code {code}."})
    if Agency.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": f"An agency is already called {name.strip()}."})
    agency = Agency(name=name.strip(), kind=kind, code=code, feeds=feeds)
    agency.full_clean()
    agency.save()
    client, token = None, ""
    if client_name.strip():
        client, token = feed_client_create(actor=actor, agency=agency, name=client_name, feeds=feeds)
    return Onboarded(agency=agency, client=client, token=token)


@transaction.atomic
def agency_client_issue(*, actor: Actor, agency: Agency, client_name: str) -> tuple[FeedClient, str]:
    """Issue another API client (a new system, or a replacement token) for the feeds the agency may send."""
    if not may_onboard(actor):
        raise PermissionDenied("Only a system administrator issues API clients")
    if not client_name.strip():
        raise ValidationError({"client_name": "Name the system that will send the feeds."})
    if FeedClient.objects.filter(agency=agency, name=client_name.strip()).exists():
        raise ValidationError(
            {"client_name": f"{agency.name} already has a system called {client_name.strip()}."}
        )
    feeds = list(agency.feeds) or feeds_for_kind(agency.kind)
    return feed_client_create(actor=actor, agency=agency, name=client_name.strip(), feeds=feeds)

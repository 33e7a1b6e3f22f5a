"""Who is acting, in which role, for which agency: passed to every service and selector."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

from django.http import HttpRequest

SYSTEM_USERNAME = "system"


@dataclass(frozen=True)
class Actor:
    user_id: uuid.UUID | None
    username: str
    role: str | None
    agency_id: uuid.UUID | None
    team_id: uuid.UUID | None
    membership_id: uuid.UUID | None = None
    request_id: str = ""
    session_hash: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    is_system: bool = field(default=False)

    @classmethod
    def system(cls, process: str) -> Actor:
        """An explicit identity for background jobs and commands (never a person)."""
        return cls(
            user_id=None,
            username=f"{SYSTEM_USERNAME}:{process}",
            role=None,
            agency_id=None,
            team_id=None,
            is_system=True,
        )

    @property
    def audit_chain(self) -> str:
        """Each agency's reads form their own hash chain (ADR 0004)."""
        if self.agency_id is not None:
            return str(self.agency_id)
        return "system" if self.is_system else "unattributed"


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def actor_from_request(request: HttpRequest) -> Actor:
    membership = getattr(request, "membership", None)
    session_key = request.session.session_key or ""
    user = request.user
    return Actor(
        user_id=user.pk if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "",
        role=membership.role if membership else None,
        agency_id=membership.agency_id if membership else None,
        team_id=membership.team_id if membership else None,
        membership_id=membership.pk if membership else None,
        request_id=getattr(request, "request_id", ""),
        # The session key itself is a credential; only its hash goes in logs.
        session_hash=hashlib.sha256(session_key.encode()).hexdigest()[:32] if session_key else "",
        ip_address=_client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )

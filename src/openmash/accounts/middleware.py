"""Session rules: idle timeout, the role a user acts in, and the second factor."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from openmash.accounts.selectors import membership_active_get, memberships_active_for_user

security_log = logging.getLogger("openmash.security")

SESSION_LAST_SEEN = "openmash_last_seen"
SESSION_STARTED = "openmash_session_started"
SESSION_MEMBERSHIP = "openmash_membership_id"


def acting_not_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view that runs before a role is chosen (sign-in, second factor, choose role)."""
    view.openmash_acting_not_required = True  # type: ignore[attr-defined]
    return view


def second_factor_not_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view reachable before the second factor (the second-factor pages, sign-out)."""
    view.openmash_second_factor_not_required = True  # type: ignore[attr-defined]
    return acting_not_required(view)


def _public(view_func: Callable[..., Any]) -> bool:
    return getattr(view_func, "login_required", True) is False


def _exempt(view_func: Callable[..., Any]) -> bool:
    return _public(view_func) or getattr(view_func, "openmash_acting_not_required", False)


class IdleTimeoutMiddleware:
    """Sign out after 15 minutes without a request, and 12 hours after sign-in (ASVS 7.3.1, 7.3.2).

    Touching the session on every request slides Django's own expiry, so the absolute
    limit is kept here, from the first request after sign-in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(SESSION_LAST_SEEN)
            started = request.session.setdefault(SESSION_STARTED, now)
            idle_limit = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            if last_seen is not None and now - float(last_seen) > idle_limit:
                return self._sign_out(
                    request, "idle", "You were signed out because you had not done anything for 15 minutes."
                )
            if now - float(started) > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
                return self._sign_out(
                    request, "absolute", "You were signed out because you signed in more than 12 hours ago."
                )
            request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _sign_out(request: HttpRequest, reason: str, message: str) -> HttpResponse:
        security_log.info("session timeout", extra={"user": str(request.user.pk), "reason": reason})
        logout(request)
        messages.info(request, message)
        return redirect(settings.LOGIN_URL)


class ActingAsMiddleware:
    """Resolve the membership (agency and role) this request acts in, every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            membership_id = request.session.get(SESSION_MEMBERSHIP)
            membership = None
            if membership_id:
                membership = membership_active_get(user=request.user, membership_id=membership_id)  # type: ignore[arg-type]
                if membership is None:
                    # Ended since the last request: it stops working now, not at next sign-in.
                    request.session.pop(SESSION_MEMBERSHIP, None)
            if membership is None:
                active = list(memberships_active_for_user(user=request.user)[:2])  # type: ignore[arg-type]
                if len(active) == 1:
                    membership = active[0]
                    request.session[SESSION_MEMBERSHIP] = str(membership.pk)
            request.membership = membership  # type: ignore[attr-defined]
            # For django-rules predicates, which see only the user.
            request.user._openmash_membership = membership  # type: ignore[union-attr,attr-defined]
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not request.user.is_authenticated or _exempt(view_func):
            return None
        if getattr(request, "membership", None) is None:
            return redirect("accounts:choose-role")
        return None


class SecondFactorRequiredMiddleware:
    """Outside demo mode every signed-in request needs a verified TOTP device."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not settings.OTP_REQUIRED or not request.user.is_authenticated:
            return None
        if _public(view_func) or getattr(view_func, "openmash_second_factor_not_required", False):
            return None
        if request.user.is_verified():  # type: ignore[union-attr,attr-defined]
            return None
        from django_otp import devices_for_user

        if any(True for _ in devices_for_user(request.user, confirmed=True)):
            return redirect("accounts:otp-verify")
        return redirect("accounts:otp-setup")

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from openmash.accounts.forms import ChooseRoleForm, SignInForm, TokenForm
from openmash.accounts.middleware import SESSION_MEMBERSHIP, acting_not_required, second_factor_not_required
from openmash.accounts.roles import CASE_ROLES, Role
from openmash.accounts.selectors import membership_active_get, memberships_active_for_user

security_log = logging.getLogger("openmash.security")


def home(request: HttpRequest) -> HttpResponse:
    membership = getattr(request, "membership", None)
    if membership and membership.role in (Role.MASH_OFFICER, Role.MASH_MANAGER):
        return redirect("mash:queue")
    if membership and membership.role in CASE_ROLES:
        return redirect("people:my-children")
    if membership and membership.role == Role.PRIVACY_OFFICER:
        return redirect("access:alerts")
    return render(request, "accounts/home.html", {})


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return "/"


@login_not_required
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        login(request, user)  # a new session key on sign-in (ASVS 7.2.4)
        security_log.info("sign-in", extra={"user": str(user.pk)})
        return redirect(_next_url(request))
    if request.method == "POST":
        security_log.info("sign-in failed")
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": _next_url(request), "page_has_errors": bool(form.errors)},
    )


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    security_log.warning("sign-in locked out")
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
        status=429,
    )


@require_POST
@second_factor_not_required
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("accounts:sign-in")


@acting_not_required
def choose_role(request: HttpRequest) -> HttpResponse:
    memberships = list(memberships_active_for_user(user=request.user))  # type: ignore[arg-type]
    if not memberships:
        return render(request, "accounts/no_role.html", {}, status=403)
    form = ChooseRoleForm(request.POST or None, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        chosen = membership_active_get(user=request.user, membership_id=form.cleaned_data["membership"])  # type: ignore[arg-type]
        if chosen is not None:
            request.session[SESSION_MEMBERSHIP] = str(chosen.pk)
            return redirect("accounts:home")
    return render(request, "accounts/choose_role.html", {"form": form, "page_has_errors": bool(form.errors)})


@second_factor_not_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP app: show the key as a QR code and as text, then confirm with a code."""
    import segno

    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            security_log.info("second factor enrolled", extra={"user": str(request.user.pk)})
            return redirect("accounts:home")
        form.add_error(
            "token", "That code is not right. Check the time on your phone and try the newest code"
        )
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, title="QR code for your authenticator app"
    )
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": device.bin_key.hex(),
            "page_has_errors": bool(form.errors),
        },
    )


@second_factor_not_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_next_url(request))
        security_log.info("second factor failed", extra={"user": str(request.user.pk)})
        form.add_error("token", "That code is not right. Try the newest code from your app")
    return render(request, "accounts/otp_verify.html", {"form": form, "page_has_errors": bool(form.errors)})

"""Sign-in security: idle timeout, brute-force lockout, the second factor, and response headers."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openmash.accounts.middleware import SESSION_LAST_SEEN
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


# --- Response headers -------------------------------------------------------------------------


def test_pages_about_people_are_never_cached_and_carry_a_content_security_policy(
    client, social_worker, allocated_child, sign_in
):
    signed_in = sign_in(social_worker)
    responses = {
        "sign-in": client.get(reverse("accounts:sign-in")),
        "child": signed_in.get(reverse("people:child", args=[allocated_child.pk])),
        "not-found": signed_in.get("/children/not-a-uuid/"),
    }

    for name, response in responses.items():
        assert response["Cache-Control"] == "no-store", name
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy, name
        assert "frame-ancestors 'none'" in policy, name
        assert "object-src 'none'" in policy, name
        assert "'unsafe-inline'" not in policy, name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name


# --- Idle timeout ---------------------------------------------------------------------------------


def _idle_for(client, seconds: float) -> None:
    session = client.session
    session[SESSION_LAST_SEEN] = time.time() - seconds
    session.save()


def test_a_session_idle_for_more_than_15_minutes_is_signed_out(social_worker, sign_in):
    client = sign_in(social_worker)
    my_children = reverse("people:my-children")
    assert client.get(my_children).status_code == 200

    _idle_for(client, 15 * 60 + 5)
    response = client.get(my_children)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign-in")
    follow_up = client.get(my_children)
    assert follow_up.status_code == 302
    assert follow_up["Location"].startswith(reverse("accounts:sign-in"))
    assert "_auth_user_id" not in client.session


def test_a_session_idle_for_14_minutes_is_still_signed_in(social_worker, sign_in):
    client = sign_in(social_worker)
    my_children = reverse("people:my-children")
    assert client.get(my_children).status_code == 200

    _idle_for(client, 14 * 60)

    assert client.get(my_children).status_code == 200


# --- Brute force (django-axes on username + address) -----------------------------------------------


def attempt(client, username: str, password: str, address: str = "192.0.2.1"):
    return client.post(
        reverse("accounts:sign-in"),
        {"username": username, "password": password, "next": ""},
        REMOTE_ADDR=address,
    )


def test_five_failed_sign_ins_lock_that_username_at_that_address(client):
    user = UserFactory()
    for _ in range(4):
        assert attempt(client, user.username, "not the password").status_code == 200

    fifth = attempt(client, user.username, "not the password")
    with_right_password = attempt(client, user.username, PASSWORD)

    assert fifth.status_code == 429
    assert with_right_password.status_code == 429
    assert "_auth_user_id" not in client.session


def test_four_failed_sign_ins_do_not_lock_the_account(client):
    user = UserFactory()
    for _ in range(4):
        attempt(client, user.username, "not the password")

    response = attempt(client, user.username, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_locked_username_does_not_lock_out_colleagues_at_the_same_address(client):
    locked, colleague = UserFactory(), UserFactory()
    for _ in range(5):
        attempt(client, locked.username, "not the password")

    response = attempt(client, colleague.username, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)


def test_a_locked_username_can_still_sign_in_from_another_address(client):
    user = UserFactory()
    for _ in range(5):
        attempt(client, user.username, "not the password", address="192.0.2.1")

    assert attempt(client, user.username, PASSWORD, address="198.51.100.7").status_code == 302


# --- Second factor (TOTP) -----------------------------------------------------------------------------


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


@pytest.fixture
def otp_required(settings):
    settings.OTP_REQUIRED = True


def test_with_the_second_factor_required_a_user_without_a_device_is_sent_to_set_one_up(
    otp_required, social_worker, allocated_child, sign_in
):
    client = sign_in(social_worker)
    child_url = reverse("people:child", args=[allocated_child.pk])

    response = client.get(child_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp-setup")

    assert client.get(reverse("accounts:otp-setup")).status_code == 200
    device = TOTPDevice.objects.get(user=social_worker.user, confirmed=False)

    enrolled = client.post(reverse("accounts:otp-setup"), {"token": current_code(device)})

    assert enrolled.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    response = client.get(child_url)
    assert response.status_code == 200
    assert allocated_child.surname in response.content.decode()


def test_with_the_second_factor_required_a_user_with_a_device_must_enter_a_code(
    otp_required, social_worker, allocated_child, sign_in
):
    device = TOTPDevice.objects.create(user=social_worker.user, name="phone", confirmed=True)
    client = sign_in(social_worker)
    child_url = reverse("people:child", args=[allocated_child.pk])

    response = client.get(child_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp-verify")

    verified = client.post(reverse("accounts:otp-verify"), {"token": current_code(device), "next": child_url})

    assert verified.status_code == 302
    assert verified["Location"] == child_url
    assert client.get(child_url).status_code == 200


def test_with_the_second_factor_required_signing_in_with_a_password_alone_reaches_no_child(
    otp_required, client, social_worker, allocated_child
):
    signed_in = attempt(client, social_worker.user.username, PASSWORD)
    assert signed_in.status_code == 302

    response = client.get(reverse("people:child", args=[allocated_child.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp-setup")


def test_a_wrong_code_at_set_up_is_refused_with_a_clear_message(otp_required, social_worker, sign_in):
    client = sign_in(social_worker)
    client.get(reverse("accounts:otp-setup"))
    device = TOTPDevice.objects.get(user=social_worker.user, confirmed=False)
    wrong_code = "000000" if current_code(device) != "000000" else "111111"

    response = client.post(reverse("accounts:otp-setup"), {"token": wrong_code})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("people:my-children")).status_code == 302

"""Malformed, oversized and hostile input gets a clear GOV.UK error or a 404, never a 500.

Django's test client re-raises any exception a view lets escape, so a crash fails the
test even before its status code is checked. Script tags must never come back unescaped.
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from tests.factories import AgencyIdentityFactory, ChildFactory
from tests.fixtures import allocate

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('openmash')</script>"
LONG = "A" * 10_000

HOSTILE_TEXT = {
    "ten-thousand-characters": LONG,
    "script-tag": SCRIPT,
    "attribute-breakout": '"><img src=x onerror=alert(1)>',
    "nul-byte": "Smith\x00Jones",
    "control-character": "Smith\x1bJones",
    "right-to-left-override": "Smith\u202eenoJ",
    "zero-width-joiner": "Sm\u200dith",
    "combining-marks": "Sm\u0301i\u0308th",
    "emoji": "Smith \U0001f600",
    "replacement-character": "Smith\ufffd",
    "only-spaces": "     ",
    "sql-ish": "'; DROP TABLE people_child; --",
    "percent-and-underscore": "%_%",
}
HOSTILE = [pytest.param(value, id=name) for name, value in HOSTILE_TEXT.items()]

ERROR_SUMMARY = 'class="govuk-error-summary"'


def assert_safe(response) -> str:
    """No crash, and nothing hostile echoed back as live markup."""
    assert response.status_code < 500
    body = response.content.decode()
    assert SCRIPT not in body
    assert "<img src=x" not in body
    return body


@pytest.mark.parametrize("username", HOSTILE)
def test_sign_in_with_a_hostile_username_shows_an_error_not_a_crash(client, username):
    response = client.post(reverse("accounts:sign-in"), {"username": username, "password": "wrong password"})

    body = assert_safe(response)
    assert response.status_code == 200
    assert ERROR_SUMMARY in body


@pytest.mark.parametrize("password", HOSTILE)
def test_sign_in_with_a_hostile_password_shows_an_error_not_a_crash(client, social_worker, password):
    response = client.post(
        reverse("accounts:sign-in"), {"username": social_worker.user.username, "password": password}
    )

    body = assert_safe(response)
    assert response.status_code == 200
    assert ERROR_SUMMARY in body


def test_sign_in_with_nothing_entered_says_what_to_enter(client):
    # A browser always sends the (empty) fields and the hidden ones.
    body = assert_safe(client.post(reverse("accounts:sign-in"), {"username": "", "password": "", "next": ""}))

    assert "Enter your username" in body
    assert "Enter your password" in body


def test_sign_in_with_a_ten_thousand_character_username_says_how_long_it_may_be(client):
    body = assert_safe(client.post(reverse("accounts:sign-in"), {"username": LONG, "password": "x"}))

    assert ERROR_SUMMARY in body
    assert "150 characters" in body


def test_sign_in_next_cannot_send_the_user_to_another_site(client, social_worker):
    response = client.post(
        reverse("accounts:sign-in"),
        {
            "username": social_worker.user.username,
            "password": "correct-horse-battery-staple-42",
            "next": "https://attacker.example/steal",
        },
    )

    assert response.status_code == 302
    assert "attacker.example" not in response["Location"]


@pytest.mark.parametrize("query", HOSTILE)
def test_child_search_with_hostile_text_shows_an_error_or_results_never_a_crash(
    social_worker, allocated_child, sign_in, query
):
    response = sign_in(social_worker).get(reverse("people:search"), {"q": query})

    body = assert_safe(response)
    assert response.status_code == 200
    assert "Find a child" in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param(LONG, "Search for 100 characters or fewer", id="too-long"),
        pytest.param("Smith\x00Jones", "Null characters are not allowed", id="nul-byte"),
        pytest.param("Smith\x1bJones", "Search using letters, numbers and spaces", id="control-character"),
    ],
)
def test_child_search_explains_what_is_wrong_with_the_search(social_worker, sign_in, query, message):
    body = assert_safe(sign_in(social_worker).get(reverse("people:search"), {"q": query}))

    assert ERROR_SUMMARY in body
    assert message in body


def test_a_script_tag_in_the_search_box_comes_back_escaped(social_worker, sign_in):
    body = assert_safe(sign_in(social_worker).get(reverse("people:search"), {"q": SCRIPT}))

    assert "&lt;script&gt;" in body


@pytest.mark.parametrize("page_number", ["abc", "-1", "0", "99999999999999999999999", "1.5", SCRIPT], ids=str)
def test_a_nonsense_page_number_on_a_list_still_shows_a_page(
    social_worker, allocated_child, sign_in, page_number
):
    client = sign_in(social_worker)

    for url, params in ((reverse("people:my-children"), {}), (reverse("people:search"), {"q": "Testwood"})):
        response = client.get(url, {**params, "page": page_number})
        assert_safe(response)
        assert response.status_code == 200


BAD_CHILD_PATHS = {
    "not-a-uuid": "/children/not-a-uuid/",
    "uuid-with-trailing-junk": f"/children/{uuid.uuid4()}xyz/",
    "uuid-too-short": f"/children/{str(uuid.uuid4())[:-1]}/",
    "ten-thousand-characters": f"/children/{LONG}/",
    "script-tag": "/children/%3Cscript%3Ealert(1)%3C%2Fscript%3E/",
    "nul-byte": "/children/%00/",
    "unicode": "/children/%E2%80%AE%F0%9F%98%80/",
    "invalid-utf8": "/children/%ff%fe/",
    "path-traversal": "/children/..%2F..%2Fetc%2Fpasswd/",
    "chronology-of-not-a-uuid": "/children/not-a-uuid/chronology",
    "viewers-of-junk": f"/children/{uuid.uuid4()}xyz/viewers",
}


@pytest.mark.parametrize("path", BAD_CHILD_PATHS.values(), ids=BAD_CHILD_PATHS.keys())
def test_a_malformed_child_address_is_page_not_found(social_worker, sign_in, path):
    response = sign_in(social_worker).get(path)

    body = assert_safe(response)
    assert response.status_code == 404
    assert "Page not found" in body
    assert "alert(1)" not in body


@pytest.mark.parametrize("kind", ["<script>", "identity\x00", LONG], ids=["script", "nul", "long"])
def test_a_nonsense_chronology_filter_still_shows_the_chronology(
    social_worker, allocated_child, sign_in, kind
):
    response = sign_in(social_worker).get(
        reverse("people:chronology", args=[allocated_child.pk]), {"kind": kind, "agency": kind}
    )

    assert_safe(response)
    assert response.status_code == 200


def test_choosing_a_role_that_is_not_yours_is_refused_with_an_error(make_member, sign_in):
    mine = make_member()
    make_member(user=mine.user)  # a second role, so the choice is needed
    someone_elses = make_member()
    client = sign_in(mine)

    body = assert_safe(client.post(reverse("accounts:choose-role"), {"membership": str(someone_elses.pk)}))

    assert ERROR_SUMMARY in body
    assert client.session["openmash_membership_id"] == str(mine.pk)


def test_a_script_tag_in_a_childs_name_from_an_agency_is_escaped_on_every_page(social_worker, sign_in):
    """Names arrive from agency feeds: the record, its tabs, lists and search must all escape them."""
    child = ChildFactory(forename=SCRIPT, preferred_name='"><img src=x onerror=alert(1)>')
    allocate(child, social_worker)
    AgencyIdentityFactory(child=child, forename=SCRIPT)
    client = sign_in(social_worker)

    for url, params in [
        (reverse("people:child", args=[child.pk]), {}),
        (reverse("people:chronology", args=[child.pk]), {}),
        (reverse("people:viewers", args=[child.pk]), {}),
        (reverse("people:my-children"), {}),
        (reverse("people:search"), {"q": child.surname}),
    ]:
        body = assert_safe(client.get(url, params))
        assert "&lt;script&gt;" in body, url

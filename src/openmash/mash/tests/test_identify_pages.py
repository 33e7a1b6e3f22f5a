"""The hub's pages for identifying a contact's child (ADR 45), through the real views and forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openmash.audit.models import AccessEvent, Action
from openmash.intake.models import Contact
from openmash.intake.services import public_report_submit
from openmash.mash.tests.helpers import child_make

pytestmark = pytest.mark.django_db


def public_report():
    return public_report_submit(
        client_hash="test-client",
        worry="A girl called Kiera, about 13, is picked up late at night by older men",
        child_description="Kiera, about 13, lives on Example Street",
    )


def test_the_officer_searches_confirms_and_the_contact_page_shows_the_child(hub, sign_in):
    contact = public_report()
    child = child_make(forename="Kiera", surname="Testbrook")
    child_make(forename="Ellis", surname="Testbrook")
    officer = sign_in(hub.officer)

    page = officer.get(reverse("mash:contact", args=[contact.pk])).content.decode()
    assert "Not yet matched to a record" in page and reverse("mash:identify", args=[contact.pk]) in page

    empty = officer.post(reverse("mash:identify", args=[contact.pk]), {"name": ""})
    assert empty.status_code == 400 and "There is a problem" in empty.content.decode()
    assert "Enter at least one detail" in empty.content.decode()

    found = officer.post(reverse("mash:identify", args=[contact.pk]), {"name": "Kiera Testbrook"})
    body = found.content.decode()
    assert found.status_code == 200 and "Kiera Testbrook" in body and "Ellis" not in body
    assert "Example Street" in body  # what the member of the public described, to search with
    assert str(child.address) not in body  # identifying fields only
    confirm_url = reverse("mash:identify-confirm", args=[contact.pk, child.pk])
    assert confirm_url in body
    assert AccessEvent.objects.filter(action=Action.SEARCH, purpose__endswith=contact.reference).count() == 1

    short = officer.post(confirm_url, {"reason": "same"})
    assert short.status_code == 400 and "at least 10 characters" in short.content.decode()
    done = officer.post(confirm_url, {"reason": "Name, age and street match the report"})
    assert done.status_code == 302
    contact.refresh_from_db()
    assert contact.child_id == child.pk
    page = officer.get(reverse("mash:contact", args=[contact.pk])).content.decode()
    assert "Kiera Testbrook" in page and "Find the child" not in page
    assert "This is the wrong child" not in page  # only a manager can undo


def test_none_of_these_creates_a_new_child_record(hub, sign_in):
    contact = public_report()
    officer = sign_in(hub.officer)
    url = reverse("mash:identify-new", args=[contact.pk])

    missing = officer.post(url, {"reason": "Nobody the hub holds fits the description"})
    assert missing.status_code == 400
    assert "Enter a name" in missing.content.decode() and "approximate age" in missing.content.decode()
    created = officer.post(
        url, {"known_as": "Kiera", "approximate_age": "13", "reason": "Nobody the hub holds fits"}
    )
    assert created.status_code == 302
    page = officer.get(reverse("mash:contact", args=[contact.pk])).content.decode()
    assert "Kiera" in page and "date of birth not known" in page


def test_a_manager_undoes_it_and_the_contact_is_unmatched_again(hub, sign_in):
    contact = public_report()
    child = child_make(forename="Kiera", surname="Testbrook")
    sign_in(hub.officer).post(
        reverse("mash:identify-confirm", args=[contact.pk, child.pk]),
        {"reason": "Name and age match the report"},
    )
    manager = sign_in(hub.manager)
    assert (
        "This is the wrong child" in manager.get(reverse("mash:contact", args=[contact.pk])).content.decode()
    )

    refused = manager.post(reverse("mash:identify-undo", args=[contact.pk]), {"undo_reason": ""})
    assert refused.status_code == 400
    undone = manager.post(
        reverse("mash:identify-undo", args=[contact.pk]), {"undo_reason": "The school says not her"}
    )
    assert undone.status_code == 302
    assert Contact.objects.get(pk=contact.pk).child_id is None


@pytest.mark.parametrize("who", ["police_researcher", "school_teacher"])
def test_anyone_but_the_hub_team_gets_404_on_every_identify_page(hub, sign_in, who):
    contact = public_report()
    child = child_make()
    client = sign_in(getattr(hub, who))

    assert client.get(reverse("mash:identify", args=[contact.pk])).status_code == 404
    assert client.post(reverse("mash:identify", args=[contact.pk]), {"name": "Kiera"}).status_code == 404
    confirm = reverse("mash:identify-confirm", args=[contact.pk, child.pk])
    assert client.post(confirm, {"reason": "Name and age match the report"}).status_code == 404
    assert client.post(reverse("mash:identify-new", args=[contact.pk]), {"known_as": "K"}).status_code == 404
    assert Contact.objects.get(pk=contact.pk).child_id is None

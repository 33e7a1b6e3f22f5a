"""The intelligence pages, walked as every role: intelligence roles see the network; everyone else
gets 404 (logged); a refused POST changes nothing; exports are logged with their purpose and the
ANX file validates against the schema."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse
from lxml import etree

from openmash.access.models import RelationshipBasis
from openmash.accounts.roles import Role
from openmash.audit.models import AccessEvent
from openmash.intake.models import Contact
from openmash.intelligence.models import Link, SharedEntityAlert
from tests.factories import RelationshipFactory

pytestmark = pytest.mark.django_db

XSD = Path(__file__).resolve().parents[1] / "anx" / "anx-subset.xsd"
OTHER_ROLES = [role for role in Role if role != Role.INTELLIGENCE_ANALYST]


def _pages(picture) -> list[str]:
    return [
        reverse("intelligence:home"),
        reverse("intelligence:network"),
        reverse("intelligence:network")
        + f"?around={picture['adult'].pk}&entity_kinds=adult&entity_kinds=child",
        reverse("intelligence:entity", args=[picture["adult"].pk]),
        reverse("intelligence:volt", args=[picture["adult"].pk]),
        reverse("intelligence:link-review", args=[picture["links"]["seen_first"].pk]),
        reverse("intelligence:map"),
        reverse("intelligence:export"),
    ]


def test_every_page_opens_for_the_analyst_and_logs_one_event(picture, analyst, sign_in):
    client = sign_in(analyst)
    for page in _pages(picture):
        before = AccessEvent.objects.count()
        response = client.get(page)
        assert response.status_code == 200, page
        if page == reverse("intelligence:export"):
            continue  # the form shows nothing of the picture; the download itself is logged (below)
        events = AccessEvent.objects.order_by("-id")[: AccessEvent.objects.count() - before]
        assert events and all(event.outcome == "granted" for event in events), page
    network = client.get(reverse("intelligence:network")).content.decode()
    assert "Dale Marwood" in network and "was made to introduce" in network
    assert "Cinder Bank Park" in client.get(reverse("intelligence:map")).content.decode()
    volt = client.get(reverse("intelligence:volt", args=[picture["adult"].pk])).content.decode()
    assert "Victims" in volt and "no child is listed as an offender" in volt


@pytest.mark.parametrize("role", OTHER_ROLES, ids=[role.value for role in OTHER_ROLES])
def test_every_other_role_gets_404_and_a_logged_denial(picture, make_member, sign_in, role):
    client = sign_in(make_member(role))
    for page in _pages(picture):
        before = AccessEvent.objects.filter(outcome="denied").count()
        assert client.get(page).status_code == 404, page
        assert AccessEvent.objects.filter(outcome="denied").count() == before + 1, page
    link = picture["links"]["seen_first"]
    response = client.post(
        reverse("intelligence:link-review", args=[link.pk]), {"decision": "confirm", "reason": "Because"}
    )
    assert response.status_code == 404
    assert not Link.objects.filter(corrects=link).exists()
    response = client.post(
        reverse("intelligence:export"), {"file_format": "csv", "purpose": "Take a copy home"}
    )
    assert response.status_code == 404
    assert client.post(reverse("intelligence:alerts-run"), {}).status_code in (302, 404)
    assert not SharedEntityAlert.objects.exists()


def test_a_missing_entity_answers_404_like_a_forbidden_one(analyst, sign_in):
    import uuid

    assert sign_in(analyst).get(reverse("intelligence:entity", args=[uuid.uuid4()])).status_code == 404


def test_the_analyst_confirms_a_link_with_a_reason_and_the_decision_points_at_it(picture, analyst, sign_in):
    client = sign_in(analyst)
    link = picture["links"]["seen_first"]
    url = reverse("intelligence:link-review", args=[link.pk])
    refused = client.post(url, {"decision": "confirm", "reason": ""})
    assert refused.status_code == 200 and "Say why" in refused.content.decode()
    assert client.post(url, {"decision": "confirm", "reason": "Seen together on CCTV"}).status_code == 302
    assert Link.objects.get(corrects=link).status == "confirmed"


def test_exports_are_logged_with_purpose_and_the_anx_validates_against_the_schema(picture, analyst, sign_in):
    client = sign_in(analyst)
    refused = client.post(reverse("intelligence:export"), {"file_format": "anx", "purpose": "short"})
    assert refused.status_code == 200 and "at least 10 characters" in refused.content.decode()
    response = client.post(
        reverse("intelligence:export"),
        {"file_format": "anx", "purpose": "Operation Heron chart for the MACE", "recipient": "DS Example"},
    )
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.anx"')
    document = etree.fromstring(response.content)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    schema.assertValid(document)
    assert len(document.findall(".//Link")) == len(picture["links"])
    strengths = {style.get("Strength") for style in document.findall(".//LinkStyle")}
    assert strengths == {"Confirmed", "Unconfirmed"}
    event = AccessEvent.objects.get(action="export")
    assert event.purpose == "Operation Heron chart for the MACE" and event.recipients == ["DS Example"]
    assert str(picture["first_child"].pk) in event.child_ids

    rows = list(
        csv.DictReader(
            io.StringIO(
                client.post(
                    reverse("intelligence:export"),
                    {"file_format": "csv", "purpose": "Operation Heron spreadsheet"},
                ).content.decode()
            )
        )
    )
    assert len(rows) == len(picture["links"]) and {"end1_id", "end2_id", "grading"} <= set(rows[0])


def test_a_schema_catches_a_link_to_an_entity_not_on_the_chart():
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    broken = etree.fromstring(
        b'<Chart><ChartItemCollection><ChartItem Label="x"><Link End1Id="a" End2Id="b">'
        b'<LinkStyle ArrowStyle="ArrowOnHead" Strength="Confirmed" Type="x"/></Link></ChartItem>'
        b"</ChartItemCollection></Chart>"
    )
    assert not schema.validate(broken)


def test_running_the_alert_check_opens_a_contact_per_child_once(picture, analyst, sign_in):
    client = sign_in(analyst)
    assert client.post(reverse("intelligence:alerts-run"), {}).status_code == 302
    alerts = list(SharedEntityAlert.objects.all())
    assert alerts
    contacts = Contact.objects.filter(source="intelligence")
    assert contacts.count() == sum(len(alert.child_ids) for alert in alerts)
    assert all("Dale" not in contact.summary for contact in contacts)
    client.post(reverse("intelligence:alerts-run"), {})
    assert SharedEntityAlert.objects.count() == len(alerts)


@pytest.mark.parametrize(
    ("role", "status", "names_the_adult"),
    [
        (Role.INTELLIGENCE_ANALYST, 200, True),
        (Role.SOCIAL_WORKER, 200, False),
        (Role.MASH_OFFICER, 200, False),
        (Role.PRACTITIONER, 404, False),
    ],
)
def test_a_childs_network_names_adults_only_to_intelligence_roles(
    picture, make_member, sign_in, role, status, names_the_adult
):
    membership = make_member(role)
    child = picture["first_child"]
    RelationshipFactory(child=child, holder_user=membership.user, basis=RelationshipBasis.ALLOCATED_WORKER)
    response = sign_in(membership).get(reverse("intelligence:child-network", args=[child.pk]))
    assert response.status_code == status
    assert ("Dale Marwood" in response.content.decode()) is names_the_adult
    if status == 200 and not names_the_adult:
        assert "adult of concern" in response.content.decode()


def test_a_childs_network_needs_a_reason_to_see_the_child(picture, analyst, sign_in):
    response = sign_in(analyst).get(reverse("intelligence:child-network", args=[picture["first_child"].pk]))
    assert response.status_code == 404

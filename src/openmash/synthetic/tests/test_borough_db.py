"""The borough in PostgreSQL: loaded by COPY, refused twice, replaced, and consistent with its truth."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F, Q

from openmash.accounts.actor import Actor
from openmash.audit.services import access_event_record
from openmash.people.models import AgencyIdentity, Child
from openmash.synthetic import identifiers
from openmash.synthetic.models import Borough, IdentityTruth, TrueChild
from openmash.synthetic.services import BoroughError, borough_generate

pytestmark = pytest.mark.django_db


def _identities() -> list[tuple]:
    return list(
        AgencyIdentity.objects.order_by("id").values_list(
            "id",
            "agency__code",
            "agency_record_id",
            "forename",
            "surname",
            "date_of_birth",
            "nhs_number",
            "child_id",
        )
    )


def test_same_seed_replaced_gives_the_same_rows_and_another_seed_differs():
    borough_generate(seed=7, children=500)
    first = _identities()
    borough_generate(seed=7, children=500, replace=True)
    assert _identities() == first
    borough_generate(seed=8, children=500, replace=True)
    assert _identities() != first
    assert Borough.objects.count() == 1


def test_a_second_borough_is_refused_without_replace():
    borough_generate(seed=1, children=300)
    with pytest.raises(CommandError, match="already has a synthetic borough"):
        call_command("generate_borough", seed=1, children=300)


def test_replace_is_refused_once_a_child_has_been_read():
    borough_generate(seed=1, children=300)
    child = Child.objects.first()
    access_event_record(
        actor=Actor.system("test"),
        action="view",
        resource_type="child",
        child_id=child.pk,
        purpose="Test read",
        outcome="granted",
    )
    with pytest.raises(BoroughError, match="read log cannot be deleted"):
        borough_generate(seed=2, children=300, replace=True)


def test_loaded_borough_is_consistent_with_its_truth():
    borough = borough_generate(seed=3, children=800)
    identities = AgencyIdentity.objects.count()
    assert identities == borough.counts["identities"] > 800
    # Exactly one truth row per identity.
    assert IdentityTruth.objects.count() == identities
    assert IdentityTruth.objects.values("identity_id").distinct().count() == identities
    # Every NHS number held anywhere is in the 999 test range with a valid check digit.
    held = set(AgencyIdentity.objects.exclude(nhs_number="").values_list("nhs_number", flat=True))
    held |= set(Child.objects.exclude(nhs_number="").values_list("nhs_number", flat=True))
    assert held and all(identifiers.nhs_number_is_synthetic(n) for n in held)
    # Linked identities belong to the right child and share an identifier with the hub record
    # (all but the children's services records the hub records were made from).
    linked = AgencyIdentity.objects.filter(child__isnull=False)
    wrong = IdentityTruth.objects.filter(identity__child__isnull=False).exclude(
        true_child__hub_child=F("identity__child")
    )
    assert not wrong.exists()
    unsupported = linked.exclude(
        Q(nhs_number=F("child__nhs_number"), nhs_number__gt="")
        | Q(unique_pupil_number=F("child__unique_pupil_number"), unique_pupil_number__gt="")
    )
    assert set(unsupported.values_list("agency__kind", flat=True)) <= {"childrens_services"}
    assert unsupported.count() <= Child.objects.count()
    assert TrueChild.objects.filter(hub_child__isnull=False).count() == Child.objects.count()
    assert set(Child.objects.values_list("created_by_process", flat=True)) == {"synthetic"}


def test_every_truth_reference_resolves():
    """The truth tables' foreign keys are not enforced by the database, so check them here."""
    from django.apps import apps
    from django.db import connection

    borough_generate(seed=5, children=1200)
    checked = 0
    with connection.cursor() as cursor:
        for model in apps.get_app_config("synthetic").get_models():
            for field in model._meta.concrete_fields:
                if not field.is_relation or field.db_constraint:
                    continue
                target = field.related_model._meta
                cursor.execute(
                    f'SELECT count(*) FROM "{model._meta.db_table}" r LEFT JOIN "{target.db_table}" t '  # noqa: S608
                    f'ON t."{target.pk.column}" = r."{field.column}" '
                    f'WHERE r."{field.column}" IS NOT NULL AND t."{target.pk.column}" IS NULL'
                )
                assert cursor.fetchone()[0] == 0, f"{model.__name__}.{field.name} has dangling references"
                checked += 1
    assert checked >= 20

"""`exploitation.services.signs_raise`, the bulk form of `sign_raise` the outbox hands signs to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openmash.exploitation.models import Sign
from openmash.exploitation.services import SignToRaise, sign_raise, signs_raise
from tests.factories import AgencyFactory, ChildFactory

pytestmark = pytest.mark.django_db


def _sign(child, agency, source_id: str, **changes) -> SignToRaise:
    fields = {
        "child_id": child.pk, "indicator_code": "ae_injury", "observed_on": timezone.localdate(),
        "source_agency_id": agency.pk, "source_type": "intake.FeedRecord", "source_id": source_id,
        "summary": "A&E attendance with an injury: fall",
    }  # fmt: skip
    fields.update(changes)
    return SignToRaise(**fields)


def test_signs_are_raised_once_each_and_a_refused_sign_never_stops_the_others():
    child, agency = ChildFactory(), AgencyFactory()
    earlier = sign_raise(
        child_id=child.pk, indicator_code="ae_injury", observed_on=timezone.localdate(),
        source_agency_id=agency.pk, source_type="intake.FeedRecord", source_id="R-0",
        summary="raised before", raised_by_process="test",
    )  # fmt: skip
    batch = [
        _sign(child, agency, "R-0"),  # already raised: the row held, unchanged
        _sign(child, agency, "R-1"),
        _sign(child, agency, "R-1"),  # twice in the batch: one row
        _sign(child, agency, "R-2", indicator_code="not_an_indicator"),
        _sign(child, agency, "R-3", observed_on=timezone.localdate() + timedelta(days=1)),
        _sign(child, agency, "R-4", summary=" "),
        _sign(child, agency, "R-5"),
    ]
    outcomes = signs_raise(signs=batch, raised_by_process="intake.feeds")
    assert outcomes[0] == earlier and outcomes[0].summary == "raised before"
    assert isinstance(outcomes[1], Sign) and outcomes[1] == outcomes[2]
    assert [type(outcome) for outcome in outcomes[3:6]] == [ValidationError] * 3
    assert "not_an_indicator" in str(outcomes[3]) and "future" in str(outcomes[4])
    assert isinstance(outcomes[6], Sign) and outcomes[6].raised_by_process == "intake.feeds"
    assert sorted(Sign.objects.values_list("source_id", flat=True)) == ["R-0", "R-1", "R-5"]
    # Again: nothing new.
    again = signs_raise(signs=batch, raised_by_process="intake.feeds")
    assert [getattr(outcome, "pk", None) for outcome in again] == [getattr(o, "pk", None) for o in outcomes]
    assert Sign.objects.count() == 3
    assert signs_raise(signs=[], raised_by_process="x") == []

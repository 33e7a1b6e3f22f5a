import pytest

from openmash.accounts.models import User
from openmash.accounts.services import agency_create, membership_start
from openmash.notifications.models import Notification
from openmash.notifications.services import notification_send


@pytest.mark.django_db
def test_the_same_event_notifies_each_recipient_once():
    alice = User.objects.create(username="alice")
    bob = User.objects.create(username="bob")
    first = notification_send(
        recipient_ids=[alice.pk, bob.pk, alice.pk], kind="risk_rise", title="Risk rose", source_reference="r1"
    )
    again = notification_send(
        recipient_ids=[alice.pk], kind="risk_rise", title="Risk rose", source_reference="r1"
    )
    assert len(first) == 2
    assert again == []
    assert Notification.objects.filter(recipient=alice).count() == 1


@pytest.mark.django_db
def test_inbox_lists_only_my_notifications_and_marks_them_read(client):
    agency = agency_create(name="Test Council", kind="childrens_services", code="tc")
    me = User.objects.create(username="me")
    other = User.objects.create(username="other")
    membership_start(user=me, agency=agency, role="social_worker")
    notification_send(recipient_ids=[me.pk], kind="overdue", title="Visit overdue for you")
    notification_send(recipient_ids=[other.pk], kind="overdue", title="Someone else's note")
    client.force_login(me)
    page = client.get("/notifications/").content.decode()
    assert "Visit overdue for you" in page
    assert "Someone else" not in page
    assert '1<span class="govuk-visually-hidden"> unread' in page
    client.post("/notifications/read")
    assert Notification.objects.get(recipient=me).read_at is not None
    assert Notification.objects.get(recipient=other).read_at is None

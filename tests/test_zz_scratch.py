import pytest
from django.db import connection
import psycopg

@pytest.mark.django_db(transaction=True)
def test_tx():
    from openmash.accounts.actor import Actor
    from openmash.audit.services import access_event_record
    access_event_record(actor=Actor.system("x"), action="view", resource_type="child", purpose="p", outcome="granted")
    s = connection.settings_dict
    print(s["HOST"], s["NAME"], s["OPTIONS"])
    with psycopg.connect(host=s["HOST"], dbname=s["NAME"], user="postgres", autocommit=True) as c:
        print(c.execute("select current_user, count(*) from audit_accessevent").fetchall())

@pytest.mark.django_db
def test_after():
    from openmash.audit.models import AccessEvent
    print("left", AccessEvent.objects.count())

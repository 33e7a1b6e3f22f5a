import pytest
from django.db import connection


@pytest.mark.django_db
def test_tests_act_as_the_application_role_not_the_owner():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == "openmash_app"

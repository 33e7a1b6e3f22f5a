"""Background work for intake: handing warning signs from the outbox to the exploitation app.

An import stores its signs in the outbox in the same transactions as its rows; this task
(or `openmash intake_signs_push`) takes them to `exploitation.services.sign_raise`, which
is idempotent. With a queueing backend configured in TASKS it runs on a worker; with the
default immediate backend it runs right after the import's transaction commits.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from openmash.intake.feeds.signs import signs_push_pending


@task()
def signs_push(limit: int = 10_000) -> int:
    return signs_push_pending(limit=limit)


def signs_push_after_commit(*, limit: int = 10_000) -> None:
    """Ask for the outbox to be emptied once the current transaction has committed."""
    transaction.on_commit(lambda: signs_push.enqueue(limit=limit))

"""Background work for intake: handing warning signs from the outbox to the exploitation app.

An import stores its signs in the outbox in the same transactions as its rows; this task
(or `openmash intake_signs_push`) takes them to `exploitation.services.sign_raise`, which
is idempotent. With a queueing task backend configured in TASKS it runs on a worker. With
django-tasks' default immediate backend it would run inside the web request, so instead a
short-lived thread takes the outbox after the request's transaction commits; if the process
dies first, the signs simply wait in the outbox for the next push.

`OPENMASH_SIGNS_PUSH=worker` leaves them to a separate process instead
(`openmash intake_signs_push --watch`), so web workers never spend time raising signs.
"""

from __future__ import annotations

import logging
import os
import threading

from django.db import connection, transaction
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task, task_backends
from django_tasks.backends.immediate import ImmediateBackend

from openmash.intake.feeds.signs import signs_push_pending

_logger = logging.getLogger(__name__)


@task()
def signs_push(limit: int = 10_000) -> int:
    return signs_push_pending(limit=limit)


def _push_in_thread(limit: int) -> None:
    try:
        signs_push_pending(limit=limit)
    except Exception:
        _logger.exception("Handing warning signs to the exploitation app failed; they stay in the outbox")
    finally:
        connection.close()


def signs_push_after_commit(*, limit: int = 10_000) -> None:
    """Have the outbox emptied once the current transaction has committed, without delaying the caller."""

    if os.environ.get("OPENMASH_SIGNS_PUSH", "thread") == "worker":
        return

    def start() -> None:
        if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend):
            threading.Thread(target=_push_in_thread, args=(limit,), name="intake-signs", daemon=True).start()
        else:
            signs_push.enqueue(limit=limit)

    transaction.on_commit(start)

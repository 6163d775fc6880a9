"""Handing work to the Celery worker without letting an unreachable broker break a page.

``delay()`` raises when the broker (Redis) is down or hangs. Called after a commit, that
turned a saved change into a 500 and left the work undone without a trace, so nobody knew
to try again. Callers use ``enqueue`` instead and record on their row that the work was not
queued (e.g. ``SendFailure.NOT_QUEUED``), which the page shows with a way to try again."""

import logging

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> bool:
    """Send ``task(*args, **kwargs)`` to the worker; False (logged) when the broker cannot be
    reached. The broker settings bound the wait to about two seconds."""
    try:
        task.delay(*args, **kwargs)
    except Exception:  # kombu's OperationalError, or whatever else the transport raised
        logger.exception("could not hand %s%r to the broker", task.name, args)
        return False
    return True

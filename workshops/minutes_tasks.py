"""Celery tasks of the workshop minutes."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

__all__ = ["render_minutes"]

logger = logging.getLogger(__name__)


@shared_task(name="workshops.render_minutes")
def render_minutes(render_id: int) -> None:
    """Render the PDF of a queued minutes job (``MinutesRender``) and store it on the job.

    Idempotent: the job is claimed with one conditional update, so a task delivered twice, or
    for a job that is done or failed, does nothing. Every failure, including Celery's soft time
    limit, is recorded on the job with a message for the user and logged, not re-raised: the
    job is what the page shows, and the user can try again. Jobs that lost their worker are
    marked failed here and whenever a page looks at them."""
    from .minutes import (
        ERROR_FAILED,
        ERROR_TIME_LIMIT,
        STEP_COLLECTING,
        minutes_render_fail,
        minutes_render_run,
        minutes_renders_fail_stale,
    )
    from .models import MinutesRender

    minutes_renders_fail_stale()
    claimed = MinutesRender.objects.filter(pk=render_id, status=MinutesRender.Status.QUEUED).update(
        status=MinutesRender.Status.RUNNING,
        started_at=timezone.now(),
        progress=5,
        step=STEP_COLLECTING,
        error="",
    )
    if not claimed:
        logger.info("minutes render %s is not queued any more; nothing to do", render_id)
        return
    try:
        minutes_render_run(render_id=render_id)
    except SoftTimeLimitExceeded:
        logger.warning("minutes render %s hit the soft time limit", render_id)
        minutes_render_fail(render_id=render_id, error=ERROR_TIME_LIMIT)
    except Exception:
        logger.exception("minutes render %s failed", render_id)
        minutes_render_fail(render_id=render_id, error=ERROR_FAILED)

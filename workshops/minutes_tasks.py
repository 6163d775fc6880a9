"""Celery tasks of the workshop minutes."""

import logging

from celery import shared_task

__all__ = ["prepare_photo", "render_minutes"]

logger = logging.getLogger(__name__)


@shared_task(name="workshops.render_minutes")
def render_minutes(render_id: int) -> None:
    """Render the PDF of a queued minutes job (``MinutesRender``) and store it on the job.

    Idempotent: the job is claimed with one conditional update, so a task delivered twice, or
    for a job that is done or failed, does nothing. Every failure, including Celery's soft time
    limit, is recorded on the job with a message for the user and logged, not re-raised: the
    job is what the page shows, and the user can try again. Jobs that lost their worker are
    marked failed here and whenever a page looks at them."""
    from .minutes import RENDERS, STEP_COLLECTING, minutes_render_run

    RENDERS.run(render_id, lambda: minutes_render_run(render_id=render_id), step=STEP_COLLECTING)


@shared_task(name="workshops.prepare_photo")
def prepare_photo(photo_id: int) -> None:
    """Re-encode an uploaded flipchart photo as JPEG (``minutes_photos.photo_prepare``).

    Idempotent: a photo that is not being prepared any more is left alone. Decoding happens
    here, never in the web request: a picture costs memory by its pixels."""
    from .minutes_photos import photo_prepare

    photo_prepare(photo_id=photo_id)

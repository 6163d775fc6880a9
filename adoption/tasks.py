"""Celery tasks of the adoption phase (the council paper tasks live in ``decision_tasks``;
imported here so that Celery finds them)."""

from celery import shared_task

from .decision_tasks import *  # noqa: F403

__all__ = ["render_strategy_document"]

# A full strategy (hundreds of measure profiles and the inventory annex) takes about a minute;
# the soft limit ends a render that hangs with a message on the job, the hard limit ends the
# worker process if even that does not help (its heartbeat stops; the job is then marked failed
# as having lost its worker, ``strategy.jobs``).
SOFT_TIME_LIMIT = 8 * 60
TIME_LIMIT = 10 * 60


@shared_task(
    bind=True,
    name="adoption.render_strategy_document",
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def render_strategy_document(self, document_id: int) -> None:
    """Render the PDF of a queued strategy document job and store it on the job.

    Idempotent: the job is claimed with one conditional update, so a task delivered twice, or
    for a job that is done or failed, does nothing. Every failure, the soft time limit
    included, is recorded on the job with a message for the user and logged, not re-raised."""
    from .documents import DOCUMENTS, STEP_COLLECTING, document_run

    DOCUMENTS.run(document_id, lambda: document_run(document_id=document_id), step=STEP_COLLECTING)

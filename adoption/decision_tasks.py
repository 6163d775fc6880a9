"""Celery tasks of the adoption decisions: the PDF of a draft council paper."""

from celery import shared_task

__all__ = ["render_council_paper"]


@shared_task(name="adoption.render_council_paper")
def render_council_paper(render_id: int) -> None:
    """Render the PDF of a queued council paper job (``CouncilPaperRender``).

    Idempotent: the job is claimed with one conditional update, so a task delivered twice does
    nothing. Every failure is recorded on the job with a message for the user and logged."""
    from .decision_papers import RENDERS, STEP_COLLECTING, council_paper_render_run

    RENDERS.run(
        render_id, lambda: council_paper_render_run(render_id=render_id), step=STEP_COLLECTING
    )

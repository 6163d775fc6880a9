"""Background work of the inventory."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

# A run still "running" after this long died with its worker (the task time limit is 10
# minutes); it is marked failed so that no run shows as running forever.
STALE_RUN_AFTER = timedelta(minutes=15)


def similarities_recompute_queued() -> None:
    """Queue a recomputation unless one is already waiting."""
    from .models import SimilarityRun

    if SimilarityRun.objects.filter(status=SimilarityRun.Status.QUEUED).exists():
        return
    run = SimilarityRun.objects.create()
    recompute_similarities.apply_async(args=[run.pk], countdown=2)


def _fail_stale_runs() -> None:
    from .models import SimilarityRun

    now = timezone.now()
    cutoff = now - STALE_RUN_AFTER
    SimilarityRun.objects.filter(
        Q(started_at__lt=cutoff) | Q(started_at__isnull=True, requested_at__lt=cutoff),
        status=SimilarityRun.Status.RUNNING,
    ).update(
        status=SimilarityRun.Status.FAILED,
        finished_at=now,
        error=gettext("The computation did not finish within %(minutes)d minutes.")
        % {"minutes": int(STALE_RUN_AFTER.total_seconds() // 60)},
    )


@shared_task(name="inventory.recompute_similarities")
def recompute_similarities(run_id: int) -> None:
    """Recompute all project similarities and synergy candidates for a queued run.

    Idempotent: the run is claimed with one conditional update, so a task delivered twice (or
    for a run that is already done) does nothing. Failures are recorded on the run and
    logged, not re-raised: the run is what the pages show, and the next change queues a new
    run anyway."""
    from .models import SimilarityRun
    from .similarity import similarities_compute

    _fail_stale_runs()
    claimed = SimilarityRun.objects.filter(pk=run_id, status=SimilarityRun.Status.QUEUED).update(
        status=SimilarityRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        logger.info("similarity run %s is not queued any more; nothing to do", run_id)
        return
    try:
        stats = similarities_compute()
    except Exception as exc:
        logger.exception("similarity run %s failed", run_id)
        SimilarityRun.objects.filter(pk=run_id).update(
            status=SimilarityRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return
    SimilarityRun.objects.filter(pk=run_id).update(
        status=SimilarityRun.Status.DONE,
        finished_at=timezone.now(),
        projects=stats["projects"],
        pairs=stats["pairs"],
        seconds=stats["seconds"],
    )

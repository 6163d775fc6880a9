"""Background work of the inventory."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from strategy.mail import render_subject

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


# Reading a file stops itself after ``MAX_READ_SECONDS`` of CPU; on top, Celery's soft limit
# raises inside the task and the hard one ends the worker process.
IMPORT_SOFT_TIME_LIMIT = 60
IMPORT_TIME_LIMIT = 90


@shared_task(
    name="inventory.read_project_import",
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
    time_limit=IMPORT_TIME_LIMIT,
)
def read_project_import(job_id: int) -> None:
    """Read the file of a queued ``ProjectImport``: check what parsing it may cost, then read its
    rows (see ``import_jobs.import_read_run``; idempotent, failures end up on the job).

    The limits are the task's own, far below the default for PDFs: a file that passed the checks
    reads in a few seconds."""
    from .import_jobs import import_read_run

    import_read_run(job_id=job_id)


@shared_task(
    bind=True, name="inventory.send_inventory_reminder", max_retries=5, default_retry_delay=60
)
def send_inventory_reminder(self, reminder_id: int) -> int:
    """E-mail the representatives of a municipality that its inventory is still open.

    Idempotent: a reminder that was sent already is not sent again."""
    from accounts.models import Role, User

    from .models import InventoryReminder

    reminder = (
        InventoryReminder.objects.select_related("municipality", "requested_by")
        .filter(pk=reminder_id, sent_at__isnull=True)
        .first()
    )
    if reminder is None:
        return 0
    recipients = list(
        User.objects.filter(
            municipality=reminder.municipality,
            is_active=True,
            role__in=[Role.MUNICIPAL_REP, Role.DISTRICT_STAFF],
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    link = settings.SITE_URL + reverse(
        "inventory:municipality_inventory", kwargs={"pk": reminder.municipality_id}
    )
    with translation.override("de"):
        context = {"reminder": reminder, "link": link}
        subject = render_subject("inventory/email/reminder_subject.txt", context)
        body = render_to_string("inventory/email/reminder_body.txt", context)
    try:
        send_mass_mail([(subject, body, None, [email]) for email in recipients])
    except OSError as error:
        raise self.retry(exc=error) from error
    InventoryReminder.objects.filter(pk=reminder.pk).update(
        sent_at=timezone.now(), recipients=len(recipients)
    )
    return len(recipients)

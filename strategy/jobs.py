"""Background jobs the browser polls: one shape for every long task of the portal.

A job is a row (``BackgroundJob`` subclass) that the web request creates and the Celery worker
claims, advances and finishes; the page polls the row. ``JobQueue`` holds the state machine
once, so that each feature (minutes PDF, strategy PDF, council paper) only says what its job
belongs to and what the worker does:

- queued → running (claimed by one conditional update: a task delivered twice does nothing)
- running → done / failed (a crash, Celery's soft time limit, or an unreachable broker fail it
  with a message for the user; the user can try again)
- queued/running for longer than ``stale_after`` → failed: the worker was lost; no job shows
  "running" forever
- a second request for the same scope while one is active joins that job.

Steps and errors are stored as message ids (``gettext_noop``) and translated when shown."""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

logger = logging.getLogger(__name__)

STEP_QUEUED = gettext_noop("Waiting for the worker")
STEP_DONE = gettext_noop("Done")
ERROR_FAILED = gettext_noop(
    "The PDF could not be created. Please try again; if it fails again, please contact "
    "the district administration."
)
ERROR_TIME_LIMIT = gettext_noop("Creating the PDF took too long and was stopped. Please try again.")
ERROR_STALE = gettext_noop(
    "The PDF was not finished within 15 minutes and was stopped. Please try again."
)
ERROR_NOT_QUEUED = gettext_noop(
    "The job could not be handed to the worker. Please try again later."
)


class BackgroundJob(models.Model):
    """State of one job done by the worker and polled by the browser (abstract)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def state_token(self) -> str:
        """What a polling page has seen of the job (``?seen=`` of its progress partial)."""
        return f"{self.status}-{self.progress}"

    def unchanged_for(self, request) -> bool:
        """Whether the polling page (htmx) has already shown this state: its progress partial
        then answers 204, which htmx does not swap, so the live region announces only real
        changes."""
        return bool(request.headers.get("HX-Request")) and (
            request.GET.get("seen") == self.state_token
        )


class JobQueue:
    """The state machine of one ``BackgroundJob`` model whose jobs belong to a scope
    (``scope_field``, e.g. ``"session"``): at most one active job per scope."""

    def __init__(
        self,
        model: type[BackgroundJob],
        *,
        scope_field: str,
        stale_after: timedelta = timedelta(minutes=15),
        enqueue: Callable[[int], None],
    ):
        self.model = model
        self.scope_field = scope_field
        self.stale_after = stale_after
        self._enqueue = enqueue

    # --- reads ---------------------------------------------------------------------------

    def _scoped(self, scope_id):
        return self.model.objects.filter(**{f"{self.scope_field}_id": scope_id})

    def fail_stale(self, *, scope_id=None) -> int:
        """Mark jobs failed that have been queued or running for longer than allowed."""
        Status = self.model.Status
        now = timezone.now()
        cutoff = now - self.stale_after
        stale = self.model.objects.filter(
            Q(status=Status.RUNNING)
            & (Q(started_at__lt=cutoff) | Q(started_at__isnull=True, requested_at__lt=cutoff))
            | Q(status=Status.QUEUED, requested_at__lt=cutoff)
        )
        if scope_id is not None:
            stale = stale.filter(**{f"{self.scope_field}_id": scope_id})
        return stale.update(status=Status.FAILED, finished_at=now, error=ERROR_STALE)

    def checked(self, job: BackgroundJob) -> BackgroundJob:
        """``job`` as a page should show it: failed if it has been stuck for too long."""
        if job.status in self.model.ACTIVE:
            since = job.started_at or job.requested_at
            if since < timezone.now() - self.stale_after:
                self.fail_stale(scope_id=getattr(job, f"{self.scope_field}_id"))
                job.refresh_from_db()
        return job

    def current(self, *, scope_id) -> BackgroundJob | None:
        """The queued or running job of a scope, if any."""
        job = self._scoped(scope_id).filter(status__in=self.model.ACTIVE).first()
        return self.checked(job) if job else None

    # --- writes by the web request ----------------------------------------------------------

    def enqueue(self, job_id: int) -> None:
        """Hand a job to the broker; an unreachable broker fails the job at once with a
        message, instead of showing "queued" for 15 minutes."""
        try:
            self._enqueue(job_id)
        except Exception:
            logger.exception("could not enqueue %s %s", self.model.__name__, job_id)
            self.model.objects.filter(pk=job_id, status=self.model.Status.QUEUED).update(
                status=self.model.Status.FAILED,
                finished_at=timezone.now(),
                error=ERROR_NOT_QUEUED,
            )

    def request(self, *, lock: models.QuerySet, scope_id, user, **fields) -> tuple:
        """Create a job for a scope and enqueue it on commit, or join the active one.

        ``lock`` selects the scope's row; it is locked so that concurrent requests for the
        same scope are serialised (PostgreSQL; SQLite locks the database anyway).
        Returns ``(job, created)``."""
        with transaction.atomic():
            lock.select_for_update().first()
            self.fail_stale(scope_id=scope_id)
            current = (
                self._scoped(scope_id).filter(status__in=self.model.ACTIVE).order_by("requested_at")
            ).first()
            if current is not None:
                return current, False
            job = self.model.objects.create(
                **{f"{self.scope_field}_id": scope_id},
                requested_by=user,
                step=STEP_QUEUED,
                **fields,
            )
            transaction.on_commit(lambda: self.enqueue(job.pk))
            return job, True

    # --- writes by the worker ---------------------------------------------------------------

    def claim(self, job_id: int, *, step: str, progress: int = 5) -> bool:
        """Queued → running; False if the job is not queued any more (nothing to do)."""
        self.fail_stale()
        return bool(
            self.model.objects.filter(pk=job_id, status=self.model.Status.QUEUED).update(
                status=self.model.Status.RUNNING,
                started_at=timezone.now(),
                progress=progress,
                step=step,
                error="",
            )
        )

    def progress(self, job_id: int, *, progress: int, step: str) -> None:
        """Record the progress of a running job."""
        self.model.objects.filter(pk=job_id, status=self.model.Status.RUNNING).update(
            progress=progress, step=step
        )

    def fail(self, job_id: int, *, error: str) -> None:
        """Running → failed with ``error`` (a message id)."""
        self.model.objects.filter(pk=job_id, status=self.model.Status.RUNNING).update(
            status=self.model.Status.FAILED, finished_at=timezone.now(), error=error
        )

    def finish(self, job_id: int, **fields) -> bool:
        """Running → done, storing ``fields``; False if the job was given up meanwhile."""
        return bool(
            self.model.objects.filter(pk=job_id, status=self.model.Status.RUNNING).update(
                status=self.model.Status.DONE,
                progress=100,
                step=STEP_DONE,
                finished_at=timezone.now(),
                **fields,
            )
        )

    def run(self, job_id: int, work: Callable[[], object], *, step: str) -> None:
        """Claim a job, run ``work`` and record any failure on the job (used by the tasks).

        Failures are logged and stored, not re-raised: the job is what the page shows."""
        from celery.exceptions import SoftTimeLimitExceeded

        if not self.claim(job_id, step=step):
            logger.info("%s %s is not queued any more; nothing to do", self.model.__name__, job_id)
            return
        try:
            work()
        except SoftTimeLimitExceeded:
            logger.warning("%s %s hit the soft time limit", self.model.__name__, job_id)
            self.fail(job_id, error=ERROR_TIME_LIMIT)
        except Exception:
            logger.exception("%s %s failed", self.model.__name__, job_id)
            self.fail(job_id, error=ERROR_FAILED)

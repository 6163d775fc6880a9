"""Background jobs the browser polls: one shape for every long task of the portal.

A job is a row (``BackgroundJob`` subclass) that the web request creates and the Celery worker
claims, advances and finishes; the page polls the row. ``JobQueue`` holds the state machine
once, so that each feature (minutes PDF, strategy PDF, council paper) only says what its job
belongs to and what the worker does:

- queued → running (claimed by one conditional update: a task delivered twice does nothing)
- running → done / failed (a crash, Celery's soft time limit, or an unreachable broker fail it
  with a message for the user; the user can try again)
- while it runs, the worker process that claimed the job (``claimed_by``: host and process id)
  writes a heartbeat (``heartbeat_at``) with each progress step and from a small thread in
  between, so a long layout step does not look like a lost worker
- running, but the claiming process is gone (same host, its process id is free) or its
  heartbeat is older than ``JOB_LOST_AFTER_SECONDS``: the worker was lost. The task comes back
  (``acks_late`` and ``reject_on_worker_lost``) and takes the job over, once
  (``MAX_ATTEMPTS``); pages and new requests fail such a job with a message saying so
- queued/running for longer than ``stale_after`` → failed: no job shows "running" forever,
  not even one whose worker never wrote a heartbeat
- a second request for the same scope while one is active joins that job.

Steps and errors are stored as message ids (``gettext_noop``) and translated when shown."""

import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

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
ERROR_WORKER_LOST = gettext_noop(
    "The worker stopped unexpectedly while creating the PDF. Please try again."
)
NOTICE_RESTARTED = gettext_noop(
    "The worker stopped unexpectedly; the PDF is being created again automatically."
)

# How often a job is started: once, and once more after a lost worker. A render that takes its
# worker down every time (e.g. out of memory) must not be redelivered forever.
MAX_ATTEMPTS = 2


def worker_identity() -> str:
    """This process as ``BackgroundJob.claimed_by`` names it: host name and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claimant_gone(claimed_by: str) -> bool:
    """Whether the process named by ``claimed_by`` provably no longer runs: it ran on this host
    and its process id is free (or a zombie not yet reaped). A process on another host cannot
    be seen from here; only its heartbeat tells."""
    host, _sep, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not re.fullmatch(r"[0-9]{1,10}", pid):
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state == "Z"


def _in_worker() -> bool:
    """Whether this runs as a task in a worker process, not eagerly inside a web request."""
    from celery import current_task

    # ``current_task`` is a proxy: false outside of a task.
    return bool(current_task) and not current_task.request.is_eager


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
    # The worker process running the job ("host:pid") and when it last showed it is alive.
    claimed_by = models.CharField(max_length=300, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

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
    def restart_notice(self) -> str:
        """Said while a job runs again because its first worker was lost; else empty."""
        return gettext(NOTICE_RESTARTED) if self.is_active and self.attempts > 1 else ""

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

    @property
    def heartbeat_every(self) -> float:
        """Seconds between two heartbeats of the worker running a job."""
        return settings.JOB_HEARTBEAT_SECONDS

    @property
    def lost_after(self) -> timedelta:
        """A running job without a heartbeat for this long has lost its worker."""
        return timedelta(seconds=settings.JOB_LOST_AFTER_SECONDS)

    # --- reads ---------------------------------------------------------------------------

    def _scoped(self, scope_id):
        return self.model.objects.filter(**{f"{self.scope_field}_id": scope_id})

    # The two rules that end a job nobody works on any more, as a query and for one job:
    # keep them together.
    def _lost(self, now: datetime) -> Q:
        return Q(status=self.model.Status.RUNNING, heartbeat_at__lt=now - self.lost_after)

    def _stale(self, now: datetime) -> Q:
        Status, cutoff = self.model.Status, now - self.stale_after
        return Q(status=Status.RUNNING) & (
            Q(started_at__lt=cutoff) | Q(started_at__isnull=True, requested_at__lt=cutoff)
        ) | Q(status=Status.QUEUED, requested_at__lt=cutoff)

    def _is_lost_or_stale(self, job: BackgroundJob, now: datetime) -> bool:
        if job.status not in self.model.ACTIVE:
            return False
        lost = job.status == self.model.Status.RUNNING and (
            job.heartbeat_at is not None and job.heartbeat_at < now - self.lost_after
        )
        since = job.started_at or job.requested_at
        return lost or since < now - self.stale_after

    def fail_stale(self, *, scope_id=None) -> int:
        """Mark jobs failed whose worker was lost (no heartbeat for ``lost_after``), or that
        have been queued or running for longer than ``stale_after``."""
        Status = self.model.Status
        now = timezone.now()
        jobs = self.model.objects.all() if scope_id is None else self._scoped(scope_id)
        failed = {"status": Status.FAILED, "finished_at": now}
        lost = jobs.filter(self._lost(now)).update(**failed, error=ERROR_WORKER_LOST)
        return lost + jobs.filter(self._stale(now)).update(**failed, error=ERROR_STALE)

    def checked(self, job: BackgroundJob) -> BackgroundJob:
        """``job`` as a page should show it: failed if its worker was lost or it has been
        stuck for too long."""
        if self._is_lost_or_stale(job, timezone.now()):
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
        """Queued → running in this process; or take over a running job whose worker was lost
        (``_take_over``). False if there is nothing to do: the job has ended, or the process
        running it is alive."""
        now = timezone.now()
        claimed = self.model.objects.filter(pk=job_id, status=self.model.Status.QUEUED).update(
            **self._claimed(now, step=step, progress=progress)
        )
        claimed = bool(claimed) or self._take_over(job_id, now=now, step=step, progress=progress)
        self.fail_stale()
        return claimed

    def _claimed(self, now: datetime, *, step: str, progress: int) -> dict:
        return {
            "status": self.model.Status.RUNNING,
            "started_at": now,
            "claimed_by": worker_identity(),
            "heartbeat_at": now,
            "attempts": F("attempts") + 1,
            "progress": progress,
            "step": step,
            "error": "",
        }

    def _take_over(self, job_id: int, *, now: datetime, step: str, progress: int) -> bool:
        """Running → running in this process, if the process that claimed the job is gone or
        has written no heartbeat for ``lost_after``: the task came back because its worker was
        lost. After ``MAX_ATTEMPTS`` the job fails instead."""
        Status = self.model.Status
        seen = (
            self.model.objects.filter(pk=job_id, status=Status.RUNNING)
            .values("claimed_by", "heartbeat_at", "attempts")
            .first()
        )
        if seen is None or seen["heartbeat_at"] is None:
            # Ended, or claimed before heartbeats existed (``stale_after`` ends those).
            return False
        lost = seen["heartbeat_at"] < now - self.lost_after
        if not lost and not claimant_gone(seen["claimed_by"]):
            return False
        # Only if nothing changed since it was read: a claimant that beats is alive after all.
        unchanged = self.model.objects.filter(
            pk=job_id,
            status=Status.RUNNING,
            claimed_by=seen["claimed_by"],
            heartbeat_at=seen["heartbeat_at"],
        )
        name = self.model.__name__
        if seen["attempts"] >= MAX_ATTEMPTS:
            if unchanged.update(status=Status.FAILED, finished_at=now, error=ERROR_WORKER_LOST):
                logger.error(
                    "%s %s lost its worker %s times; failed", name, job_id, seen["attempts"]
                )
            return False
        taken = bool(unchanged.update(**self._claimed(now, step=step, progress=progress)))
        if taken:
            logger.warning(
                "%s %s lost its worker %s; started again by %s",
                name,
                job_id,
                seen["claimed_by"],
                worker_identity(),
            )
        return taken

    def _claim_when_free(self, job_id: int, *, step: str, progress: int = 5) -> bool:
        """``claim``; while the job runs elsewhere with a fresh heartbeat, try again at each
        heartbeat for at most ``lost_after``: a task that comes back from another host cannot
        see whether the process that claimed the job is gone, only that it stops beating."""
        deadline = time.monotonic() + self.lost_after.total_seconds() + self.heartbeat_every
        while not self.claim(job_id, step=step, progress=progress):
            beating = self.model.objects.filter(
                pk=job_id, status=self.model.Status.RUNNING, heartbeat_at__isnull=False
            )
            if time.monotonic() > deadline or not beating.exists():
                return False
            time.sleep(self.heartbeat_every)
        return True

    @contextmanager
    def beating(self, job_id: int) -> Iterator[None]:
        """Write the job's heartbeat every ``heartbeat_every`` seconds from a thread while the
        block runs, so that a long step without progress (the layout of a big PDF) does not
        look like a lost worker. The thread stops with the block, or with the process."""
        stop = threading.Event()
        identity = worker_identity()
        mine = self.model.objects.filter(
            pk=job_id, status=self.model.Status.RUNNING, claimed_by=identity
        )

        def beat() -> None:
            try:
                while not stop.wait(self.heartbeat_every):
                    try:
                        mine.update(heartbeat_at=timezone.now())
                    except Exception:  # noqa: BLE001 - the next beat tries again
                        logger.warning("heartbeat of %s %s failed", self.model.__name__, job_id)
            finally:
                connection.close()  # the thread's own connection

        thread = threading.Thread(target=beat, name=f"heartbeat-{job_id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=10)

    def progress(self, job_id: int, *, progress: int, step: str) -> None:
        """Record the progress of a running job (a heartbeat, too)."""
        self.model.objects.filter(pk=job_id, status=self.model.Status.RUNNING).update(
            progress=progress, step=step, heartbeat_at=timezone.now()
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

    def run(
        self,
        job_id: int,
        work: Callable[[], object],
        *,
        step: str,
        progress: int = 5,
        error_time_limit: str = ERROR_TIME_LIMIT,
        error_failed: str = ERROR_FAILED,
    ) -> None:
        """Claim a job (or take it over from a lost worker), run ``work`` with a heartbeat
        and record any failure on the job (used by the tasks). The error message ids default
        to the PDF jobs' own; other jobs pass theirs.

        Failures are logged and stored, not re-raised: the job is what the page shows."""
        from celery.exceptions import SoftTimeLimitExceeded

        try:
            if not self._claim_when_free(job_id, step=step, progress=progress):
                logger.info(
                    "%s %s is not queued any more; nothing to do", self.model.__name__, job_id
                )
                return
            # Run eagerly (tests, development), the task is inside the request that waits.
            with self.beating(job_id) if _in_worker() else nullcontext():
                work()
        except SoftTimeLimitExceeded:
            # Also while claiming: the task ends here, so a job it had not claimed yet must
            # not wait as "queued" for a worker that will never come.
            logger.warning("%s %s hit the soft time limit", self.model.__name__, job_id)
            self.model.objects.filter(
                Q(status=self.model.Status.QUEUED)
                | Q(status=self.model.Status.RUNNING, claimed_by=worker_identity()),
                pk=job_id,
            ).update(
                status=self.model.Status.FAILED, finished_at=timezone.now(), error=error_time_limit
            )
        except Exception:
            logger.exception("%s %s failed", self.model.__name__, job_id)
            self.fail(job_id, error=error_failed)

"""Uploaded files are read by the worker, never by a web process.

The web request checks only what costs nothing (size, type by content, a workbook's zip
directory: ``upload_check``), keeps the file and queues a ``ProjectImport``. The worker checks
what parsing may cost (``import_limits``), reads the rows under a CPU budget and Celery's time
limits, and stores them on the job, or the reason the file is refused as a whole; the file is
deleted either way. The browser polls the job, then the preview validates the stored rows and the
confirmation imports them (``importing``). Whatever the file, a web worker spends no more than
on any other page, and the worker at most a few seconds on a hostile file.
"""

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from strategy.jobs import STEP_QUEUED, JobQueue

from .import_files import (
    read_rows,
    upload_check,
    upload_discard,
    upload_prune,
    upload_read,
    upload_store,
)
from .import_format import ImportFileError
from .models import ProjectImport

STEP_READING = gettext_noop("Checking and reading the file")
ERROR_READ_FAILED = gettext_noop(
    "The file could not be read. Please upload it again; if this happens again, please contact "
    "the district administration."
)
ERROR_READ_TIME_LIMIT = gettext_noop(
    "Reading the file took too long and was stopped. Please upload a smaller file or save it as "
    "CSV."
)
KEEP_FOR = timedelta(days=1)

Status = ProjectImport.Status


def _enqueue(job_id: int) -> None:
    from .tasks import read_project_import

    read_project_import.delay(job_id)


IMPORTS = JobQueue(ProjectImport, scope_field="requested_by", enqueue=_enqueue)


# --- Rows as JSON -------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    """A cell value as JSON; what JSON has no type for is tagged (a dict is never a cell)."""
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "")  # PostgreSQL cannot store it; the checks drop it
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates
        return value
    if isinstance(value, datetime):
        return {"$": "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {"$": "date", "v": value.isoformat()}
    if isinstance(value, time):
        return {"$": "time", "v": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$": "timedelta", "v": value.total_seconds()}
    if isinstance(value, Decimal) or (isinstance(value, float) and not math.isfinite(value)):
        return {"$": type(value).__name__, "v": str(value)}
    return value


_DECODERS = {
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "timedelta": lambda seconds: timedelta(seconds=seconds),
    "Decimal": Decimal,
    "float": float,
}


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return _DECODERS[value["$"]](value["v"])
    return value


def rows_encode(rows: list[dict]) -> list[dict]:
    """The raw rows of a file as JSON for ``ProjectImport.rows``."""
    return [{name: _encode(value) for name, value in row.items()} for row in rows]


def rows_decode(rows: list[dict]) -> list[dict]:
    """The raw rows stored by ``rows_encode``, with their Python types again."""
    return [{name: _decode(value) for name, value in row.items()} for row in rows]


# --- The web request ----------------------------------------------------------------------------


def import_request(*, user, name: str, data: bytes, language: str) -> ProjectImport:
    """Check an upload as far as costs nothing, keep it and have the worker read it.

    Raises ``ImportFileError`` for a file refused at once. A person has one import at a time:
    the new one replaces the previous ones (their rows and kept files are deleted), except one
    the worker is reading at this moment, which makes this upload wait (``ImportFileError``).
    The task is enqueued once the job is committed."""
    upload_check(data=data)
    _prune()
    with transaction.atomic():
        IMPORTS.fail_stale(scope_id=user.pk)
        previous = ProjectImport.objects.filter(requested_by=user)
        # Locks the person's imports: two uploads at once are taken one after the other.
        statuses = list(previous.select_for_update().values_list("status", flat=True))
        if Status.RUNNING in statuses:
            raise ImportFileError(
                gettext(
                    "Your previous file is still being read. Please wait a moment and upload "
                    "the file again."
                )
            )
        _delete(previous)
        token = upload_store(data=data)
        job = ProjectImport.objects.create(
            requested_by=user,
            file_name=name[:255],
            upload_token=token,
            language=language,
            step=STEP_QUEUED,
        )
        transaction.on_commit(lambda: IMPORTS.enqueue(job.pk))
    return job


def _delete(jobs) -> None:
    """Delete jobs and, once that is committed, the files they still keep."""
    tokens = [token for token in jobs.values_list("upload_token", flat=True) if token]
    jobs.delete()
    for token in tokens:
        transaction.on_commit(lambda token=token: upload_discard(token=token))


def _prune() -> None:
    """Delete what abandoned imports left: jobs (with their rows) and kept files older than
    a day."""
    upload_prune(older_than=KEEP_FOR)
    with transaction.atomic():
        _delete(ProjectImport.objects.filter(requested_at__lt=timezone.now() - KEEP_FOR))


def import_job_of(*, user, job_id: int, with_rows: bool = False) -> ProjectImport | None:
    """The import ``job_id`` if ``user`` started it (as a page should show it: failed if it has
    been stuck for too long), else None. The rows are loaded only if asked for."""
    jobs = ProjectImport.objects.filter(pk=job_id, requested_by=user)
    job = (jobs if with_rows else jobs.defer("rows")).first()
    return IMPORTS.checked(job) if job is not None else None


def import_rows(*, job: ProjectImport) -> list[dict]:
    """The raw rows the worker read from the file of a done job."""
    return rows_decode(job.rows or [])


def import_forget(*, job: ProjectImport) -> None:
    """Drop an import: its rows, and its kept file if the worker has not read it yet."""
    with transaction.atomic():
        _delete(ProjectImport.objects.filter(pk=job.pk))


# --- The worker ---------------------------------------------------------------------------------


def import_read_run(*, job_id: int) -> None:
    """Read the kept file of a queued import: check what parsing it may cost, read its rows and
    store them on the job, or the reason the file is refused (in the language of the person who
    uploaded it). The kept file is deleted once it has been read or refused.

    Runs through ``JobQueue.run``: claimed with one conditional update (a task delivered twice,
    or for a job that was replaced meanwhile, does nothing), taken over from a lost worker, with
    a heartbeat while reading. Other failures, including Celery's soft time limit, end the job
    as failed with a message and are logged, not re-raised."""

    def work() -> None:
        token, language = (
            ProjectImport.objects.filter(pk=job_id).values_list("upload_token", "language").get()
        )
        try:
            with translation.override(language):
                try:
                    rows = read_rows(data=upload_read(token=token))
                except ImportFileError as refusal:
                    IMPORTS.finish(job_id, problem=refusal.message, upload_token="")
                else:
                    IMPORTS.finish(job_id, rows=rows_encode(rows), upload_token="")
        finally:
            if token:
                upload_discard(token=token)

    IMPORTS.run(
        job_id,
        work,
        step=STEP_READING,
        progress=10,
        error_time_limit=ERROR_READ_TIME_LIMIT,
        error_failed=ERROR_READ_FAILED,
    )

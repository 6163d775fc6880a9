"""A real Celery worker process (Redis when REDIS_URL is set, else the filesystem broker)
renders the strategy PDF requested through the page, as in production: the full content, the
soft time limit and a worker that is lost in the middle of a render."""

import os
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from adoption.models import StrategyDocument
from adoption.tasks import render_strategy_document
from strategy import jobs
from strategy.jobs import ERROR_TIME_LIMIT
from tests.real_services import wait_for

from . import test_documents_data as data
from .test_documents_pdf import check_strategy_pdf

media, staff, version = data.media, data.staff, data.version

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Status = StrategyDocument.Status


@pytest.fixture
def start_worker(start_worker, media):
    """A real worker that the page's render requests go to (see tests/conftest.py)."""

    def start(**options):
        return start_worker(render_strategy_document, **options)

    return start


def _request(client, version, purpose):
    response = client.post(
        reverse("adoption:document_new", args=[version.process_id]),
        {"version": version.pk, "purpose": purpose},
    )
    job = StrategyDocument.objects.latest("pk")
    assert response["Location"] == reverse("adoption:document_detail", args=[job.pk])
    return job


def test_worker_renders_the_full_strategy_pdf(start_worker, client, version, staff, personas):
    start_worker()
    client.force_login(staff)
    job = _request(client, version, "submission")
    seen = set()

    def finished():
        job.refresh_from_db()
        seen.add((job.status, job.progress))
        return not job.is_active

    assert wait_for(finished, timeout=240), f"the worker did not finish the job ({job.status})"
    assert job.status == Status.DONE, job.error
    assert any(status == Status.RUNNING and 0 < p < 100 for status, p in seen), seen
    assert job.pages > 20 and len(job.sha256) == 64 and len(job.sha512) == 128
    path = settings.MEDIA_ROOT / job.file.name
    assert path.stat().st_size == job.size
    check_strategy_pdf(path, version, "submission")

    # A councillor finds it on the list and downloads it.
    client.force_login(personas["councillor"])
    listing = client.get(reverse("adoption:document_list", args=[version.process_id]))
    download = reverse("adoption:document_download", args=[job.pk])
    assert download in listing.content.decode()
    response = client.get(download)
    assert b"".join(response.streaming_content) == path.read_bytes()


def test_the_soft_time_limit_ends_a_render_as_failed(start_worker, client, version, staff):
    # Time limits need the prefork pool (the one production runs).
    start_worker(pool="prefork", soft_time_limit=0.5, time_limit=60)
    client.force_login(staff)
    job = _request(client, version, "draft")
    assert wait_for(lambda: (job.refresh_from_db(), not job.is_active)[1])
    assert job.status == Status.FAILED and job.error == ERROR_TIME_LIMIT
    assert not job.file
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("adoption:document_status", args=[job.pk])).content.decode()
    with translation.override("en"):
        assert translation.gettext(ERROR_TIME_LIMIT) in html
    assert reverse("adoption:document_retry", args=[job.pk]) in html


@pytest.fixture
def fast_beats(settings):
    """A worker that writes its heartbeat twice a second; pages call a job lost after 10 s
    without one (in production every 5 s and 30 s). Returns the worker's environment."""
    settings.JOB_HEARTBEAT_SECONDS = 0.5
    settings.JOB_LOST_AFTER_SECONDS = 10
    return {"JOB_HEARTBEAT_SECONDS": "0.5", "JOB_LOST_AFTER_SECONDS": "10"}


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the prefork pool of a worker)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _running_at(job, percent):
    job.refresh_from_db()
    return job.status == Status.RUNNING and job.progress >= percent


def _poll_page(client, job, pages, beats=None):
    """The status partial as the browser polls it; True once the job has ended. Notes the
    job's progress and heartbeat in ``beats``."""
    pages.append(client.get(reverse("adoption:document_status", args=[job.pk])).content.decode())
    job.refresh_from_db()
    if beats is not None:
        beats.append((job.attempts, job.progress, job.heartbeat_at))
    return not job.is_active


def test_a_killed_pool_process_is_replaced_and_the_job_finishes(
    start_worker, client, version, staff, fast_beats
):
    # The production pool: the main process sees its child die and hands the task back to
    # the broker (acks_late, reject_on_worker_lost); the redelivered task takes the job over.
    worker = start_worker(pool="prefork", env=fast_beats)
    client.force_login(staff)
    job = _request(client, version, "draft")
    assert wait_for(lambda: _running_at(job, 30), timeout=240)
    (child,) = _children(worker.pid)
    os.kill(child, signal.SIGKILL)  # the render's process is lost at 30 %
    killed = time.monotonic()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages, beats = [], []
    ended = wait_for(lambda: _poll_page(client, job, pages, beats), timeout=90)
    seconds = time.monotonic() - killed
    print(f"pool process killed at 30 %: job {job.status} after {seconds:.1f} s")
    assert ended and job.status == Status.DONE, (job.status, job.error)
    assert seconds < 60
    # Through the long layout step (no progress for seconds) the job's heartbeat went on.
    layout = [beat for attempts, progress, beat in beats if (attempts, progress) == (2, 30)]
    assert len(set(layout)) >= 3, beats
    assert job.attempts == 2 and not job.claimed_by.endswith(f":{child}")
    assert (settings.MEDIA_ROOT / job.file.name).stat().st_size == job.size
    # While it ran again, the page said why it started over.
    with translation.override("en"):
        notice = translation.gettext(jobs.NOTICE_RESTARTED)
    assert any(notice in page for page in pages[:-1]), pages[:3]


def test_a_lost_worker_fails_the_job_within_seconds(
    start_worker, client, version, staff, fast_beats, settings
):
    # The whole worker is lost (the machine goes down): nobody redelivers the task soon, so
    # the page ends the job once the heartbeat has stopped.
    worker = start_worker(env=fast_beats)
    settings.JOB_LOST_AFTER_SECONDS = 4  # as the page sees it; the worker will be gone
    client.force_login(staff)
    job = _request(client, version, "draft")
    assert wait_for(lambda: _running_at(job, 30), timeout=240)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    killed = time.monotonic()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = []
    ended = wait_for(lambda: _poll_page(client, job, pages), timeout=60)
    seconds = time.monotonic() - killed
    # A new request starts a new job instead of joining the lost one.
    new = _request(client, version, "draft")
    print(
        f"worker killed at 30 %: job {job.status} after {seconds:.1f} s; "
        f"new request {'joined the lost job' if new.pk == job.pk else 'started a new job'}"
    )
    assert ended and job.status == Status.FAILED and job.error == jobs.ERROR_WORKER_LOST
    assert seconds < 4 + 20
    with translation.override("en"):
        assert translation.gettext(jobs.ERROR_WORKER_LOST) in pages[-1]
    assert reverse("adoption:document_retry", args=[job.pk]) in pages[-1]
    assert new.pk != job.pk and new.status == Status.QUEUED

"""A real Celery worker process (Redis when REDIS_URL is set, else the filesystem broker)
renders the strategy PDF requested through the page, as in production: the full content, the
soft time limit and a worker that is lost in the middle of a render."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from adoption.models import StrategyDocument
from adoption.tasks import render_strategy_document
from coesfeld_strategy.celery import app as celery_app
from strategy.jobs import ERROR_STALE, ERROR_TIME_LIMIT

from . import test_documents_data as data
from .test_documents_pdf import check_strategy_pdf

media, staff, version = data.media, data.staff, data.version

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Status = StrategyDocument.Status


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def start_worker(media, monkeypatch):
    """Start a worker on a queue of its own (so no other worker takes the test's tasks); the
    page's requests go to that queue with the given time limits."""
    processes = []

    def start(*, pool="solo", **limits):
        queue = f"test-{uuid.uuid4().hex[:8]}"
        env = os.environ | {
            "DATABASE_URL": _database_url(),
            "MEDIA_ROOT": str(media),
            "DJANGO_SETTINGS_MODULE": "coesfeld_strategy.settings",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "coesfeld_strategy", "worker", "-Q", queue]
            + [f"--pool={pool}", "--concurrency=1", "--loglevel=INFO"]
            + ["--without-gossip", "--without-mingle"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        processes.append(process)
        celery_app.conf.task_always_eager = False
        monkeypatch.setattr(
            render_strategy_document,
            "delay",
            lambda pk: render_strategy_document.apply_async(args=[pk], queue=queue, **limits),
        )
        return process

    try:
        yield start
    finally:
        celery_app.conf.task_always_eager = True
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            try:
                output, _ = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                output, _ = process.communicate()
            print(output[-5000:])


def _wait_for(predicate, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


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

    assert _wait_for(finished), f"the worker did not finish the job ({job.status})"
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
    assert _wait_for(lambda: (job.refresh_from_db(), not job.is_active)[1])
    assert job.status == Status.FAILED and job.error == ERROR_TIME_LIMIT
    assert not job.file
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("adoption:document_status", args=[job.pk])).content.decode()
    with translation.override("en"):
        assert translation.gettext(ERROR_TIME_LIMIT) in html
    assert reverse("adoption:document_retry", args=[job.pk]) in html


def test_a_lost_worker_does_not_leave_the_job_running(start_worker, client, version, staff):
    worker = start_worker()
    client.force_login(staff)
    job = _request(client, version, "draft")
    assert _wait_for(lambda: (job.refresh_from_db(), job.status == Status.RUNNING)[1])
    os.killpg(worker.pid, signal.SIGKILL)  # the machine goes down in the middle of the render
    worker.wait(timeout=10)
    job.refresh_from_db()
    assert job.status == Status.RUNNING
    # Once the job is older than the worker could ever take, the page shows it failed.
    StrategyDocument.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - timedelta(minutes=16)
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("adoption:document_status", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error == ERROR_STALE
    assert reverse("adoption:document_retry", args=[job.pk]) in html

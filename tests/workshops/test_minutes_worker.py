"""A real Celery worker process (Redis when REDIS_URL is set, else the filesystem broker)
renders the minutes PDF requested through the page, as in production."""

import os
import re
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from coesfeld_strategy.celery import app as celery_app
from workshops.minutes_tasks import render_minutes
from workshops.models import MinutesRender

from . import test_minutes_data as data

# Fixtures shared by the minutes tests.
media, facilitator = data.media, data.facilitator

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def worker(media, monkeypatch):
    """Start a worker on a queue of its own, so no other worker takes the test's tasks; the
    page's requests are sent to that queue."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = os.environ | {
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "coesfeld_strategy.settings",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coesfeld_strategy", "worker", "-Q", queue]
        + ["--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    celery_app.conf.task_always_eager = False
    monkeypatch.setattr(
        render_minutes, "delay", lambda pk: render_minutes.apply_async(args=[pk], queue=queue)
    )
    try:
        yield {"queue": queue, "process": process}
    finally:
        celery_app.conf.task_always_eager = True
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output)


def _wait_for(predicate, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_worker_renders_the_minutes_pdf(worker, client, process, facilitator, media):
    session = data.minutes_session_create(process, facilitator=facilitator)
    client.force_login(facilitator)
    response = client.post(reverse("workshops:minutes_render", args=[session.pk]))
    job = MinutesRender.objects.get()
    assert response["Location"] == reverse("workshops:minutes_render_detail", args=[job.pk])

    seen = set()

    def finished():
        job.refresh_from_db()
        seen.add(job.status)
        return job.status in (MinutesRender.Status.DONE, MinutesRender.Status.FAILED)

    assert _wait_for(finished), f"the worker did not finish the job ({job.status})"
    assert job.status == MinutesRender.Status.DONE, job.error
    assert job.pages >= 5 and len(job.sha256) == 64
    pdf = media / job.file.name
    assert pdf.read_bytes().startswith(b"%PDF-1.7")

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = re.sub(r"\s+", " ", text)
    assert "Themenworkshop Mobilität und Verkehr" in text and "Anna Albers" in text
    assert f"Seite 1 von {job.pages}" in text

    status = client.get(reverse("workshops:minutes_render_status", args=[job.pk]))
    assert reverse("workshops:minutes_render_download", args=[job.pk]) in status.content.decode()
    download = client.get(reverse("workshops:minutes_render_download", args=[job.pk]))
    assert b"".join(download.streaming_content) == pdf.read_bytes()

"""A real Celery worker process (Redis when REDIS_URL is set, else the filesystem broker)
renders the minutes PDF requested through the page, as in production."""

import re
import subprocess

import pytest
from django.urls import reverse

from tests.real_services import wait_for
from workshops.minutes_tasks import render_minutes
from workshops.models import MinutesRender

from . import test_minutes_data as data

# Fixtures shared by the minutes tests.
media, facilitator = data.media, data.facilitator

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(start_worker, media):
    """A real worker that the page's render requests go to (see tests/conftest.py)."""
    process = start_worker(render_minutes)
    return {"queue": process.queue, "process": process}


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

    assert wait_for(finished), f"the worker did not finish the job ({job.status})"
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

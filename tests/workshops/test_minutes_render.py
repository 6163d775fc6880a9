"""Render jobs of the minutes PDF: one job per session at a time, its states (done, failed,
soft time limit, stale), the progress partial the page polls, the download."""

import hashlib
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from workshops import minutes
from workshops.minutes_tasks import render_minutes
from workshops.models import MinutesRender

from . import test_minutes_data as data

# Fixtures shared by the minutes tests.
media, facilitator, empty_session = data.media, data.facilitator, data.empty_session
minutes_session = data.minutes_session

pytestmark = pytest.mark.django_db

Status = MinutesRender.Status


def _request(client, session):
    return client.post(reverse("workshops:minutes_render", args=[session.pk]))


def test_second_request_joins_the_queued_job(
    client, facilitator, empty_session, django_capture_on_commit_callbacks
):
    client.force_login(facilitator)
    with django_capture_on_commit_callbacks() as first_callbacks:
        first = _request(client, empty_session)
    job = MinutesRender.objects.get()
    assert job.status == Status.QUEUED and job.requested_by == facilitator
    assert first["Location"] == reverse("workshops:minutes_render_detail", args=[job.pk])
    assert len(first_callbacks) == 1  # the task is enqueued once the job is committed

    with django_capture_on_commit_callbacks() as second_callbacks:
        second = _request(client, empty_session)
    assert second["Location"] == first["Location"]
    assert MinutesRender.objects.count() == 1
    assert second_callbacks == []

    # Also while it runs.
    MinutesRender.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=timezone.now())
    assert _request(client, empty_session)["Location"] == first["Location"]
    assert MinutesRender.objects.count() == 1


def test_done_or_failed_job_lets_a_new_one_start(client, facilitator, empty_session):
    client.force_login(facilitator)
    job, created = minutes.minutes_render_request(session=empty_session, user=facilitator)
    assert created
    MinutesRender.objects.filter(pk=job.pk).update(status=Status.FAILED, error="x")
    retry, created = minutes.minutes_render_request(session=empty_session, user=facilitator)
    assert created and retry.pk != job.pk


def test_task_renders_the_pdf_and_records_the_steps(empty_session, facilitator, monkeypatch, media):
    steps = []
    original = minutes.minutes_render_progress

    def record(*, render_id, progress, step):
        steps.append((progress, step))
        original(render_id=render_id, progress=progress, step=step)

    monkeypatch.setattr(minutes, "minutes_render_progress", record)
    job, _ = minutes.minutes_render_request(session=empty_session, user=facilitator)
    render_minutes(job.pk)

    job.refresh_from_db()
    assert job.status == Status.DONE, job.error
    assert (job.progress, job.step) == (100, minutes.STEP_DONE)
    assert job.started_at and job.finished_at and job.pages >= 2
    assert steps == [
        (10, minutes.STEP_COLLECTING),
        (35, minutes.STEP_LAYOUT),
        (70, minutes.STEP_WRITING),
        (90, minutes.STEP_SAVING),
    ]
    with job.file.open("rb") as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF-") and hashlib.sha256(content).hexdigest() == job.sha256

    # Delivered twice: nothing happens (the job is not queued any more).
    render_minutes(job.pk)
    assert MinutesRender.objects.get(pk=job.pk).file.name == job.file.name
    assert len(list(media.rglob("*.pdf"))) == 1


def test_a_new_pdf_replaces_the_older_one(empty_session, facilitator, media):
    first, _ = minutes.minutes_render_request(session=empty_session, user=facilitator)
    render_minutes(first.pk)
    second, _ = minutes.minutes_render_request(session=empty_session, user=facilitator)
    render_minutes(second.pk)
    assert list(MinutesRender.objects.values_list("pk", flat=True)) == [second.pk]
    assert len(list(media.rglob("*.pdf"))) == 1


@pytest.mark.parametrize(
    ("exception", "error"),
    [
        (RuntimeError("Pango ist kaputt"), minutes.ERROR_FAILED),
        (SoftTimeLimitExceeded(), minutes.ERROR_TIME_LIMIT),
    ],
    ids=["exception", "soft-time-limit"],
)
def test_failures_are_recorded_with_a_message(
    client, empty_session, facilitator, monkeypatch, media, exception, error
):
    def broken(**kwargs):
        raise exception

    monkeypatch.setattr(minutes, "minutes_pdf", broken)
    job, _ = minutes.minutes_render_request(session=empty_session, user=facilitator)
    render_minutes(job.pk)  # does not raise: the job records the failure
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error == error and job.finished_at
    assert not job.file and not list(media.rglob("*.pdf"))

    client.force_login(facilitator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("workshops:minutes_render_status", args=[job.pk])).content.decode()
    with translation.override("en"):
        assert str(translation.gettext(error)) in html
    assert "The PDF could not be created." in html
    assert "hx-trigger" not in html  # polling stops
    # The facilitator can try again from there.
    assert reverse("workshops:minutes_render", args=[empty_session.pk]) in html


@pytest.mark.clock
def test_stale_jobs_are_marked_failed(client, empty_session, facilitator, personas):
    now = timezone.now()
    stuck = MinutesRender.objects.create(
        session=empty_session, status=Status.RUNNING, progress=35, step=minutes.STEP_LAYOUT
    )
    MinutesRender.objects.filter(pk=stuck.pk).update(
        started_at=now - timedelta(minutes=16), requested_at=now - timedelta(minutes=17)
    )
    lost = MinutesRender.objects.create(session=empty_session)
    MinutesRender.objects.filter(pk=lost.pk).update(requested_at=now - timedelta(minutes=20))
    busy = MinutesRender.objects.create(session=empty_session, status=Status.RUNNING)
    MinutesRender.objects.filter(pk=busy.pk).update(started_at=now - timedelta(minutes=5))

    # Looking at a stuck job is enough to end it.
    client.force_login(personas["councillor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("workshops:minutes_render_status", args=[stuck.pk])).content.decode()
    assert "not finished within 15 minutes" in html
    stuck.refresh_from_db()
    lost.refresh_from_db()
    busy.refresh_from_db()
    assert stuck.status == Status.FAILED and stuck.error == minutes.ERROR_STALE
    assert lost.status == Status.FAILED
    assert busy.status == Status.RUNNING

    # The task of any job also ends stuck ones of other sessions.
    other = MinutesRender.objects.create(session=empty_session, status=Status.RUNNING)
    MinutesRender.objects.filter(pk=other.pk).update(started_at=now - timedelta(minutes=30))
    render_minutes(busy.pk)  # not queued: does nothing itself
    assert MinutesRender.objects.get(pk=other.pk).status == Status.FAILED
    assert MinutesRender.objects.get(pk=busy.pk).status == Status.RUNNING


@pytest.mark.clock
def test_stale_job_does_not_block_a_new_request(empty_session, facilitator):
    stuck = MinutesRender.objects.create(session=empty_session, status=Status.RUNNING)
    MinutesRender.objects.filter(pk=stuck.pk).update(
        started_at=timezone.now() - timedelta(minutes=40)
    )
    job, created = minutes.minutes_render_request(session=empty_session, user=facilitator)
    assert created and job.pk != stuck.pk
    assert MinutesRender.objects.get(pk=stuck.pk).status == Status.FAILED


def test_broker_failure_marks_the_job_failed(empty_session, facilitator, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(render_minutes, "delay", unreachable)
    job, _ = minutes.minutes_render_request(session=empty_session, user=facilitator)
    minutes.RENDERS.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error == minutes.ERROR_NOT_QUEUED


def test_progress_partial_shows_bar_and_step(client, empty_session, facilitator, personas):
    job = MinutesRender.objects.create(
        session=empty_session,
        status=Status.RUNNING,
        started_at=timezone.now(),
        progress=35,
        step=minutes.STEP_LAYOUT,
    )
    client.force_login(personas["rep_duelmen"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("workshops:minutes_render_status", args=[job.pk])
    response = client.get(url)
    html = response.content.decode()
    assert 'role="progressbar"' in html and 'aria-valuenow="35"' in html
    assert "35 %" in html and "Laying out the pages" in html
    assert 'hx-trigger="every 1s"' in html and f'hx-get="{url}?seen=running-35"' in html
    assert "no-cache" in response["Cache-Control"]

    # An unchanged state is answered with 204, which htmx does not swap.
    unchanged = client.get(url, {"seen": "running-35"}, headers={"HX-Request": "true"})
    assert unchanged.status_code == 204
    changed = client.get(url, {"seen": "running-10"}, headers={"HX-Request": "true"})
    assert changed.status_code == 200

    # The page around it announces changes politely.
    page = client.get(reverse("workshops:minutes_render_detail", args=[job.pk])).content.decode()
    assert 'aria-live="polite"' in page and 'role="progressbar"' in page

    MinutesRender.objects.filter(pk=job.pk).update(
        status=Status.DONE, progress=100, step=minutes.STEP_DONE, pages=7, file="x.pdf"
    )
    html = client.get(url).content.decode()
    assert "hx-trigger" not in html and "progressbar" not in html
    assert reverse("workshops:minutes_render_download", args=[job.pk]) in html
    assert "(7 pages)" in html


def _partial_queries(client, job) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("workshops:minutes_render_status", args=[job.pk]))
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("role", ["facilitator", "councillor"])
def test_progress_partial_runs_a_fixed_number_of_queries(
    client, minutes_session, facilitator, personas, role
):
    user = facilitator if role == "facilitator" else personas["councillor"]
    client.force_login(user)
    job = MinutesRender.objects.create(session=minutes_session, requested_by=facilitator)
    counts = {"queued": _partial_queries(client, job)}
    MinutesRender.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, started_at=timezone.now(), progress=70
    )
    counts["running"] = _partial_queries(client, job)
    MinutesRender.objects.filter(pk=job.pk).update(
        status=Status.DONE, progress=100, pages=9, file="x.pdf"
    )
    counts["done"] = _partial_queries(client, job)
    # More data does not mean more queries.
    for _ in range(5):
        MinutesRender.objects.create(session=minutes_session, status=Status.FAILED)
        data.minutes_session_create(minutes_session.workshop.process, photos=0)
    counts["done, more data"] = _partial_queries(client, job)
    # user + job (with its session and workshop); the session comes from the cache
    assert set(counts.values()) == {2}, counts


def test_download_for_participants_only_when_done(client, empty_session, facilitator, personas):
    job, _ = minutes.minutes_render_request(session=empty_session, user=facilitator)
    client.force_login(personas["councillor"])
    url = reverse("workshops:minutes_render_download", args=[job.pk])
    assert client.get(url).status_code == 404
    render_minutes(job.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="protokoll-auftaktworkshop-2026-02-10.pdf"'
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    detail = client.get(reverse("workshops:minutes_detail", args=[empty_session.pk]))
    assert url in detail.content.decode()

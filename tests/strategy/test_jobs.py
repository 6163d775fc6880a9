"""The job layer (``strategy.jobs``) when a worker is lost: the heartbeat of the worker running a
job, which jobs a task that comes back may take over, and what pages and new requests do with a
job whose worker stopped. Shown on the minutes PDF; the strategy PDF and the council paper use
the same ``JobQueue`` (the real worker being killed: tests/adoption/test_documents_worker.py)."""

import os
import subprocess
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone, translation

from strategy import jobs
from tests.workshops import test_minutes_data as data
from workshops import minutes
from workshops.models import MinutesRender

media, facilitator, empty_session = data.media, data.facilitator, data.empty_session

pytestmark = pytest.mark.django_db

Status = MinutesRender.Status
RENDERS = minutes.RENDERS
LOST_AFTER = timedelta(seconds=django_settings.JOB_LOST_AFTER_SECONDS)
ELSEWHERE = "worker-on-another-host:4242"


def _running(session, *, claimed_by=ELSEWHERE, beat_ago=timedelta(seconds=1), attempts=1):
    """A job claimed by ``claimed_by``, whose last heartbeat was ``beat_ago``."""
    now = timezone.now()
    return MinutesRender.objects.create(
        session=session,
        status=Status.RUNNING,
        progress=30,
        step=minutes.STEP_LAYOUT,
        started_at=now - timedelta(minutes=2),
        claimed_by=claimed_by,
        heartbeat_at=now - beat_ago,
        attempts=attempts,
    )


def _row(job):
    return MinutesRender.objects.filter(pk=job.pk).values().get()


def _ended_process() -> str:
    """``claimed_by`` of a process of this host that has ended."""
    child = subprocess.Popen(["true"])
    child.wait()
    return f"{os.uname().nodename}:{child.pid}"


# --- Which jobs a task that comes back may take over -------------------------------------------


def test_a_job_whose_worker_beats_is_not_taken_over(empty_session):
    job = _running(empty_session)
    before = _row(job)
    assert RENDERS.claim(job.pk, step=minutes.STEP_COLLECTING) is False
    assert _row(job) == before


def test_a_job_without_a_heartbeat_for_too_long_is_taken_over(empty_session):
    job = _running(empty_session, beat_ago=LOST_AFTER + timedelta(seconds=1))
    assert RENDERS.claim(job.pk, step=minutes.STEP_COLLECTING) is True
    job.refresh_from_db()
    assert job.status == Status.RUNNING and job.claimed_by == jobs.worker_identity()
    assert job.attempts == 2 and job.progress == 5 and job.step == minutes.STEP_COLLECTING
    assert timezone.now() - job.heartbeat_at < timedelta(seconds=5)
    assert timezone.now() - job.started_at < timedelta(seconds=5)


def test_a_job_whose_process_has_ended_is_taken_over_at_once(empty_session):
    job = _running(empty_session, claimed_by=_ended_process())
    assert RENDERS.claim(job.pk, step=minutes.STEP_COLLECTING) is True
    job.refresh_from_db()
    assert job.claimed_by == jobs.worker_identity() and job.attempts == 2


def test_a_job_whose_process_still_runs_is_not_taken_over(empty_session):
    # The parent of the test process runs on this host, and is alive.
    job = _running(empty_session, claimed_by=f"{os.uname().nodename}:{os.getppid()}")
    assert RENDERS.claim(job.pk, step=minutes.STEP_COLLECTING) is False
    assert _row(job)["claimed_by"].endswith(f":{os.getppid()}")


@pytest.mark.parametrize("status", [Status.DONE, Status.FAILED])
def test_a_finished_job_is_left_alone(empty_session, status):
    job = _running(empty_session, claimed_by=_ended_process(), beat_ago=LOST_AFTER * 3)
    MinutesRender.objects.filter(pk=job.pk).update(status=status)
    before = _row(job)
    assert RENDERS.claim(job.pk, step=minutes.STEP_COLLECTING) is False
    assert _row(job) == before


def test_a_job_that_lost_its_worker_twice_fails(empty_session):
    job = _running(empty_session, claimed_by=_ended_process(), attempts=jobs.MAX_ATTEMPTS)
    assert RENDERS.claim(job.pk, step=minutes.STEP_COLLECTING) is False
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error == jobs.ERROR_WORKER_LOST


def test_a_job_from_before_heartbeats_is_left_to_the_15_minute_rule(empty_session):
    job = _running(empty_session, claimed_by="", beat_ago=timedelta(0))
    MinutesRender.objects.filter(pk=job.pk).update(heartbeat_at=None)
    assert RENDERS.claim(job.pk, step=minutes.STEP_COLLECTING) is False
    assert RENDERS.checked(job).status == Status.RUNNING


def test_malformed_claimants_are_not_taken_for_ended_processes():
    host = os.uname().nodename
    for claimed_by in ("", "nohost", f"{host}:", f"{host}:²", f"{host}:-1", f"{host}:1:2"):
        assert jobs.claimant_gone(claimed_by) is False, claimed_by
    assert jobs.claimant_gone(jobs.worker_identity()) is False


# --- What pages and new requests do -------------------------------------------------------------


def test_the_page_fails_a_job_whose_worker_stopped_beating(client, empty_session, facilitator):
    job = _running(empty_session, beat_ago=LOST_AFTER + timedelta(seconds=1))
    beating = _running(empty_session)
    client.force_login(facilitator)
    html = client.get(reverse("workshops:minutes_render_status", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error == jobs.ERROR_WORKER_LOST
    assert job.finished_at is not None
    assert "Die Hintergrundverarbeitung wurde beim Erstellen des PDFs unerwartet beendet." in html
    assert "15 Minuten" not in html
    assert reverse("workshops:minutes_render", args=[empty_session.pk]) in html  # try again
    assert MinutesRender.objects.get(pk=beating.pk).status == Status.RUNNING


def test_a_new_request_starts_a_new_job_instead_of_joining_a_lost_one(empty_session, facilitator):
    beating = _running(empty_session)
    job, created = minutes.minutes_render_request(session=empty_session, user=facilitator)
    assert (job.pk, created) == (beating.pk, False)  # a job whose worker is alive is joined

    MinutesRender.objects.filter(pk=beating.pk).update(
        heartbeat_at=timezone.now() - LOST_AFTER - timedelta(seconds=1)
    )
    job, created = minutes.minutes_render_request(session=empty_session, user=facilitator)
    assert created and job.pk != beating.pk and job.status == Status.QUEUED
    assert MinutesRender.objects.get(pk=beating.pk).error == jobs.ERROR_WORKER_LOST


def test_the_page_says_that_a_job_was_started_again(client, empty_session, personas):
    job = _running(empty_session, attempts=2)
    client.force_login(personas["councillor"])
    url = reverse("workshops:minutes_render_status", args=[job.pk])
    assert "PDF wird automatisch neu erstellt" in client.get(url).content.decode()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        assert translation.gettext(jobs.NOTICE_RESTARTED) in client.get(url).content.decode()
    MinutesRender.objects.filter(pk=job.pk).update(attempts=1)
    assert "automatically" not in client.get(url).content.decode()


def test_progress_is_a_heartbeat(empty_session):
    job = _running(empty_session, beat_ago=timedelta(seconds=20))
    RENDERS.progress(job.pk, progress=70, step=minutes.STEP_WRITING)
    job.refresh_from_db()
    assert job.progress == 70 and timezone.now() - job.heartbeat_at < timedelta(seconds=5)


# --- The worker's side: the heartbeat thread, a task that comes back ------------------------------


@pytest.fixture
def fast_beats(settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    settings.JOB_LOST_AFTER_SECONDS = 0.5


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_goes_on_while_a_long_step_runs(empty_session, fast_beats):
    # The thread writes through its own database connection: the job must be committed.
    job = _running(empty_session, claimed_by=jobs.worker_identity(), beat_ago=timedelta(0))
    first = _row(job)["heartbeat_at"]
    beats = set()
    with RENDERS.beating(job.pk):
        for _ in range(200):
            beats.add(_row(job)["heartbeat_at"])
            if len(beats) >= 3:
                break
            time.sleep(0.02)
    assert len(beats) >= 3 and min(beats) >= first
    last = _row(job)["heartbeat_at"]
    time.sleep(0.2)
    assert _row(job)["heartbeat_at"] == last  # stopped with the block


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_of_a_job_taken_over_by_another_process_is_not_written(
    empty_session, fast_beats
):
    job = _running(empty_session, claimed_by=ELSEWHERE, beat_ago=timedelta(seconds=1))
    before = _row(job)["heartbeat_at"]
    with RENDERS.beating(job.pk):
        time.sleep(0.3)
    assert _row(job)["heartbeat_at"] == before


@pytest.mark.django_db(transaction=True)
def test_a_task_that_comes_back_waits_for_the_heartbeat_to_stop(empty_session, fast_beats):
    # Claimed on another host, whose process cannot be seen from here: the task comes back
    # while the job still shows a fresh heartbeat, waits, and takes over once it is lost.
    job = _running(empty_session, beat_ago=timedelta(0))
    ran = []
    RENDERS.run(job.pk, lambda: ran.append(RENDERS.finish(job.pk)), step=minutes.STEP_COLLECTING)
    job.refresh_from_db()
    assert ran == [True] and job.status == Status.DONE and job.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_a_task_delivered_twice_leaves_a_beating_job_to_its_worker(empty_session, fast_beats):
    job = _running(empty_session, claimed_by=jobs.worker_identity(), beat_ago=timedelta(0))
    ran = []
    with RENDERS.beating(job.pk):  # the first delivery, alive and beating
        RENDERS.run(job.pk, lambda: ran.append(True), step=minutes.STEP_COLLECTING)
    job.refresh_from_db()
    assert ran == [] and job.status == Status.RUNNING and job.attempts == 1


def test_the_soft_time_limit_while_claiming_fails_the_job_instead_of_leaving_it_queued(
    empty_session, monkeypatch
):
    """Celery's soft time limit can strike before ``work`` runs (a busy worker, a short limit):
    the task ends then, so the job must not wait as "queued" for nobody."""
    from celery.exceptions import SoftTimeLimitExceeded

    job = MinutesRender.objects.create(session=empty_session, step=jobs.STEP_QUEUED)

    def claim_too_late(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(RENDERS, "_claim_when_free", claim_too_late)
    RENDERS.run(job.pk, lambda: pytest.fail("work must not run"), step=minutes.STEP_COLLECTING)
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error == jobs.ERROR_TIME_LIMIT


def test_the_soft_time_limit_leaves_a_job_another_worker_runs_alone(empty_session, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    job = _running(empty_session)
    before = _row(job)

    def claim_too_late(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(RENDERS, "_claim_when_free", claim_too_late)
    RENDERS.run(job.pk, lambda: pytest.fail("work must not run"), step=minutes.STEP_COLLECTING)
    assert _row(job) == before

"""Uploaded files are read by the worker: the job page and its progress partial, the language
of the worker's messages, one import per person at a time, failures and time limits, and the
rows stored between reading and confirming. Run with eager tasks; ``test_import_worker`` runs the
same through a real worker process."""

import io
from datetime import date, datetime, time, timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from inventory import import_jobs
from inventory.import_jobs import (
    ERROR_READ_FAILED,
    ERROR_READ_TIME_LIMIT,
    rows_decode,
    rows_encode,
)
from inventory.models import Project, ProjectImport
from inventory.tasks import IMPORT_SOFT_TIME_LIMIT, IMPORT_TIME_LIMIT, read_project_import
from strategy.jobs import ERROR_NOT_QUEUED, ERROR_STALE

from .test_import import csv_bytes, project_row, xlsx_bytes

pytestmark = pytest.mark.django_db
Status = ProjectImport.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rep(client, personas):
    client.force_login(personas["rep_duelmen"])
    return personas["rep_duelmen"]


def _post(client, data, name="projekte.csv", *, read=False):
    """Upload a file; with ``read`` the (eager) worker reads it when the upload commits."""
    upload = io.BytesIO(data)
    upload.name = name
    with TestCase.captureOnCommitCallbacks(execute=read):
        return client.post(reverse("inventory:import_upload"), {"file": upload})


def _kept_files():
    folder = settings.MEDIA_ROOT / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_the_upload_only_queues_the_file_and_the_page_shows_the_progress(client, rep):
    response = _post(client, csv_bytes([project_row()]))
    job = ProjectImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:import_job", args=[job.pk])
    # The web request read nothing: the file waits for the worker.
    assert job.status == Status.QUEUED and job.rows is None and job.requested_by == rep
    assert len(_kept_files()) == 1

    html = client.get(response["Location"]).content.decode()
    assert "Die Datei wird geprüft" in html and "Wartet auf die Hintergrundverarbeitung" in html
    status_url = reverse("inventory:import_job_status", args=[job.pk])
    assert f'hx-get="{status_url}?seen=queued-0"' in html
    assert 'aria-live="polite"' in html and "<script>" not in html and "style=" not in html

    # Nothing changed since the page was shown: 204, which htmx does not swap.
    poll = client.get(f"{status_url}?seen=queued-0", headers={"HX-Request": "true"})
    assert poll.status_code == 204

    read_project_import(job.pk)
    job.refresh_from_db()
    assert job.status == Status.DONE and job.rows[0]["key"] == "DUE-0001"
    assert _kept_files() == []
    poll = client.get(f"{status_url}?seen=queued-0", headers={"HX-Request": "true"})
    assert poll.status_code == 200
    assert poll["HX-Redirect"] == reverse("inventory:import_job", args=[job.pk])
    response = client.get(reverse("inventory:import_job", args=[job.pk]))
    assert response["Location"] == reverse("inventory:import_preview")
    assert "Digitales Bürgerbüro" in client.get(response["Location"]).content.decode()
    assert not Project.objects.exists()


def test_a_file_the_worker_refuses_shows_the_form_with_the_reason(client, rep):
    _post(client, xlsx_bytes([]), "leer.xlsx", read=True)
    job = ProjectImport.objects.get()
    assert job.status == Status.DONE and job.rows is None
    assert job.problem == "Die Datei enthält keine Datenzeilen."
    response = client.get(reverse("inventory:import_job", args=[job.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Die Datei enthält keine Datenzeilen." in html and 'href="#id_file"' in html
    assert f'action="{reverse("inventory:import_upload")}"' in html
    assert client.get(reverse("inventory:import_preview")).status_code == 302
    assert _kept_files() == [] and not Project.objects.exists()


def test_the_worker_writes_its_messages_in_the_language_of_the_uploader(client, rep):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _post(client, xlsx_bytes([]), "leer.xlsx", read=True)
    assert ProjectImport.objects.get().problem == "The file contains no data rows."


def test_only_the_uploader_sees_the_job(client, rep, personas):
    _post(client, csv_bytes([project_row()]))
    job = ProjectImport.objects.get()
    for role in ("rep_nottuln", "district_staff", "admin"):
        client.force_login(personas[role])
        assert client.get(reverse("inventory:import_job", args=[job.pk])).status_code == 404
        status = client.get(reverse("inventory:import_job_status", args=[job.pk]))
        assert status.status_code == 404
        # Somebody else's job in the session does not lead to its rows either.
        session = client.session
        session["inventory_import"] = {"job": job.pk}
        session.save()
        assert client.get(reverse("inventory:import_preview")).status_code == 302
    client.force_login(personas["councillor"])
    assert client.get(reverse("inventory:import_job", args=[job.pk])).status_code == 403


def test_a_file_being_read_makes_a_new_upload_wait_and_a_queued_one_is_replaced(client, rep):
    _post(client, csv_bytes([project_row()]))
    first = ProjectImport.objects.get()
    _post(client, csv_bytes([project_row(Schlüssel="DUE-0002")]), read=True)
    second = ProjectImport.objects.get()
    # The queued one and its file are gone; the new one was read.
    assert second != first and second.status == Status.DONE and _kept_files() == []

    ProjectImport.objects.filter(pk=second.pk).update(status=Status.RUNNING)
    response = _post(client, csv_bytes([project_row(Schlüssel="DUE-0003")]))
    assert response.status_code == 200
    assert "Ihre vorherige Datei wird noch gelesen." in response.content.decode()
    assert list(ProjectImport.objects.all()) == [second] and _kept_files() == []


def test_a_failed_read_says_so_and_offers_a_new_upload(client, rep, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_jobs, "read_rows", broken)
    _post(client, csv_bytes([project_row()]), read=True)
    job = ProjectImport.objects.get()
    assert job.status == Status.FAILED and job.error == ERROR_READ_FAILED
    assert _kept_files() == []
    html = client.get(reverse("inventory:import_job", args=[job.pk])).content.decode()
    assert "Die Datei konnte nicht gelesen werden." in html and "disk on fire" not in html
    assert reverse("inventory:import_upload") in html


def test_the_soft_time_limit_ends_the_job_with_a_message(client, rep, monkeypatch):
    def slow(**kwargs):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(import_jobs, "read_rows", slow)
    _post(client, csv_bytes([project_row()]), read=True)
    job = ProjectImport.objects.get()
    assert job.status == Status.FAILED and job.error == ERROR_READ_TIME_LIMIT
    html = client.get(reverse("inventory:import_job", args=[job.pk])).content.decode()
    assert "Das Lesen der Datei hat zu lange gedauert" in html


def test_the_soft_time_limit_inside_openpyxl_is_not_taken_for_a_damaged_file(
    client, rep, monkeypatch
):
    from inventory import import_files

    def slow(*args, **kwargs):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(import_files, "load_workbook", slow)
    _post(client, xlsx_bytes([project_row()]), "projekte.xlsx", read=True)
    job = ProjectImport.objects.get()
    assert job.status == Status.FAILED and job.error == ERROR_READ_TIME_LIMIT
    assert not job.problem


def test_the_task_has_tight_time_limits():
    assert read_project_import.soft_time_limit == IMPORT_SOFT_TIME_LIMIT == 60
    assert read_project_import.time_limit == IMPORT_TIME_LIMIT == 90


def test_a_job_that_lost_its_worker_ends_as_failed_with_an_import_message(client, rep):
    _post(client, csv_bytes([project_row()]))
    job = ProjectImport.objects.get()
    ProjectImport.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, started_at=timezone.now() - timedelta(hours=1)
    )
    html = client.get(reverse("inventory:import_job", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error == ERROR_STALE
    # Not the job layer's message about PDFs.
    assert gettext(ERROR_STALE) not in html and "Die Datei konnte nicht gelesen werden." in html


def test_an_unreachable_broker_fails_the_job_with_a_message(client, rep, monkeypatch):
    def unreachable(job_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr(import_jobs.IMPORTS, "_enqueue", unreachable)
    _post(client, csv_bytes([project_row()]), read=True)
    job = ProjectImport.objects.get()
    assert job.status == Status.FAILED and job.error == ERROR_NOT_QUEUED
    html = client.get(reverse("inventory:import_job", args=[job.pk])).content.decode()
    assert "konnte nicht an die Hintergrundverarbeitung übergeben werden" in html


def test_rows_keep_their_types_between_worker_and_preview():
    rows = [
        {
            "row": 2,
            "key": "DUE-1\x00",
            "start_date": datetime(2027, 3, 1),
            "end_date": date(2028, 2, 29),
            "title": time(10, 30),
            "description": timedelta(hours=36),
            "investment_cost": float("inf"),
            "running_cost_per_year": 12.5,
            "status": True,
            "tags": None,
            "links": "\ud800 einsam",
        }
    ]
    decoded = rows_decode(rows_encode(rows))
    assert decoded[0] | {"key": "DUE-1\x00", "links": "\ud800 einsam"} == rows[0]
    assert decoded[0]["key"] == "DUE-1" and decoded[0]["links"] == "? einsam"
    job = ProjectImport.objects.create(file_name="x.xlsx", rows=rows_encode(rows), status="done")
    job.refresh_from_db()
    assert rows_decode(job.rows)[0]["start_date"] == datetime(2027, 3, 1)

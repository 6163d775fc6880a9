"""A real Celery worker process (Redis when REDIS_URL is set, else the filesystem broker) reads
the uploaded files, as in production: a valid file through to the import, hostile workbooks
refused within a second of the worker's CPU (which stays up for the next file), and the soft time
limit of a read that takes too long."""

import io

import openpyxl
import psutil
import pytest
from django.conf import settings
from django.urls import reverse

from inventory.import_format import COLUMNS
from inventory.import_jobs import ERROR_READ_TIME_LIMIT
from inventory.models import Project, ProjectImport
from inventory.tasks import read_project_import
from tests.real_services import wait_for

from .import_bombs import cells_bomb, shared_strings_bomb
from .test_import import csv_bytes, full_row, project_row

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Status = ProjectImport.Status


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def start_worker(start_worker, media):
    """A real worker that the uploads' jobs go to (see tests/conftest.py)."""

    def start(**options):
        return start_worker(read_project_import, **options)

    return start


def _upload(client, data, name):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(reverse("inventory:import_upload"), {"file": upload})


def _read(client, data, name="projekte.xlsx") -> ProjectImport:
    """Upload a file and wait until the worker has read it."""
    response = _upload(client, data, name)
    job = ProjectImport.objects.latest("pk")
    assert response["Location"] == reverse("inventory:import_job", args=[job.pk])
    assert wait_for(lambda: not ProjectImport.objects.get(pk=job.pk).is_active), (
        "the worker did not read the file"
    )
    job.refresh_from_db()
    return job


def _worker_cpu(process) -> float:
    """CPU seconds of the worker process and its pool children."""
    total = 0.0
    main = psutil.Process(process.pid)
    for member in [main, *main.children(recursive=True)]:
        times = member.cpu_times()
        total += times.user + times.system
    return total


def test_the_worker_reads_the_upload_and_the_preview_imports_it(start_worker, client, personas):
    start_worker()
    client.force_login(personas["rep_duelmen"])
    data = csv_bytes([full_row(), project_row(Schlüssel="DUE-0002", Titel="Zweites")])
    job = _read(client, data, "projekte.csv")
    assert job.status == Status.DONE and len(job.rows) == 2 and not job.problem
    assert not (settings.MEDIA_ROOT / "imports").exists() or not any(
        (settings.MEDIA_ROOT / "imports").iterdir()
    )
    response = client.get(reverse("inventory:import_job", args=[job.pk]))
    assert response["Location"] == reverse("inventory:import_preview")
    html = client.get(response["Location"]).content.decode()
    assert "Smarte Parkplätze" in html and "Zweites" in html
    response = client.post(reverse("inventory:import_confirm"))
    assert response["Location"] == reverse("inventory:project_list")
    assert sorted(Project.objects.values_list("key", flat=True)) == ["DUE-0002", "DUE-0007"]


def test_the_worker_refuses_bombs_within_a_second_and_reads_the_next_file(
    start_worker, client, personas
):
    worker = start_worker()
    client.force_login(personas["district_staff"])
    # Warm up: the first task imports the reading code.
    assert _read(client, csv_bytes([project_row()]), "projekte.csv").status == Status.DONE

    for bomb, message in (
        (
            shared_strings_bomb(strings=2_000_000),
            "Die Arbeitsmappe enthält mehr als 200.000 verschiedene Texte.",
        ),
        (
            cells_bomb(rows=300_000),
            "Die Datei hat Zellen rechts von Spalte IV. Bitte löschen Sie die Spalten rechts "
            "von Ihren Daten.",
        ),
    ):
        before = _worker_cpu(worker)
        job = _read(client, bomb)
        used = _worker_cpu(worker) - before
        assert job.status == Status.DONE and job.problem == message and job.rows is None
        assert used < 1.0, f"the worker spent {used:.2f} s of CPU"
        html = client.get(reverse("inventory:import_job", args=[job.pk])).content.decode()
        assert message in html

    # The probe's bomb does not even reach the worker.
    response = _upload(client, shared_strings_bomb(), "bombe.xlsx")
    assert response.status_code == 200
    assert "Die Arbeitsmappe ist entpackt zu groß" in response.content.decode()

    assert worker.poll() is None, "the worker died"
    job = _read(client, csv_bytes([project_row(Schlüssel="DUE-0009")]), "projekte.csv")
    assert job.status == Status.DONE and job.rows[0]["key"] == "DUE-0009"
    assert not Project.objects.exists()


def _large_workbook() -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Projekte")
    sheet.append([column.header for column in COLUMNS[:4]])
    for number in range(5000):
        sheet.append([f"DUE-{number:05d}", "Dülmen", f"Projekt {number}", "Laufend"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_soft_time_limit_stops_a_read_that_takes_too_long(start_worker, client, personas):
    start_worker(pool="prefork", soft_time_limit=0.2, time_limit=20)
    client.force_login(personas["district_staff"])
    job = _read(client, _large_workbook())
    assert job.status == Status.FAILED and job.error == ERROR_READ_TIME_LIMIT
    html = client.get(reverse("inventory:import_job", args=[job.pk])).content.decode()
    assert "Das Lesen der Datei hat zu lange gedauert und wurde abgebrochen." in html
    assert not any((settings.MEDIA_ROOT / "imports").iterdir())

"""A municipal representative adds a project and imports a file; the inventory pages pass axe."""

import csv
import io

import pytest

from inventory.import_format import COLUMNS
from inventory.models import Project
from strategy.demo import DEMO_PASSWORD, demo_accounts_create, demo_process_create
from strategy.services import reference_data_load
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    reference_data_load()
    demo_accounts_create()
    demo_process_create()
    return live_server.url


def _login(page, base, username):
    page.goto(base + "/konto/anmelden/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")


def _csv(tmp_path):
    """A CSV as German Excel saves it: semicolons, Windows-1252, quoted where needed."""
    values = {
        "Schlüssel": "DUE-IMP-1",
        "Kommune": "Dülmen",
        "Titel": "Digitale Schulanmeldung",
        "Handlungsfelder": "Bildung; Verwaltung und E-Government",
        "Status": "Geplant",
        "Beginn": "01.08.2027",
        "Ende": "31.07.2028",
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([column.header for column in COLUMNS])
    writer.writerow([values.get(column.header, "") for column in COLUMNS])
    path = tmp_path / "projekte.csv"
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path


def test_representative_adds_a_project_and_imports_a_file(page, demo, tmp_path):
    _login(page, demo, "duelmen")
    page.get_by_role("button", name="Bestandsaufnahme").click()
    page.get_by_role("link", name="Digitalprojekte").click()
    assert page.get_by_role("heading", name="Digitalprojekte", level=1).is_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Neues Projekt").click()
    page.get_by_label("Titel").fill("Smarte Parkplätze am Bahnhof")
    page.get_by_label("Beschreibung").fill("Sensoren zeigen freie Stellplätze an.")
    page.get_by_label("Mobilität").check()
    page.get_by_label("Status").select_option("planned")
    page.get_by_role("button", name="Speichern").click()
    assert page.get_by_role("heading", name="Smarte Parkplätze am Bahnhof").is_visible()
    assert page.get_by_text("Mobilität").first.is_visible()
    assert axe_violations(page) == []
    project = Project.objects.get(title="Smarte Parkplätze am Bahnhof")
    assert project.municipality.name == "Dülmen"

    page.goto(demo + "/bestandsaufnahme/")
    page.get_by_role("link", name="Import aus Excel/CSV").click()
    assert axe_violations(page) == []
    page.get_by_label("Datei (.xlsx oder .csv)").set_input_files(str(_csv(tmp_path)))
    page.get_by_role("button", name="Datei prüfen").click()
    assert page.get_by_text("Digitale Schulanmeldung").first.is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Jetzt importieren").click()
    assert page.get_by_text("Import abgeschlossen").is_visible()
    imported = Project.objects.get(key="DUE-IMP-1")
    assert sorted(f.name for f in imported.theme_fields.all()) == [
        "Bildung",
        "Verwaltung und E-Government",
    ]


def test_the_import_shows_its_progress_until_the_worker_has_read_the_file(
    page, demo, tmp_path, monkeypatch
):
    """The page polls the job (htmx) and opens the preview once the worker is done."""
    from inventory.models import ProjectImport
    from inventory.tasks import read_project_import

    queued = []
    monkeypatch.setattr(read_project_import, "delay", queued.append)
    _login(page, demo, "duelmen")
    page.goto(demo + "/bestandsaufnahme/import/")
    page.get_by_label("Datei (.xlsx oder .csv)").set_input_files(str(_csv(tmp_path)))
    page.get_by_role("button", name="Datei prüfen").click()
    assert page.get_by_role("heading", name="Die Datei wird geprüft", level=1).is_visible()
    progress = page.get_by_role("progressbar", name="Fortschritt der Prüfung")
    assert progress.get_attribute("aria-valuenow") == "0"
    assert axe_violations(page) == []

    (job_id,) = queued
    assert ProjectImport.objects.get(pk=job_id).status == "queued"
    read_project_import(job_id)  # what the worker does
    page.wait_for_url(demo + "/bestandsaufnahme/import/vorschau/")
    assert page.get_by_text("Digitale Schulanmeldung").first.is_visible()
    page.get_by_role("button", name="Jetzt importieren").click()
    assert page.get_by_text("Import abgeschlossen").is_visible()
    assert Project.objects.filter(key="DUE-IMP-1").exists()


def test_matrix_and_completeness_pages_are_accessible(page, demo):
    _login(page, demo, "kreis")
    for path in (
        "/bestandsaufnahme/matrix/",
        "/bestandsaufnahme/vollstaendigkeit/",
        "/bestandsaufnahme/synergien/",
        "/bestandsaufnahme/strategien/",
    ):
        page.goto(demo + path)
        assert axe_violations(page) == [], path

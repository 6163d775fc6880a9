"""Exporting the digital projects as Excel and CSV: safe against formula injection, filtered like
the list, a fixed number of queries, and importable again."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl.xml import LXML

from inventory.exporting import projects_export_csv, projects_export_xlsx
from inventory.filters import ProjectFilter
from inventory.importing import COLUMNS, import_apply, parse_upload, validate_rows
from inventory.models import Project
from strategy.models import FundingProgramme, ThemeField

HEADERS = [column.header for column in COLUMNS]
DANGEROUS = ["=1+1", "+49 2541 180", "-5", "@SUM(A1)", "\tfoo", "\rbar"]
LOGIN = reverse("accounts:login")


def make_project(reference, key, *, municipality="Dülmen", title="Projekt", **fields):
    project = Project.objects.create(
        key=key, municipality=reference[municipality], title=title, **fields
    )
    return project


@pytest.fixture
def projects(reference):
    """A fully filled project, projects with dangerous titles, and one of Nottuln."""
    full = make_project(
        reference,
        "DUE-0007",
        title="Smarte Parkplätze",
        description='=HYPERLINK("http://evil")\nzweite Zeile',
        status=Project.Status.RUNNING,
        start_date=date(2027, 3, 1),
        end_date=date(2028, 2, 29),
        lead_organisation="+Ordnungsamt",
        contact_person="@erika",
        target_groups="Pendler",
        investment_cost=Decimal("12500.50"),
        running_cost_per_year=Decimal("1200.00"),
        links="https://www.duelmen.de/parken\nhttp://example.org/a",
        tags="Parken, Sensorik",
        last_confirmed_on=date(2027, 1, 15),
    )
    full.theme_fields.set(ThemeField.objects.filter(name__in=["Mobilität", "Handel"]))
    full.funding_programmes.set(FundingProgramme.objects.filter(name="mFUND"))
    full.partners.set([reference["Nottuln"], reference["Coesfeld"]])
    for number, title in enumerate(DANGEROUS):
        make_project(reference, f"DUE-1{number:03}", title=title)
    make_project(reference, "NOT-0001", municipality="Nottuln", title="Nottulner Netz")
    return full


def xlsx_rows(content: bytes):
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Projekte"]
    return sheet, list(sheet.iter_rows())


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def by_key(rows) -> dict:
    return {row[0]: dict(zip(HEADERS, row, strict=True)) for row in rows[1:]}


def test_xlsx_export_neutralises_formulas_and_keeps_numbers_and_dates(projects):
    sheet, rows = xlsx_rows(projects_export_xlsx(projects=Project.objects.all()))
    assert [cell.value for cell in rows[0]] == HEADERS
    cells = {row[0].value: dict(zip(HEADERS, row, strict=True)) for row in rows[1:]}
    for number, title in enumerate(DANGEROUS):
        cell = cells[f"DUE-1{number:03}"]["Titel"]
        # The standard-library XML parser reads a carriage return back as a line feed, lxml
        # keeps it (openpyxl uses lxml when it is installed); the apostrophe is what matters.
        assert cell.value == "'" + (title if LXML else title.replace("\r", "\n"))
        assert cell.data_type == "s"
    full = cells["DUE-0007"]
    assert full["Beschreibung"].value.startswith("'=HYPERLINK")
    assert full["Federführung"].value == "'+Ordnungsamt"
    assert full["Ansprechperson"].value == "'@erika"
    assert all(cell.data_type != "f" for row in rows for cell in row)
    assert full["Investition (EUR)"].value == 12500.5
    assert full["Investition (EUR)"].data_type == "n"
    assert full["Beginn"].is_date and full["Beginn"].value.date() == date(2027, 3, 1)
    assert full["Status"].value == "Laufend"
    assert full["Handlungsfelder"].value == "Mobilität; Handel"
    assert full["Partnerkommunen"].value == "Coesfeld; Nottuln"
    assert full["Links"].value == "https://www.duelmen.de/parken\nhttp://example.org/a"
    assert full["Schlüssel"].value == "DUE-0007"
    assert len(sheet.data_validations.dataValidation) == 3


def test_csv_export_is_for_german_excel_and_neutralises_formulas(projects):
    content = projects_export_csv(projects=Project.objects.all())
    rows = csv_rows(content)
    assert rows[0] == HEADERS
    cells = by_key(rows)
    for number, title in enumerate(DANGEROUS):
        assert cells[f"DUE-1{number:03}"]["Titel"] == "'" + title
    full = cells["DUE-0007"]
    assert full["Beschreibung"].startswith("'=HYPERLINK")
    assert full["Federführung"] == "'+Ordnungsamt"
    assert full["Investition (EUR)"] == "12500,50"
    assert full["Laufende Kosten pro Jahr (EUR)"] == "1200,00"
    assert full["Beginn"] == "01.03.2027" and full["Ende"] == "29.02.2028"
    assert full["Förderprogramme"] == "mFUND"
    assert cells["NOT-0001"]["Kommune"] == "Nottuln"


def test_control_characters_do_not_break_the_workbook(reference):
    make_project(reference, "DUE-1", title="Glocke\x07 und Ende")
    _sheet, rows = xlsx_rows(projects_export_xlsx(projects=Project.objects.all()))
    assert rows[1][2].value == "Glocke und Ende"


@pytest.mark.parametrize("export", [projects_export_xlsx, projects_export_csv])
def test_an_export_imports_again_without_changes(projects, personas, export):
    # A title with a carriage return (stored past the forms) is refused by the import as by
    # the forms (tests/inventory/test_import_text.py); the rest comes back unchanged.
    Project.objects.filter(title="\rbar").delete()
    content = export(projects=Project.objects.all())
    rows = parse_upload(name="bestandsaufnahme", data=content)
    preview = validate_rows(rows=rows, user=personas["district_staff"])
    assert preview.errors == []
    changed = set()
    assert {row.key for row in preview.rows if row.action != "unchanged"} == changed
    assert len(preview.rows) == Project.objects.count()
    result = import_apply(preview=preview, user=personas["district_staff"])
    assert (result.created, result.updated) == (0, len(changed))
    assert set(DANGEROUS) - {"\rbar"} <= set(Project.objects.values_list("title", flat=True))


@pytest.mark.parametrize("export", [projects_export_xlsx, projects_export_csv])
def test_export_takes_the_same_number_of_queries_for_3_and_30_projects(reference, export):
    fields = list(ThemeField.objects.all()[:2])
    programme = FundingProgramme.objects.first()

    def queries(count):
        Project.objects.all().delete()
        for number in range(count):
            project = make_project(reference, f"K-{number}", municipality="Olfen")
            project.theme_fields.set(fields)
            project.funding_programmes.set([programme])
            project.partners.set([reference["Senden"]])
        with CaptureQueriesContext(connection) as context:
            export(projects=Project.objects.all())
        return len(context.captured_queries)

    assert queries(3) == queries(30)


def test_filters_select_active_projects(projects, reference):
    make_project(reference, "DUE-ALT", title="Ausgeschieden", retired_at=timezone.now())
    mobility = ThemeField.objects.get(name="Mobilität")
    programme = FundingProgramme.objects.get(name="mFUND")

    def keys(**filters):
        project_filter = ProjectFilter(filters, queryset=Project.objects.all())
        return set(project_filter.qs.values_list("key", flat=True))

    assert "DUE-ALT" not in keys() and len(keys()) == 8
    assert "DUE-ALT" in keys(retired="true")
    # A municipality's projects are those it owns and those it is a partner of.
    assert keys(municipality=reference["Nottuln"].pk) == {"NOT-0001", "DUE-0007"}
    assert keys(municipality=reference["Coesfeld"].pk) == {"DUE-0007"}
    assert keys(theme_field=mobility.pk) == {"DUE-0007"}
    assert keys(funding_programme=programme.pk) == {"DUE-0007"}
    assert keys(status="running") == {"DUE-0007"}
    assert keys(q="nottulner") == {"NOT-0001"}
    assert keys(q="sensorik") == {"DUE-0007"}
    assert keys(q="zweite zeile") == {"DUE-0007"}


# --- Pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["export_xlsx", "export_csv"])
def test_exports_need_a_login(client, db, name):
    response = client.get(reverse(f"inventory:{name}"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize(
    "role", ["district_staff", "consultant", "rep_nottuln", "working_group", "councillor", "admin"]
)
def test_every_participant_may_export(client, personas, role):
    client.force_login(personas[role])
    assert client.get(reverse("inventory:export_xlsx")).status_code == 200
    assert client.get(reverse("inventory:export_csv")).status_code == 200


def test_export_pages_send_files_of_the_filtered_list(client, personas, projects, reference):
    client.force_login(personas["councillor"])
    query = {"municipality": reference["Dülmen"].pk, "q": "park", "status": "running"}
    response = client.get(reverse("inventory:export_xlsx"), query)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="bestandsaufnahme.xlsx"'
    _sheet, rows = xlsx_rows(response.content)
    assert [row[0].value for row in rows[1:]] == ["DUE-0007"]

    response = client.get(
        reverse("inventory:export_csv"), {"municipality": reference["Nottuln"].pk}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="bestandsaufnahme.csv"'
    # Nottuln owns NOT-0001 and is a partner of DUE-0007; the list is sorted by owner.
    assert [row[0] for row in csv_rows(response.content)[1:]] == ["DUE-0007", "NOT-0001"]

    mobility = ThemeField.objects.get(name="Mobilität")
    programme = FundingProgramme.objects.get(name="mFUND")
    for params in ({"theme_field": mobility.pk}, {"funding_programme": programme.pk}):
        rows = csv_rows(client.get(reverse("inventory:export_csv"), params).content)
        assert [row[0] for row in rows[1:]] == ["DUE-0007"]


def test_an_invalid_filter_is_refused(client, personas):
    client.force_login(personas["councillor"])
    assert client.get(reverse("inventory:export_csv"), {"municipality": "x"}).status_code == 400
    assert client.get(reverse("inventory:export_csv"), {"status": "kaputt"}).status_code == 400

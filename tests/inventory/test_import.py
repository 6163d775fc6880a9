"""Importing the digital projects from Excel and CSV files: the template, reading files by their
content, checking every row, all-or-nothing writes, re-imports, permissions and the pages."""

import csv
import io
import os
import re
import time
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from inventory.importing import (
    COLUMNS,
    MAX_UPLOAD_BYTES,
    ImportFileError,
    ImportResult,
    import_apply,
    import_template_xlsx,
    parse_upload,
    validate_rows,
)
from inventory.models import Project, ProjectImport
from strategy.models import ThemeField
from tests.factories import UserFactory

HEADERS = [column.header for column in COLUMNS]
LOGIN = reverse("accounts:login")


def project_row(**values) -> dict:
    """A valid row of Dülmen, by header; keyword arguments replace or add cells."""
    row = {
        "Schlüssel": "DUE-0001",
        "Kommune": "Dülmen",
        "Titel": "Digitales Bürgerbüro",
        "Status": "Laufend",
    }
    for name, value in values.items():
        row[name.replace("_", " ")] = value
    return row


def full_row(**values) -> dict:
    return {
        "Schlüssel": "DUE-0007",
        "Kommune": "Dülmen",
        "Titel": "Smarte Parkplätze",
        "Beschreibung": "Sensoren melden freie Plätze.\nZweite Zeile.",
        "Handlungsfelder": "Mobilität; Handel",
        "Status": "Geplant",
        "Beginn": "01.03.2027",
        "Ende": "2028-02-29",
        "Federführung": "Ordnungsamt",
        "Ansprechperson": "Erika Mustermann",
        "Zielgruppen": "Pendler, Gäste",
        "Investition (EUR)": "12.500,50",
        "Laufende Kosten pro Jahr (EUR)": "1200.5",
        "Förderprogramme": "mFUND",
        "Partnerkommunen": "Nottuln; 05558012",
        "Links": "https://www.duelmen.de/parken; http://example.org/a",
        "Schlagwörter": "Parken, Sensorik",
        "Zuletzt bestätigt am": "15.01.2027",
    } | values


def csv_bytes(rows, *, headers=None, encoding="utf-8-sig", delimiter=";") -> bytes:
    headers = headers or HEADERS
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(header, "") for header in headers])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, *, headers=None, change=None) -> bytes:
    headers = headers or HEADERS
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    if change:
        change(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def preview_of(data, user, name="projekte.csv"):
    return validate_rows(rows=parse_upload(name=name, data=data), user=user)


def import_file(data, user, name="projekte.csv"):
    preview = preview_of(data, user, name)
    assert preview.is_valid, preview.errors
    return import_apply(preview=preview, user=user)


def errors_of(data, user):
    """(row, column) → message of every problem, with English messages."""
    with translation.override("en"):
        preview = preview_of(data, user)
    return {(e.row, e.column): e.message for e in preview.errors}


def file_error(data, name="projekte.xlsx") -> str:
    with translation.override("en"), pytest.raises(ImportFileError) as caught:
        parse_upload(name=name, data=data)
    return caught.value.message


@pytest.fixture
def staff(personas):
    return personas["district_staff"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- The template ---------------------------------------------------------------------------


def test_template_has_headers_lists_notes_and_drop_downs(reference):
    workbook = openpyxl.load_workbook(io.BytesIO(import_template_xlsx()))
    assert workbook.sheetnames == ["Projekte", "Listen", "Hinweise"]
    sheet = workbook["Projekte"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width == 40
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert set(validations) == {"F2:F5001", "B2:B5001", "E2:E5001"}
    assert all(v.type == "list" for v in validations.values())
    assert validations["F2:F5001"].formula1 == "Listen!$A$2:$A$6"
    assert validations["B2:B5001"].formula1 == "Listen!$B$2:$B$13"
    assert validations["E2:E5001"].formula1 == f"Listen!$D$2:$D${ThemeField.objects.count() + 1}"
    lists = workbook["Listen"]
    assert [lists.cell(row=r, column=1).value for r in range(2, 7)] == [
        "Idee",
        "Geplant",
        "Laufend",
        "Abgeschlossen",
        "Gestoppt",
    ]
    assert "Dülmen" in [lists.cell(row=r, column=2).value for r in range(2, 14)]
    assert "05558016" in [lists.cell(row=r, column=3).value for r in range(2, 14)]
    assert lists["D2"].value == ThemeField.objects.first().name
    assert "Schlüssel" in " ".join(str(c.value) for c in workbook["Hinweise"]["A"])


def test_the_empty_template_is_refused_as_having_no_rows(reference):
    assert file_error(import_template_xlsx()) == "The file contains no data rows."


def test_a_filled_in_template_imports(reference, staff):
    workbook = openpyxl.load_workbook(io.BytesIO(import_template_xlsx()))
    sheet = workbook["Projekte"]
    sheet.append([full_row().get(header) for header in HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert import_file(buffer.getvalue(), staff).created == 1
    assert Project.objects.get().key == "DUE-0007"


# --- Files that import ----------------------------------------------------------------------


def _assert_full_row_imported():
    project = Project.objects.get(key="DUE-0007")
    assert project.municipality.name == "Dülmen"
    assert project.title == "Smarte Parkplätze"
    assert project.description == "Sensoren melden freie Plätze.\nZweite Zeile."
    assert sorted(t.name for t in project.theme_fields.all()) == ["Handel", "Mobilität"]
    assert project.status == Project.Status.PLANNED
    assert project.start_date == date(2027, 3, 1)
    assert project.end_date == date(2028, 2, 29)
    assert project.lead_organisation == "Ordnungsamt"
    assert project.contact_person == "Erika Mustermann"
    assert project.target_groups == "Pendler, Gäste"
    assert project.investment_cost == Decimal("12500.50")
    assert project.running_cost_per_year == Decimal("1200.50")
    assert [p.name for p in project.funding_programmes.all()] == ["mFUND"]
    assert sorted(m.name for m in project.partners.all()) == ["Coesfeld", "Nottuln"]
    assert project.link_list == ["https://www.duelmen.de/parken", "http://example.org/a"]
    assert project.tag_list == ["Parken", "Sensorik"]
    assert project.last_confirmed_on == date(2027, 1, 15)


def test_csv_utf8_with_semicolons_imports_every_column(reference, staff):
    result = import_file(csv_bytes([full_row()]), staff)
    assert (result.created, result.updated) == (1, 0)
    _assert_full_row_imported()


def test_csv_utf8_without_bom_and_with_commas_imports(reference, staff):
    import_file(csv_bytes([full_row()], encoding="utf-8", delimiter=","), staff)
    _assert_full_row_imported()


def test_csv_in_windows_1252_with_semicolons_imports(reference, staff):
    data = csv_bytes([full_row()], encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really Excel's German default, not UTF-8
    import_file(data, staff)
    _assert_full_row_imported()


def test_xlsx_with_real_date_and_number_cells_imports(reference, staff):
    row = full_row(
        Beginn=datetime(2027, 3, 1),
        Ende=date(2028, 2, 29),
        **{"Investition (EUR)": 12500.5, "Laufende Kosten pro Jahr (EUR)": 1200.5},
    )
    row["Zuletzt bestätigt am"] = datetime(2027, 1, 15)
    result = import_file(xlsx_bytes([row]), staff, name="liste.csv")  # the name does not matter
    assert result.created == 1
    _assert_full_row_imported()


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12.500,50", "12500.50"),
        ("12500.5", "12500.50"),
        ("12500,5", "12500.50"),
        ("1.234.567", "1234567.00"),
        ("12 500,50 €", "12500.50"),
        ("1,234.56", "1234.56"),
        ("0", "0.00"),
    ],
)
def test_amounts_in_german_and_plain_notation(reference, staff, text, amount):
    preview = preview_of(csv_bytes([project_row(**{"Investition (EUR)": text})]), staff)
    assert preview.is_valid, preview.errors
    assert preview.rows[0].values["investment_cost"] == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("31.12.2027", date(2027, 12, 31)),
        ("1.2.2027", date(2027, 2, 1)),
        ("2027-02-01", date(2027, 2, 1)),
    ],
)
def test_date_notations(reference, staff, text, day):
    preview = preview_of(csv_bytes([project_row(Beginn=text)]), staff)
    assert preview.rows[0].values["start_date"] == day


def test_headers_are_recognised_loosely_and_optional_columns_may_be_missing(reference, staff):
    data = csv_bytes(
        [{"schlüssel": "DUE-0001", "KOMMUNE": "05558016", "Titel ": "App", "status": "idee"}],
        headers=["schlüssel", "KOMMUNE", "Titel ", "status"],
    )
    import_file(data, staff)
    project = Project.objects.get()
    assert (project.municipality.name, project.status) == ("Dülmen", "idea")


def test_an_ags_that_excel_turned_into_a_number_is_recognised(reference, staff):
    import_file(xlsx_bytes([project_row(Kommune=5558016)]), staff)
    assert Project.objects.get().municipality.name == "Dülmen"


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet(reference, staff):
    data = csv_bytes([project_row(), {}, project_row(Schlüssel="DUE-0002", Kommune="Atlantis")])
    errors = errors_of(data, staff)
    assert list(errors) == [(4, "Kommune")]


# --- Checking rows --------------------------------------------------------------------------


def test_preview_lists_every_problem_with_row_and_column(reference, staff):
    rows = [
        project_row(),  # row 2: fine
        project_row(Schlüssel="DUE-0002", Kommune="Atlantis"),
        project_row(Schlüssel="DUE-0003", Handlungsfelder="Mobilität; Raumfahrt"),
        project_row(Schlüssel="DUE-0004", Beginn="31.02.2027"),
        project_row(Schlüssel="DUE-0005", Beginn="01.06.2027", Ende="31.05.2027"),
        project_row(Schlüssel="DUE-0006", **{"Laufende Kosten pro Jahr (EUR)": "-5"}),
        project_row(Schlüssel="DUE-0007", **{"Investition (EUR)": "viel"}),
        project_row(Schlüssel="DUE-0008", Status="Vielleicht"),
        project_row(Schlüssel="DUE-0009", Förderprogramme="Goldtopf"),
        project_row(Schlüssel="DUE-0010", Partnerkommunen="Dülmen"),
        project_row(Schlüssel="DUE-0011", Partnerkommunen="Gotham"),
        project_row(Schlüssel="DUE-0012", Links="www.ohne-schema.de; javascript:alert(1)"),
        project_row(Schlüssel="DUE-0013", Titel="x" * 201),
        project_row(Schlüssel="DUE-0001"),
        project_row(Schlüssel="", Titel="", Status=""),
        project_row(Schlüssel="K" * 41),
        project_row(Schlüssel="DUE-0017", **{"Zuletzt bestätigt am": "morgen"}),
    ]
    errors = errors_of(csv_bytes(rows), staff)
    assert errors == {
        (3, "Kommune"): "Unknown municipality: „Atlantis“.",
        (4, "Handlungsfelder"): "Unknown theme field: „Raumfahrt“.",
        (5, "Beginn"): "„31.02.2027“ is not a valid date (DD.MM.YYYY or YYYY-MM-DD).",
        (6, "Ende"): "The end is before the start.",
        (7, "Laufende Kosten pro Jahr (EUR)"): "Negative amounts are not allowed.",
        (8, "Investition (EUR)"): "„viel“ is not a number.",
        (9, "Status"): (
            "Unknown status „Vielleicht“; allowed are: Idee, Geplant, Laufend, Abgeschlossen, "
            "Gestoppt."
        ),
        (10, "Förderprogramme"): "Unknown funding programme: „Goldtopf“.",
        (11, "Partnerkommunen"): "The owning municipality cannot also be a partner.",
        (12, "Partnerkommunen"): "Unknown partner municipality: „Gotham“.",
        (13, "Links"): (
            "Not a valid web address (http:// or https://): „www.ohne-schema.de“, "
            "„javascript:alert(1)“."
        ),
        (14, "Titel"): "At most 200 characters are allowed (201 given).",
        (15, "Schlüssel"): "The key DUE-0001 appears more than once in the file (first in row 2).",
        (16, "Schlüssel"): "This field is required.",
        (16, "Titel"): "This field is required.",
        (16, "Status"): "This field is required.",
        (17, "Schlüssel"): "At most 40 characters are allowed (41 given).",
        (18, "Zuletzt bestätigt am"): "„morgen“ is not a valid date (DD.MM.YYYY or YYYY-MM-DD).",
    }


def test_a_key_of_another_municipality_is_refused(reference, staff):
    Project.objects.create(key="NOT-0001", municipality=reference["Nottuln"], title="Alt")
    errors = errors_of(csv_bytes([project_row(Schlüssel="NOT-0001")]), staff)
    assert errors == {(2, "Schlüssel"): "The key NOT-0001 already belongs to an entry of Nottuln."}


def test_checking_takes_the_same_number_of_queries_for_3_and_30_rows(reference, staff):
    for number in range(15):
        Project.objects.create(key=f"DUE-{number:04}", municipality=reference["Dülmen"], title="A")

    def queries(count):
        rows = [
            full_row(Schlüssel=f"DUE-{number:04}", Titel=f"Projekt {number}")
            for number in range(count)
        ]
        rows_parsed = parse_upload(name="x.csv", data=csv_bytes(rows))
        with CaptureQueriesContext(connection) as context:
            preview = validate_rows(rows=rows_parsed, user=staff)
        assert preview.is_valid
        return len(context.captured_queries)

    assert queries(3) == queries(30) <= 7


# --- All or nothing, re-import, history -----------------------------------------------------


def test_one_bad_row_means_nothing_is_imported(reference, staff):
    rows = [project_row(Schlüssel=f"DUE-{n}") for n in range(5)]
    rows.append(project_row(Schlüssel="DUE-9", Beginn="31.02.2027"))
    preview = preview_of(csv_bytes(rows), staff)
    assert not preview.is_valid and preview.to_create == 6
    with translation.override("en"), pytest.raises(ImportFileError) as caught:
        import_apply(preview=preview, user=staff)
    assert caught.value.message == "The file contains errors; nothing was imported."
    assert not Project.objects.exists()


def test_a_failing_write_rolls_back_every_row(reference, staff):
    preview = preview_of(
        csv_bytes([project_row(Schlüssel="A-1"), project_row(Schlüssel="A-2")]), staff
    )
    # Someone else creates the second key between the check and the write.
    Project.objects.create(key="A-2", municipality=reference["Dülmen"], title="Schneller")
    with translation.override("en"), pytest.raises(ImportFileError) as caught:
        import_apply(preview=preview, user=staff)
    assert "nothing was imported" in caught.value.message
    assert list(Project.objects.values_list("key", flat=True)) == ["A-2"]


def test_reimporting_updates_instead_of_duplicating(reference, staff):
    rows = [full_row(), project_row(Schlüssel="DUE-0008", Titel="WLAN")]
    assert import_file(csv_bytes(rows), staff) == ImportResult(created=2, updated=0, unchanged=0)
    history_before = Project.history.count()
    assert import_file(csv_bytes(rows), staff) == ImportResult(created=0, updated=0, unchanged=2)
    assert Project.objects.count() == 2
    assert Project.history.count() == history_before  # unchanged rows are not written
    rows[1]["Titel"] = "Freies WLAN in der Innenstadt"
    rows[0]["Handlungsfelder"] = "Mobilität"
    result = import_file(csv_bytes(rows), staff)
    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    assert Project.objects.count() == 2
    assert Project.objects.get(key="DUE-0008").title == "Freies WLAN in der Innenstadt"
    assert [t.name for t in Project.objects.get(key="DUE-0007").theme_fields.all()] == ["Mobilität"]


def test_history_has_one_record_per_written_project_by_the_importing_user(reference, staff):
    import_file(csv_bytes([full_row()]), staff)
    project = Project.objects.get()
    (created,) = project.history.all()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        staff,
        "Import",
    )
    assert created.title == "Smarte Parkplätze"
    assert sorted(t.themefield.name for t in created.theme_fields.all()) == ["Handel", "Mobilität"]
    assert sorted(p.municipality.name for p in created.partners.all()) == ["Coesfeld", "Nottuln"]
    assert [p.fundingprogramme.name for p in created.funding_programmes.all()] == ["mFUND"]

    consultant = UserFactory(role="consultant")
    import_file(csv_bytes([full_row(Titel="Neu", Handlungsfelder="Bildung")]), consultant)
    changed, _created = project.history.all()
    assert (changed.history_type, changed.history_user, changed.title) == ("~", consultant, "Neu")
    assert [t.themefield.name for t in changed.theme_fields.all()] == ["Bildung"]
    # The partners did not change and are still part of the record.
    assert changed.partners.count() == 2
    assert {c.field for c in changed.diff_against(created).changes} == {"title", "theme_fields"}


def test_an_import_schedules_the_similarity_computation(
    reference, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        import_file(csv_bytes([full_row()]), staff)
    assert callbacks
    with django_capture_on_commit_callbacks() as callbacks:
        import_file(csv_bytes([full_row()]), staff)  # unchanged: nothing to recompute
    assert not callbacks


def test_missing_optional_columns_leave_existing_values_alone(reference, staff):
    import_file(csv_bytes([full_row()]), staff)
    short = ["Schlüssel", "Kommune", "Titel", "Status"]
    import_file(csv_bytes([full_row(Titel="Neuer Titel")], headers=short), staff)
    project = Project.objects.get()
    assert project.title == "Neuer Titel"
    assert project.description.startswith("Sensoren")
    assert project.theme_fields.count() == 2
    # An empty cell in a present column clears the value.
    import_file(csv_bytes([full_row(Beschreibung="", Handlungsfelder="")]), staff)
    project.refresh_from_db()
    assert project.description == "" and project.theme_fields.count() == 0


def test_retired_projects_are_updated_and_stay_retired(reference, staff):
    retired = timezone.now()
    Project.objects.create(
        key="DUE-0001", municipality=reference["Dülmen"], title="Alt", retired_at=retired
    )
    preview = preview_of(csv_bytes([project_row(Titel="Neu")]), staff)
    assert preview.rows[0].stays_retired
    import_apply(preview=preview, user=staff)
    project = Project.objects.get()
    assert (project.title, project.retired_at) == ("Neu", retired)


def test_end_before_start_is_checked_against_the_stored_start(reference, staff):
    import_file(csv_bytes([project_row(Beginn="01.06.2027")]), staff)
    data = csv_bytes(
        [project_row(Ende="01.01.2027")],
        headers=["Schlüssel", "Kommune", "Titel", "Status", "Ende"],
    )
    assert errors_of(data, staff) == {(2, "Ende"): "The end is before the start."}


# --- Permissions ----------------------------------------------------------------------------


def test_a_municipal_representative_imports_only_the_own_municipality(reference, personas):
    rep = personas["rep_duelmen"]
    data = csv_bytes([project_row(), project_row(Schlüssel="NOT-0001", Kommune="Nottuln")])
    errors = errors_of(data, rep)
    assert errors == {(3, "Kommune"): "You may only import entries of your own municipality."}
    preview = preview_of(data, rep)
    with pytest.raises(ImportFileError):
        import_apply(preview=preview, user=rep)
    assert not Project.objects.exists()
    assert import_file(csv_bytes([project_row()]), rep).created == 1


def test_a_representative_cannot_take_over_a_key_of_another_municipality(reference, personas):
    Project.objects.create(key="NOT-0001", municipality=reference["Nottuln"], title="Nottulns")
    errors = errors_of(csv_bytes([project_row(Schlüssel="NOT-0001")]), personas["rep_duelmen"])
    assert errors == {(2, "Schlüssel"): "The key NOT-0001 already belongs to an entry of Nottuln."}
    assert Project.objects.get().title == "Nottulns"


@pytest.mark.parametrize("role", ["consultant", "admin"])
def test_consultants_and_administrators_import_every_municipality(reference, personas, role):
    data = csv_bytes([project_row(), project_row(Schlüssel="NOT-1", Kommune="Nottuln")])
    assert import_file(data, personas[role]).created == 2


def test_import_apply_refuses_users_without_the_permission(reference, personas):
    from django.core.exceptions import PermissionDenied

    councillor = personas["councillor"]
    preview = preview_of(csv_bytes([project_row()]), councillor)
    with pytest.raises(PermissionDenied):
        import_apply(preview=preview, user=councillor)


# --- Files that are refused as a whole ------------------------------------------------------

PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256)) * 8
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
UNSUPPORTED = "Unsupported file type: please upload an .xlsx or a .csv file."


def _truncated_xlsx():
    data = xlsx_bytes([project_row()])
    return data[: len(data) // 2]


def _docx_like_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _with_formula(sheet):
    sheet["C5"] = "=SUMME(A1:A2)"


def _with_merged_cells(sheet):
    sheet.merge_cells("C2:D3")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (PDF, UNSUPPORTED),
        (PNG, UNSUPPORTED),
        (b"GIF89a" + bytes(range(256)), UNSUPPORTED),
        (_docx_like_zip(), UNSUPPORTED),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000,
            "The workbook is password-protected or in the old .xls format. Please save it as "
            ".xlsx without a password.",
        ),
        (_truncated_xlsx(), "The file is damaged and cannot be read."),
        (b"PK\x03\x04" + b"\x00" * 100, "The file is damaged and cannot be read."),
        (xlsx_bytes([], headers=[None]), "The file contains no data rows."),
        (xlsx_bytes([]), "The file contains no data rows."),
        (csv_bytes([]), "The file contains no data rows."),
        (b"", "The file contains no data rows."),
        (
            xlsx_bytes([project_row()] * 5, change=_with_formula),
            "Cell C5 contains a formula. Please replace formulas by their values and upload "
            "the file again.",
        ),
        (
            xlsx_bytes(
                [project_row(Schlüssel=f"K{n}") for n in range(3)], change=_with_merged_cells
            ),
            "The cells C2:D3 are merged. Please unmerge all cells and upload the file again.",
        ),
        (
            csv_bytes([project_row()], headers=["Schlüssel", "Kommune", "Titel", "Bemerkung"]),
            "Unknown columns: „Bemerkung“. Missing required columns: „Status“. Please use the "
            "column headers of the template.",
        ),
        (
            csv_bytes(
                [project_row()], headers=["Schlüssel", "Kommune", "Titel", "Status", "Titel"]
            ),
            "Columns that appear twice: „Titel“. Please use the column headers of the template.",
        ),
        (
            "Schlüssel;Kommune;Titel;Status\nA;Dülmen;T;Idee;überzählig\n".encode(),
            "Row 2 has values in columns without a header (E2).",
        ),
    ],
    ids=[
        "pdf",
        "png",
        "gif",
        "zip-without-workbook",
        "password-protected",
        "truncated-xlsx",
        "broken-zip",
        "empty-sheet",
        "header-only-xlsx",
        "header-only-csv",
        "empty-file",
        "formula",
        "merged-cells",
        "unknown-and-missing-columns",
        "duplicate-column",
        "values-beyond-header",
    ],
)
def test_files_that_cannot_be_imported_are_refused_with_a_reason(reference, data, message):
    assert file_error(data) == message


def test_a_file_above_5_mb_is_refused_before_reading(reference):
    data = csv_bytes([project_row()]) + b"x" * (6 * 1024 * 1024)
    assert len(data) > MAX_UPLOAD_BYTES
    assert file_error(data) == "The file is 6.0\xa0MB; at most 5.0\xa0MB are allowed."


def test_100000_rows_are_refused_fast_without_reading_them_all(reference):
    lines = ["Schlüssel;Kommune;Titel;Status"]
    lines += [f"K{n};Dülmen;T;Idee" for n in range(5100)]
    # Further rows would be refused for another reason if they were read.
    lines += [f"K{n};Dülmen;T;Idee;x" for n in range(5100, 100_000)]
    data = ("\n".join(lines) + "\n").encode()
    assert data.count(b"\n") == 100_001 and len(data) < MAX_UPLOAD_BYTES
    started = time.monotonic()
    message = file_error(data, name="gross.csv")
    assert message == (
        "The file has more than 5,000 data rows; at most 5,000 rows can be imported."
    )
    assert time.monotonic() - started < 5
    with translation.override("de"), pytest.raises(ImportFileError) as caught:
        parse_upload(name="gross.csv", data=data)
    assert "5.000" in caught.value.message


def test_a_workbook_with_too_many_rows_is_refused_before_the_rest_is_read(reference):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Projekte")
    sheet.append(["Schlüssel", "Kommune", "Titel", "Status"])
    for number in range(5001):
        sheet.append([f"K{number}", "Dülmen", "T", "Idee"])
    sheet.append(["K", "Dülmen", "=1+1", "Idee"])  # a formula that is never reached
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "more than 5,000 data rows" in file_error(buffer.getvalue())


def test_text_that_looks_like_a_formula_in_a_csv_is_just_text(reference, staff):
    import_file(csv_bytes([project_row(Titel="=1+1", Beschreibung="@SUMME(A1)")]), staff)
    assert Project.objects.get().title == "=1+1"


# --- Pages ----------------------------------------------------------------------------------


def _client_for(client, user, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _upload(client, data, name="projekte.csv"):
    """Upload a file; the worker reads it once the upload is committed (eagerly here), and the
    job page the upload leads to answers: the preview, or the form with the reason."""
    upload = io.BytesIO(data)
    upload.name = name
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("inventory:import_upload"), {"file": upload})
    if response.status_code == 302 and "/pruefung/" in response["Location"]:
        return client.get(response["Location"])
    return response


def _kept_files():
    folder = settings.MEDIA_ROOT / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    "name", ["import_template", "import_upload", "import_preview", "import_confirm"]
)
def test_import_pages_need_a_login(client, db, name):
    method = client.post if name == "import_confirm" else client.get
    response = method(reverse(f"inventory:{name}"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("councillor", 403),
        ("working_group", 403),
        ("rep_duelmen", 200),
        ("district_staff", 200),
        ("consultant", 200),
        ("admin", 200),
    ],
)
def test_who_may_open_the_import(client, personas, role, status):
    client.force_login(personas[role])
    assert client.get(reverse("inventory:import_upload")).status_code == status
    assert client.get(reverse("inventory:import_template")).status_code == status
    confirm = client.post(reverse("inventory:import_confirm"))
    assert confirm.status_code == status
    assert not Project.objects.exists()


def test_upload_page_is_accessible_and_offers_the_template(client, personas):
    html = _client_for(client, personas["rep_duelmen"]).get(reverse("inventory:import_upload"))
    html = html.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'accept=".xlsx,.csv"' in html
    assert re.search(r'<label\s+for="id_file"', html)
    assert reverse("inventory:import_template") in html
    assert "<script>" not in html and "style=" not in html


def test_template_download(client, personas):
    client.force_login(personas["rep_duelmen"])
    response = client.get(reverse("inventory:import_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook["Projekte"][1]] == HEADERS
    assert len(workbook["Projekte"].data_validations.dataValidation) == 3


def test_upload_preview_confirm(client, personas):
    rep = personas["rep_duelmen"]
    _client_for(client, rep)
    data = csv_bytes([full_row(), project_row(Schlüssel="DUE-0002", Titel="Zweites")])
    response = _upload(client, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:import_preview")
    # The worker read the file into the job and deleted it.
    assert _kept_files() == []
    assert len(ProjectImport.objects.get().rows) == 2
    assert not Project.objects.exists()

    html = client.get(reverse("inventory:import_preview")).content.decode()
    assert "New projects: 2" in html and "Problems found: 0" in html
    assert "<caption>Rows of the file</caption>" in html
    assert reverse("inventory:import_confirm") in html and "csrfmiddlewaretoken" in html
    assert "Smarte Parkplätze" in html

    response = client.post(reverse("inventory:import_confirm"))
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:project_list")
    assert Project.objects.count() == 2
    assert Project.objects.get(key="DUE-0007").history.first().history_user == rep
    assert not ProjectImport.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Import finished: 2 new, 0 updated, 0 unchanged." in page
    # The file is gone: confirming again imports nothing and says why.
    response = client.post(reverse("inventory:import_confirm"))
    assert response.status_code == 200
    assert "The uploaded file was not found. Please upload it again." in response.content.decode()
    assert Project.objects.count() == 2


def test_preview_shows_every_problem_and_offers_no_confirmation(client, personas):
    _client_for(client, personas["rep_duelmen"])
    data = csv_bytes(
        [
            project_row(),
            project_row(Schlüssel="NOT-1", Kommune="Nottuln", Beginn="31.02.2027"),
            project_row(Schlüssel="DUE-3", Handlungsfelder="Raumfahrt"),
        ]
    )
    _upload(client, data)
    response = client.get(reverse("inventory:import_preview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<caption>Problems in the file</caption>" in html
    assert '<th scope="row">3</th>' in html and '<th scope="row">4</th>' in html
    assert "You may only import entries of your own municipality." in html
    assert "Unknown theme field: „Raumfahrt“." in html
    assert "„31.02.2027“ is not a valid date" in html
    assert reverse("inventory:import_confirm") not in html
    assert "<script>" not in html and "style=" not in html
    # A row's problems are listed in the order of the columns.
    assert (
        html.index("You may only import")
        < html.index("„31.02.2027“ is not")
        < html.index("Unknown theme field")
    )
    # Posting anyway imports nothing.
    response = client.post(reverse("inventory:import_confirm"))
    assert response.status_code == 200
    assert not Project.objects.exists()


def test_markup_in_a_file_is_text_and_shown_escaped(client, personas):
    _client_for(client, personas["district_staff"])
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    _upload(client, csv_bytes([project_row(Titel=evil, Beschreibung=evil)]))
    html = client.get(reverse("inventory:import_preview")).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    client.post(reverse("inventory:import_confirm"))
    project = Project.objects.get()
    assert project.title == evil and project.description == evil


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (PDF, "projekte.xlsx", UNSUPPORTED),
        (PNG, "projekte.xlsx", UNSUPPORTED),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000,
            "projekte.xlsx",
            "The workbook is password-protected or in the old .xls format.",
        ),
        (_truncated_xlsx(), "projekte.xlsx", "The file is damaged and cannot be read."),
        (b"x" * (6 * 1024 * 1024), "projekte.csv", "The file is 6.0\xa0MB; at most 5.0\xa0MB"),
        (xlsx_bytes([]), "projekte.xlsx", "The file contains no data rows."),
    ],
    ids=["pdf", "png", "password", "corrupt", "6-mb", "empty"],
)
def test_bad_files_show_the_form_again_with_the_reason(client, personas, data, name, message):
    _client_for(client, personas["district_staff"])
    response = _upload(client, data, name)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'href="#id_file"' in html  # the error summary leads to the field
    assert _kept_files() == [] and not Project.objects.exists()
    assert not ProjectImport.objects.filter(rows__isnull=False).exists()


def test_german_is_the_language_of_the_pages_by_default(client, personas):
    client.force_login(personas["district_staff"])
    response = _upload(client, b"")
    assert response.status_code == 200
    assert '<html lang="de">' in response.content.decode()


def test_a_new_upload_replaces_the_kept_one(client, personas):
    _client_for(client, personas["district_staff"])
    _upload(client, csv_bytes([project_row()]))
    first = ProjectImport.objects.get()
    _upload(client, csv_bytes([project_row(Schlüssel="DUE-0002")]))
    second = ProjectImport.objects.get()
    assert second != first and second.rows[0]["key"] == "DUE-0002"
    html = client.get(reverse("inventory:import_preview")).content.decode()
    assert "DUE-0002" in html and "DUE-0001" not in html


def test_uploads_left_lying_for_a_day_are_removed(client, personas):
    _client_for(client, personas["district_staff"])
    _upload(client, csv_bytes([project_row()]))
    # A file the worker never read, and a read one whose preview was never confirmed.
    upload = io.BytesIO(csv_bytes([project_row()]))
    upload.name = "projekte.csv"
    client.force_login(personas["rep_duelmen"])
    client.post(reverse("inventory:import_upload"), {"file": upload})
    (abandoned,) = _kept_files()
    day_and_a_bit = time.time() - 25 * 3600
    os.utime(abandoned, (day_and_a_bit, day_and_a_bit))
    ProjectImport.objects.update(requested_at=timezone.now() - timedelta(hours=25))
    client.logout()
    _client_for(client, personas["consultant"])
    _upload(client, csv_bytes([project_row()]))
    assert _kept_files() == []
    assert list(ProjectImport.objects.values_list("requested_by", flat=True)) == [
        personas["consultant"].pk
    ]


def test_preview_without_an_upload_leads_back_to_the_upload(client, personas):
    _client_for(client, personas["district_staff"])
    response = client.get(reverse("inventory:import_preview"))
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:import_upload")


def test_confirm_accepts_only_post(client, personas):
    _client_for(client, personas["district_staff"])
    assert client.get(reverse("inventory:import_confirm")).status_code == 405

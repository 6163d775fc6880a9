# ruff: noqa: F811 - the fixtures are imported from test_import
"""Line breaks in the single-line columns of an imported file (issue 11, item 14): refused
with the same rule and message as the forms (``strategy.text_input``), so a title with a line
break never reaches the pages, e-mails and exports that expect one line. Multi-line columns
(description, links) keep theirs; other control characters are dropped as before."""

import pytest

from inventory.models import Project
from tests.inventory.test_import import (  # noqa: F401 - fixtures
    _media,
    csv_bytes,
    errors_of,
    full_row,
    import_file,
    project_row,
    staff,
    xlsx_bytes,
)

MESSAGE = "Please enter a single line, without line breaks or control characters."


@pytest.mark.parametrize(
    "column",
    # (The key has rules of its own: inventory.importing, issue 11 item 2.)
    ["Titel", "Federführung", "Ansprechperson", "Zielgruppen"],
)
@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r"])
def test_a_line_break_in_a_single_line_column_is_refused(reference, staff, column, line_break):
    row = project_row(**{column: f"Zeile eins{line_break}Bcc: alle@example.org"})
    assert errors_of(csv_bytes([row]), staff) == {(2, column): MESSAGE}
    assert not Project.objects.exists()


def test_a_line_break_typed_into_an_excel_cell_is_refused(reference, staff):
    """Alt+Enter in Excel: the cell holds a line feed."""
    data = xlsx_bytes([project_row(Titel="Smarte\nParkplätze")])
    from inventory.importing import parse_upload, validate_rows

    preview = validate_rows(rows=parse_upload(name="p.xlsx", data=data), user=staff)
    assert [(e.row, e.column) for e in preview.errors] == [(2, "Titel")]


def test_multi_line_columns_keep_their_line_breaks_and_controls_are_dropped(reference, staff):
    row = full_row(Beschreibung="Erste Zeile.\r\nZweite\x1b Zeile.", Titel="Parken\x1b")
    import_file(csv_bytes([row]), staff)
    project = Project.objects.get()
    assert project.description == "Erste Zeile.\nZweite Zeile."
    assert project.title == "Parken"


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_an_exported_title_with_a_line_break_is_refused_on_reimport(reference, staff, kind):
    """A title stored before the rule (past the forms) comes back as a row error naming it,
    not as a silent change."""
    from inventory.exporting import projects_export_csv, projects_export_xlsx
    from inventory.importing import parse_upload, validate_rows

    Project.objects.create(key="DUE-0001", municipality=reference["Dülmen"], title="Alt\r\nNeu")
    export = projects_export_xlsx if kind == "xlsx" else projects_export_csv
    rows = parse_upload(name=f"p.{kind}", data=export(projects=Project.objects.all()))
    preview = validate_rows(rows=rows, user=staff)
    assert [(e.row, e.column) for e in preview.errors] == [(2, "Titel")]

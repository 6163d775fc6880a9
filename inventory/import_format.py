"""The file format of the import and export of digital projects: the columns with their
German headers, the status labels, the limits, and the template workbook.

The format is German and fixed (headers, status labels, the notes and lists sheets), whatever
language the portal is shown in: the same file must import for everybody, and an export can be
imported again.
"""

import io
import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from strategy.models import FundingProgramme, Municipality, ThemeField

from .models import Project

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

# What reading a file may cost, checked before it is parsed (``import_limits``). A 5 MB .xlsx
# is a zip of XML that can unpack to far more: 230 KB held 5.5 million tiny shared strings
# (94 MB) and cost 84 s of CPU and 500 MB in openpyxl. A filled-in template of 5,000 projects
# with 1,500-character descriptions has one 15 MB part, 500,000 tags and 210,000 attributes
# (saved by Excel, with shared strings, about 750,000 tags).
MAX_ZIP_ENTRIES = 200
MAX_ZIP_DIRECTORY_BYTES = 256 * 1024
MAX_PART_BYTES = 40 * 1024 * 1024
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_XML_TAGS = 1_000_000
MAX_XML_ATTRIBUTES = 750_000
MAX_ATTRIBUTES_PER_TAG = 256
MAX_SHARED_STRINGS = 200_000
# Rows and columns of a worksheet as openpyxl reads them: rows down to the last one, each row
# padded with empty cells up to its last cell. Blank rows are skipped when reading, so the
# sheet may reach further down than ``MAX_ROWS``.
MAX_SHEET_ROWS = MAX_ROWS * 20
MAX_COLUMNS = 256
MAX_SHEET_CELLS = 1_000_000
# CPU seconds for the checks and for reading the rows (the worker's task also has a soft time
# limit on top).
MAX_CHECK_SECONDS = 3.0
MAX_READ_SECONDS = 30.0
DATA_SHEET = "Projekte"
LISTS_SHEET = "Listen"
NOTES_SHEET = "Hinweise"
# A text cell starting with one of these is a formula for spreadsheet programs; exports prefix
# such cells with an apostrophe, and the import takes that apostrophe away again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

STATUS_LABELS = {
    Project.Status.IDEA: "Idee",
    Project.Status.PLANNED: "Geplant",
    Project.Status.RUNNING: "Laufend",
    Project.Status.COMPLETED: "Abgeschlossen",
    Project.Status.STOPPED: "Gestoppt",
}


@dataclass(frozen=True)
class Column:
    """A column of the file: its German header, the project field and how values are read."""

    header: str
    field: str
    kind: str
    required: bool = False
    max_length: int | None = None
    width: int = 18


COLUMNS = (
    Column("Schlüssel", "key", "text", required=True, max_length=40, width=14),
    Column("Kommune", "municipality", "municipality", required=True, width=20),
    Column("Titel", "title", "text", required=True, max_length=200, width=40),
    Column("Beschreibung", "description", "text", max_length=10000, width=60),
    Column("Handlungsfelder", "theme_fields", "theme_fields", width=30),
    Column("Status", "status", "status", required=True, width=15),
    Column("Beginn", "start_date", "date", width=12),
    Column("Ende", "end_date", "date", width=12),
    Column("Federführung", "lead_organisation", "text", max_length=200, width=25),
    Column("Ansprechperson", "contact_person", "text", max_length=200, width=25),
    Column("Zielgruppen", "target_groups", "text", max_length=500, width=25),
    Column("Investition (EUR)", "investment_cost", "money", width=18),
    Column("Laufende Kosten pro Jahr (EUR)", "running_cost_per_year", "money", width=18),
    Column("Förderprogramme", "funding_programmes", "programmes", width=30),
    Column("Partnerkommunen", "partners", "partners", width=25),
    Column("Links", "links", "links", width=40),
    Column("Schlagwörter", "tags", "tags", max_length=500, width=25),
    Column("Zuletzt bestätigt am", "last_confirmed_on", "date", width=14),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
M2M_FIELDS = ("theme_fields", "funding_programmes", "partners")


def normalise_header(text: str) -> str:
    return re.sub(r"\W", "", text.casefold())


# "Investition (EUR)" may also be written "Investition".
HEADER_ALIASES: dict[str, Column] = {}
for _column in COLUMNS:
    HEADER_ALIASES[normalise_header(_column.header)] = _column
    HEADER_ALIASES.setdefault(normalise_header(re.sub(r"\(.*?\)", "", _column.header)), _column)


class ImportFileError(Exception):
    """The file (or the import as a whole) cannot be used; ``message`` is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def quoted_names(values: list[str]) -> str:
    return ", ".join(f"„{value}“" for value in values)


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- The template ---------------------------------------------------------------------------

NOTES = (
    "So füllen Sie die Vorlage aus",
    "",
    "Eine Zeile je digitalem Projekt im Blatt „Projekte“. Die erste Zeile (Spaltenüberschriften) "
    "bitte nicht ändern.",
    "Pflichtspalten: Schlüssel, Kommune, Titel, Status.",
    "Schlüssel: eine feste Kennung je Projekt, z. B. DUE-0007: höchstens 40 Zeichen, nur "
    "Buchstaben A–Z ohne Umlaute, Ziffern und - _ . /. Schlüssel wie DUEL016-0001 (Kürzel der "
    "Kommune, Bindestrich, Nummer) sind die Projektnummern der jeweiligen Kommune. Ein erneuter "
    "Import mit demselben Schlüssel aktualisiert das Projekt, statt es doppelt anzulegen.",
    "Kommune: Name (z. B. Dülmen oder Kreis Coesfeld) oder achtstelliger Amtlicher "
    "Gemeindeschlüssel (AGS).",
    "Handlungsfelder, Förderprogramme, Partnerkommunen: mehrere Werte mit Semikolon (;) trennen. "
    "Die erlaubten Werte stehen im Blatt „Listen“.",
    "Status: Idee, Geplant, Laufend, Abgeschlossen oder Gestoppt.",
    "Datumsangaben: TT.MM.JJJJ (z. B. 31.12.2027) oder JJJJ-MM-TT.",
    "Beträge in Euro, z. B. 12.500,50 oder 12500.5; keine negativen Beträge.",
    "Links: vollständige Webadressen (https://…), mehrere mit Semikolon oder Zeilenumbruch "
    "trennen. Schlagwörter mit Komma trennen.",
    "Keine Formeln und keine verbundenen Zellen; höchstens 5.000 Zeilen und 5 MB.",
    "Fehlt eine freiwillige Spalte ganz, bleiben diese Angaben bestehender Projekte unverändert; "
    "eine leere Zelle löscht die Angabe.",
    "Speichern Sie als .xlsx oder als CSV (UTF-8 oder Windows-Zeichensatz, Trennzeichen Semikolon "
    "oder Komma).",
)


def template_workbook() -> Workbook:
    """The workbook of the template: the data sheet with its headers and drop-down lists, the
    lists of allowed values and the notes. Exports fill the data sheet of the same workbook."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.append([column.header for column in COLUMNS])
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width

    municipalities = list(Municipality.objects.order_by("name").values_list("name", "ags"))
    lists = {
        "A": ("Status", list(STATUS_LABELS.values())),
        "B": ("Kommune", [name for name, _ags in municipalities]),
        "C": ("AGS", [ags for _name, ags in municipalities]),
        "D": ("Handlungsfelder", list(ThemeField.objects.values_list("name", flat=True))),
        "E": ("Förderprogramme", list(FundingProgramme.objects.values_list("name", flat=True))),
    }
    list_sheet = workbook.create_sheet(LISTS_SHEET)
    for letter, (header, values) in lists.items():
        list_sheet[f"{letter}1"] = header
        list_sheet[f"{letter}1"].font = bold
        list_sheet.column_dimensions[letter].width = 12 if letter == "C" else 40
        for row, value in enumerate(values, start=2):
            list_sheet[f"{letter}{row}"] = value
            list_sheet[f"{letter}{row}"].data_type = "s"

    # Status must come from the list; municipality (which may also be an AGS) and theme fields
    # (several, separated by semicolons) only warn.
    for field_name, letter, style in (
        ("status", "A", "stop"),
        ("municipality", "B", "warning"),
        ("theme_fields", "D", "warning"),
    ):
        values = lists[letter][1]
        if not values:
            continue
        validation = DataValidation(
            type="list",
            formula1=f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle=style,
            errorTitle="Wert nicht in der Liste",
            error="Bitte wählen Sie einen Wert aus der Liste (Blatt „Listen“).",
        )
        sheet.add_data_validation(validation)
        column_letter = get_column_letter(COLUMNS.index(COLUMN_BY_FIELD[field_name]) + 1)
        validation.add(f"{column_letter}2:{column_letter}{MAX_ROWS + 1}")

    notes = workbook.create_sheet(NOTES_SHEET)
    notes.column_dimensions["A"].width = 110
    for row, text in enumerate(NOTES, start=1):
        notes.cell(row=row, column=1, value=text).alignment = Alignment(wrap_text=True)
    notes["A1"].font = Font(bold=True, size=13)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

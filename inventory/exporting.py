"""Export of the digital projects as Excel (.xlsx) or CSV, with the columns of the import
template, so that an export can be edited and imported again.

Spreadsheet programs run cell text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula; such text is written with a leading apostrophe (the import removes
it again), and in .xlsx every text cell is stored as a string.
"""

import csv
import io
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment

from .import_format import (
    COLUMNS,
    DATA_SHEET,
    FORMULA_TRIGGERS,
    STATUS_LABELS,
    template_workbook,
    workbook_bytes,
)
from .models import Project


def neutralise_formula(text: str) -> str:
    """Text that a spreadsheet would take for a formula, with an apostrophe in front."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _with_relations(projects: QuerySet) -> QuerySet:
    return projects.select_related("municipality").prefetch_related(
        "theme_fields", "funding_programmes", "partners"
    )


def _values(project: Project) -> dict:
    """The cells of one project, by field, as Python values (text, dates, amounts)."""
    return {
        "key": project.key,
        "municipality": project.municipality.name,
        "title": project.title,
        "description": project.description,
        "theme_fields": "; ".join(t.name for t in project.theme_fields.all()),
        "status": STATUS_LABELS.get(project.status, project.status),
        "start_date": project.start_date,
        "end_date": project.end_date,
        "lead_organisation": project.lead_organisation,
        "contact_person": project.contact_person,
        "target_groups": project.target_groups,
        "investment_cost": project.investment_cost,
        "running_cost_per_year": project.running_cost_per_year,
        "funding_programmes": "; ".join(p.name for p in project.funding_programmes.all()),
        "partners": "; ".join(m.name for m in project.partners.all()),
        "links": "\n".join(project.link_list),
        "tags": project.tags,
        "last_confirmed_on": project.last_confirmed_on,
    }


def projects_export_xlsx(*, projects: QuerySet) -> bytes:
    """The projects as an .xlsx workbook: the template (lists, drop-downs, notes) filled in."""
    workbook = template_workbook()
    sheet = workbook[DATA_SHEET]
    wrap = Alignment(wrap_text=True, vertical="top")
    for project in _with_relations(projects):
        values = _values(project)
        row = []
        for column in COLUMNS:
            value = values[column.field]
            if isinstance(value, str):
                value = neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
            row.append(value)
        sheet.append(row)
        for cell, column in zip(sheet[sheet.max_row], COLUMNS, strict=True):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            elif isinstance(cell.value, date):
                cell.number_format = "DD.MM.YYYY"
            elif isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
            if column.field in ("description", "links"):
                cell.alignment = wrap
    return workbook_bytes(workbook)


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")  # what German Excel reads as a number
    return neutralise_formula(str(value))


def projects_export_csv(*, projects: QuerySet) -> bytes:
    """The projects as CSV for German Excel: UTF-8 with BOM, separated by semicolons."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.header for column in COLUMNS])
    for project in _with_relations(projects):
        values = _values(project)
        writer.writerow([_csv_text(values[column.field]) for column in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

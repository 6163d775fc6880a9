"""Import of the digital projects of the inventory from Excel (.xlsx) or CSV files.

The steps: ``parse_upload`` reads a file into raw rows (or refuses it as a whole with
``ImportFileError``), ``validate_rows`` checks every row and tells what would happen
(``ImportPreview``), and ``import_apply`` writes all rows or none. The file format (columns,
template) is in ``import_format``, the reading of files in ``import_files``.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl.utils.datetime import from_excel

from strategy.models import FundingProgramme, Municipality, ThemeField
from strategy.text_input import text_error

from .import_files import (
    read_rows,
    upload_discard,
    upload_prune,
    upload_read,
    upload_size_check,
    upload_store,
)
from .import_format import (
    COLUMN_BY_FIELD,
    COLUMNS,
    CONTROL_CHARS,
    FORMULA_TRIGGERS,
    M2M_FIELDS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    STATUS_LABELS,
    ImportFileError,
    quoted_names,
    template_workbook,
    workbook_bytes,
)
from .keys import key_prefixes, project_key_check
from .models import Project
from .services import similarity_schedule

__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "ImportFileError",
    "ImportPreview",
    "ImportResult",
    "PreviewRow",
    "RowError",
    "import_apply",
    "import_template_xlsx",
    "parse_upload",
    "upload_discard",
    "upload_prune",
    "upload_read",
    "upload_size_check",
    "upload_store",
    "validate_rows",
]


CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass(frozen=True)
class RowError:
    """A problem in one cell (or, with an empty column, one row) of the file."""

    row: int
    column: str
    message: str


@dataclass
class PreviewRow:
    """One data row: the parsed values, its problems and what importing it would do."""

    row: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    project: Project | None = None
    action: str = CREATE

    @property
    def key(self) -> str:
        return self.values.get("key") or ""

    @property
    def title(self) -> str:
        return self.values.get("title") or ""

    @property
    def municipality(self) -> Municipality | None:
        return self.values.get("municipality")

    @property
    def stays_retired(self) -> bool:
        return self.project is not None and self.project.retired_at is not None


@dataclass
class ImportPreview:
    """What an import would do, row by row, for one user."""

    rows: list[PreviewRow]
    user_id: int | None

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not any(row.errors for row in self.rows)

    def _count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def to_create(self) -> int:
        return self._count(CREATE)

    @property
    def to_update(self) -> int:
        return self._count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self._count(UNCHANGED)


@dataclass(frozen=True)
class ImportResult:
    """How many projects an import created, updated and left as they were."""

    created: int
    updated: int
    unchanged: int = 0


def import_template_xlsx() -> bytes:
    """The empty template to fill in, as the bytes of an .xlsx file."""
    return workbook_bytes(template_workbook())


def parse_upload(*, name: str, data: bytes) -> list[dict]:
    """Read an uploaded file into raw rows.

    The type is recognised by the content, not by ``name``: an .xlsx workbook or a CSV text
    (UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1252; separated by ``;``, ``,`` or
    tabs). Every returned dict holds ``"row"`` (the row number as the spreadsheet shows it; the
    header is row 1) and the raw value of each column the file has, keyed by project field.
    Raises ``ImportFileError`` if the file cannot be used as a whole.
    """
    return read_rows(data=data)


# --- Checking rows --------------------------------------------------------------------------


class _CellError(Exception):
    pass


def _short(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quoted(value: Any) -> str:
    return quoted_names([_short(value)])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date | datetime):
        value = value.isoformat()
    text = CONTROL_CHARS.sub("", str(value)).strip()
    if len(text) > 1 and text[0] == "'" and text.startswith(FORMULA_TRIGGERS, 1):
        # Written by the export to keep spreadsheets from running it; the rest is verbatim.
        return text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split(value: Any, pattern: str = r"[;\n]") -> list[str]:
    parts = []
    for part in re.split(pattern, _text(value)):
        part = part.strip()
        if part and part not in parts:
            parts.append(part)
    return parts


@dataclass
class _Lookups:
    municipalities: dict[str, Municipality]
    theme_fields: dict[str, ThemeField]
    programmes: dict[str, FundingProgramme]
    projects: dict[str, Project]
    key_prefixes: dict[str, Municipality]

    @classmethod
    def load(cls, keys: set[str]) -> "_Lookups":
        municipalities = {}
        every = list(Municipality.objects.all())
        for municipality in every:
            municipalities[municipality.name.casefold()] = municipality
            municipalities[municipality.ags] = municipality
        projects = Project.objects.filter(key__in=keys).select_related("municipality")
        return cls(
            key_prefixes=key_prefixes(every),
            municipalities=municipalities,
            theme_fields={t.name.casefold(): t for t in ThemeField.objects.all()},
            programmes={p.name.casefold(): p for p in FundingProgramme.objects.all()},
            projects={p.key: p for p in projects.prefetch_related(*M2M_FIELDS)},
        )

    def municipality(self, text: str) -> Municipality | None:
        if text.isdigit() and len(text) < 8:
            text = text.zfill(8)  # Excel drops the leading zero of an AGS typed as a number
        return self.municipalities.get(text.casefold())


def _clean_text(value, column, lookups):
    text = _text(value)
    # One line where the project has a one-line field (the forms' rule, strategy.text_input);
    # the other control characters were dropped by _text.
    multiline = isinstance(Project._meta.get_field(column.field), models.TextField)
    if message := text_error(text, multiline=multiline):
        raise _CellError(message)
    if column.max_length and len(text) > column.max_length:
        raise _CellError(
            gettext("At most %(limit)s characters are allowed (%(length)s given).")
            % {"limit": column.max_length, "length": len(text)}
        )
    return text


def _clean_municipality(value, column, lookups):
    text = _text(value)
    if not text:
        return None
    municipality = lookups.municipality(text)
    if municipality is None:
        raise _CellError(gettext("Unknown municipality: %(value)s.") % {"value": _quoted(text)})
    return municipality


def _clean_many(value, column, lookups):
    found, unknown = [], []
    for name in _split(value):
        if column.kind == "partners":
            item = lookups.municipality(name)
        elif column.kind == "theme_fields":
            item = lookups.theme_fields.get(name.casefold())
        else:
            item = lookups.programmes.get(name.casefold())
        if item is None:
            unknown.append(_short(name))
        elif item not in found:
            found.append(item)
    if unknown:
        message = {
            "partners": gettext("Unknown partner municipality: %(values)s."),
            "theme_fields": gettext("Unknown theme field: %(values)s."),
            "programmes": gettext("Unknown funding programme: %(values)s."),
        }[column.kind]
        raise _CellError(message % {"values": quoted_names(unknown)})
    return found


_STATUS_BY_TEXT = {label.casefold(): status for status, label in STATUS_LABELS.items()} | {
    status.value: status for status in Project.Status
}


def _clean_status(value, column, lookups):
    text = _text(value)
    if not text:
        return None
    status = _STATUS_BY_TEXT.get(text.casefold())
    if status is None:
        raise _CellError(
            gettext("Unknown status %(value)s; allowed are: %(allowed)s.")
            % {"value": _quoted(text), "allowed": ", ".join(STATUS_LABELS.values())}
        )
    return status.value


def _clean_date(value, column, lookups):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date cell without a date format: Excel's serial day number.
        if 1 <= value < 2958466:
            return from_excel(value).date()
        raise _CellError(_date_message(value))
    text = _text(value)
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    if match:
        day, month, year = (int(part) for part in match.groups())
    else:
        match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?", text)
        if not match:
            raise _CellError(_date_message(text))
        year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError as error:
        raise _CellError(_date_message(text)) from error


def _date_message(value) -> str:
    return gettext("%(value)s is not a valid date (DD.MM.YYYY or YYYY-MM-DD).") % {
        "value": _quoted(value)
    }


_MONEY_LIMIT = Decimal("1000000000000")


def _clean_money(value, column, lookups):
    if isinstance(value, bool):
        raise _CellError(gettext("%(value)s is not a number.") % {"value": _quoted(value)})
    if isinstance(value, int | float | Decimal):
        text = str(value)
    else:
        text = re.sub(r"(?i)\s|\u00a0|\u202f|€|eur", "", _text(value))
        if not text:
            return None
        if not re.fullmatch(r"[+-]?\d[\d.,]*", text):
            raise _CellError(gettext("%(value)s is not a number.") % {"value": _quoted(value)})
        if "," in text and "." in text:
            # The separator that comes last is the decimal one.
            thousands = "." if text.rfind(",") > text.rfind(".") else ","
            text = text.replace(thousands, "").replace(",", ".")
        elif "," in text:
            if text.count(",") > 1:
                raise _CellError(gettext("%(value)s is not a number.") % {"value": _quoted(value)})
            text = text.replace(",", ".")
        elif re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", text):
            text = text.replace(".", "")  # German thousands: 12.500
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise _CellError(
            gettext("%(value)s is not a number.") % {"value": _quoted(value)}
        ) from error
    if not amount.is_finite():
        raise _CellError(gettext("%(value)s is not a number.") % {"value": _quoted(value)})
    if amount < 0:
        raise _CellError(gettext("Negative amounts are not allowed."))
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount >= _MONEY_LIMIT:
        raise _CellError(gettext("The amount is too large."))
    return amount


_url_validator = URLValidator(schemes=["http", "https"])


def _clean_links(value, column, lookups):
    links = _split(value)
    bad = []
    for link in links:
        try:
            _url_validator(link)
        except ValidationError:
            bad.append(_short(link))
    if bad:
        raise _CellError(
            gettext("Not a valid web address (http:// or https://): %(values)s.")
            % {"values": quoted_names(bad)}
        )
    return "\n".join(links)


def _clean_tags(value, column, lookups):
    tags = ", ".join(_split(value, r","))
    return _clean_text(tags, column, lookups)


_CLEANERS = {
    "text": _clean_text,
    "municipality": _clean_municipality,
    "theme_fields": _clean_many,
    "programmes": _clean_many,
    "partners": _clean_many,
    "status": _clean_status,
    "date": _clean_date,
    "money": _clean_money,
    "links": _clean_links,
    "tags": _clean_tags,
}


def validate_rows(*, rows: list[dict], user) -> ImportPreview:
    """Check every row and tell, per row, its problems and whether it creates or updates.

    Reference data and the existing projects are loaded in a fixed number of queries. A
    municipal representative may only import rows of the own municipality (the permission
    ``inventory.change_entry`` decides); a key that exists must belong to the same municipality.
    """
    keys = {_text(row.get("key")) for row in rows} - {""}
    lookups = _Lookups.load(keys)
    first_row_of_key: dict[str, int] = {}
    preview = ImportPreview(rows=[], user_id=user.pk)
    for raw in rows:
        item = PreviewRow(row=raw["row"], values={})
        preview.rows.append(item)

        def error(field_name: str, message: str, item=item) -> None:
            header = COLUMN_BY_FIELD[field_name].header if field_name else ""
            item.errors.append(RowError(row=item.row, column=header, message=message))

        for column in COLUMNS:
            field_name = column.field
            if field_name not in raw and not column.required:
                continue  # a column the file does not have: existing values stay as they are
            value = raw.get(field_name)
            try:
                cleaned = _CLEANERS[column.kind](value, column, lookups)
            except _CellError as problem:
                error(field_name, str(problem))
                continue
            if column.required and cleaned in (None, ""):
                error(field_name, gettext("This field is required."))
                continue
            item.values[field_name] = cleaned
        _check_row(item, lookups, user, first_row_of_key, error)
        item.errors.sort(key=lambda problem: _COLUMN_POSITION.get(problem.column, -1))
    return preview


_COLUMN_POSITION = {column.header: position for position, column in enumerate(COLUMNS)}


def _check_row(item: PreviewRow, lookups: _Lookups, user, first_row_of_key, error) -> None:
    values = item.values
    key, municipality = values.get("key"), values.get("municipality")
    project = lookups.projects.get(key) if key else None
    if key and project is None:
        # A new key; one that exists already identifies its project, whatever its shape.
        try:
            project_key_check(
                key=key,
                municipality_id=municipality.pk if municipality is not None else None,
                prefixes=lookups.key_prefixes,
            )
        except ValidationError as problem:
            error("key", problem.messages[0])
    if key:
        if key in first_row_of_key:
            error(
                "key",
                gettext(
                    "The key %(key)s appears more than once in the file (first in row %(row)s)."
                )
                % {"key": key, "row": first_row_of_key[key]},
            )
        else:
            first_row_of_key[key] = item.row
    if municipality is not None:
        if not user.has_perm("inventory.change_entry", Project(municipality=municipality)):
            error("municipality", gettext("You may only import entries of your own municipality."))
        elif project is not None and project.municipality_id != municipality.pk:
            error(
                "key",
                gettext("The key %(key)s already belongs to an entry of %(municipality)s.")
                % {"key": key, "municipality": project.municipality},
            )
        if municipality in values.get("partners", []):
            error("partners", gettext("The owning municipality cannot also be a partner."))

    def effective(field_name):
        if field_name in values:
            return values[field_name]
        return getattr(project, field_name) if project is not None else None

    start, end = effective("start_date"), effective("end_date")
    if start and end and end < start and ("start_date" in values or "end_date" in values):
        error("end_date", gettext("The end is before the start."))

    item.project = project
    if project is None:
        item.action = CREATE
    elif _differs(project, values):
        item.action = UPDATE
    else:
        item.action = UNCHANGED


def _differs(project: Project, values: dict[str, Any]) -> bool:
    for field_name, value in values.items():
        if field_name in M2M_FIELDS:
            current = {obj.pk for obj in getattr(project, field_name).all()}
            if current != {obj.pk for obj in value}:
                return True
        elif getattr(project, field_name) != value:
            return True
    return False


# --- Writing --------------------------------------------------------------------------------


def import_apply(*, preview: ImportPreview, user) -> ImportResult:
    """Create or update (by key) the projects of a checked file: all rows, or none.

    Refuses a preview with errors. Unchanged rows are not written; re-imported retired
    projects are updated and stay retired. The rows are written in bulk, so that even 5,000
    rows fit into one request, and the history gets one record per written project, by
    ``user``, with the theme fields, funding programmes and partners it has afterwards.
    """
    if not user.has_perm("inventory.import_projects"):
        raise PermissionDenied
    if preview.user_id != user.pk:
        raise ValueError("The preview was made for another user.")
    if not preview.is_valid:
        raise ImportFileError(gettext("The file contains errors; nothing was imported."))
    try:
        with transaction.atomic():
            _write(preview, user)
    except IntegrityError as error:
        # Someone else created or changed an entry with the same key in the meantime.
        raise ImportFileError(
            gettext("The data changed while importing; nothing was imported. Please try again.")
        ) from error
    return ImportResult(
        created=preview.to_create, updated=preview.to_update, unchanged=preview.unchanged
    )


_BATCH = 200


def _chunks(items: list, size: int = _BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write(preview: ImportPreview, user) -> None:
    now = timezone.now()
    created: list[tuple[Project, PreviewRow]] = []
    updated: list[tuple[Project, PreviewRow]] = []
    changes: list[tuple[Project, set[str]]] = []
    for row in preview.rows:
        if row.action == UNCHANGED:
            continue
        project = row.project if row.project is not None else Project()
        changed = set()
        for field_name, value in row.values.items():
            if field_name in M2M_FIELDS:
                continue
            if row.project is None or getattr(project, field_name) != value:
                setattr(project, field_name, value)
                changed.add(field_name)
        if row.project is None:
            created.append((project, row))
        else:
            updated.append((project, row))
            project.updated_at = now
            changes.append((project, changed | {"updated_at"}))
    if not created and not updated:
        return

    new_projects = Project.objects.bulk_create([p for p, _row in created], batch_size=_BATCH)
    if any(project.pk is None for project in new_projects):
        # Databases that do not return the new keys of a bulk insert: look them up by key.
        ids = dict(
            Project.objects.filter(key__in=[p.key for p in new_projects]).values_list("key", "pk")
        )
        for project in new_projects:
            project.pk = ids[project.key]
    # One UPDATE per project: much faster than bulk_update's CASE expressions on many rows.
    for project, fields in changes:
        Project.objects.filter(pk=project.pk).update(**{f: getattr(project, f) for f in fields})

    for field_name in M2M_FIELDS:
        relation = Project._meta.get_field(field_name)
        through = relation.remote_field.through
        target = f"{relation.m2m_reverse_field_name()}_id"
        replace = [
            (project, row)
            for project, row in created + updated
            if field_name in row.values
            and (row.project is None or _m2m_differs(row.project, field_name, row.values))
        ]
        for chunk in _chunks([p.pk for p, row in replace if row.project is not None]):
            through.objects.filter(project_id__in=chunk).delete()
        through.objects.bulk_create(
            [
                through(project_id=project.pk, **{target: item.pk})
                for project, row in replace
                for item in row.values[field_name]
            ],
            batch_size=_BATCH,
        )

    # Bulk writes send no signals: record the history and schedule the similarities here.
    history = []
    for projects, update in (
        ([p for p, _row in created], False),
        ([p for p, _row in updated], True),
    ):
        history += Project.history.bulk_history_create(
            projects,
            update=update,
            default_user=user,
            default_change_reason="Import",
            default_date=now,
            batch_size=_BATCH,
        )
    _history_m2m_snapshot(history, [p for p, _row in created + updated])
    similarity_schedule()


def _m2m_differs(project: Project, field_name: str, values: dict[str, Any]) -> bool:
    current = {obj.pk for obj in getattr(project, field_name).all()}
    return current != {obj.pk for obj in values[field_name]}


def _history_m2m_snapshot(history: list, projects: list[Project]) -> None:
    """Give every new history record the theme fields, programmes and partners of its project,
    as django-simple-history does when it records a single save."""
    history_model = Project.history.model
    by_project = {record.id: record for record in history}
    for relation in history_model._history_m2m_fields:
        through = relation.remote_field.through
        snapshot_model = getattr(history_model, relation.name).model
        attnames = [f.attname for f in through._meta.fields]
        rows = []
        for chunk in _chunks([p.pk for p in projects]):
            for link in through.objects.filter(project_id__in=chunk):
                record = by_project[link.project_id]
                rows.append(
                    snapshot_model(
                        history_id=record.history_id,
                        **{name: getattr(link, name) for name in attnames},
                    )
                )
        snapshot_model.objects.bulk_create(rows, batch_size=_BATCH)

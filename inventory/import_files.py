"""Uploaded files: reading one into raw rows (the type by content, .xlsx workbook or CSV text;
what reading may cost bounded before parsing, see ``import_limits``; whole-file problems such as
formulas, merged cells or unknown columns refused with ``ImportFileError``), and keeping it until
the worker has read it."""

import csv
import io
import logging
import time
import uuid
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import iterparse

from .import_format import (
    COLUMNS,
    CONTROL_CHARS,
    DATA_SHEET,
    HEADER_ALIASES,
    MAX_COLUMNS,
    MAX_READ_SECONDS,
    MAX_ROWS,
    MAX_SHEET_CELLS,
    MAX_SHEET_ROWS,
    MAX_UPLOAD_BYTES,
    Column,
    ImportFileError,
    normalise_header,
    quoted_names,
)
from .import_limits import (
    damaged,
    rows_beyond_limit,
    too_many_cells,
    too_many_columns,
    workbook_content_check,
    zip_directory_check,
)

logger = logging.getLogger(__name__)


def upload_size_check(*, size: int) -> None:
    """Refuse files above ``MAX_UPLOAD_BYTES`` before anything reads them."""
    if size > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            gettext("The file is %(size)s; at most %(limit)s are allowed.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_UPLOAD_BYTES)}
        )


def _unsupported() -> ImportFileError:
    return ImportFileError(gettext("Unsupported file type: please upload an .xlsx or a .csv file."))


def _too_many_rows() -> ImportFileError:
    limit = number_format(MAX_ROWS, force_grouping=True)
    return ImportFileError(
        gettext(
            "The file has more than %(limit)s data rows; at most %(limit)s rows can be imported."
        )
        % {"limit": limit}
    )


def _too_slow() -> ImportFileError:
    return ImportFileError(
        gettext(
            "Reading the file took too long and was stopped. Please upload a smaller file or "
            "save it as CSV."
        )
    )


_XLSX, _CSV = "xlsx", "csv"
_BINARY_MARKERS = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff")


def _kind(data: bytes) -> str:
    """The type of a file by its content: a workbook, or text that may be CSV."""
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # An OLE2 compound file: Excel's encrypted .xlsx or the old binary .xls format.
        raise ImportFileError(
            gettext(
                "The workbook is password-protected or in the old .xls format. Please save it "
                "as .xlsx without a password."
            )
        )
    if data.startswith(b"PK\x03\x04"):
        return _XLSX
    if data.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        raise damaged()
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if data.startswith(_BINARY_MARKERS) or (not utf16 and b"\x00" in data):
        raise _unsupported()
    return _CSV


def _workbook_archive(data: bytes):
    archive = zip_directory_check(data=data)
    if "xl/workbook.xml" not in archive.namelist():
        archive.close()
        raise _unsupported()
    return archive


def upload_check(*, data: bytes) -> None:
    """The checks of an upload that are cheap enough for the web request, which neither unpacks
    nor parses anything: the size, the type by content, and a workbook's zip directory."""
    upload_size_check(size=len(data))
    if _kind(data) == _XLSX:
        _workbook_archive(data).close()


def read_rows(*, data: bytes) -> list[dict]:
    """The raw rows of a file; see ``importing.parse_upload``. Run by the worker: a workbook is
    checked for what parsing it would cost before openpyxl reads it."""
    upload_size_check(size=len(data))
    if _kind(data) == _XLSX:
        return _read_xlsx(data)
    return _read_csv(data)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _RowCollector:
    """Turns rows of cells into row dicts: maps the header, skips blank rows, stops early."""

    def __init__(self):
        self.columns: list[Column | None] | None = None
        self.rows: list[dict] = []

    def header(self, cells: list[Any]) -> None:
        columns: list[Column | None] = []
        unknown, seen, duplicates = [], set(), []
        for value in cells:
            text = "" if value is None else str(value).strip()
            if not text:
                columns.append(None)
                continue
            column = HEADER_ALIASES.get(normalise_header(text))
            if column is None:
                unknown.append(text)
            elif column.field in seen:
                duplicates.append(column.header)
            seen.add(getattr(column, "field", None))
            columns.append(column)
        missing = [c.header for c in COLUMNS if c.required and c.field not in seen]
        problems = []
        if unknown:
            problems.append(
                gettext("Unknown columns: %(columns)s.") % {"columns": quoted_names(unknown)}
            )
        if missing:
            problems.append(
                gettext("Missing required columns: %(columns)s.")
                % {"columns": quoted_names(missing)}
            )
        if duplicates:
            problems.append(
                gettext("Columns that appear twice: %(columns)s.")
                % {"columns": quoted_names(duplicates)}
            )
        if problems:
            problems.append(gettext("Please use the column headers of the template."))
            raise ImportFileError(" ".join(problems))
        self.columns = columns

    def add(self, number: int, cells: list[Any]) -> None:
        if all(_is_blank(value) for value in cells):
            return
        if self.columns is None:
            self.header([])  # raises: the header row is empty
        row: dict[str, Any] = {"row": number}
        for index, value in enumerate(cells):
            column = self.columns[index] if index < len(self.columns) else None
            if column is None:
                if not _is_blank(value):
                    raise ImportFileError(
                        gettext("Row %(row)s has values in columns without a header (%(cell)s).")
                        % {"row": number, "cell": f"{get_column_letter(index + 1)}{number}"}
                    )
                continue
            row[column.field] = value
        for column in self.columns:
            if column is not None:
                row.setdefault(column.field, None)
        self.rows.append(row)
        if len(self.rows) > MAX_ROWS:
            raise _too_many_rows()

    def result(self) -> list[dict]:
        if not self.rows:
            raise ImportFileError(gettext("The file contains no data rows."))
        return self.rows


# Not a broken workbook: a refusal, or the worker's soft time limit, which the task reports.
_PASS_THROUGH = (ImportFileError, SoftTimeLimitExceeded)


def _read_xlsx(data: bytes) -> list[dict]:
    started = time.process_time()
    archive = _workbook_archive(data)
    try:
        workbook_content_check(archive=archive)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except _PASS_THROUGH:
        archive.close()
        raise
    except Exception as error:
        # openpyxl fails in many ways on a broken workbook (zip, XML, missing parts).
        logger.info("Unreadable workbook uploaded", exc_info=True)
        archive.close()
        raise damaged() from error
    try:
        if DATA_SHEET in workbook.sheetnames:
            sheet = workbook[DATA_SHEET]
        elif workbook.worksheets:
            sheet = workbook.worksheets[0]
        else:
            raise ImportFileError(gettext("The file contains no data rows."))
        return _read_sheet(archive, sheet, started)
    except _PASS_THROUGH:
        raise
    except Exception as error:
        logger.info("Unreadable worksheet uploaded", exc_info=True)
        raise damaged() from error
    finally:
        workbook.close()
        archive.close()


def _read_sheet(archive, sheet, started: float) -> list[dict]:
    collector = _RowCollector()
    # The dimension a workbook states may be missing or wrong; read the rows that are there and
    # stop as soon as there are too many.
    sheet.reset_dimensions()
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        if number > MAX_SHEET_ROWS:
            raise rows_beyond_limit()
        if number % 100 == 0 and time.process_time() - started > MAX_READ_SECONDS:
            raise _too_slow()
        values = []
        for cell in cells:
            if cell.data_type == "f":
                raise ImportFileError(
                    gettext(
                        "Cell %(cell)s contains a formula. Please replace formulas by their "
                        "values and upload the file again."
                    )
                    % {"cell": cell.coordinate}
                )
            if cell.data_type == "e":
                raise ImportFileError(
                    gettext("Cell %(cell)s contains an error value (%(value)s).")
                    % {"cell": cell.coordinate, "value": cell.value}
                )
            values.append(cell.value)
        if number == 1:
            if all(_is_blank(value) for value in values):
                continue
            collector.header(values)
        else:
            collector.add(number, values)
    rows = collector.result()
    # Read-only worksheets do not report merged cells; they are listed after the cells.
    merged = _merged_ranges(archive, sheet._worksheet_path)
    if merged:
        raise ImportFileError(
            gettext(
                "The cells %(range)s are merged. Please unmerge all cells and upload the file "
                "again."
            )
            % {"range": merged[0]}
        )
    return rows


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _merged_ranges(archive, path: str) -> list[str]:
    ranges = []
    with archive.open(path.lstrip("/")) as source:
        for _event, element in iterparse(source):
            if element.tag == f"{_SHEET_NS}mergeCell":
                ranges.append(element.get("ref", ""))
            elif element.tag == f"{_SHEET_NS}row":
                element.clear()
    return ranges


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _unsupported() from error
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _unsupported()
    sample = text[:65536]
    if len(CONTROL_CHARS.findall(sample)) > len(sample) // 100 + 2:
        raise _unsupported()
    return text


def _read_csv(data: bytes) -> list[dict]:
    text = _decode_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    # Every delimiter is a cell at most: bounds the longest row before the reader builds it.
    if text.count(delimiter) > MAX_SHEET_CELLS:
        raise too_many_cells()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    collector = _RowCollector()
    try:
        for number, cells in enumerate(reader, start=1):
            if number > MAX_SHEET_ROWS:
                raise rows_beyond_limit()
            if len(cells) > MAX_COLUMNS:
                raise too_many_columns()
            if number == 1:
                if all(_is_blank(value) for value in cells):
                    continue
                collector.header(cells)
            else:
                collector.add(number, cells)
    except csv.Error as error:
        raise damaged() from error
    return collector.result()


# --- The uploaded file between preview and confirmation -------------------------------------

UPLOAD_FOLDER = "imports"


def _upload_name(token: str) -> str:
    return f"{UPLOAD_FOLDER}/{uuid.UUID(token)}.bin"


def upload_store(*, data: bytes) -> str:
    """Keep an uploaded file under ``MEDIA_ROOT/imports/`` and return its token."""
    token = str(uuid.uuid4())
    default_storage.save(_upload_name(token), ContentFile(data))
    return token


def upload_read(*, token: str) -> bytes:
    """The bytes of a kept upload; ``ImportFileError`` if it is gone."""
    try:
        name = _upload_name(token)
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    except (TypeError, ValueError, OSError) as error:
        raise ImportFileError(
            gettext("The uploaded file was not found. Please upload it again.")
        ) from error


def upload_prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete kept uploads that were neither confirmed nor replaced; returns how many."""
    try:
        _folders, names = default_storage.listdir(UPLOAD_FOLDER)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - older_than
    removed = 0
    for name in names:
        path = f"{UPLOAD_FOLDER}/{name}"
        if name.endswith(".bin") and default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            removed += 1
    return removed


def upload_discard(*, token: str) -> None:
    """Delete a kept upload (nothing happens if it is gone already)."""
    try:
        default_storage.delete(_upload_name(token))
    except (TypeError, ValueError, OSError):
        logger.warning("Could not delete the kept upload %s", token, exc_info=True)

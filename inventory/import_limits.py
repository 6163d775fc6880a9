"""What reading an uploaded workbook may cost, checked before openpyxl parses it.

An .xlsx file is a zip of XML parts, and a small one can unpack to far more than it looks: the
probe's 230 KB workbook held 5.5 million tiny shared strings (94 MB) and cost 84 s of CPU and
500 MB in openpyxl. So a workbook is refused with ``ImportFileError`` unless

- its zip directory is small, lists at most ``MAX_ZIP_ENTRIES`` parts, all deflated or stored,
  each unpacking to at most ``MAX_PART_BYTES`` and all together to ``MAX_UNPACKED_BYTES``
  (``zip_directory_check``: reads only the directory, fit for the web request), and
- streaming every XML part once stays within bounds (``workbook_content_check``, run by the
  worker): tags and attributes are counted at C speed before the XML parser sees the bytes (so
  the check itself costs at most about a second of CPU and a few MB), document type declarations
  (entity bombs) are refused, and expat counts the shared strings and the rows, columns and
  cells of every worksheet as openpyxl would read them; a CPU budget stops it in any case.
"""

import io
import re
import struct
import time
import zipfile
import zlib
from pyexpat import ExpatError, ParserCreate

from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext
from openpyxl.utils import get_column_letter

from .import_format import (
    MAX_ATTRIBUTES_PER_TAG,
    MAX_CHECK_SECONDS,
    MAX_COLUMNS,
    MAX_PART_BYTES,
    MAX_SHARED_STRINGS,
    MAX_SHEET_CELLS,
    MAX_SHEET_ROWS,
    MAX_UNPACKED_BYTES,
    MAX_XML_ATTRIBUTES,
    MAX_XML_TAGS,
    MAX_ZIP_DIRECTORY_BYTES,
    MAX_ZIP_ENTRIES,
    ImportFileError,
)

CHUNK_BYTES = 64 * 1024
_MAIN_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
# Expat's names of the elements that count ("namespace local"), by local name.
_WATCHED = {
    f"{namespace} {local}": local for namespace in _MAIN_NAMESPACES for local in ("si", "row", "c")
}
# A tag with more attributes than allowed: between a "<" and the next "<" (which cannot occur
# inside a tag) there are that many "=". Text after a tag counts too, which only errs on the
# strict side.
_ATTRIBUTE_FLOOD = re.compile(rb"<(?:[^<=]*+=){%d}" % MAX_ATTRIBUTES_PER_TAG)
_CELL_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")


def damaged() -> ImportFileError:
    return ImportFileError(gettext("The file is damaged and cannot be read."))


def _count(value: int) -> str:
    return number_format(value, force_grouping=True)


def too_many_columns() -> ImportFileError:
    return ImportFileError(
        gettext(
            "The file has cells beyond column %(column)s. Please delete the columns to the "
            "right of your data."
        )
        % {"column": get_column_letter(MAX_COLUMNS)}
    )


def rows_beyond_limit() -> ImportFileError:
    return ImportFileError(
        gettext("The file reaches beyond row %(limit)s. Please delete the rows below your data.")
        % {"limit": _count(MAX_SHEET_ROWS)}
    )


def too_many_cells() -> ImportFileError:
    return ImportFileError(
        gettext("The file has more than %(limit)s cells.") % {"limit": _count(MAX_SHEET_CELLS)}
    )


def _too_complex() -> ImportFileError:
    return ImportFileError(
        gettext(
            "The workbook is too complex to be read. Please save it again as .xlsx in a "
            "spreadsheet program, or upload it as CSV."
        )
    )


def _too_large() -> ImportFileError:
    return ImportFileError(
        gettext("The workbook is too large when unpacked (at most %(limit)s).")
        % {"limit": filesizeformat(MAX_UNPACKED_BYTES)}
    )


def _directory_size(data: bytes) -> int:
    """The size of the zip directory, read from the end record as ``zipfile`` finds it, before
    ``zipfile`` turns every entry into an object."""
    end = data[-22:]
    if not (len(end) == 22 and end.startswith(b"PK\x05\x06") and end[-2:] == b"\0\0"):
        start = data.rfind(b"PK\x05\x06", max(len(data) - 65536 - 22, 0))
        if start < 0 or len(data) - start < 22:
            raise damaged()
        end = data[start : start + 22]
    (size,) = struct.unpack_from("<L", end, 12)
    return size


def zip_directory_check(*, data: bytes) -> zipfile.ZipFile:
    """Open a workbook's zip and refuse it if its directory promises too much to unpack.

    Reads only the directory (no part is decompressed): cheap enough for the web request."""
    if _directory_size(data) > MAX_ZIP_DIRECTORY_BYTES:
        raise ImportFileError(
            gettext("The workbook consists of more than %(limit)s parts.")
            % {"limit": _count(MAX_ZIP_ENTRIES)}
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise damaged() from error
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ImportFileError(
            gettext("The workbook consists of more than %(limit)s parts.")
            % {"limit": _count(MAX_ZIP_ENTRIES)}
        )
    total = 0
    for entry in entries:
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Excel deflates; other methods (bzip2, LZMA) unpack without a size limit per read.
            raise damaged()
        if entry.flag_bits & 0x1:
            raise damaged()  # encrypted parts
        if entry.file_size > MAX_PART_BYTES:
            raise _too_large()
        total += entry.file_size
    if total > MAX_UNPACKED_BYTES:
        raise _too_large()
    return archive


class _Budget:
    """Counts over all parts of one workbook; raises as soon as a limit is passed."""

    def __init__(self):
        self.tags = 0
        self.attributes = 0
        self.shared_strings = 0
        self.cells = 0
        self.started = time.process_time()

    def markup(self, chunk: bytes, pending: int) -> int:
        """Count the tags and attributes of ``chunk`` (C speed); return the "=" after its last
        "<" (``pending``: those of the previous chunk's last tag)."""
        self.tags += chunk.count(b"<")
        self.attributes += chunk.count(b"=")
        if self.tags > MAX_XML_TAGS or self.attributes > MAX_XML_ATTRIBUTES:
            raise _too_complex()
        if time.process_time() - self.started > MAX_CHECK_SECONDS:
            raise _too_complex()
        first = chunk.find(b"<")
        if first < 0:
            pending += chunk.count(b"=")
        else:
            pending += chunk.count(b"=", 0, first)
            if pending >= MAX_ATTRIBUTES_PER_TAG or _ATTRIBUTE_FLOOD.search(chunk, first):
                raise _too_complex()
            pending = chunk.count(b"=", chunk.rfind(b"<"))
        if pending >= MAX_ATTRIBUTES_PER_TAG:
            raise _too_complex()
        return pending


class _PartScanner:
    """Expat handlers for one XML part: shared strings, and rows, columns and cells of a
    worksheet as openpyxl's reader numbers them (``r`` attributes, else one after the other)."""

    def __init__(self, budget: _Budget):
        self.budget = budget
        self.row = 0
        self.column = 0
        self.row_width = 0

    def doctype(self, *args) -> None:
        # OOXML parts never have one; a declaration can define entities ("billion laughs").
        raise damaged()

    def start(self, name: str, attributes: list[str]) -> None:
        local = _WATCHED.get(name)  # called for every element: one lookup for most of them
        if local is None:
            return
        if local == "si":
            self.budget.shared_strings += 1
            if self.budget.shared_strings > MAX_SHARED_STRINGS:
                raise ImportFileError(
                    gettext("The workbook contains more than %(limit)s different texts.")
                    % {"limit": _count(MAX_SHARED_STRINGS)}
                )
        elif local == "row":
            self._end_row()
            number = _attribute(attributes, "r")
            self.row = self.row + 1 if number is None else _number(number)
            self.column = 0
            if self.row > MAX_SHEET_ROWS:
                raise rows_beyond_limit()
        elif local == "c":
            reference = _attribute(attributes, "r")
            if reference is None:
                self.column += 1
            else:
                match = _CELL_REFERENCE.fullmatch(reference)
                if match is None:
                    raise damaged()
                self.column = _column_index(match.group(1).upper())
            if self.column > MAX_COLUMNS:
                raise too_many_columns()
            self.row_width = max(self.row_width, self.column)

    def _end_row(self) -> None:
        self.budget.cells += self.row_width
        self.row_width = 0
        if self.budget.cells > MAX_SHEET_CELLS:
            raise too_many_cells()

    def finish(self) -> None:
        self._end_row()


def _attribute(attributes: list[str], name: str) -> str | None:
    # Ordered attributes: name, value, name, value, …
    for index in range(0, len(attributes), 2):
        if attributes[index] == name:
            return attributes[index + 1]
    return None


def _number(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 7:
        raise damaged()
    return int(text)


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index


def _looks_like_xml(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with a byte order mark
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"<")


def workbook_content_check(*, archive: zipfile.ZipFile) -> None:
    """Stream every XML part of a workbook once and refuse it if parsing would cost more than
    the limits allow (see the module's docstring). Parts that are not XML (pictures) are not
    parsed by the import and are skipped after their first bytes."""
    budget = _Budget()
    for entry in archive.infolist():
        if entry.is_dir():
            continue
        try:
            with archive.open(entry) as source:
                _scan_part(source, budget)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError) as error:
            raise damaged() from error


def _scan_part(source, budget: _Budget) -> None:
    chunk = source.read(CHUNK_BYTES)
    if not _looks_like_xml(chunk[:1024]):
        return
    scanner = _PartScanner(budget)
    parser = ParserCreate(namespace_separator=" ")
    parser.ordered_attributes = True
    parser.StartDoctypeDeclHandler = scanner.doctype
    parser.StartElementHandler = scanner.start
    pending = 0
    try:
        while chunk:
            pending = budget.markup(chunk, pending)
            parser.Parse(chunk, False)
            chunk = source.read(CHUNK_BYTES)
        parser.Parse(b"", True)
    except ExpatError as error:
        raise damaged() from error
    scanner.finish()

"""Hostile workbooks for the import: small .xlsx files that unpack to (or parse as) far more
than they look like. Used by the tests and by ``scripts/measure_import_bomb.py``."""

import io
import zipfile
from collections.abc import Callable

import openpyxl

HEADER = ["Schlüssel", "Kommune", "Titel", "Status"]


def _workbook_parts() -> dict[str, bytes]:
    """The parts of a small valid workbook with one data row, by name."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Projekte"
    sheet.append(HEADER)
    sheet.append(["DUE-0001", "Dülmen", "Digitales Bürgerbüro", "Laufend"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(parts: dict[str, bytes | Callable]) -> bytes:
    """A zip of ``parts``; a callable part writes itself in pieces (no 100 MB in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            if callable(content):
                with archive.open(name, "w", force_zip64=True) as target:
                    content(target)
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW = ["DUE-0001", "Dülmen", "Digitales Bürgerbüro", "Laufend"]


def _with_shared_strings(parts: dict, sst: bytes | Callable) -> dict:
    """``parts`` changed so that the sheet's cells refer to the shared strings ``sst``, whose
    first eight strings are the header and the row."""
    cells = "".join(
        f'<row r="{row}">'
        + "".join(
            f'<c r="{letter}{row}" t="s"><v>{(row - 1) * 4 + column}</v></c>'
            for column, letter in enumerate("ABCD")
        )
        + "</row>"
        for row in (1, 2)
    )
    parts["xl/worksheets/sheet1.xml"] = (
        f'<worksheet xmlns="{_MAIN}"><dimension ref="A1:D2"/><sheetData>{cells}</sheetData>'
        "</worksheet>"
    ).encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9"/></Relationships>',
    )
    parts["xl/sharedStrings.xml"] = sst
    return parts


def _real_strings() -> bytes:
    return b"".join(f"<si><t>{text}</t></si>".encode() for text in HEADER + _ROW)


def shared_strings_bomb(*, strings: int = 5_500_000) -> bytes:
    """A workbook whose ``xl/sharedStrings.xml`` holds ``strings`` tiny strings (the fault
    the probe found: 5.5 million strings, about 94 MB unpacked, in about 229 KB). The first
    eight are the header and one valid row; the rest are never used."""

    def write(target):
        target.write(
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            + f'<sst xmlns="{_MAIN}" count="{strings}" uniqueCount="{strings}">'.encode()
            + _real_strings()
        )
        tiny = b"<si><t>a</t></si>" * 10_000
        for _ in range((strings - 8) // 10_000):
            target.write(tiny)
        target.write(b"<si><t>a</t></si>" * ((strings - 8) % 10_000))
        target.write(b"</sst>")

    return _zip(_with_shared_strings(_workbook_parts(), write))


def cells_bomb(*, rows: int = 300_000) -> bytes:
    """A workbook whose sheet has a cell far to the right in each of many rows: openpyxl pads
    every row up to that column, which costs gigabytes."""
    parts = _workbook_parts()
    name = "xl/worksheets/sheet1.xml"

    def write(target):
        target.write(
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>"
        )
        for number in range(1, rows + 1):
            target.write(f'<row r="{number}"><c r="XFD{number}"/></row>'.encode())
        target.write(b"</sheetData></worksheet>")

    parts[name] = write
    return _zip(parts)


def entity_bomb() -> bytes:
    """A workbook whose shared strings declare nested entities ("billion laughs")."""
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10)
    )
    sst = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<!DOCTYPE sst [{entities}]>"
        f'<sst xmlns="{_MAIN}">{_real_strings().decode()}<si><t>&a9;</t></si></sst>'
    ).encode()
    return _zip(_with_shared_strings(_workbook_parts(), sst))

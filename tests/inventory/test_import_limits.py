"""Hostile files cost the import next to nothing: the probe's Excel bomb (230 KB, 5.5 million
shared strings, 94 MB unpacked, which cost 84 s of CPU and 500 MB) and its relatives are refused
with a German message before anything parses them, within a second of CPU and far below 100 MB,
and nothing is stored. Workbooks as large as the import allows still pass."""

import io
import resource
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.conf import settings
from django.test import TestCase
from django.urls import reverse

from inventory.import_files import read_rows, upload_check
from inventory.import_format import COLUMNS, ImportFileError
from inventory.models import Project, ProjectImport

from .import_bombs import (
    _MAIN,
    _workbook_parts,
    _zip,
    cells_bomb,
    entity_bomb,
    shared_strings_bomb,
)

pytestmark = pytest.mark.django_db

TOO_LARGE = "Die Arbeitsmappe ist entpackt zu groß (höchstens 60,0\xa0MB)."
TOO_MANY_TEXTS = "Die Arbeitsmappe enthält mehr als 200.000 verschiedene Texte."
TOO_COMPLEX = (
    "Die Arbeitsmappe ist zu komplex, um gelesen zu werden. Bitte speichern Sie sie in einem "
    "Tabellenprogramm erneut als .xlsx oder laden Sie sie als CSV hoch."
)
DAMAGED = "Die Datei ist beschädigt und kann nicht gelesen werden."
COLUMNS_BEYOND = (
    "Die Datei hat Zellen rechts von Spalte IV. Bitte löschen Sie die Spalten rechts von Ihren "
    "Daten."
)
BEYOND_ROW = (
    "Die Datei reicht über Zeile 100.000 hinaus. Bitte löschen Sie die Zeilen unterhalb Ihrer "
    "Daten."
)
CPU_LIMIT = 1.0
MEMORY_LIMIT = 100 * 2**20


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _cpu_seconds() -> float:
    usage = resource.getrusage(getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF))
    return usage.ru_utime + usage.ru_stime


def _refusal(check, data: bytes) -> str:
    try:
        check(data=data)
    except ImportFileError as error:
        return error.message
    return "accepted"


def cost(check, data: bytes) -> tuple[str, float, int]:
    """The outcome of ``check`` on ``data``, its CPU seconds, and the peak of the memory it
    allocated (measured in a second run under tracemalloc, which slows Python down)."""
    started = _cpu_seconds()
    outcome = _refusal(check, data)
    cpu = _cpu_seconds() - started
    tracemalloc.start()
    try:
        _refusal(check, data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return outcome, cpu, peak


def _kept_files():
    folder = settings.MEDIA_ROOT / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def _upload(client, data, name="projekte.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("inventory:import_upload"), {"file": upload})
    if response.status_code == 302 and "/pruefung/" in response["Location"]:
        return client.get(response["Location"])
    return response


def _nothing_stored() -> bool:
    return (
        not Project.objects.exists()
        and not ProjectImport.objects.filter(rows__isnull=False).exists()
        and _kept_files() == []
    )


def test_the_probes_bomb_is_refused_by_the_web_request_at_once(client, personas):
    bomb = shared_strings_bomb()
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        strings = archive.getinfo("xl/sharedStrings.xml")
    assert len(bomb) < 240_000 and strings.file_size > 90_000_000  # the probe's file

    client.force_login(personas["district_staff"])
    response = _upload(client, bomb, "bombe.xlsx")
    assert response.status_code == 200
    assert TOO_LARGE in response.content.decode()
    assert _nothing_stored() and not ProjectImport.objects.exists()

    # The web request's check, and the worker's full reading of the same file.
    for check in (upload_check, read_rows):
        outcome, cpu, peak = cost(check, bomb)
        assert outcome == TOO_LARGE
        assert cpu < CPU_LIMIT, f"{check.__name__}: {cpu:.2f} s CPU"
        assert peak < MEMORY_LIMIT, f"{check.__name__}: {peak / 2**20:.0f} MB"


def test_a_bomb_within_the_size_limits_is_refused_by_the_worker_within_a_second(client, personas):
    bomb = shared_strings_bomb(strings=2_000_000)  # 34 MB of shared strings in 90 KB
    assert upload_check(data=bomb) is None  # nothing in its zip directory gives it away

    outcome, cpu, peak = cost(read_rows, bomb)
    assert outcome == TOO_MANY_TEXTS
    assert cpu < CPU_LIMIT, f"{cpu:.2f} s CPU"
    assert peak < MEMORY_LIMIT, f"{peak / 2**20:.0f} MB"

    client.force_login(personas["district_staff"])
    response = _upload(client, bomb, "bombe.xlsx")
    assert response.status_code == 200 and TOO_MANY_TEXTS in response.content.decode()
    assert ProjectImport.objects.get().problem == TOO_MANY_TEXTS
    assert _nothing_stored()


def _sheet(rows: str) -> bytes:
    parts = _workbook_parts()
    parts["xl/worksheets/sheet1.xml"] = (
        f'<worksheet xmlns="{_MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    ).encode()
    return _zip(parts)


def _with_part(name: str, content: bytes, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in _workbook_parts().items():
            archive.writestr(part, data)
        archive.writestr(name, content, compress_type=compression)
    return buffer.getvalue()


def _many_parts() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part, data in _workbook_parts().items():
            archive.writestr(part, data)
        for number in range(200):
            archive.writestr(f"customXml/item{number}.xml", "<a/>")
    return buffer.getvalue()


def _hidden_strings() -> bytes:
    """The shared strings bomb stored as a "picture": found by its content, not its name."""
    with zipfile.ZipFile(io.BytesIO(shared_strings_bomb(strings=1_000_000))) as archive:
        strings = archive.read("xl/sharedStrings.xml")
    return _with_part("xl/media/image1.png", strings)


HOSTILE = {
    "cells-far-right": (lambda: cells_bomb(rows=300_000), COLUMNS_BEYOND),
    "row-far-down": (
        lambda: _sheet('<row r="100001"><c r="A100001"><v>1</v></c></row>'),
        BEYOND_ROW,
    ),
    "many-padded-cells": (
        lambda: _sheet("".join(f'<row r="{n}"><c r="IV{n}"/></row>' for n in range(1, 4000))),
        "Die Datei hat mehr als 1.000.000 Zellen.",
    ),
    "entities": (entity_bomb, DAMAGED),
    "attribute-flood": (
        lambda: _with_part(
            "docProps/custom.xml",
            b"<a " + b" ".join(b'a%d=""' % n for n in range(300)) + b"/>",
        ),
        TOO_COMPLEX,
    ),
    "tag-flood": (
        lambda: _with_part("docProps/custom.xml", b"<a>" + b"<b/>" * 1_600_000 + b"</a>"),
        TOO_COMPLEX,
    ),
    "hidden-shared-strings": (_hidden_strings, TOO_MANY_TEXTS),
    "many-parts": (_many_parts, "Die Arbeitsmappe besteht aus mehr als 200 Teilen."),
    "bzip2": (
        lambda: _with_part("docProps/custom.xml", b"<a/>", compression=zipfile.ZIP_BZIP2),
        DAMAGED,
    ),
    "csv-many-columns": (
        lambda: ";".join(["Schlüssel"] + ["x"] * 300).encode(),
        COLUMNS_BEYOND,
    ),
    "csv-many-cells": (
        lambda: b"Schl\xc3\xbcssel" + b";" * 1_100_000,
        "Die Datei hat mehr als 1.000.000 Zellen.",
    ),
    "csv-blank-lines": (
        lambda: "Schlüssel;Kommune;Titel;Status\n".encode() + b"\n" * 4_000_000,
        BEYOND_ROW,
    ),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_files_are_refused_before_parsing_within_a_second(db, kind):
    build, message = HOSTILE[kind]
    data = build()
    outcome, cpu, peak = cost(read_rows, data)
    assert outcome == message
    assert cpu < CPU_LIMIT, f"{cpu:.2f} s CPU"
    assert peak < MEMORY_LIMIT, f"{peak / 2**20:.0f} MB"


def test_a_full_template_of_5000_projects_passes_the_checks_quickly(db):
    """What the import allows: 5,000 rows, every column filled, long descriptions."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Projekte")
    sheet.append([column.header for column in COLUMNS])
    text = "Digitalisierung der Verwaltung mit Bürgerportal und Breitbandausbau. " * 20
    for number in range(5000):
        sheet.append(
            [f"DUE-{number:05d}", "Dülmen", f"Projekt {number}", f"{number} {text}"]
            + [f"Wert {number} {column.header}" for column in COLUMNS[4:]]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    assert len(data) < 5 * 2**20

    from inventory.import_limits import workbook_content_check, zip_directory_check

    started = time.process_time()
    workbook_content_check(archive=zip_directory_check(data=data))
    assert time.process_time() - started < 3 * CPU_LIMIT

"""The minutes PDF of a realistic session, rendered by the task in-process: content, tagged
PDF/UA with title and language, embedded fonts from the repository, nothing fetched from
outside the allowed folders."""

import logging
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from django.conf import settings

from workshops import minutes
from workshops.minutes_tasks import render_minutes
from workshops.models import MinutesRender

from . import test_minutes_data as data

# Fixtures shared by the minutes tests.
media, facilitator, minutes_session = data.media, data.facilitator, data.minutes_session

pytestmark = pytest.mark.django_db


def _run(*command) -> str:
    assert shutil.which(command[0]), f"{command[0]} (poppler-utils) is missing"
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _text(path: Path) -> str:
    """The text of the PDF on one line, with the renderer's hyphenation undone."""
    text = _run("pdftotext", "-layout", "-enc", "UTF-8", str(path), "-")
    return re.sub(r"\s+", " ", re.sub("\u2010\\s*\n\\s*", "", text))


def _streams(pdf: bytes) -> bytes:
    """All (decompressed) stream contents, where the catalogue of a PDF 1.7 lives."""
    out = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(out)


@pytest.fixture
def rendered(minutes_session, facilitator, monkeypatch, caplog):
    """The task renders the PDF; the fetcher it used is kept for inspection."""
    fetchers = []
    make_fetcher = minutes.pdf_fetcher

    def recording_fetcher(*style_dirs):
        fetchers.append(make_fetcher(*style_dirs))
        return fetchers[-1]

    monkeypatch.setattr(minutes, "pdf_fetcher", recording_fetcher)
    job, _ = minutes.minutes_render_request(session=minutes_session, user=facilitator)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_minutes(job.pk)
    job.refresh_from_db()
    assert job.status == MinutesRender.Status.DONE, job.error
    return {
        "job": job,
        "path": Path(job.file.path),
        "fetcher": fetchers[0],
        "renderer_log": [r for r in caplog.records if r.name.startswith("weasyprint")],
    }


def test_pdf_contains_the_minutes(rendered):
    text = _text(rendered["path"])
    assert "Themenworkshop Mobilität und Verkehr" in text
    assert "Kreishaus Coesfeld, Sitzungssaal 1" in text
    assert "Dienstag, 3. März 2026" in text and "09:30" in text and "12:40" in text
    assert "Priorisierte themenspezifische Workshops" in text  # the process step
    # Agenda with planned times.
    for title, _minutes in data.AGENDA:
        assert title in text
    assert "09:45–10:15 Impuls: Mobilität im ländlichen Raum 30" in text
    # Attendance: who attended, and who was invited but absent.
    for name, place in data.ATTENDEES:
        assert f"{name} {place}" in text
    assert "Maria Möllers (Dülmen)" in text
    # Cards grouped by cluster (each card first appears under its cluster's heading, before
    # the vote tables list it again), unclustered cards last; merged cards are left out.
    starts = [text.index(cluster) for cluster in data.CLUSTERS]
    assert starts == sorted(starts)
    ends = starts[1:] + [len(text)]
    for (cluster, cards), start, end in zip(data.CLUSTERS.items(), starts, ends, strict=True):
        for card in cards:
            assert start < text.index(card) < end, (cluster, card)
    assert text.index(data.UNCLUSTERED[0]) > text.index(data.CLUSTERS["Radverkehr"][-1])
    assert data.MERGED not in text
    # Dot votes (ranks and dots) and the rating (means), from the shared result tables.
    assert "1 Mobilstationen an allen Bahnhöfen mit Fahrradboxen 15" in text
    assert "2 Rufbus per App buchbar machen, auch abends und am Wochenende 14" in text
    assert "1 Mobilitätsstationen 7" in text
    assert "Nutzen und Aufwand der Cluster" in text
    assert "1 Mobilitätsstationen 5,0 2,0" in text
    assert "Noch offene Abfrage" not in text  # not finished, not in the minutes
    # Promoted results, decisions, photos, summary.
    assert "Kreisweiter Rufbus mit App-Buchung" in text
    assert "Der Kreis prüft Förderprogramme für Mobilstationen." in text
    assert "Flipchart Gruppe 1" in text and "Flipchart Gruppe 2" in text
    assert "Besonders hohe Zustimmung fanden Mobilstationen" in text
    # Running header and page numbers.
    assert f"Seite 1 von {rendered['job'].pages}" in text
    assert f"Seite {rendered['job'].pages} von {rendered['job'].pages}" in text


def test_pdf_is_tagged_with_title_and_language(rendered):
    info = _run("pdfinfo", str(rendered["path"]))
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    title = re.search(r"^Title:\s+(.+)$", info, re.MULTILINE)
    assert title and "Themenworkshop Mobilität und Verkehr" in title.group(1)
    pages = int(re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE).group(1))
    assert pages == rendered["job"].pages
    content = _streams(rendered["path"].read_bytes())
    assert b"/Lang (de)" in content
    assert b"/StructTreeRoot" in content and b"/MarkInfo" in content
    # Charts and photos are figures with alternative text.
    assert b"/Alt (Punktabfrage: Welche Ideen zuerst?)" in content
    assert b"/Alt (Flipchart Gruppe 1)" in content
    # The renderer had nothing to complain about (missing alt texts, fonts, resources).
    assert not rendered["renderer_log"], [r.getMessage() for r in rendered["renderer_log"]]


def test_pdf_embeds_the_shipped_fonts_only(rendered):
    lines = _run("pdffonts", str(rendered["path"])).splitlines()[2:]
    assert lines
    for line in lines:
        columns = line.split()
        name, embedded = columns[0], columns[-5]
        assert embedded == "yes", line
        assert name.split("+")[-1].startswith("Portal-Sans"), line
    fetched = rendered["fetcher"].fetched
    fonts = Path(settings.BASE_DIR, "coesfeld_strategy", "fonts")
    for font in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"):
        assert (fonts / font).as_uri() in fetched
    assert all(url.startswith(("file:", "data:")) for url in fetched)


def test_html_is_german_with_hyphenation(minutes_session):
    html = minutes.minutes_pdf_html(minutes.minutes_content(session_id=minutes_session.pk))
    assert html.startswith("<!doctype html>") or '<html lang="de">' in html
    assert '<html lang="de">' in html
    css = (minutes.PDF_STYLE_DIR / "minutes.css").read_text()
    assert "hyphens: auto" in css and '"Seite " counter(page) " von " counter(pages)' in css


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/tracker.png",
        "https://example.org/font.ttf",
        "ftp://example.org/x.css",
        "file:///etc/passwd",
        "file://otherhost/srv/media/x.jpg",
        "{fonts}/../../../../etc/passwd",
        "{media}/../secret.txt",
    ],
)
def test_fetcher_refuses_everything_outside_the_allowed_folders(url, media):
    fonts_uri = Path(settings.BASE_DIR, "coesfeld_strategy", "fonts").as_uri()
    url = url.format(fonts=fonts_uri, media=Path(media).as_uri())
    (Path(media).parent / "secret.txt").write_text("geheim")
    fetcher = minutes.pdf_fetcher()
    assert not fetcher.allows(url)
    with pytest.raises(ValueError):
        fetcher.build().fetch(url)
    assert fetcher.fetched == []


def test_fetcher_reads_fonts_media_and_data_urls(media):
    (Path(media) / "foto.jpg").write_bytes(data.jpeg_bytes(exif=False))
    fetcher = minutes.pdf_fetcher().build()
    fonts = Path(settings.BASE_DIR, "coesfeld_strategy", "fonts")
    for url in [
        (fonts / "DejaVuSans.ttf").as_uri(),
        (Path(media) / "foto.jpg").as_uri(),
        "data:text/plain;base64,SGFsbG8=",
    ]:
        response = fetcher.fetch(url)
        assert response.read()
        response.close()

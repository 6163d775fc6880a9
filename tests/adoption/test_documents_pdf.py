"""The strategy PDF itself: content, table of contents, running headers, structure and
archival properties (rendered in-process here; tests/adoption/test_documents_worker.py has
the worker render the same through the page)."""

import re
import subprocess

import pikepdf
import pytest
from django.utils import timezone, translation

from adoption.document_content import document_content
from adoption.documents import strategy_pdf
from adoption.models import StrategyDocument
from strategy.models import Municipality, ThemeField

from . import test_documents_data as data

pytestmark = pytest.mark.django_db
media, staff, version = data.media, data.staff, data.version


def pdf_text(path, *, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    text = subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return re.sub(r"[ \t]+", " ", text)


def check_strategy_pdf(path, version, purpose) -> None:
    """What every strategy PDF must show and be; shared with the worker test."""
    text = pdf_text(path)
    flat = re.sub(r"\s+", " ", text)
    with pikepdf.open(path) as pdf:
        pages = len(pdf.pages)
        root = pdf.Root
        # Tagged PDF: structure tree, marked content, language and title for screen readers.
        assert "/StructTreeRoot" in root and root.MarkInfo.Marked
        assert str(root.Lang) == "de"
        assert root.ViewerPreferences.DisplayDocTitle
        title = str(pdf.docinfo["/Title"])
        with pdf.open_metadata() as meta:
            assert "pdfuaid:part" in str(meta) or meta.get("pdfuaid:part") == "1"
        with pikepdf.open(path) as again, again.open_outline() as outline:
            bookmarks = [item.title for item in outline.root]
    assert version.label in title and version.process.title in title

    with translation.override("de"):
        content = document_content(version=version, purpose=purpose)
    chapters = content.chapters
    # Every chapter has a bookmark, an entry in the contents with the page it starts on, and
    # names itself in the running header of that page.
    assert [f"{c.number}. {c.title}" for c in chapters] == bookmarks[1:]
    for chapter in chapters:
        entry = re.search(rf"{chapter.number}\. {re.escape(chapter.title)} \.+ (\d+)", text)
        assert entry, f"no contents entry for {chapter.title}"
        page = int(entry.group(1))
        assert 2 < page <= pages
        on_page = pdf_text(path, page=page)
        assert f"{chapter.number}. {chapter.title}" in on_page.splitlines()[0] + on_page
    assert f"Seite 1 von {pages}" in text and f"Seite {pages} von {pages}" in text
    # Cover: version, its number, purpose.
    cover = pdf_text(path, page=1)
    # The cover dates the version in Berlin time (UTC is still in the old year at 00:30 on 1 Jan).
    assert version.label in cover and f"{timezone.localtime(version.created_at):%Y}" in cover
    assert content.purpose_label in cover
    # Every theme field has its chapter; every participant its part of the annex.
    for field in ThemeField.objects.all():
        assert f". {field.name}" in flat
        assert f"Feldvision {field.name}" in flat
    for municipality in Municipality.objects.all():
        assert f"Digitales Projekt in {municipality.name}" in flat
    assert Municipality.objects.count() == 12
    assert "Auftaktworkshop im Kreishaus" in flat
    # All fonts embedded (archival), and only the fonts shipped with the portal.
    fonts = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts
    assert all("Portal-Sans" in line for line in fonts), fonts


def test_the_pdf_shows_the_whole_strategy_and_is_accessible(version, tmp_path):
    purpose = StrategyDocument.Purpose.COUNCIL_SUBMISSION
    pdf, pages = strategy_pdf(version=version, purpose=purpose)
    path = tmp_path / "strategie.pdf"
    path.write_bytes(pdf)
    assert pdf.startswith(b"%PDF-1.7") and pages > 20
    check_strategy_pdf(path, version, purpose)


def test_the_pdf_shows_the_frozen_state_not_later_edits(version, tmp_path):
    ThemeField.objects.filter(name="Mobilität").update(name="Verkehr neu")
    from roadmaps.models import FieldPlan

    FieldPlan.objects.update(vision="Später geändert")
    pdf, _pages = strategy_pdf(version=version, purpose=StrategyDocument.Purpose.DRAFT)
    path = tmp_path / "strategie.pdf"
    path.write_bytes(pdf)
    text = re.sub(r"\s+", " ", pdf_text(path))
    assert "Feldvision Mobilität" in text and "Später geändert" not in text


def test_a_version_without_decisions_says_so(version, tmp_path):
    from adoption.documents import adoption_status_rows

    assert adoption_status_rows(version) == []
    with translation.override("en"):
        content = document_content(version=version, purpose="draft")
    assert content.adoption_rows == [] and content.chapters[-1].key == "adoption"


def test_markdown_headings_stay_below_the_chapter_heading():
    from adoption.document_content import markdown_in_chapter

    html = markdown_in_chapter("# Eins\n## Zwei\n##### Fünf\n<script>x</script>")
    # render_markdown already starts at h2; in a chapter that becomes h4 (h2 chapter, h3 section).
    assert "<h4>Eins</h4>" in html and "<h4>Zwei</h4>" in html and "<h6>Fünf</h6>" in html
    assert "<script>" not in html and "<h2>" not in html


def test_the_adoption_chapter_lists_the_conference_and_all_twelve_bodies(version, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from adoption.decision_services import councils_ensure
    from adoption.documents import adoption_status_rows
    from adoption.models import ConferenceRecommendation, Council

    councils = councils_ensure(process=version.process)
    day = timezone.localdate() - timedelta(days=3)
    ConferenceRecommendation.objects.create(
        process=version.process, version=version, meeting_date=day, outcome="recommended"
    )
    dülmen = next(c for c in councils if c.municipality.name == "Dülmen")
    Council.objects.filter(pk=dülmen.pk).update(result=Council.Result.ADOPTED, decided_on=day)
    rows = adoption_status_rows(version)
    assert len(rows) == 13
    assert rows[0]["date"] == day and rows[1]["body"] == "Kreistag des Kreises Coesfeld"
    by_body = {row["body"]: row for row in rows}
    assert by_body[dülmen.name]["result"] == "Beschlossen" and by_body[dülmen.name]["date"] == day
    pdf, _pages = strategy_pdf(version=version, purpose=StrategyDocument.Purpose.DRAFT)
    path = tmp_path / "strategie.pdf"
    path.write_bytes(pdf)
    text = re.sub(r"\s+", " ", pdf_text(path))
    assert (
        "Bürgermeisterkonferenz" in text
        and dülmen.name in text
        and "Rat der Gemeinde Nottuln" in text
    )


@pytest.mark.clock
def test_the_document_content_lists_held_workshops_in_order_on_any_day(version):
    """Regression: the content of every strategy PDF was built with a "far future" made by
    ``now.replace(year=9999)``, which raises on 29 February (9999 is no leap year). The leap day
    is one of the fixed moments every `clock` test runs at."""
    from datetime import timedelta

    from workshops.models import Workshop, WorkshopSession

    held = Workshop.objects.get(title="Auftaktworkshop im Kreishaus")
    earlier = Workshop.objects.create(
        process=version.process,
        step=held.step,
        kind="kickoff",
        title="Vorgespräch",
        status=Workshop.Status.HELD,
    )
    WorkshopSession.objects.create(
        workshop=earlier, starts_at=timezone.now() - timedelta(days=60), duration_minutes=60
    )
    Workshop.objects.create(
        process=version.process,
        step=held.step,
        kind="kickoff",
        title="Ohne Termin",
        status=Workshop.Status.HELD,
    )
    with translation.override("de"):
        content = document_content(version=version, purpose=StrategyDocument.Purpose.DRAFT)
    titles = [row.workshop.title for row in content.workshops]
    assert titles == ["Vorgespräch", "Auftaktworkshop im Kreishaus", "Ohne Termin"]

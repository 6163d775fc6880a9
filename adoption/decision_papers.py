"""The draft council paper (Beschlussvorlage) of each body: its PDF, made by the worker
(``decision_tasks.render_council_paper`` calls ``council_paper_render_run``; never inside a web
request), and its editable download as a Word document (.docx).

Why .docx: the council offices of the Kreis and the municipalities write their papers in
their council information system or in Word; a .docx opens in Word and LibreOffice and can be
pasted into the RIS template without losing headings and lists. It is written here with the
standard library (a minimal WordprocessingML package), so no extra dependency is needed."""

import hashlib
import re
import zipfile
from collections.abc import Callable
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from roadmaps.markdown import render_markdown
from strategy.jobs import JobQueue
from strategy.pdf import FONTS_DIR, LocalFileFetcher, html_to_pdf, pdf_fetcher

from .models import Council, CouncilPaperRender

PDF_STYLE_DIR = Path(settings.BASE_DIR, "adoption", "pdf")
STALE_RENDER_AFTER = timedelta(minutes=15)

STEP_COLLECTING = gettext_noop("Collecting the content")
STEP_LAYOUT = gettext_noop("Laying out the pages")
STEP_WRITING = gettext_noop("Writing the PDF")
STEP_SAVING = gettext_noop("Saving the file")


def _enqueue_render(render_id: int) -> None:
    from .decision_tasks import render_council_paper

    render_council_paper.delay(render_id)


RENDERS = JobQueue(
    CouncilPaperRender,
    scope_field="council",
    stale_after=STALE_RENDER_AFTER,
    enqueue=_enqueue_render,
)


def council_paper_render_request(*, council: Council, user) -> tuple[CouncilPaperRender, bool]:
    """Ask the worker for a PDF of the council's draft paper; joins a job already running."""
    return RENDERS.request(
        lock=Council.objects.filter(pk=council.pk), scope_id=council.pk, user=user
    )


def council_paper_render_current(*, council: Council) -> CouncilPaperRender | None:
    """The queued or running job of a council, if any."""
    return RENDERS.current(scope_id=council.pk)


def council_paper_render_checked(job: CouncilPaperRender) -> CouncilPaperRender:
    """``job`` as a page should show it: failed if it has been stuck for too long."""
    return RENDERS.checked(job)


def council_paper_filename(council: Council, extension: str) -> str:
    return f"beschlussvorlage-{slugify(council.name)[:60] or council.pk}.{extension}"


# --- The PDF ---------------------------------------------------------------------------------


def council_paper_html(council: Council) -> str:
    """The HTML the PDF is made from (German): the stored Markdown, sanitised."""
    body = str(render_markdown(council.paper_text))
    if council.paper_text.lstrip().startswith("# "):
        # The paper's own title is the document's h1 (the web pages demote it to h2).
        body = body.replace("<h2>", "<h1>", 1).replace("</h2>", "</h1>", 1)
    with translation.override("de"):
        return render_to_string(
            "adoption/decisions/paper_pdf.html",
            {
                "council": council,
                "body": mark_safe(body),  # noqa: S308 - sanitised by render_markdown
                "fonts_css": (FONTS_DIR / "fonts.css").as_uri(),
                "paper_css": (PDF_STYLE_DIR / "council-paper.css").as_uri(),
                "generated_at": timezone.now(),
            },
        )


def council_paper_pdf(
    *,
    council_id: int,
    progress: Callable[[int, str], None] = lambda percent, step: None,
    fetcher: LocalFileFetcher | None = None,
) -> tuple[bytes, int]:
    """Render the draft council paper as a tagged PDF (PDF/UA-1). Returns (pdf, pages)."""
    progress(10, STEP_COLLECTING)
    council = Council.objects.select_related("process").get(pk=council_id)
    html = council_paper_html(council)
    progress(35, STEP_LAYOUT)
    return html_to_pdf(
        html,
        base_dir=PDF_STYLE_DIR,
        fetcher=fetcher or pdf_fetcher(PDF_STYLE_DIR),
        on_laid_out=lambda pages: progress(70, STEP_WRITING),
    )


def council_paper_render_run(*, render_id: int) -> CouncilPaperRender:
    """Render the PDF of a claimed (running) job, store it with its checksums and mark the
    job done. Older PDFs of the same council stay: a PDF sent to a council is a record."""
    job = CouncilPaperRender.objects.get(pk=render_id)

    def progress(percent: int, step: str) -> None:
        RENDERS.progress(render_id, progress=percent, step=step)

    pdf, pages = council_paper_pdf(council_id=job.council_id, progress=progress)
    progress(90, STEP_SAVING)
    name = f"beschlussvorlage-{job.council_id}-{get_random_string(12).lower()}.pdf"
    job.file.save(name, ContentFile(pdf), save=False)
    finished = RENDERS.finish(
        render_id,
        file=job.file.name,
        sha256=hashlib.sha256(pdf).hexdigest(),
        sha512=hashlib.sha512(pdf).hexdigest(),
        size=len(pdf),
        pages=pages,
    )
    if not finished:
        # The job was given up meanwhile (stale); its file would be an orphan.
        job.file.storage.delete(job.file.name)
    job.refresh_from_db()
    return job


# --- The editable download (.docx) -----------------------------------------------------------

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
# Characters XML 1.0 does not allow (control characters, U+FFFE, U+FFFF): a .docx holding one
# is not well-formed and Word refuses to open it.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# The fixed parts of the package (content types, relationships, styles) ship as files.
DOCX_PARTS_DIR = Path(settings.BASE_DIR, "adoption", "docx")


def _part(name: str) -> str:
    return (DOCX_PARTS_DIR / name).read_text(encoding="utf-8")


def _xml_text(text: str) -> str:
    return escape(_NOT_XML.sub("", text))


def _runs(text: str) -> str:
    """WordprocessingML runs of one line: **bold** becomes bold, [text](url) its text."""
    text = _LINK.sub(lambda match: f"{match.group(1)} ({match.group(2)})", text)
    runs, position = [], 0
    for match in _BOLD.finditer(text):
        if match.start() > position:
            runs.append((text[position : match.start()], False))
        runs.append((match.group(1), True))
        position = match.end()
    if position < len(text):
        runs.append((text[position:], False))
    return "".join(
        f"<w:r>{'<w:rPr><w:b/></w:rPr>' if bold else ''}"
        f'<w:t xml:space="preserve">{_xml_text(part)}</w:t></w:r>'
        for part, bold in runs
    )


def _paragraph(text: str, style: str | None = None) -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{props}{_runs(text)}</w:p>"


def markdown_to_docx_body(text: str) -> str:
    """Paragraphs of the paper: headings, bullet lists and plain paragraphs (the subset of
    Markdown the template and the edit form use)."""
    paragraphs, pending = [], []

    def flush():
        if pending:
            paragraphs.append(_paragraph(" ".join(pending)))
            pending.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("# "):
            flush()
            paragraphs.append(_paragraph(line[2:].strip(), "Titel"))
        elif line.startswith("## "):
            flush()
            paragraphs.append(_paragraph(line[3:].strip(), "berschrift1"))
        elif line.startswith("### "):
            flush()
            paragraphs.append(_paragraph(line[4:].strip(), "berschrift2"))
        elif line[:2] in ("- ", "* "):
            flush()
            paragraphs.append(_paragraph("•\t" + line[2:].strip(), "Aufzhlungszeichen"))
        else:
            pending.append(line)
    flush()
    return "".join(paragraphs)


def council_paper_docx(council: Council) -> bytes:
    """The draft council paper as a Word document (.docx, Office Open XML)."""
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{_W}"><w:body>{markdown_to_docx_body(council.paper_text)}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1418" w:right="1134" w:bottom="1134" w:left="1418" w:header="709" '
        'w:footer="709" w:gutter="0"/></w:sectPr></w:body></w:document>'
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_xml_text('Beschlussvorlage: ' + council.name)}</dc:title>"
        "<dc:creator>Kreis Coesfeld</dc:creator><dc:language>de-DE</dc:language>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{timezone.now():%Y-%m-%dT%H:%M:%SZ}'
        "</dcterms:created></cp:coreProperties>"
    )
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _part("content_types.xml"))
        package.writestr("_rels/.rels", _part("rels.xml"))
        package.writestr("word/_rels/document.xml.rels", _part("document_rels.xml"))
        package.writestr("word/document.xml", document)
        package.writestr("word/styles.xml", _part("styles.xml"))
        package.writestr("docProps/core.xml", core)
    return buffer.getvalue()

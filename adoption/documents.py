"""The strategy document: PDF renders of frozen strategy versions.

Reads: the documents of a process with their versions, the adoption status shown in the PDF.
Writes: requesting a render (the web request only creates the job and enqueues it), deleting a
draft render. The PDF itself is made by the worker (``tasks.render_strategy_document``) or by
``manage.py render_strategy``; both call ``strategy_pdf``. Every finished render is kept as a
version of the document with its checksums; a council submission ("Beschlussvorlage") is never
deleted or replaced."""

import hashlib
import logging
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from roadmaps.models import StrategyVersion
from strategy.audit import AuditAction, audit_record
from strategy.jobs import STEP_QUEUED, JobQueue
from strategy.models import StrategyProcess
from strategy.pdf import FONTS_DIR, LocalFileFetcher, html_to_pdf, pdf_fetcher

from .document_content import DocumentContent, document_content
from .models import ConferenceRecommendation, Council, StrategyDocument

logger = logging.getLogger(__name__)

# The task's hard time limit is 10 minutes; a job still queued or running after 15 lost its
# worker and is marked failed (``strategy.jobs``; a running job whose worker stops writing its
# heartbeat is found much sooner).
STALE_RENDER_AFTER = timedelta(minutes=15)
PDF_STYLE_DIR = Path(settings.BASE_DIR, "adoption", "pdf")
SVG_CSS = (PDF_STYLE_DIR / "strategy-svg.css",)

STEP_COLLECTING = gettext_noop("Collecting the content")
STEP_LAYOUT = gettext_noop("Laying out the pages")
STEP_WRITING = gettext_noop("Writing the PDF")
STEP_SAVING = gettext_noop("Saving the file")


class DocumentError(Exception):
    """A request about a strategy document that is not possible; shown to the user."""


def adoption_status_rows(version: StrategyVersion) -> list[dict]:
    """The adoption status of the version's edition for the chapter "Adoption status" of the
    PDF: the mayors' conference, then the Kreistag and the councils, one row each with body,
    date and result (two queries). Empty while no body is set up; pending bodies are listed
    as pending, so the reader sees who has still to decide."""
    rows = []
    conference = ConferenceRecommendation.objects.filter(process_id=version.process_id).first()
    if conference is not None:
        rows.append(
            {
                "body": _("Mayors' conference"),
                "date": conference.meeting_date,
                "result": conference.get_outcome_display(),
            }
        )
    councils = Council.objects.filter(process_id=version.process_id).select_related("municipality")
    rows.extend(
        {
            "body": council.name,
            "date": council.decided_on,
            "result": council.get_result_display(),
        }
        for council in sorted(
            councils, key=lambda c: (not c.municipality.is_district, c.municipality.name)
        )
    )
    return rows


# --- Render jobs -----------------------------------------------------------------------------


def _enqueue_render(document_id: int) -> None:
    from .tasks import render_strategy_document

    render_strategy_document.delay(document_id)


class DocumentQueue(JobQueue):
    """The jobs of one strategy version; a version's draft and its council submission may be
    rendered side by side, so an active job is joined only if it has the same purpose."""

    def request(self, *, lock: models.QuerySet, scope_id, user, purpose: str, **fields):
        with transaction.atomic():
            lock.select_for_update().first()
            self.fail_stale(scope_id=scope_id)
            scoped = self._scoped(scope_id).filter(purpose=purpose)
            current = scoped.filter(status__in=self.model.ACTIVE).order_by("requested_at").first()
            if current is not None:
                return current, False
            if purpose == StrategyDocument.Purpose.COUNCIL_SUBMISSION and scoped.filter(
                status=StrategyDocument.Status.DONE
            ):
                raise DocumentError(
                    _(
                        "The council submission of this version exists already. It is kept "
                        "unchanged and cannot be rendered again."
                    )
                )
            try:
                with transaction.atomic():
                    job = self.model.objects.create(
                        **{f"{self.scope_field}_id": scope_id},
                        requested_by=user,
                        step=STEP_QUEUED,
                        purpose=purpose,
                        **fields,
                    )
            except IntegrityError:
                # Only possible for a council submission requested at the same moment.
                raise DocumentError(
                    _("The council submission of this version is being created already.")
                ) from None
            transaction.on_commit(lambda: self.enqueue(job.pk))
            return job, True


DOCUMENTS = DocumentQueue(
    StrategyDocument,
    scope_field="version",
    stale_after=STALE_RENDER_AFTER,
    enqueue=_enqueue_render,
)


def document_request(
    *, version: StrategyVersion, purpose: str, user, request=None
) -> tuple[StrategyDocument, bool]:
    """Ask the worker for a PDF of ``version`` with ``purpose`` on the cover. Returns the job
    and whether it is new; a job of the same version and purpose that is still queued or
    running is joined instead. Only the district administration issues a council submission.
    """
    if purpose not in StrategyDocument.Purpose.values:
        raise DocumentError(_("Please choose what the document is for."))
    if purpose == StrategyDocument.Purpose.COUNCIL_SUBMISSION and not user.has_perm(
        "adoption.render_submission"
    ):
        raise DocumentError(_("Only the district administration issues the council submission."))
    job, created = DOCUMENTS.request(
        lock=StrategyVersion.objects.filter(pk=version.pk),
        scope_id=version.pk,
        user=user,
        purpose=purpose,
    )
    if created:
        audit_record(
            action=AuditAction.RENDER,
            actor=user,
            request=request,
            target=job,
            summary="Strategy PDF requested",
            details={"version": version.number, "purpose": purpose, "process": version.process_id},
        )
    return job, created


def document_checked(document: StrategyDocument) -> StrategyDocument:
    """``document`` as a page should show it: failed if its job has been stuck too long."""
    return DOCUMENTS.checked(document)


@transaction.atomic
def document_delete(*, document: StrategyDocument, user, request=None) -> None:
    """Delete a render that is no longer wanted (and its file, once that is committed). A
    council submission is kept for good; a job that still runs is left alone."""
    locked = StrategyDocument.objects.select_for_update().get(pk=document.pk)
    if locked.is_council_submission and locked.status != StrategyDocument.Status.FAILED:
        raise DocumentError(_("The council submission is kept unchanged and cannot be deleted."))
    if locked.is_active:
        raise DocumentError(_("The PDF is still being created; it can be deleted afterwards."))
    storage, name = locked.file.storage, locked.file.name
    audit_record(
        action=AuditAction.RENDER,
        actor=user,
        request=request,
        target=locked,
        summary="Strategy PDF deleted",
        details={"version": locked.version_id, "sha256": locked.sha256},
    )
    locked.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def document_downloaded(*, document: StrategyDocument, user, request=None) -> None:
    """Record that ``user`` downloaded ``document`` (audit log)."""
    audit_record(
        action=AuditAction.DOWNLOAD,
        actor=user,
        request=request,
        target=document,
        summary="Strategy PDF downloaded",
        details={"version": document.version_id, "sha256": document.sha256},
    )


# --- Reads -----------------------------------------------------------------------------------


@dataclass
class VersionDocuments:
    """A frozen version with all its renders, newest first."""

    version: StrategyVersion
    documents: list[StrategyDocument]

    @property
    def has_submission(self) -> bool:
        return any(d.is_council_submission and d.is_done for d in self.documents)


def documents_by_version(*, process: StrategyProcess) -> list[VersionDocuments]:
    """Every frozen version of ``process`` (newest first) with its renders (two queries)."""
    DOCUMENTS.fail_stale()
    versions = list(
        StrategyVersion.objects.filter(process=process)
        .select_related("created_by")
        .defer("content")
        .order_by("-number")
    )
    documents: dict[int, list[StrategyDocument]] = {v.pk: [] for v in versions}
    for document in (
        StrategyDocument.objects.filter(version__process=process)
        .select_related("requested_by")
        .order_by("-requested_at", "-pk")
    ):
        documents[document.version_id].append(document)
    return [VersionDocuments(version=v, documents=documents[v.pk]) for v in versions]


# --- The PDF ---------------------------------------------------------------------------------


def strategy_pdf_html(content: DocumentContent) -> str:
    """The HTML the PDF is made from (German, ``lang="de"``)."""
    with translation.override("de"):
        return render_to_string(
            "adoption/documents/pdf.html",
            {
                "content": content,
                "version": content.version,
                "fonts_css": (FONTS_DIR / "fonts.css").as_uri(),
                "strategy_css": (PDF_STYLE_DIR / "strategy.css").as_uri(),
            },
        )


def strategy_pdf(
    *,
    version: StrategyVersion,
    purpose: str,
    progress: Callable[[int, str], None] = lambda percent, step: None,
    fetcher: LocalFileFetcher | None = None,
) -> tuple[bytes, int]:
    """Render ``version`` as a tagged PDF (PDF/UA-1) with ``purpose`` on the cover. Returns
    ``(pdf, pages)``. The one code path of the worker and of ``manage.py render_strategy``."""
    progress(10, STEP_COLLECTING)
    with translation.override("de"):
        content = document_content(version=version, purpose=purpose)
    html = strategy_pdf_html(content)
    progress(30, STEP_LAYOUT)
    return html_to_pdf(
        html,
        base_dir=PDF_STYLE_DIR,
        fetcher=fetcher or pdf_fetcher(PDF_STYLE_DIR),
        on_laid_out=lambda pages: progress(75, STEP_WRITING),
        svg_css=SVG_CSS,
    )


def peak_memory_bytes() -> int:
    """The high-water mark of this process's resident memory (``ru_maxrss``)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def document_run(*, document_id: int, time_limit: float | None = None) -> StrategyDocument:
    """Render the PDF of a claimed (running) job, store it with its checksums and mark the
    job done. Called by the task inside ``DOCUMENTS.run``; past ``time_limit`` seconds the
    render stops with Celery's ``SoftTimeLimitExceeded`` at the next step."""
    from celery.exceptions import SoftTimeLimitExceeded

    job = StrategyDocument.objects.select_related("version").get(pk=document_id)
    started = time.monotonic()

    def progress(percent: int, step: str) -> None:
        if time_limit and time.monotonic() - started > time_limit:
            raise SoftTimeLimitExceeded()
        DOCUMENTS.progress(document_id, progress=percent, step=step)

    pdf, pages = strategy_pdf(version=job.version, purpose=job.purpose, progress=progress)
    seconds = time.monotonic() - started
    progress(90, STEP_SAVING)
    name = f"strategie-v{job.version.number}-{job.purpose}-{get_random_string(12).lower()}.pdf"
    job.file.save(name, ContentFile(pdf), save=False)
    finished = DOCUMENTS.finish(
        document_id,
        file=job.file.name,
        sha256=hashlib.sha256(pdf).hexdigest(),
        sha512=hashlib.sha512(pdf).hexdigest(),
        size=len(pdf),
        pages=pages,
        render_seconds=round(seconds, 2),
        peak_memory=peak_memory_bytes(),
    )
    if not finished:
        # The job was given up meanwhile (stale); its file would be an orphan.
        job.file.storage.delete(job.file.name)
    job.refresh_from_db()
    logger.info(
        "strategy document %s: %s pages, %s bytes, %.1f s", document_id, pages, len(pdf), seconds
    )
    return job


def document_download_name(document: StrategyDocument) -> str:
    version = document.version
    stamp = timezone.localtime(document.finished_at or document.requested_at)
    return f"digitalstrategie-v{version.number}-{document.purpose}-{stamp:%Y-%m-%d}.pdf"

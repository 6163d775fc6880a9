"""The minutes (Protokoll) of a workshop session.

Reads: what goes into the minutes (``minutes_content``) and the render jobs a page shows.
Writes: editing, finalising and re-opening the minutes, requesting a PDF (the flipchart
photos: ``minutes_photos``). The PDF itself is made by the worker
(``minutes_tasks.render_minutes``), which calls ``minutes_render_run``; it is never rendered
inside a web request."""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from strategy.jobs import (  # noqa: F401 - the task and tests use the messages from here
    ERROR_FAILED,
    ERROR_NOT_QUEUED,
    ERROR_STALE,
    ERROR_TIME_LIMIT,
    STEP_DONE,
    STEP_QUEUED,
    JobQueue,
)
from strategy.pdf import FONTS_DIR, LocalFileFetcher, html_to_pdf, pdf_fetcher

from .models import (
    Activity,
    AgendaItem,
    Attendance,
    Card,
    Cluster,
    MinutesRender,
    PromotedResult,
    SessionPhoto,
    WorkshopSession,
)
from .results import RatingRow, VoteRow, dot_vote_results, rating_results

logger = logging.getLogger(__name__)

# A job still queued or running after this long lost its worker (the hard task time limit is
# 10 minutes); it is marked failed so that no job shows as running forever and a new one can
# be requested.
STALE_RENDER_AFTER = timedelta(minutes=15)

PDF_STYLE_DIR = Path(settings.BASE_DIR, "workshops", "pdf")

# Steps and errors are stored as message ids and translated when a page shows them.
STEP_COLLECTING = gettext_noop("Collecting the content")
STEP_LAYOUT = gettext_noop("Laying out the pages")
STEP_WRITING = gettext_noop("Writing the PDF")
STEP_SAVING = gettext_noop("Saving the file")

ACTIVE = (MinutesRender.Status.QUEUED, MinutesRender.Status.RUNNING)


class MinutesError(Exception):
    """A change of the minutes that is not possible; the message is shown to the user."""


# --- What goes into the minutes --------------------------------------------------------------


@dataclass
class AgendaRow:
    """An agenda item with its planned start and end, derived from the items before it."""

    item: AgendaItem
    starts_at: datetime
    ends_at: datetime


@dataclass
class AttendanceRow:
    """Someone invited to the session: name and whom they represent."""

    name: str
    organisation: str


@dataclass
class CardGroup:
    """The cards of one cluster (``cluster`` is None for cards not put in a cluster)."""

    cluster: Cluster | None
    cards: list[Card]


@dataclass
class ActivityResult:
    """A finished dot vote or rating with its result rows (``VoteRow`` or ``RatingRow``)."""

    activity: Activity
    rows: list[VoteRow] | list[RatingRow]
    chart_id: str


@dataclass
class PhotoRow:
    """A photo with the ``file:`` address the PDF renderer reads it from."""

    photo: SessionPhoto
    uri: str


@dataclass
class MinutesContent:
    """Everything the minutes PDF shows, read in a bounded number of queries."""

    session: WorkshopSession
    facilitators: list[str]
    agenda: list[AgendaRow]
    attended: list[AttendanceRow]
    absent: list[AttendanceRow]
    card_groups: list[CardGroup]
    card_count: int
    dot_votes: list[ActivityResult]
    ratings: list[ActivityResult]
    promoted: list[PromotedResult]
    photos: list[PhotoRow] = field(default_factory=list)

    @property
    def workshop(self):
        return self.session.workshop


def _attendance_row(attendance: Attendance) -> AttendanceRow:
    invitation = attendance.invitation
    user = invitation.user
    name = invitation.name or (user.get_full_name() if user else "") or invitation.email
    if invitation.municipality:
        organisation = invitation.municipality.name
    elif invitation.actor_group:
        organisation = invitation.actor_group.name
    elif user and user.municipality_id:
        organisation = user.municipality.name
    else:
        organisation = ""
    return AttendanceRow(name=name, organisation=organisation)


def _agenda_rows(session: WorkshopSession) -> list[AgendaRow]:
    rows, start = [], session.starts_at
    for item in AgendaItem.objects.filter(session=session).order_by("position", "pk"):
        end = start + timedelta(minutes=item.duration_minutes)
        rows.append(AgendaRow(item=item, starts_at=start, ends_at=end))
        start = end
    return rows


def _card_groups(session: WorkshopSession) -> tuple[list[CardGroup], int]:
    """Cards by cluster in the clusters' order, unclustered cards last; merged cards are
    left out (their text lives on in the card they were merged into)."""
    cards = list(
        Card.objects.filter(session=session, merged_into__isnull=True)
        .select_related("theme_field")
        .order_by("created_at", "pk")
    )
    by_cluster: dict[int | None, list[Card]] = {}
    for card in cards:
        by_cluster.setdefault(card.cluster_id, []).append(card)
    groups = [
        CardGroup(cluster=cluster, cards=by_cluster[cluster.pk])
        for cluster in Cluster.objects.filter(session=session)
        if cluster.pk in by_cluster
    ]
    if None in by_cluster:
        groups.append(CardGroup(cluster=None, cards=by_cluster[None]))
    return groups, len(cards)


def minutes_content(*, session_id: int) -> MinutesContent:
    """Read everything the minutes of a session show (results of finished activities only)."""
    session = WorkshopSession.objects.select_related(
        "workshop", "workshop__process", "workshop__step", "workshop__step__phase"
    ).get(pk=session_id)
    attendance = list(
        Attendance.objects.filter(session=session).select_related(
            "invitation__user__municipality",
            "invitation__municipality",
            "invitation__actor_group",
        )
    )
    attended = sorted(
        (_attendance_row(a) for a in attendance if a.attended), key=lambda r: r.name.casefold()
    )
    absent = sorted(
        (_attendance_row(a) for a in attendance if not a.attended),
        key=lambda r: r.name.casefold(),
    )

    finished = list(
        Activity.objects.filter(
            session=session,
            status=Activity.Status.CLOSED,
            kind__in=[Activity.Kind.DOT_VOTE, Activity.Kind.RATING],
        ).order_by("position", "pk")
    )
    dot_votes = [
        ActivityResult(activity=a, rows=dot_vote_results(a), chart_id=f"vote-{a.pk}")
        for a in finished
        if a.kind == Activity.Kind.DOT_VOTE
    ]
    ratings = [
        ActivityResult(activity=a, rows=rating_results(a), chart_id=f"rating-{a.pk}")
        for a in finished
        if a.kind == Activity.Kind.RATING
    ]
    card_groups, card_count = _card_groups(session)
    return MinutesContent(
        session=session,
        facilitators=[
            user.get_full_name() or user.username
            for user in session.workshop.facilitators.order_by("last_name", "first_name")
        ],
        agenda=_agenda_rows(session),
        attended=attended,
        absent=absent,
        card_groups=card_groups,
        card_count=card_count,
        dot_votes=dot_votes,
        ratings=ratings,
        promoted=list(
            PromotedResult.objects.filter(activity__session=session)
            .select_related("theme_field")
            .order_by("kind", "rank", "pk")
        ),
        photos=[
            PhotoRow(photo=photo, uri=Path(photo.image.path).as_uri())
            for photo in SessionPhoto.objects.filter(
                session=session, status=SessionPhoto.Status.READY
            )
            .exclude(image="")
            .order_by("uploaded_at", "pk")
        ],
    )


# --- Editing the minutes -----------------------------------------------------------------------


def _lock_open(session: WorkshopSession) -> WorkshopSession:
    locked = WorkshopSession.objects.select_for_update().get(pk=session.pk)
    if locked.minutes_finalised_at:
        raise MinutesError(
            _("The minutes are finalised. Re-open them first if they need to be changed.")
        )
    return locked


@transaction.atomic
def minutes_save(*, session: WorkshopSession, summary: str, decisions: str) -> WorkshopSession:
    """Save the summary and the decisions of a session; refused once the minutes are final."""
    locked = _lock_open(session)
    locked.summary, locked.decisions = summary, decisions
    locked.full_clean(validate_unique=False, validate_constraints=False)
    locked.save(update_fields=["summary", "decisions"])
    return locked


@transaction.atomic
def minutes_finalise(*, session: WorkshopSession) -> WorkshopSession:
    """Mark the minutes final: from now on they are only changed after re-opening them."""
    locked = _lock_open(session)
    locked.minutes_finalised_at = timezone.now()
    locked.save(update_fields=["minutes_finalised_at"])
    return locked


@transaction.atomic
def minutes_reopen(*, session: WorkshopSession) -> WorkshopSession:
    """Make finalised minutes editable again."""
    locked = WorkshopSession.objects.select_for_update().get(pk=session.pk)
    if not locked.minutes_finalised_at:
        raise MinutesError(_("The minutes are not finalised."))
    locked.minutes_finalised_at = None
    locked.save(update_fields=["minutes_finalised_at"])
    return locked


# --- Render jobs -----------------------------------------------------------------------------


def _enqueue_render(render_id: int) -> None:
    from .minutes_tasks import render_minutes

    render_minutes.delay(render_id)


RENDERS = JobQueue(
    MinutesRender,
    scope_field="session",
    stale_after=STALE_RENDER_AFTER,
    enqueue=_enqueue_render,
)


def minutes_renders_fail_stale(*, session_id: int | None = None) -> int:
    """Mark jobs failed whose worker was lost or that have been queued or running for longer
    than 15 minutes."""
    return RENDERS.fail_stale(scope_id=session_id)


def minutes_render_checked(job: MinutesRender) -> MinutesRender:
    """``job`` as a page should show it: failed if it has been stuck for too long."""
    return RENDERS.checked(job)


def minutes_render_request(*, session: WorkshopSession, user) -> tuple[MinutesRender, bool]:
    """Ask the worker for a PDF of the minutes. Returns the job and whether it is new.

    While a job of the same session is queued or running, that job is returned instead of
    starting a second one. The task is enqueued once the job is committed."""
    return RENDERS.request(
        lock=WorkshopSession.objects.filter(pk=session.pk), scope_id=session.pk, user=user
    )


def minutes_render_current(*, session: WorkshopSession) -> MinutesRender | None:
    """The queued or running job of a session, if any."""
    return RENDERS.current(scope_id=session.pk)


def minutes_render_latest_done(*, session: WorkshopSession) -> MinutesRender | None:
    """The newest finished PDF of a session, if any."""
    return (
        MinutesRender.objects.filter(session=session, status=MinutesRender.Status.DONE)
        .exclude(file="")
        .order_by("-finished_at", "-pk")
        .first()
    )


def minutes_render_progress(*, render_id: int, progress: int, step: str) -> None:
    """Record the progress of a running job (written by the worker, polled by the page)."""
    RENDERS.progress(render_id, progress=progress, step=step)


def minutes_render_fail(*, render_id: int, error: str) -> None:
    """Mark a running job failed with ``error`` (a message id, translated when shown)."""
    RENDERS.fail(render_id, error=error)


def minutes_render_run(*, render_id: int) -> MinutesRender:
    """Render the PDF of a claimed (running) job, store it and mark the job done.

    Older finished PDFs of the same session are deleted: the newest one is the minutes."""
    job = MinutesRender.objects.select_related("session").get(pk=render_id)

    def progress(percent: int, step: str) -> None:
        minutes_render_progress(render_id=render_id, progress=percent, step=step)

    pdf, pages = minutes_pdf(session_id=job.session_id, progress=progress)
    progress(90, STEP_SAVING)
    name = f"protokoll-sitzung-{job.session_id}-{get_random_string(12).lower()}.pdf"
    job.file.save(name, ContentFile(pdf), save=False)
    finished = RENDERS.finish(
        render_id,
        file=job.file.name,
        sha256=hashlib.sha256(pdf).hexdigest(),
        pages=pages,
    )
    if not finished:
        # The job was given up meanwhile (stale); its file would be an orphan.
        job.file.storage.delete(job.file.name)
        job.refresh_from_db()
        return job
    superseded = MinutesRender.objects.filter(
        session_id=job.session_id, status=MinutesRender.Status.DONE
    ).exclude(pk=render_id)
    for old in superseded:
        if old.file:
            old.file.storage.delete(old.file.name)
    superseded.delete()
    job.refresh_from_db()
    return job


# --- The PDF ---------------------------------------------------------------------------------


def minutes_pdf_html(content: MinutesContent) -> str:
    """The HTML the PDF is made from (German, ``lang="de"``)."""
    with translation.override("de"):
        return render_to_string(
            "workshops/minutes/pdf.html",
            {
                "content": content,
                "session": content.session,
                "workshop": content.workshop,
                "fonts_css": (FONTS_DIR / "fonts.css").as_uri(),
                "minutes_css": (PDF_STYLE_DIR / "minutes.css").as_uri(),
                "generated_at": timezone.now(),
            },
        )


def minutes_pdf(
    *,
    session_id: int,
    progress: Callable[[int, str], None] = lambda percent, step: None,
    fetcher: LocalFileFetcher | None = None,
) -> tuple[bytes, int]:
    """Render the minutes of a session as a tagged PDF (PDF/UA-1). Returns (pdf, pages)."""
    progress(10, STEP_COLLECTING)
    content = minutes_content(session_id=session_id)
    html = minutes_pdf_html(content)
    progress(35, STEP_LAYOUT)
    return html_to_pdf(
        html,
        base_dir=PDF_STYLE_DIR,
        fetcher=fetcher or pdf_fetcher(PDF_STYLE_DIR),
        on_laid_out=lambda pages: progress(70, STEP_WRITING),
    )

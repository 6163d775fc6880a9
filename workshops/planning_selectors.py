"""Reads of the workshop planning, shaped for the pages, e-mails and calendar files that show
them. Each selector runs a fixed number of queries, however many sessions or invitees there are."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from strategy.models import Step, StrategyProcess
from strategy.selectors import SubqueryCount

from .models import AgendaItem, Attendance, Workshop, WorkshopInvitation, WorkshopSession


@dataclass
class PlannedAgendaItem:
    """An agenda item with its planned time: the session's start plus the items before it."""

    item: AgendaItem
    starts_at: datetime
    ends_at: datetime
    overruns: bool


@dataclass
class SessionPlan:
    """A session with its timed agenda and, once recorded, who attended."""

    session: WorkshopSession
    number: int
    items: list[PlannedAgendaItem]
    agenda_minutes: int
    attended_ids: set[int] = field(default_factory=set)
    attendance_recorded: bool = False

    @property
    def overrun_minutes(self) -> int:
        """How many minutes the agenda runs past the end of the session (0 if it fits)."""
        return max(0, self.agenda_minutes - self.session.duration_minutes)

    @property
    def agenda_ends_at(self) -> datetime:
        return self.session.starts_at + timedelta(minutes=self.agenda_minutes)

    @property
    def attended_count(self) -> int:
        return len(self.attended_ids)


def session_plan(*, session: WorkshopSession, items=None, number: int = 1) -> SessionPlan:
    """The planned times of a session's agenda. ``items`` are the ordered agenda items (taken
    from the session when not given)."""
    items = list(session.agenda.all() if items is None else items)
    start, planned = session.starts_at, []
    for item in items:
        end = start + timedelta(minutes=item.duration_minutes)
        planned.append(
            PlannedAgendaItem(
                item=item, starts_at=start, ends_at=end, overruns=end > session.ends_at
            )
        )
        start = end
    return SessionPlan(
        session=session,
        number=number,
        items=planned,
        agenda_minutes=sum(item.duration_minutes for item in items),
    )


@dataclass
class ResponseCounts:
    """How many invitees answered yes, no, maybe, or not yet."""

    yes: int = 0
    no: int = 0
    maybe: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.yes + self.no + self.maybe + self.pending


@dataclass
class WorkshopDetail:
    """Everything the detail page shows of a workshop."""

    workshop: Workshop
    sessions: list[SessionPlan]
    invitations: list[WorkshopInvitation]
    counts: ResponseCounts
    not_yet_sent: int
    send_failures: int = 0
    cancellations_due: int = 0

    def invitation_of(self, user) -> WorkshopInvitation | None:
        """The invitation of a logged-in account, matched by account or e-mail address."""
        email = (user.email or "").lower()
        for invitation in self.invitations:
            if invitation.user_id == user.pk or (email and invitation.email.lower() == email):
                return invitation
        return None


def _ordered_sessions(workshop: Workshop):
    return workshop.sessions.order_by("starts_at", "position", "pk").prefetch_related(
        Prefetch("agenda", queryset=AgendaItem.objects.order_by("position", "pk"))
    )


def session_plans(*, workshop: Workshop, with_attendance: bool = False) -> list[SessionPlan]:
    """The workshop's sessions in order with their timed agendas (two or three queries)."""
    sessions = list(_ordered_sessions(workshop))
    plans = [
        session_plan(session=session, items=session.agenda.all(), number=number)
        for number, session in enumerate(sessions, start=1)
    ]
    if with_attendance and plans:
        by_session = {plan.session.pk: plan for plan in plans}
        rows = Attendance.objects.filter(session__in=[plan.session for plan in plans]).values_list(
            "session_id", "invitation_id", "attended"
        )
        for session_id, invitation_id, attended in rows:
            plan = by_session[session_id]
            plan.attendance_recorded = True
            if attended:
                plan.attended_ids.add(invitation_id)
    return plans


def workshop_detail(*, workshop: Workshop) -> WorkshopDetail:
    """Sessions with timed agendas and attendance, invitees with their answers."""
    workshop = (
        Workshop.objects.select_related("process", "step__phase", "created_by")
        .prefetch_related("theme_fields", "facilitators")
        .get(pk=workshop.pk)
    )
    invitations = list(
        workshop.invitations.select_related("actor_group", "municipality").order_by("name", "email")
    )
    counts = ResponseCounts()
    for invitation in invitations:
        setattr(counts, invitation.response, getattr(counts, invitation.response) + 1)
    return WorkshopDetail(
        workshop=workshop,
        sessions=session_plans(workshop=workshop, with_attendance=True),
        invitations=invitations,
        counts=counts,
        not_yet_sent=sum(1 for i in invitations if i.sent_sequence < workshop.sequence),
        send_failures=sum(1 for i in invitations if i.send_failure),
        cancellations_due=sum(
            1
            for i in invitations
            if workshop.status == Workshop.Status.CANCELLED
            and i.sent_sequence >= 0
            and not i.cancellation_sent_at
        ),
    )


def invitations_due(*, workshop: Workshop, updates_only: bool = False):
    """The invitees who lack the current version of the workshop: the invitation (with
    ``updates_only``, only those who got an earlier one), or the cancellation of a cancelled
    workshop."""
    invitations = workshop.invitations.all()
    if workshop.status == Workshop.Status.CANCELLED:
        return invitations.filter(sent_sequence__gte=0, cancellation_sent_at=None)
    invitations = invitations.filter(sent_sequence__lt=workshop.sequence)
    if updates_only:
        invitations = invitations.filter(sent_sequence__gte=0)
    return invitations


@dataclass
class WorkshopOverview:
    """The workshops of the list page, split into upcoming and past."""

    upcoming: list[Workshop]
    past: list[Workshop]


def workshop_list(*, now: datetime | None = None) -> WorkshopOverview:
    """All workshops with step, first and last date, number of sessions and invitees (one
    query). A workshop is upcoming until the day of its last session has passed."""
    now = now or timezone.now()
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    sessions = WorkshopSession.objects.filter(workshop=OuterRef("pk"))
    workshops = list(
        Workshop.objects.select_related("step", "process")
        .annotate(
            first_start=Subquery(sessions.order_by("starts_at").values("starts_at")[:1]),
            last_start=Subquery(sessions.order_by("-starts_at").values("starts_at")[:1]),
            session_count=SubqueryCount(sessions.values("pk")),
            invitee_count=SubqueryCount(
                WorkshopInvitation.objects.filter(workshop=OuterRef("pk")).values("pk")
            ),
        )
        .order_by("pk")
    )
    upcoming = [w for w in workshops if w.last_start is None or w.last_start >= start_of_today]
    past = [w for w in workshops if w.last_start is not None and w.last_start < start_of_today]
    far_future = now + timedelta(days=365 * 100)
    upcoming.sort(key=lambda w: (w.first_start or far_future, w.pk))
    past.sort(key=lambda w: (w.first_start, w.pk), reverse=True)
    return WorkshopOverview(upcoming=upcoming, past=past)


def invitation_by_token(*, token: str) -> WorkshopInvitation | None:
    """The invitation a personal answer link stands for, or None."""
    if not token or len(token) > 64:
        return None
    return (
        WorkshopInvitation.objects.select_related("workshop__step", "workshop__process")
        .filter(token=token)
        .first()
    )


def process_current_step(*, process: StrategyProcess) -> Step | None:
    """The step of ``process`` in progress, the natural default for a new workshop."""
    return (
        Step.objects.filter(phase__process=process, status=Step.Status.IN_PROGRESS)
        .order_by("phase__position", "position")
        .first()
    )

"""Writes of the workshop planning: workshops, sessions, agenda, invitees, sending, answers,
attendance.

Each service runs in a transaction and raises ``WorkshopError`` with a translatable message
when the change is not allowed; nothing is changed then. Changes of date, time, duration or
place raise the workshop's calendar SEQUENCE and have the worker send an update to everyone
who already got the invitation (RFC 5545)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from strategy.audit import AuditAction, audit_record
from strategy.broker import enqueue
from strategy.mail import SendFailure
from strategy.models import ActorGroup, Municipality, Step, StrategyProcess, ThemeField

from .models import AgendaItem, Attendance, Workshop, WorkshopInvitation, WorkshopSession
from .planning_selectors import invitations_due

SESSION_MINUTES = (15, 720)
AGENDA_ITEM_MINUTES = (1, 480)
MAX_GUESTS_PER_REQUEST = 500
FACILITATOR_ROLES = (Role.DISTRICT_STAFF, Role.CONSULTANT)

MESSAGES = {
    "theme_required": _("A thematic workshop needs at least one theme field."),
    "place_required": _("Please enter a place or an online meeting link (or both)."),
    "session_minutes": _("A session lasts between 15 and 720 minutes."),
    "item_minutes": _("An agenda item lasts between 1 and 480 minutes."),
    "cancelled": _("This workshop was cancelled and can no longer be changed."),
    "archived": _(
        "This workshop belongs to an archived edition of the strategy and can no longer be changed."
    ),
}


class WorkshopError(Exception):
    """A change to a workshop that is not allowed; the message is shown to the user."""


# --- Rules shared by forms and services ------------------------------------------------------


def workshop_input_errors(
    *, kind: str, theme_fields: Iterable[ThemeField], location: str, online_link: str
) -> dict[str, str]:
    """Problems of a workshop's fields as {field name: message}; empty when all is well."""
    errors = {}
    if kind == Workshop.Kind.THEMATIC and not list(theme_fields):
        errors["theme_fields"] = str(MESSAGES["theme_required"])
    if not (location or "").strip() and not (online_link or "").strip():
        errors["location"] = str(MESSAGES["place_required"])
    return errors


def workshop_check_editable(*, workshop: Workshop) -> None:
    """Raise ``WorkshopError`` if the workshop may no longer be changed."""
    if workshop.status == Workshop.Status.CANCELLED:
        raise WorkshopError(MESSAGES["cancelled"])
    if workshop.process.status == StrategyProcess.Status.ARCHIVED:
        raise WorkshopError(MESSAGES["archived"])


def _check_range(value: int, bounds: tuple[int, int], message_key: str) -> None:
    if not bounds[0] <= value <= bounds[1]:
        raise WorkshopError(MESSAGES[message_key])


def _lock(workshop: Workshop) -> Workshop:
    """A fresh copy of the workshop, locked until the transaction ends, checked editable."""
    workshop = (
        Workshop.objects.select_for_update(of=("self",))
        .select_related("process")
        .get(pk=workshop.pk)
    )
    workshop_check_editable(workshop=workshop)
    return workshop


@dataclass
class Dispatch:
    """Invitation e-mails handed to the worker: how many invitees, and whether the worker
    could be reached (set after the commit; if not, the invitees are marked "not sent")."""

    count: int = 0
    queued: bool = True


def _enqueue_dispatch(workshop: Workshop, *, updates_only: bool) -> Dispatch:
    """After the commit, have the worker send what is due. An unreachable broker marks the
    due invitees as not sent (shown on the pages, with "Send invitations" to try again)."""
    from .invitation_tasks import dispatch_invitations, invitations_send_failed

    workshop_id, result = workshop.pk, Dispatch()

    def dispatch():
        if not enqueue(dispatch_invitations, workshop_id, updates_only=updates_only):
            result.queued = False
            due = invitations_due(
                workshop=Workshop.objects.get(pk=workshop_id), updates_only=updates_only
            )
            invitations_send_failed(due, failure=SendFailure.NOT_QUEUED)

    transaction.on_commit(dispatch)
    return result


def _calendar_changed(workshop: Workshop) -> None:
    """Date, time, duration or place changed. Once invitations are out, that is a new
    calendar version (higher SEQUENCE), sent as an update to everyone who has an earlier one.
    Before anything was sent there is no version to supersede, so the first invitation goes
    out with SEQUENCE 0; invitees not yet sent anything get the current version with the next
    "send invitations"."""
    if not workshop.invitations.filter(sent_sequence__gte=0).exists():
        return
    Workshop.objects.filter(pk=workshop.pk).update(sequence=F("sequence") + 1)
    workshop.refresh_from_db(fields=["sequence"])
    _enqueue_dispatch(workshop, updates_only=True)


# --- Workshops -------------------------------------------------------------------------------


def _check_workshop(*, process: StrategyProcess, step: Step, fields: dict) -> None:
    if process.status == StrategyProcess.Status.ARCHIVED:
        raise WorkshopError(MESSAGES["archived"])
    if step.phase.process_id != process.pk:
        raise WorkshopError(_("Please choose a step of this edition of the strategy."))
    errors = workshop_input_errors(
        kind=fields["kind"],
        theme_fields=fields.get("theme_fields") or [],
        location=fields.get("location", ""),
        online_link=fields.get("online_link", ""),
    )
    if errors:
        raise WorkshopError(next(iter(errors.values())))
    facilitators = fields.get("facilitators") or []
    if any(user.role not in FACILITATOR_ROLES for user in facilitators):
        raise WorkshopError(_("Facilitators are district staff or consultants."))


@transaction.atomic
def workshop_create(
    *,
    process: StrategyProcess | None,
    step: Step,
    kind: str,
    title: str,
    description: str = "",
    theme_fields: Iterable[ThemeField] = (),
    location: str = "",
    online_link: str = "",
    facilitators: Iterable = (),
    user,
) -> Workshop:
    """Plan a workshop of ``process`` (the current edition) at one of its steps."""
    if process is None:
        raise WorkshopError(_("There is no running strategy process."))
    theme_fields, facilitators = list(theme_fields), list(facilitators)
    fields = {
        "kind": kind,
        "theme_fields": theme_fields,
        "location": location,
        "online_link": online_link,
        "facilitators": facilitators,
    }
    _check_workshop(process=process, step=step, fields=fields)
    workshop = Workshop.objects.create(
        process=process,
        step=step,
        kind=kind,
        title=title,
        description=description,
        location=location.strip(),
        online_link=online_link.strip(),
        created_by=user,
    )
    workshop.theme_fields.set(theme_fields)
    _facilitators_set(workshop=workshop, facilitators=facilitators, user=user, created=True)
    return workshop


def _facilitators_set(*, workshop: Workshop, facilitators: list, user, created=False) -> None:
    """Set the facilitators of ``workshop``. Facilitators run its live sessions and minutes, so
    a change of them is a change of permissions and goes into the audit log."""
    before = set() if created else set(workshop.facilitators.values_list("pk", flat=True))
    workshop.facilitators.set(facilitators)
    names = {user.pk: str(user) for user in facilitators}
    added = [names[pk] for pk in names.keys() - before]
    removed = [str(old) for old in get_user_model().objects.filter(pk__in=before - names.keys())]
    if added or removed:
        audit_record(
            action=AuditAction.PERMISSION_CHANGE,
            actor=user,
            target=workshop,
            summary=" ".join(
                [f"+{name}" for name in sorted(added)] + [f"−{name}" for name in sorted(removed)]
            ),
            details={"facilitators_added": sorted(added), "facilitators_removed": sorted(removed)},
        )


@transaction.atomic
def workshop_update(
    *,
    workshop: Workshop,
    step: Step,
    kind: str,
    title: str,
    description: str = "",
    theme_fields: Iterable[ThemeField] = (),
    location: str = "",
    online_link: str = "",
    facilitators: Iterable = (),
    user=None,
) -> Workshop:
    """Change a planned workshop; a new place or link sends an update to the invitees."""
    workshop = _lock(workshop)
    theme_fields, facilitators = list(theme_fields), list(facilitators)
    fields = {
        "kind": kind,
        "theme_fields": theme_fields,
        "location": location,
        "online_link": online_link,
        "facilitators": facilitators,
    }
    _check_workshop(process=workshop.process, step=step, fields=fields)
    location, online_link = location.strip(), online_link.strip()
    place_changed = (workshop.location, workshop.online_link) != (location, online_link)
    workshop.step, workshop.kind, workshop.title = step, kind, title
    workshop.description, workshop.location, workshop.online_link = (
        description,
        location,
        online_link,
    )
    workshop.save(update_fields=["step", "kind", "title", "description", "location", "online_link"])
    workshop.theme_fields.set(theme_fields)
    _facilitators_set(workshop=workshop, facilitators=facilitators, user=user)
    if place_changed:
        _calendar_changed(workshop)
    return workshop


@transaction.atomic
def workshop_cancel(*, workshop: Workshop) -> Workshop:
    """Cancel a workshop; everyone who got the invitation receives a cancellation
    (METHOD:CANCEL with a higher SEQUENCE)."""
    workshop = _lock(workshop)
    workshop.status = Workshop.Status.CANCELLED
    workshop.sequence += 1
    workshop.save(update_fields=["status", "sequence"])
    if workshop.invitations.filter(sent_sequence__gte=0).exists():
        _enqueue_dispatch(workshop, updates_only=True)
    return workshop


# --- Sessions --------------------------------------------------------------------------------


def _renumber_sessions(workshop: Workshop) -> None:
    sessions = list(workshop.sessions.order_by("starts_at", "pk"))
    for number, session in enumerate(sessions, start=1):
        session.position = number
    WorkshopSession.objects.bulk_update(sessions, ["position"])


@transaction.atomic
def session_create(
    *, workshop: Workshop, starts_at, duration_minutes: int, tasks_until_next: str = ""
) -> WorkshopSession:
    """Add a date to a workshop (a workshop may be a series of sessions)."""
    workshop = _lock(workshop)
    _check_range(duration_minutes, SESSION_MINUTES, "session_minutes")
    session = WorkshopSession.objects.create(
        workshop=workshop,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        tasks_until_next=tasks_until_next,
    )
    _renumber_sessions(workshop)
    _calendar_changed(workshop)
    return session


@transaction.atomic
def session_update(
    *, session: WorkshopSession, starts_at, duration_minutes: int, tasks_until_next: str = ""
) -> WorkshopSession:
    """Change a session; a new date, time or duration sends an update to the invitees."""
    workshop = _lock(session.workshop)
    session = WorkshopSession.objects.select_for_update().get(pk=session.pk)
    _check_range(duration_minutes, SESSION_MINUTES, "session_minutes")
    moved = (session.starts_at, session.duration_minutes) != (starts_at, duration_minutes)
    session.starts_at, session.duration_minutes = starts_at, duration_minutes
    session.tasks_until_next = tasks_until_next
    session.save(update_fields=["starts_at", "duration_minutes", "tasks_until_next"])
    if moved:
        _renumber_sessions(workshop)
        _calendar_changed(workshop)
    return session


@transaction.atomic
def session_delete(*, session: WorkshopSession) -> None:
    """Delete a session that no invitee has in the calendar yet."""
    workshop = _lock(session.workshop)
    if workshop.invitations.filter(sent_sequence__gte=0).exists():
        raise WorkshopError(
            _(
                "The invitations with this session were already sent, so it cannot be deleted. "
                "Please change its date instead, or cancel the workshop."
            )
        )
    WorkshopSession.objects.filter(pk=session.pk).delete()
    _renumber_sessions(workshop)


# --- Agenda ----------------------------------------------------------------------------------


@transaction.atomic
def agenda_item_create(
    *, session: WorkshopSession, title: str, duration_minutes: int, notes: str = ""
) -> AgendaItem:
    """Append an item to a session's agenda."""
    _lock(session.workshop)
    _check_range(duration_minutes, AGENDA_ITEM_MINUTES, "item_minutes")
    last = session.agenda.aggregate(last=Max("position"))["last"] or 0
    return AgendaItem.objects.create(
        session=session,
        position=last + 1,
        title=title,
        duration_minutes=duration_minutes,
        notes=notes,
    )


@transaction.atomic
def agenda_item_update(
    *, item: AgendaItem, title: str, duration_minutes: int, notes: str = ""
) -> AgendaItem:
    """Change an agenda item; the planned times of the items after it follow."""
    _lock(item.session.workshop)
    _check_range(duration_minutes, AGENDA_ITEM_MINUTES, "item_minutes")
    item.title, item.duration_minutes, item.notes = title, duration_minutes, notes
    item.save(update_fields=["title", "duration_minutes", "notes"])
    return item


def _renumber_agenda(session: WorkshopSession) -> list[AgendaItem]:
    items = list(session.agenda.order_by("position", "pk"))
    for number, item in enumerate(items, start=1):
        item.position = number
    AgendaItem.objects.bulk_update(items, ["position"])
    return items


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem) -> None:
    """Remove an item from the agenda."""
    _lock(item.session.workshop)
    session = item.session
    item.delete()
    _renumber_agenda(session)


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, direction: str) -> None:
    """Move an item one place up or down the agenda."""
    if direction not in ("up", "down"):
        raise WorkshopError(_("Unknown direction."))
    _lock(item.session.workshop)
    items = _renumber_agenda(item.session)
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(items):
        raise WorkshopError(
            _("This item is already the first.")
            if direction == "up"
            else _("This item is already the last.")
        )
    items[index].position, items[target].position = items[target].position, items[index].position
    AgendaItem.objects.bulk_update([items[index], items[target]], ["position"])


# --- Invitees --------------------------------------------------------------------------------


@dataclass
class InviteesAdded:
    """The outcome of adding invitees: new ones, ones already invited, accounts without
    an e-mail address (who cannot be invited)."""

    added: int = 0
    already_invited: int = 0
    without_email: int = 0


def _invitees_add(*, workshop: Workshop, entries: list[dict], without_email: int = 0):
    """Add invitees by e-mail address; addresses already invited are left alone."""
    workshop = _lock(workshop)
    taken = set(workshop.invitations.annotate(lower=Lower("email")).values_list("lower", flat=True))
    new, seen = [], set()
    for entry in entries:
        email = entry["email"].strip().lower()
        if email in taken or email in seen:
            continue
        seen.add(email)
        new.append(WorkshopInvitation(workshop=workshop, **(entry | {"email": email})))
    # A concurrent request may have added the same address meanwhile; the unique constraint
    # (workshop, email) keeps it once.
    WorkshopInvitation.objects.bulk_create(new, ignore_conflicts=True)
    return InviteesAdded(
        added=len(new), already_invited=len(entries) - len(new), without_email=without_email
    )


def _entries_from_users(users) -> tuple[list[dict], int]:
    entries, without_email = [], 0
    for user in users:
        if not user.email:
            without_email += 1
            continue
        entries.append(
            {
                "email": user.email,
                "user": user,
                "name": user.get_full_name() or user.username,
                "municipality": user.municipality,
            }
        )
    return entries, without_email


@transaction.atomic
def invitees_add_role(*, workshop: Workshop, role: str) -> InviteesAdded:
    """Invite all active accounts with ``role``."""
    if role not in Role.values:
        raise WorkshopError(_("Unknown role."))
    users = (
        get_user_model().objects.filter(is_active=True, role=role).select_related("municipality")
    )
    entries, without_email = _entries_from_users(users)
    return _invitees_add(workshop=workshop, entries=entries, without_email=without_email)


@transaction.atomic
def invitees_add_municipality(*, workshop: Workshop, municipality: Municipality) -> InviteesAdded:
    """Invite all active accounts of a municipality (or of the Kreis)."""
    users = get_user_model().objects.filter(is_active=True, municipality=municipality)
    entries, without_email = _entries_from_users(users.select_related("municipality"))
    return _invitees_add(workshop=workshop, entries=entries, without_email=without_email)


@transaction.atomic
def invitees_add_guests(
    *, workshop: Workshop, emails: list[str], actor_group: ActorGroup | None = None
) -> InviteesAdded:
    """Invite people by e-mail address, optionally as representatives of an actor group. An
    address that belongs to an active account is linked to that account."""
    if len(emails) > MAX_GUESTS_PER_REQUEST:
        raise WorkshopError(
            _("Please enter at most %(max)s addresses at once.") % {"max": MAX_GUESTS_PER_REQUEST}
        )
    lowered = [email.strip().lower() for email in emails]
    accounts = {
        user.email_lower: user
        for user in get_user_model()
        .objects.filter(is_active=True)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=lowered)
        .select_related("municipality")
    }
    entries = []
    for email in lowered:
        user = accounts.get(email)
        entries.append(
            {
                "email": email,
                "user": user,
                "name": (user.get_full_name() or user.username) if user else "",
                "municipality": user.municipality if user else None,
                "actor_group": actor_group,
            }
        )
    return _invitees_add(workshop=workshop, entries=entries)


@transaction.atomic
def invitee_remove(*, invitation: WorkshopInvitation) -> None:
    """Remove an invitee who has not been sent anything yet."""
    _lock(invitation.workshop)
    if invitation.sent_sequence >= 0:
        raise WorkshopError(
            _("%(email)s has already received the invitation and cannot be removed any more.")
            % {"email": invitation.email}
        )
    invitation.delete()


@transaction.atomic
def invitations_send(*, workshop: Workshop) -> Dispatch:
    """Have the worker send the current version to every invitee who does not have it yet;
    for a cancelled workshop, the cancellation to everyone invited who was not told yet (the
    way to try again when sending it failed). ``queued`` of the result is False when the
    worker could not be reached."""
    locked = Workshop.objects.select_for_update(of=("self",)).select_related("process")
    workshop = locked.get(pk=workshop.pk)
    if workshop.status == Workshop.Status.CANCELLED:
        if workshop.process.status == StrategyProcess.Status.ARCHIVED:
            raise WorkshopError(MESSAGES["archived"])
        if not invitations_due(workshop=workshop).exists():
            raise WorkshopError(MESSAGES["cancelled"])
    else:
        workshop_check_editable(workshop=workshop)
        if not workshop.sessions.exists():
            raise WorkshopError(_("Please add at least one session before sending invitations."))
    pending = invitations_due(workshop=workshop).count()
    if not pending:
        raise WorkshopError(_("Every invitee already has the current invitation."))
    result = _enqueue_dispatch(workshop, updates_only=False)
    result.count = pending
    return result


# --- Answers and attendance ------------------------------------------------------------------


@transaction.atomic
def invitation_respond(*, invitation: WorkshopInvitation, response: str) -> WorkshopInvitation:
    """Record (or change) an invitee's answer."""
    answers = (
        WorkshopInvitation.Response.YES,
        WorkshopInvitation.Response.NO,
        WorkshopInvitation.Response.MAYBE,
    )
    if response not in answers:
        raise WorkshopError(_("Please answer yes, no or maybe."))
    invitation = WorkshopInvitation.objects.select_for_update().get(pk=invitation.pk)
    workshop = Workshop.objects.select_related("process").get(pk=invitation.workshop_id)
    if workshop.status == Workshop.Status.CANCELLED:
        raise WorkshopError(_("This workshop was cancelled."))
    invitation.response, invitation.responded_at = response, timezone.now()
    invitation.save(update_fields=["response", "responded_at"])
    return invitation


@transaction.atomic
def attendance_record(*, session: WorkshopSession, attended_ids: Iterable[int]) -> int:
    """Record who of the invitees attended a session that has begun; returns how many."""
    workshop = _lock(session.workshop)
    if session.starts_at > timezone.now():
        raise WorkshopError(_("Attendance can be recorded once the session has begun."))
    invitation_ids = set(workshop.invitations.values_list("pk", flat=True))
    attended_ids = set(attended_ids)
    if not attended_ids <= invitation_ids:
        raise WorkshopError(_("Only invitees of this workshop can be marked as present."))
    Attendance.objects.filter(session=session).delete()
    Attendance.objects.bulk_create(
        Attendance(session=session, invitation_id=pk, attended=pk in attended_ids)
        for pk in sorted(invitation_ids)
    )
    return len(attended_ids)

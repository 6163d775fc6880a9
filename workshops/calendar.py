"""Calendar files (RFC 5545, iTIP methods of RFC 5546) for workshop invitations.

Every session is one VEVENT whose UID stays the same for the life of the session, so calendar
programs replace the event when an update (higher SEQUENCE) or a cancellation arrives."""

from datetime import UTC, datetime
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Workshop, WorkshopInvitation
from .planning_selectors import SessionPlan

UID_DOMAIN = "strategie.kreis-coesfeld.de"
PRODID = "-//Kreis Coesfeld//Strategieportal//DE"

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def session_uid(*, workshop_id: int, session_id: int) -> str:
    """The stable UID of a session's event."""
    return f"workshop-{workshop_id}-session-{session_id}@{UID_DOMAIN}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _hhmm(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def workshop_location(workshop: Workshop) -> str:
    """The place, or the online meeting link when there is no place."""
    return workshop.location or workshop.online_link


def _description(*, workshop: Workshop, plan: SessionPlan, rsvp_url: str) -> str:
    """Plain text of the event: description, timed agenda, tasks, links. Call it inside the
    language the e-mail is written in."""
    parts = []
    if workshop.description:
        parts.append(workshop.description)
    if plan.items:
        lines = [_("Agenda:")]
        lines += [f"{_hhmm(p.starts_at)}–{_hhmm(p.ends_at)} {p.item.title}" for p in plan.items]
        parts.append("\n".join(lines))
    if plan.session.tasks_until_next:
        parts.append(_("Tasks until the next session:") + "\n" + plan.session.tasks_until_next)
    if workshop.location and workshop.online_link:
        parts.append(_("Online meeting link:") + " " + workshop.online_link)
    if rsvp_url:
        parts.append(_("Please let us know whether you will attend:") + " " + rsvp_url)
    return "\n\n".join(parts)


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    return address


def invitation_calendar(
    *,
    workshop: Workshop,
    sessions: list[SessionPlan],
    invitation: WorkshopInvitation,
    method: str,
    rsvp_url: str = "",
    now: datetime | None = None,
) -> bytes:
    """The calendar file for one invitee: METHOD:REQUEST (invitation or update) or
    METHOD:CANCEL, one VEVENT per session, SEQUENCE = ``workshop.sequence``."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(method)
    stamp = _utc(now or timezone.now())
    organizer_name, organizer_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    count = len(sessions)
    for plan in sessions:
        session = plan.session
        event = Event()
        event.add("uid", session_uid(workshop_id=workshop.pk, session_id=session.pk))
        event.add("dtstamp", stamp)
        event.add("dtstart", _utc(session.starts_at))
        event.add("dtend", _utc(session.ends_at))
        summary = workshop.title
        if count > 1:
            summary += " " + _("(session %(number)s of %(count)s)") % {
                "number": plan.number,
                "count": count,
            }
        event.add("summary", summary)
        location = workshop_location(workshop)
        if location:
            event.add("location", location)
        if workshop.online_link:
            event.add("url", workshop.online_link)
        event.add(
            "description",
            _description(
                workshop=workshop, plan=plan, rsvp_url=rsvp_url if method == REQUEST else ""
            ),
        )
        event.add("organizer", _address(organizer_email or "portal@localhost", organizer_name))
        attendee = _address(invitation.email, invitation.name)
        attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
        attendee.params["PARTSTAT"] = vText("NEEDS-ACTION")
        # Answers go through the portal's link, not through iTIP replies to the organizer.
        attendee.params["RSVP"] = vText("FALSE")
        event.add("attendee", attendee)
        event.add("sequence", workshop.sequence)
        event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()

"""Helpers shared by the workshop planning tests."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar

from strategy.models import Step
from workshops.planning_services import agenda_item_create, session_create, workshop_create

BERLIN = ZoneInfo("Europe/Berlin")


def at(days: int, hour: int = 10, minute: int = 0) -> datetime:
    """Local time (Europe/Berlin) on the day ``days`` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def first_step(process) -> Step:
    return Step.objects.filter(phase__process=process).order_by("phase__position", "position")[0]


def make_workshop(process, *, user=None, **fields):
    """A kick-off workshop in the Kreishaus, planned through the service."""
    values = {
        "step": first_step(process),
        "kind": "kickoff",
        "title": "Auftaktworkshop Smart Region",
        "location": "Kreishaus Coesfeld, Raum 101",
    } | fields
    return workshop_create(process=process, user=user, **values)


def make_session(workshop, *, starts_at=None, duration=120, items=(), tasks=""):
    """A session with agenda items given as (title, minutes)."""
    session = session_create(
        workshop=workshop,
        starts_at=starts_at or at(30),
        duration_minutes=duration,
        tasks_until_next=tasks,
    )
    for title, minutes in items:
        agenda_item_create(session=session, title=title, duration_minutes=minutes)
    return session


def english(client):
    """Have the test client ask for the English interface (the msgids themselves)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def calendars(message) -> list[Calendar]:
    """The calendar files attached to a sent e-mail, parsed."""
    return [
        Calendar.from_ical(part.get_payload(decode=True))
        for part in message.message().walk()
        if part.get_content_type() == "text/calendar"
    ]

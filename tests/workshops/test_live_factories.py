"""Helpers for the live-session tests: workshops, sessions, participants, guests.

(Named ``test_live_*`` to stay within the live session's files; it holds no tests.)"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from strategy.models import Step
from workshops import live_services as services
from workshops.models import Activity, Card, Participant, Workshop, WorkshopSession


def workshop_create(process, *, title="Themenworkshop Mobilität", status=None, facilitators=()):
    step = Step.objects.filter(phase__process=process).order_by("phase__position", "position")[0]
    workshop = Workshop.objects.create(
        process=process,
        step=step,
        kind=Workshop.Kind.THEMATIC,
        title=title,
        status=status or Workshop.Status.PLANNED,
    )
    workshop.facilitators.set(facilitators)
    return workshop


def session_create(workshop, *, starts_in_minutes=-30, duration=180) -> WorkshopSession:
    return WorkshopSession.objects.create(
        workshop=workshop,
        starts_at=timezone.now() + timedelta(minutes=starts_in_minutes),
        duration_minutes=duration,
    )


def guest_join(session, name="Gast Anna", client=None) -> tuple[Client, Participant]:
    """A browser that joined ``session`` as a guest with the join code."""
    client = client or Client()
    response = client.post(
        reverse("workshops:live_join"),
        {"code": session.workshop.join_code, "display_name": name},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("workshops:live_participate", args=[session.pk])
    return client, Participant.objects.get(session=session, display_name=name, user__isnull=True)


def participants_create(session, n, *, prefix="Gast") -> list[Participant]:
    return Participant.objects.bulk_create(
        Participant(session=session, display_name=f"{prefix} {i:02d}") for i in range(n)
    )


def started(session, kind, *, title=None, **settings) -> Activity:
    activity = services.activity_create(
        session=session, kind=kind, title=title or f"{kind} activity", **settings
    )
    return services.activity_start(activity=activity)


def cards_create(session, activity, n, *, author=None, prefix="Idee") -> list[Card]:
    return Card.objects.bulk_create(
        Card(session=session, activity=activity, author=author, text=f"{prefix} {i}")
        for i in range(n)
    )


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate limits and revision tokens start empty. (The per-test LocMemCache of
    tests/conftest.py shares its storage between tests of one process.)"""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(name="live")
def live_fixture(process):
    """A running workshop session, and a session of another workshop."""
    workshop = workshop_create(process)
    other = workshop_create(process, title="Auftakt Bildung")
    return {
        "workshop": workshop,
        "session": session_create(workshop),
        "other_session": session_create(other),
    }

"""The dashboard: the process picture, the next dates and the participation overview."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from strategy.models import Municipality, Step
from strategy.services import process_advance, step_schedule
from tests.factories import UserFactory

DASHBOARD = reverse("strategy:dashboard")


def test_dashboard_shows_process_picture_with_text_alternative(client, process, personas):
    process_advance(process=process, by=personas["district_staff"])
    process_advance(process=process, by=personas["district_staff"])
    client.force_login(personas["councillor"])
    html = client.get(DASHBOARD).content.decode()
    assert '<svg viewBox="0 0' in html and 'role="img"' in html
    assert "Aktueller Schritt: Bestandsaufnahme. 1 von 8 Schritten abgeschlossen." in html
    assert html.count('class="step step-') == 8
    assert 'class="step step-in_progress step-current"' in html
    for name in ("Initialisierungsphase", "Erarbeitungsphase", "Verabschiedung"):
        assert name in html
    # The text alternative lists every step with its status.
    assert "Bestandsaufnahme in den Städten und Gemeinden sowie des Kreises" in html
    assert "aktueller Schritt" in html


@pytest.mark.clock
def test_dashboard_lists_next_dates_and_all_twelve_participants(client, process, personas):
    step = Step.objects.filter(phase__process=process, short_title="Werte und Leitbild").get()
    soon = timezone.localdate() + timedelta(days=10)
    step_schedule(step=step, planned_start=soon, planned_end=soon + timedelta(days=30))
    client.force_login(personas["rep_duelmen"])
    html = client.get(DASHBOARD).content.decode()
    assert f'datetime="{soon:%Y-%m-%d}"' in html
    assert "Beginn von „Werte und Leitbild“" in html
    for municipality in Municipality.objects.all():
        assert municipality.name in html


def test_dashboard_without_process_invites_staff_to_set_one_up(client, personas):
    client.force_login(personas["district_staff"])
    html = client.get(DASHBOARD).content.decode()
    assert reverse("strategy:process_new") in html


def _count_queries(client):
    with CaptureQueriesContext(connection) as context:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_the_data(client, process, personas, reference):
    client.force_login(personas["district_staff"])
    _count_queries(client)  # warm up session and caches
    small = _count_queries(client)
    for municipality in reference.values():
        UserFactory.create_batch(5, role=Role.MUNICIPAL_REP, municipality=municipality)
    for _ in range(4):
        process_advance(process=process, by=personas["district_staff"])
    large = _count_queries(client)
    assert small == large
    assert large <= 10

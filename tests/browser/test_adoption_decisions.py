"""In Chromium: the overview of the bodies (tile map and table), a decision form (also with
errors shown) and the public page have no axe-core violations."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from adoption.decision_services import councils_ensure
from adoption.demo_decisions import demo_decisions_create
from adoption.models import Council
from roadmaps.models import StrategyVersion
from strategy.services import process_create, reference_data_load
from tests.adoption.decisions_helpers import CONTENT, publish
from tests.browser.conftest import axe_violations
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def adoption(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    reference_data_load()
    process = process_create(title="Digitalstrategie Kreis Coesfeld", year=2027)
    staff = UserFactory(role=Role.DISTRICT_STAFF)
    StrategyVersion.objects.create(process=process, number=1, label="Entwurf v1", content=CONTENT)
    demo_decisions_create(process=process)
    councils_ensure(process=process)
    return {"process": process, "staff": staff}


def _login(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ]
    )


def test_overview_and_decision_form_are_accessible(page, live_server, adoption):
    _login(page, live_server, adoption["staff"])
    page.goto(f"{live_server.url}/beschluss/gremien/")
    assert page.locator(".adoption-tile").count() == 12
    assert page.get_by_role("img", name="Map of the bodies and their decisions").count() == 1
    assert axe_violations(page) == []

    council = Council.objects.get(municipality__name="Olfen")
    page.goto(f"{live_server.url}/beschluss/gremien/{council.pk}/beschluss/")
    assert axe_violations(page) == []
    page.get_by_label("Link to the council information system").fill("javascript:alert(1)")
    page.get_by_label("Result").select_option("adopted")
    page.get_by_label("Date of the decision").fill(
        (timezone.localdate() - timedelta(days=1)).isoformat()
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".error-summary")
    assert axe_violations(page) == []
    council.refresh_from_db()
    assert council.result == "pending"

    page.goto(f"{live_server.url}/beschluss/gremien/{council.pk}/")
    assert axe_violations(page) == []


def test_public_page_is_accessible_without_login(page, live_server, adoption):
    publish(adoption["process"], StrategyVersion.objects.get(), adoption["staff"])
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/beschluss/oeffentlich/")
    assert page.locator(".adoption-tile").count() == 12
    assert page.locator(".gantt-svg").count() == 1
    assert axe_violations(page) == []

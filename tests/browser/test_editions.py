"""District staff start an update (Fortschreibung) of an adopted edition in the browser and
compare the two editions; the start page, the comparison, the process page and the refusal
of a write to the archived edition pass axe."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from roadmaps.models import Goal, TextSection
from roadmaps.section_services import section_update
from strategy.demo import DEMO_PASSWORD, demo_accounts_create
from strategy.models import Municipality, StrategyProcess
from strategy.services import process_create, reference_data_load
from tests.browser.conftest import axe_violations
from tests.strategy.test_editions import _complete, _content

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    reference_data_load()
    reference = {m.name: m for m in Municipality.objects.all()}
    demo_accounts_create()
    staff = get_user_model().objects.get(username="kreis")
    process = process_create(title="Digitalstrategie Kreis Coesfeld", year=2027)
    _content(process, reference, staff)
    _complete(process, staff)
    return live_server.url, process


def _login(page, base, username):
    page.goto(base + "/konto/anmelden/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")


def test_staff_start_an_update_and_compare_the_editions(page, demo):
    base, old = demo
    _login(page, base, "kreis")

    page.goto(base + old.get_absolute_url())
    assert axe_violations(page) == []
    page.locator("#edition-start-link").click()
    page.wait_for_url(f"**/fortschreibung/{old.pk}/beginnen/")
    assert axe_violations(page) == []
    page.locator("#edition-start-form input[name=title]").fill("Digitalstrategie 2031")
    page.locator("#edition-start-form input[name=year]").fill("2031")
    page.locator("#edition-start-form button[type=submit]").click()
    new = StrategyProcess.objects.get(previous_edition=old)
    page.wait_for_url(base + new.get_absolute_url())
    assert axe_violations(page) == []

    vision = TextSection.objects.get(process=new, kind="vision")
    section_update(section=vision, loaded_version=1, title="Leitbild", body="Ganz neu.", user=None)
    plan = new.field_plans.first()
    Goal.objects.create(field_plan=plan, kind="strategic", title="Smarte Verwaltung")
    page.goto(base + reverse("roadmaps:edition_compare") + f"?old={old.pk}&new={new.pk}")
    assert page.locator("#diff-goals", has_text="Smarte Verwaltung").is_visible()
    assert page.locator("#diff-sections del").first.is_visible()
    assert axe_violations(page) == []

    goal = Goal.objects.filter(field_plan__process=old).first()
    response = page.goto(base + reverse("roadmaps:goal_edit", args=[goal.pk]))
    assert response.status == 403
    assert axe_violations(page) == []

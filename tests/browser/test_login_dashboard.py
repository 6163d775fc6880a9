"""A person logs in with a demo account and sees the dashboard with the process picture."""

import pytest

from strategy.demo import DEMO_PASSWORD, demo_accounts_create, demo_process_create
from strategy.services import reference_data_load
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    reference_data_load()
    demo_accounts_create()
    demo_process_create()
    return live_server.url


def test_demo_user_logs_in_and_sees_the_process(page, demo):
    page.goto(demo + "/")
    assert page.url.startswith(demo + "/konto/anmelden/")
    assert axe_violations(page) == []

    page.get_by_label("Benutzername").fill("duelmen")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(demo + "/")

    assert page.get_by_role("heading", name="Übersicht", level=1).is_visible()
    picture = page.get_by_role("img", name="Ablauf der Strategie: drei Phasen und ihre Schritte")
    assert picture.is_visible()
    assert "Aktueller Schritt: Bestandsaufnahme" in page.locator("svg desc").text_content()
    assert page.get_by_role("heading", name="Der Ablauf als Text").is_visible()
    assert page.get_by_role("table", name="Beteiligte des Strategieprozesses mit ihren Zugängen")
    assert axe_violations(page) == []


def test_wrong_login_shows_error_summary_with_focus(page, demo):
    page.goto(demo + "/konto/anmelden/")
    page.get_by_label("Benutzername").fill("duelmen")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert axe_violations(page) == []


def test_dashboard_works_on_a_phone(browser, demo):
    context = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(demo + "/konto/anmelden/")
    page.get_by_label("Benutzername").fill("kreis")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(demo + "/")
    # No horizontal scrolling of the page on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_role("button", name="Navigation ein- oder ausblenden").click()
    assert page.get_by_role("link", name="Ablauf", exact=True).is_visible()
    assert axe_violations(page) == []
    context.close()

"""District staff add a measure with a milestone, see its profile, the roadmap and the funding
overview; every page passes axe-core."""

import re

import pytest

from roadmaps.models import Measure
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


def _login(page, base, username):
    page.goto(base + "/konto/anmelden/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")


def test_add_a_measure_with_a_milestone_and_view_the_roadmap(page, demo):
    _login(page, demo, "kreis")

    page.goto(demo + "/strategie/massnahmen/")
    assert page.locator("h1").is_visible()
    assert axe_violations(page) == []

    page.goto(demo + "/strategie/massnahmen/neu/")
    assert page.locator("#id_number").input_value() == "M-01"
    assert axe_violations(page) == []
    page.locator("#id_title").fill("Digitales Bürgerportal")
    page.locator("input[name=theme_fields]").first.check()
    page.locator("input[name=municipalities]").nth(2).check()
    page.locator("#id_investment_cost").fill("100000")
    page.locator("#id_funding_programme").select_option(index=1)
    page.locator("#id_grant_rate").fill("80")
    page.locator("#id_start_date").fill("2027-01-01")
    page.locator("#id_end_date").fill("2026-12-31")
    page.locator("#id_priority").select_option("high")
    page.locator("#id_milestones-0-title").fill("Ausschreibung veröffentlicht")
    page.locator("#id_milestones-0-due_on").fill("2027-06-30")
    page.locator("form.measure-form button[type=submit]").click()

    # End before start: an error summary that has the focus; nothing is saved.
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert not Measure.objects.exists()
    assert axe_violations(page) == []

    page.locator("#id_end_date").fill("2027-12-31")
    page.locator("form.measure-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/strategie/massnahmen/\d+/$"))
    measure = Measure.objects.get()
    assert measure.milestones.get().title == "Ausschreibung veröffentlicht"
    assert page.get_by_role("heading", level=1).text_content().strip().startswith("M-01")
    assert page.get_by_text("Ausschreibung veröffentlicht").is_visible()
    assert page.get_by_text("20.000,00 €").is_visible()  # own share, German number format
    assert axe_violations(page) == []

    page.goto(demo + "/strategie/roadmap/")
    chart = page.locator("svg.gantt-svg[role=img]")
    assert chart.is_visible()
    assert chart.locator("[data-measure='M-01'] rect.gantt-bar").count() == 1
    assert chart.locator("polygon.gantt-milestone").count() == 1
    assert page.locator("table.roadmap-table").get_by_text("Ausschreibung veröffentlicht")
    assert axe_violations(page) == []

    page.goto(demo + "/strategie/foerderung/")
    assert page.locator("#funding-by-programme").get_by_text("80.000,00 €").first.is_visible()
    assert axe_violations(page) == []


def test_councillor_reads_the_roadmap_without_edit_buttons(page, demo):
    from roadmaps.demo import measures_large_create
    from strategy.models import StrategyProcess

    measures_large_create(StrategyProcess.objects.get(), count=40, goals=13)
    _login(page, demo, "ratsmitglied")
    page.goto(demo + "/strategie/massnahmen/")
    assert page.locator("a[href='/strategie/massnahmen/neu/']").count() == 0
    page.goto(demo + "/strategie/roadmap/")
    assert page.locator("svg.gantt-svg[role=img]").is_visible()
    assert page.locator("svg.gantt-svg [data-measure]").count() == 40
    assert axe_violations(page) == []
    page.goto(demo + f"/strategie/massnahmen/{Measure.objects.order_by('number').first().pk}/")
    assert page.locator("a[href$='/bearbeiten/']").count() == 0
    assert axe_violations(page) == []
    page.goto(demo + "/strategie/foerderung/")
    assert axe_violations(page) == []

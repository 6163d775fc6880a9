"""District staff set a theme field's priority, add a goal with a target value and record a
measurement; the overview, the field page and every form pass axe.

The browser asks for English so the test does not depend on the German catalogue having
caught up with the new texts; the German wording is listed in roadmaps/FIELDS_MSGIDS_DE.txt."""

import pytest
from playwright.sync_api import expect

from roadmaps.models import FieldPlan, Goal, Measurement, TargetValue
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


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def _login(page, base, username):
    page.goto(base + "/konto/anmelden/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def _no_inline_code(page):
    html = page.content()
    assert "style=" not in html
    assert page.locator("script:not([src])").count() == 0


def test_staff_prioritise_a_field_and_add_a_goal_with_a_target_value(page, demo):
    _login(page, demo, "kreis")
    page.goto(demo + "/strategie/handlungsfelder/")
    assert page.get_by_role("heading", name="Theme fields: priorities and goals").is_visible()
    assert page.get_by_role("row").count() == 14  # header + 13 fields
    assert axe_violations(page) == []
    _no_inline_code(page)

    page.get_by_role("link", name="Set priorities").click()
    page.get_by_label("Priority tier of “Mobilität”").select_option("I")
    page.get_by_label("Rank of “Mobilität”").fill("1")
    page.get_by_label("Rationale for “Mobilität”").fill("Pendler im ländlichen Raum")
    page.get_by_label("Rank of “Bildung”").fill("1")
    page.get_by_role("button", name="Save priorities").click()
    # Two fields with rank 1: the error summary takes the focus, nothing is saved.
    assert page.locator(".error-summary").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert axe_violations(page) == []
    assert not FieldPlan.objects.filter(rank__isnull=False).exists()
    page.get_by_label("Rank of “Bildung”").fill("2")
    page.get_by_role("button", name="Save priorities").click()
    page.wait_for_url(demo + "/strategie/handlungsfelder/")
    first_row = page.get_by_role("row").nth(1)
    assert "Mobilität" in first_row.text_content() and "Priority I" in first_row.text_content()

    page.get_by_role("link", name="Mobilität").click()
    assert page.get_by_role("heading", name="Mobilität", level=1).is_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="New goal").click()
    assert axe_violations(page) == []
    page.get_by_label("Kind of goal").select_option("strategic")
    page.get_by_label("Title").fill("Vernetzte Mobilität im ganzen Kreis")
    page.get_by_role("button", name="Save").click()
    goal = Goal.objects.get(title="Vernetzte Mobilität im ganzen Kreis")
    assert page.get_by_role("heading", name="Vernetzte Mobilität im ganzen Kreis").is_visible()

    page.get_by_role("link", name="Add target value").click()
    assert axe_violations(page) == []
    page.get_by_label("Indicator").fill("Mobilstationen")
    page.get_by_label("Unit").fill("Anzahl")
    page.get_by_label("Baseline value").fill("2")
    page.get_by_label("Baseline year").fill("2025")
    page.get_by_label("Target value").fill("20")
    page.get_by_label("Target year").fill("2024")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text(
        "The target year must not be before the baseline year."
    ).first.is_visible()
    assert axe_violations(page) == []
    page.get_by_label("Target year").fill("2030")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Target value: Mobilstationen")).to_be_visible()
    target = TargetValue.objects.get(goal=goal)

    page.get_by_role("link", name="Record measurement").click()
    assert axe_violations(page) == []
    page.get_by_label("Measured on").fill("2027-06-30")
    page.get_by_label("Value").fill("11")
    page.get_by_role("button", name="Save").click()
    # Wait for the page after saving before looking into the database.
    expect(page.get_by_text("50 % of the way from the baseline to the target")).to_be_visible()
    assert Measurement.objects.filter(target_value=target).count() == 1
    assert page.get_by_role("img", name="Progress of “Mobilstationen”").is_visible()
    assert page.get_by_role("table", name="Values of “Mobilstationen” in Anzahl").is_visible()
    assert axe_violations(page) == []
    _no_inline_code(page)


def test_a_councillor_reads_the_field_page(page, demo):
    _login(page, demo, "ratsmitglied")
    page.goto(demo + "/strategie/handlungsfelder/")
    assert page.get_by_role("link", name="Set priorities").count() == 0
    page.get_by_role("link", name="Gesundheit").click()
    assert page.get_by_role("heading", name="Gesundheit", level=1).is_visible()
    assert page.get_by_role("link", name="New goal").count() == 0
    assert axe_violations(page) == []

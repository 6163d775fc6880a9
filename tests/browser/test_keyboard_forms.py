"""A form sent with errors, with the keyboard only: the focus lands on the error summary, and
each link of the summary moves the focus to its field.

The browser asks for English: the test does not depend on the German catalogue."""

import pytest

from inventory.models import Project
from strategy.demo import DEMO_PASSWORD, demo_accounts_create, demo_process_create
from strategy.services import reference_data_load
from tests.browser.conftest import assert_focus_visible, focused, tab_to, to_main_content

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def english_page(browser, live_server):
    reference_data_load()
    demo_accounts_create()
    demo_process_create()
    context = browser.new_context(
        locale="en-US",
        extra_http_headers={"Accept-Language": "en"},
        viewport={"width": 1280, "height": 800},
    )
    page = context.new_page()
    yield page, live_server.url
    context.close()


def test_empty_project_form_with_the_keyboard(english_page):
    page, base = english_page
    page.goto(base + "/konto/anmelden/")
    page.get_by_label("Username").fill("duelmen")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")
    page.goto(base + "/bestandsaufnahme/projekte/neu/")

    to_main_content(page)
    visited = tab_to(page, lambda i: i["tag"] == "button" and i["text"] == "Save")
    # Tab goes through the fields in the order they are shown (no tabindex reorders them);
    # a date field has several stops (day, month, year, calendar).
    order = []
    for info in visited:
        if info["id"].startswith("id_") and (not order or order[-1] != info["id"]):
            order.append(info["id"])
    shown = page.evaluate(
        """() => [...document.querySelectorAll('main form [id^="id_"]')]
          .filter(el => el.matches('input:not([type=hidden]), select, textarea'))
          .map(el => el.id)"""
    )
    assert order == shown and order[:2] == ["id_municipality", "id_title"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert not Project.objects.exists()

    # The focus is on the error summary, which is on screen with a focus outline.
    summary = focused(page)
    assert_focus_visible(summary)
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    links = page.evaluate(
        "() => [...document.querySelectorAll('.error-summary a')].map(a => a.getAttribute('href'))"
    )
    assert links and links[0] == "#id_title"

    # Tab reaches the summary's links first, in order; Enter on each moves the focus to its
    # field.
    for href in links:
        to_main_content(page)
        visited = tab_to(page, lambda i, href=href: i["href"] == href)
        assert [i["href"] for i in visited] == links[: links.index(href) + 1]
        page.keyboard.press("Enter")
        info = focused(page)
        assert_focus_visible(info)
        assert info["id"] == href[1:], f"{href} moved the focus to {info['id']}"
    # From the field the user corrects the input and sends the form again by keyboard.
    to_main_content(page)
    tab_to(page, lambda i: i["href"] == "#id_title")
    page.keyboard.press("Enter")
    page.keyboard.type("Digitale Bauakte")
    assert focused(page)["value"] == "Digitale Bauakte"

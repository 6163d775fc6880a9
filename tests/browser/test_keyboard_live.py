"""The live workshop with the keyboard only (Tab, Shift+Tab, Enter, Space, arrow keys).

A guest joins with the join code, posts idea cards, places and removes dots and rates items;
the facilitator prepares, starts, locks and reveals activities and sorts a card into a cluster
with the list box that replaces drag and drop. On every step the focus moves in reading order,
the focused element is on screen with a visible focus indicator, the focus is not lost when
the polled parts of the page are replaced, and the action is in the database.

The browsers ask for English: the tests do not depend on the German catalogue."""

import re

import pytest
from playwright.sync_api import expect

from strategy.demo import DEMO_PASSWORD, demo_accounts_create
from strategy.services import process_create, reference_data_load
from tests.browser.conftest import (
    assert_focus_visible,
    axe_violations,
    choose_with_arrows,
    focused,
    tab_to,
    to_main_content,
)
from tests.workshops.test_live_factories import session_create, workshop_create
from workshops.models import Activity, Card, Cluster, Dot, Rating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# ms; the pages poll every 1.5 s, but the machine running the tests may be busy.
POLL = 20_000


@pytest.fixture
def setup(live_server):
    reference_data_load()
    demo_accounts_create()
    process = process_create(title="Digitalstrategie Kreis Coesfeld", year=2027)
    session = session_create(workshop_create(process, title="Mobility workshop"))
    return live_server.url, session


@pytest.fixture
def contexts(browser, setup):
    opened = []

    def new(**options):
        context = browser.new_context(
            locale="en-US", extra_http_headers={"Accept-Language": "en"}, **options
        )
        opened.append(context)
        return context

    yield new
    for context in opened:
        context.close()


def _text(pattern):
    return lambda info: re.search(pattern, info["text"]) is not None


def _id(value):
    return lambda info: info["id"] == value


def _settled(page):
    """Wait until no htmx request runs (answers and the polled refreshes they trigger)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def _press_and_wait(page, key, url_part):
    """Press ``key`` on the focused button and wait for the background post it sends."""
    with page.expect_response(lambda r: url_part in r.url and r.request.method == "POST"):
        page.keyboard.press(key)
    _settled(page)


def _login(page, base, username):
    page.goto(base + "/konto/anmelden/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def _prepare_and_start(page, kind, title, **numbers):
    """Fill the "Prepare an activity" form and start the activity, all with the keyboard."""
    to_main_content(page)
    tab_to(page, _id("new-activity-kind"))
    choose_with_arrows(page, kind)
    visited = tab_to(page, _id("new-activity-title"))
    assert len(visited) == 1, "the title follows the kind"
    page.keyboard.type(title)
    for field_id, value in numbers.items():
        tab_to(page, _id(f"new-activity-{field_id}"))
        page.keyboard.press("Control+A")
        page.keyboard.type(str(value))
    tab_to(page, _text("^Prepare$"))
    _press_and_wait(page, "Enter", "/aktivitaeten/")
    activity = Activity.objects.get(title=title)
    assert activity.status == Activity.Status.DRAFT
    item = page.locator(f'li.live-activity[data-activity="{activity.pk}"]')
    expect(item).to_be_visible(timeout=POLL)
    # The new activity's start button is reached from the top of the page.
    to_main_content(page)
    tab_to(page, _text(f"^Start now – {re.escape(title)}$"))
    _press_and_wait(page, "Space", "/starten/")
    expect(page.locator(".live-current", has_text=title)).to_be_visible(timeout=POLL)
    activity.refresh_from_db()
    assert activity.status == Activity.Status.OPEN
    # The start button is gone; the focus stays with the activity instead of falling back to
    # the top of the page.
    info = focused(page)
    assert_focus_visible(info)
    assert page.evaluate(
        "(pk) => document.activeElement.closest('li.live-activity')?.dataset.activity === pk",
        str(activity.pk),
    )
    return activity


def test_live_workshop_with_the_keyboard_only(contexts, setup):
    base, session = setup
    live = f"{base}/workshops/sitzungen/{session.pk}/live/"

    facilitator = contexts(viewport={"width": 1400, "height": 1000}).new_page()
    _login(facilitator, base, "kreis")
    facilitator.goto(live + "moderation/")
    ideas = _prepare_and_start(facilitator, "Idea collection", "Ideas for mobility")

    # --- The guest joins: code, name, button, in this order ---------------------------------
    guest = contexts(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    guest.goto(f"{base}/workshops/teilnehmen/")
    tab_to(guest, lambda i: i["label"].startswith("Join code"))
    guest.keyboard.type(session.workshop.join_code.lower())
    assert tab_to(guest, lambda i: i["label"].startswith("Your name"))[0]["label"].startswith(
        "Your name"
    )
    guest.keyboard.type("Gast Gabi")
    assert [i["text"] for i in tab_to(guest, _text("^Join$"))] == ["Join"]
    guest.keyboard.press("Enter")
    guest.wait_for_url(live)
    expect(guest.get_by_role("heading", name="Ideas for mobility")).to_be_visible(timeout=POLL)

    # --- Idea cards: text, theme field, button; the focus returns to the text ---------------
    tab_to(guest, _id("card-text"))
    guest.keyboard.type("Bike lanes to Coesfeld")
    order = [tab_to(guest, lambda i: True)[0] for _ in range(2)]
    assert [i["id"] for i in order] == ["card-theme-field", ""]
    assert order[1]["text"] == "Post card"
    _press_and_wait(guest, "Enter", "/karten/")
    assert Card.objects.get().text == "Bike lanes to Coesfeld"
    expect(guest.locator(".live-card", has_text="Bike lanes to Coesfeld")).to_be_visible(
        timeout=POLL
    )
    info = focused(guest)
    assert_focus_visible(info)
    assert info["id"] == "card-text" and info["value"] == ""
    guest.keyboard.type("Car sharing in Dülmen")
    tab_to(guest, _id("card-theme-field"))
    choose_with_arrows(guest, "Mobilität")
    tab_to(guest, _text("^Post card$"))
    _press_and_wait(guest, "Space", "/karten/")
    car = Card.objects.get(text="Car sharing in Dülmen")
    assert car.theme_field.name == "Mobilität" and car.author.display_name == "Gast Gabi"
    bike = Card.objects.get(text="Bike lanes to Coesfeld")

    # --- Lock and unlock; Lock and Unlock keep the focus ------------------------------------
    to_main_content(facilitator)
    tab_to(facilitator, _text("^Lock – Ideas for mobility$"))
    _press_and_wait(facilitator, "Enter", "/sperren/")
    ideas.refresh_from_db()
    assert ideas.status == Activity.Status.LOCKED
    expect(guest.get_by_text("The idea collection is paused")).to_be_visible(timeout=POLL)
    expect(facilitator.get_by_role("button", name="Unlock – Ideas for mobility")).to_be_visible(
        timeout=POLL
    )
    info = focused(facilitator)
    assert_focus_visible(info)
    assert info["text"] == "Unlock – Ideas for mobility"
    _press_and_wait(facilitator, "Enter", "/entsperren/")
    ideas.refresh_from_db()
    assert ideas.status == Activity.Status.OPEN
    expect(facilitator.get_by_role("button", name="Lock – Ideas for mobility")).to_be_visible(
        timeout=POLL
    )
    assert focused(facilitator)["text"] == "Lock – Ideas for mobility"

    # --- Clustering without drag and drop --------------------------------------------------
    to_main_content(facilitator)
    tab_to(facilitator, _id("new-cluster-name"))
    facilitator.keyboard.type("Cycling")
    _press_and_wait(facilitator, "Enter", "/cluster/")
    cycling = Cluster.objects.get(name="Cycling")
    board = facilitator.locator("#live-board")
    expect(board.get_by_role("region", name=re.compile("^Cycling"))).to_be_visible(timeout=POLL)
    to_main_content(facilitator)
    tab_to(facilitator, _id(f"move-{bike.pk}"))
    choose_with_arrows(facilitator, "Cycling")
    assert tab_to(facilitator, lambda i: True)[0]["text"] == f"Move – card #{bike.pk}"
    _press_and_wait(facilitator, "Enter", "/verschieben/")
    bike.refresh_from_db()
    assert bike.cluster == cycling
    cluster = board.get_by_role("region", name=re.compile("^Cycling"))
    expect(cluster.locator(".live-board-card", has_text="Bike lanes")).to_be_visible(timeout=POLL)
    # The focus moved along with the card.
    info = focused(facilitator)
    assert_focus_visible(info)
    assert info["text"] == f"Move – card #{bike.pk}"

    # --- Dot vote: +, + (Space), − (Shift+Tab) ----------------------------------------------
    vote = _prepare_and_start(
        facilitator,
        "Dot voting",
        "Prioritise the ideas",
        **{"dots_per_participant": 3, "cap_per_item": 2},
    )
    expect(guest.get_by_role("heading", name="Prioritise the ideas")).to_be_visible(timeout=POLL)
    to_main_content(guest)
    visited = tab_to(guest, _id(f"place-card{car.pk}"))
    # Items in reading order, each with "−" before "+".
    vote_buttons = [i["id"] for i in visited if re.match(r"^(place|remove)-", i["id"])]
    assert vote_buttons == [
        f"remove-card{bike.pk}",
        f"place-card{bike.pk}",
        f"remove-card{car.pk}",
        f"place-card{car.pk}",
    ] or vote_buttons == [
        f"remove-card{car.pk}",
        f"place-card{car.pk}",
    ]
    _press_and_wait(guest, "Enter", "/punkte/")
    expect(guest.get_by_text("You have 2 dots left.")).to_be_visible(timeout=POLL)
    assert focused(guest)["id"] == f"place-card{car.pk}"
    _press_and_wait(guest, "Space", "/punkte/")
    expect(guest.get_by_text("You have 1 dot left.")).to_be_visible(timeout=POLL)
    assert Dot.objects.filter(activity=vote, card=car).count() == 2
    visited = tab_to(guest, _id(f"remove-card{car.pk}"), backwards=True)
    assert len(visited) == 1, "“−” is right before “+”"
    _press_and_wait(guest, "Enter", "/punkte/")
    expect(guest.get_by_text("You have 2 dots left.")).to_be_visible(timeout=POLL)
    assert Dot.objects.filter(activity=vote, card=car).count() == 1
    assert_focus_visible(focused(guest))

    # --- Reveal; the button becomes "Hide results" and keeps the focus ----------------------
    to_main_content(facilitator)
    tab_to(facilitator, _text("^Reveal results – Prioritise the ideas$"))
    _press_and_wait(facilitator, "Enter", "/ergebnisse/")
    vote.refresh_from_db()
    assert vote.results_revealed
    expect(guest.locator(".result-table")).to_be_visible(timeout=POLL)
    expect(
        facilitator.get_by_role("button", name="Hide results – Prioritise the ideas")
    ).to_be_visible(timeout=POLL)
    info = focused(facilitator)
    assert_focus_visible(info)
    assert info["text"] == "Hide results – Prioritise the ideas"

    # --- Rating: benefit, effort, save, with the arrow keys --------------------------------
    _prepare_and_start(facilitator, "Benefit/effort rating", "Rate the ideas")
    expect(guest.get_by_role("heading", name="Rate the ideas")).to_be_visible(timeout=POLL)
    to_main_content(guest)
    tab_to(guest, _id(f"benefit-card{car.pk}"))
    choose_with_arrows(guest, "4")
    assert tab_to(guest, lambda i: True)[0]["id"] == f"effort-card{car.pk}"
    choose_with_arrows(guest, "2")
    save = tab_to(guest, lambda i: True)[0]
    assert save["text"] == "Save – Car sharing in Dülmen"
    _press_and_wait(guest, "Enter", "/bewertungen/")
    rating = Rating.objects.get(card=car)
    assert (rating.benefit, rating.effort, rating.participant.display_name) == (4, 2, "Gast Gabi")
    expect(guest.get_by_text("You have rated 1 item.")).to_be_visible(timeout=POLL)
    info = focused(guest)
    assert_focus_visible(info)
    assert info["text"] == "Save – Car sharing in Dülmen"
    assert axe_violations(guest) == []
    assert axe_violations(facilitator) == []

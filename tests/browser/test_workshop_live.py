"""A live workshop in three browsers: the facilitator runs an idea collection and a dot vote,
a logged-in participant and a guest (joined with the code, on a phone) take part, and each
sees the others' cards and the results appear without reloading. The three views pass axe.

The browsers ask for English: the tests do not depend on the German catalogue."""

import re

import pytest
from playwright.sync_api import expect

from strategy.demo import DEMO_PASSWORD, demo_accounts_create
from strategy.services import process_create, reference_data_load
from tests.browser.conftest import axe_violations
from tests.workshops.test_live_factories import session_create, workshop_create
from workshops.models import Card, Dot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
POLL = 10_000  # ms; the pages poll every 1.5 s


@pytest.fixture
def setup(live_server):
    reference_data_load()
    demo_accounts_create()
    process = process_create(title="Digitalstrategie Kreis Coesfeld", year=2027)
    session = session_create(workshop_create(process, title="Mobility workshop"))
    return live_server.url, session


@pytest.fixture
def contexts(browser, setup):
    """Browser contexts in English, closed (and their polling stopped) even if a step fails."""
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


def _login(page, base, username):
    page.goto(base + "/konto/anmelden/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def _prepare(page, kind, title, **settings):
    form = page.locator("form", has=page.get_by_role("button", name="Prepare"))
    # Crispy marks required fields with an asterisk in the label.
    form.get_by_label(re.compile(r"^\s*Kind")).select_option(label=kind)
    form.get_by_label(re.compile(r"^\s*Title")).fill(title)
    for label, value in settings.items():
        field = form.get_by_label(re.compile(rf"^\s*{label}"))
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    form.get_by_role("button", name="Prepare").click()
    activity = page.locator("li.live-activity", has_text=title)
    expect(activity).to_be_visible(timeout=POLL)
    activity.get_by_role("button", name=re.compile("^Start")).click()
    expect(page.locator(".live-current", has_text=title)).to_be_visible(timeout=POLL)


def test_facilitator_and_two_participants_run_ideas_and_a_dot_vote(contexts, setup):
    base, session = setup
    live = f"{base}/workshops/sitzungen/{session.pk}/live/"

    facilitator_context = contexts(viewport={"width": 1400, "height": 1000})
    facilitator = facilitator_context.new_page()
    _login(facilitator, base, "kreis")
    facilitator.goto(live + "moderation/")
    expect(
        facilitator.get_by_role("heading", name="Facilitation: Mobility workshop")
    ).to_be_visible()
    assert axe_violations(facilitator) == []

    member_context = contexts()
    member = member_context.new_page()
    _login(member, base, "ratsmitglied")
    member.goto(live)
    expect(member.get_by_text("You take part as Rolf Rat.")).to_be_visible()

    guest_context = contexts(viewport={"width": 390, "height": 844}, is_mobile=True)
    guest = guest_context.new_page()
    guest.goto(f"{base}/workshops/teilnehmen/?code={session.workshop.join_code.lower()}")
    guest.get_by_label("Your name").fill("Gast Gabi")
    guest.get_by_role("button", name="Join").click()
    guest.wait_for_url(live)
    expect(guest.get_by_text("You take part as Gast Gabi.")).to_be_visible()

    # --- Idea collection ---------------------------------------------------------------------
    _prepare(facilitator, "Idea collection", "Ideas for mobility")
    for page in (member, guest):
        expect(page.get_by_role("heading", name="Ideas for mobility")).to_be_visible(timeout=POLL)
    assert axe_violations(guest) == []

    member.get_by_label("Your idea").fill("Car sharing in Dülmen")
    member.get_by_role("button", name="Post card").click()
    expect(member.get_by_text("Your card has been posted.")).to_be_visible()
    expect(member.get_by_label("Your idea")).to_have_value("")
    guest.get_by_label("Your idea").fill("Bike lanes to Coesfeld")
    guest.get_by_label("Theme field (optional)").select_option(index=1)
    guest.get_by_role("button", name="Post card").click()

    # Each sees the other's card appear.
    expect(guest.locator(".live-card", has_text="Car sharing in Dülmen")).to_be_visible(
        timeout=POLL
    )
    expect(member.locator(".live-card", has_text="Bike lanes to Coesfeld")).to_be_visible(
        timeout=POLL
    )
    board = facilitator.locator("#live-board")
    for text in ("Car sharing in Dülmen", "Bike lanes to Coesfeld"):
        expect(board.get_by_text(text)).to_be_visible(timeout=POLL)
    assert Card.objects.count() == 2

    # Clustering: drag a card onto a new cluster.
    facilitator.get_by_label("New cluster").fill("Cycling")
    facilitator.get_by_role("button", name="Create cluster").click()
    cluster = board.get_by_role("region", name=re.compile("^Cycling"))
    expect(cluster).to_be_visible(timeout=POLL)
    facilitator.locator(".live-card-text", has_text="Bike lanes to Coesfeld").drag_to(cluster)
    expect(cluster.locator(".live-board-card", has_text="Bike lanes to Coesfeld")).to_be_visible(
        timeout=POLL
    )
    assert Card.objects.get(text="Bike lanes to Coesfeld").cluster.name == "Cycling"

    # --- Dot vote ------------------------------------------------------------------------------
    _prepare(
        facilitator,
        "Dot voting",
        "Prioritise the ideas",
        **{"Dots per participant": "3", "Maximum dots per item": "2"},
    )
    for page in (member, guest):
        expect(page.get_by_role("heading", name="Prioritise the ideas")).to_be_visible(timeout=POLL)
    expect(guest.get_by_text("You have 3 dots left.")).to_be_visible()

    bike = "Place a dot on: Bike lanes to Coesfeld"
    guest.get_by_role("button", name=bike).click()
    expect(guest.get_by_text("You have 2 dots left.")).to_be_visible(timeout=POLL)
    guest.get_by_role("button", name=bike).click()
    expect(guest.get_by_text("You have 1 dot left.")).to_be_visible(timeout=POLL)
    guest.get_by_role("button", name=bike).click()
    expect(guest.get_by_role("alert")).to_contain_text("at most 2 dots to one item")
    member.get_by_role("button", name=bike).click()
    expect(member.get_by_text("You have 2 dots left.")).to_be_visible(timeout=POLL)
    member.get_by_role("button", name="Place a dot on: Car sharing in Dülmen").click()
    expect(member.get_by_text("You have 1 dot left.")).to_be_visible(timeout=POLL)
    assert Dot.objects.count() == 4
    assert axe_violations(guest) == []

    # The facilitator sees the live count; participants do not see others' dots yet.
    expect(facilitator.get_by_text("4 dots from 2 participants")).to_be_visible(timeout=POLL)
    expect(guest.locator(".result-table")).to_have_count(0)

    projector_page = facilitator_context.new_page()
    projector_page.goto(live + "beamer/")
    expect(projector_page.get_by_role("heading", name="Prioritise the ideas")).to_be_visible()
    code = session.workshop.join_code
    expect(projector_page.locator(".live-code")).to_have_text(
        re.compile(f"{code[:4]}\\s{code[4:]}")
    )
    expect(projector_page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    expect(projector_page.get_by_text("2 participants have placed 4 dots so far.")).to_be_visible()
    assert axe_violations(projector_page) == []

    facilitator.get_by_role("button", name=re.compile("^Reveal results")).click()
    for page in (guest, member, projector_page):
        table = page.locator(".result-table")
        expect(table).to_be_visible(timeout=POLL)
        expect(table.get_by_role("row", name=re.compile("Bike lanes to Coesfeld"))).to_contain_text(
            "3"
        )
    assert axe_violations(projector_page) == []
    assert axe_violations(member) == []
    assert axe_violations(facilitator) == []

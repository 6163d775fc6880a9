"""District staff plan a workshop with a session and an agenda, invite by role and send; a
guest answers through the personal link. Every page passes axe.

Labels of the planning pages are matched in German or English, so the test holds before and
after the German catalogue has the new strings."""

import re

import pytest

from strategy.demo import DEMO_PASSWORD, demo_accounts_create, demo_process_create
from strategy.services import reference_data_load
from tests.browser.conftest import axe_violations
from tests.workshops import at
from workshops.models import AgendaItem, Workshop, WorkshopInvitation

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


def _either(german, english):
    return re.compile(f"^({german}|{english})$")


SAVE = _either("Speichern", "Save")


def test_staff_plans_invites_and_a_guest_answers(page, browser, demo):
    _login(page, demo, "kreis")
    page.get_by_role("link", name="Workshops", exact=True).click()
    page.wait_for_url(demo + "/workshops/")
    assert page.get_by_role("heading", name="Workshops", level=1).is_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name=_either("Neuer Workshop", "New workshop")).click()
    assert axe_violations(page) == []
    page.locator("#id_step").select_option(index=1)
    page.locator("#id_kind").select_option("kickoff")
    page.locator("#id_title").fill("Auftaktworkshop Smart Region")
    page.locator("#id_description").fill("Gemeinsamer Start mit allen Kommunen.")
    page.locator("#id_location").fill("Kreishaus Coesfeld, Raum 101")
    page.get_by_role("button", name=SAVE).click()
    assert page.get_by_role("heading", name="Auftaktworkshop Smart Region", level=1).is_visible()
    workshop = Workshop.objects.get()

    page.get_by_role("link", name=_either("Sitzung hinzufügen", "Add session")).click()
    assert axe_violations(page) == []
    page.locator("#id_starts_at").fill(at(30, 10).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_duration_minutes").fill("120")
    page.get_by_role("button", name=SAVE).click()
    page.wait_for_url(demo + workshop.get_absolute_url())

    for title, minutes in [("Begrüßung", "20"), ("Ziele der Strategie", "30")]:
        page.get_by_role(
            "link", name=re.compile("^(Tagesordnungspunkt hinzufügen|Add agenda item)")
        ).click()
        page.locator("#id_title").fill(title)
        page.locator("#id_duration_minutes").fill(minutes)
        page.get_by_role("button", name=SAVE).click()
        page.wait_for_url(demo + workshop.get_absolute_url())
    assert AgendaItem.objects.count() == 2
    agenda = page.locator("table", has_text="Begrüßung")
    assert "10:00–10:20" in agenda.text_content()
    assert "10:20–10:50" in agenda.text_content()
    assert axe_violations(page) == []

    page.get_by_role("link", name=_either("Einladungen", "Invitations")).click()
    assert axe_violations(page) == []
    page.locator("#id_role-role").select_option("municipal_rep")
    page.get_by_role("button", name=_either("Rolle einladen", "Invite role")).click()
    assert page.get_by_role(
        "cell", name="duelmen@demo.kreis-coesfeld.invalid", exact=True
    ).is_visible()
    assert page.get_by_role(
        "cell", name="nottuln@demo.kreis-coesfeld.invalid", exact=True
    ).is_visible()
    page.get_by_role("button", name=_either("Einladungen senden", "Send invitations")).click()
    page.wait_for_url(demo + f"/workshops/{workshop.pk}/einladungen/")
    assert axe_violations(page) == []
    assert set(WorkshopInvitation.objects.values_list("sent_sequence", flat=True)) == {0}

    page.goto(demo + workshop.get_absolute_url())
    assert page.get_by_role(
        "cell", name="duelmen@demo.kreis-coesfeld.invalid", exact=True
    ).is_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name=re.compile("^(Anwesenheit erfassen|Record attendance)")).click()
    assert page.get_by_role("checkbox", name=re.compile("duelmen@demo")).is_visible()
    assert axe_violations(page) == []

    page.goto(demo + "/workshops/")
    assert page.get_by_role("link", name="Auftaktworkshop Smart Region").is_visible()
    assert axe_violations(page) == []

    # The representative of Dülmen answers through the link from the e-mail, not logged in.
    invitation = WorkshopInvitation.objects.get(email="duelmen@demo.kreis-coesfeld.invalid")
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    guest = context.new_page()
    guest.goto(demo + f"/workshops/antwort/{invitation.token}/")
    assert guest.get_by_role("heading", name="Auftaktworkshop Smart Region").is_visible()
    assert axe_violations(guest) == []
    guest.get_by_role("button", name=re.compile("^(Ja|Yes)")).click()
    guest.wait_for_url(demo + f"/workshops/antwort/{invitation.token}/")
    assert axe_violations(guest) == []
    invitation.refresh_from_db()
    assert invitation.response == "yes" and invitation.responded_at is not None
    context.close()

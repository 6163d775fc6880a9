"""District staff edit the vision in the browser and see the new version; the overview,
section, edit, conflict, history/diff, draft and frozen version pages pass axe."""

import pytest
from django.contrib.auth import get_user_model

from roadmaps.models import StrategyVersion, TextSection
from roadmaps.section_services import section_create, section_update, strategy_version_freeze
from strategy.demo import DEMO_PASSWORD, demo_accounts_create, demo_process_create
from strategy.services import reference_data_load
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    reference_data_load()
    demo_accounts_create()
    process = demo_process_create()
    staff = get_user_model().objects.get(username="kreis")
    section_create(
        process=process,
        kind=TextSection.Kind.VISION,
        title="Leitbild",
        body="Der Kreis Coesfeld ist **digital** und vernetzt.",
        user=staff,
    )
    section_create(
        process=process,
        kind=TextSection.Kind.PRINCIPLE,
        title="Digital zuerst",
        body="- Online vor Papier\n- Einmal erfassen",
        user=staff,
    )
    strategy_version_freeze(process=process, note="Erster Stand", user=staff)
    return live_server.url


def _login(page, base, username):
    page.goto(base + "/konto/anmelden/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")


def test_staff_edit_the_vision_and_see_the_new_version(page, demo):
    vision = TextSection.objects.get(kind=TextSection.Kind.VISION)
    _login(page, demo, "kreis")

    page.goto(demo + "/strategie/texte/")
    assert page.locator("h1").is_visible()
    assert axe_violations(page) == []

    page.locator(f'a[href="/strategie/texte/{vision.pk}/"]').first.click()
    page.wait_for_url(demo + f"/strategie/texte/{vision.pk}/")
    assert page.locator("article strong", has_text="digital").is_visible()
    assert axe_violations(page) == []

    page.locator(f'a[href="/strategie/texte/{vision.pk}/bearbeiten/"]').click()
    page.wait_for_url(demo + f"/strategie/texte/{vision.pk}/bearbeiten/")
    assert axe_violations(page) == []
    page.locator("#id_body").fill("Der Kreis Coesfeld wird **smart** und vernetzt.")
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_url(demo + f"/strategie/texte/{vision.pk}/")
    assert page.locator("article strong", has_text="smart").is_visible()
    vision.refresh_from_db()
    assert vision.version == 2

    page.locator(f'a[href="/strategie/texte/{vision.pk}/versionen/"]').click()
    page.wait_for_url(demo + f"/strategie/texte/{vision.pk}/versionen/")
    assert page.locator("tbody tr").count() == 2
    assert axe_violations(page) == []

    page.locator(f'a[href="/strategie/texte/{vision.pk}/vergleich/?a=1&b=2"]').click()
    # count() does not wait: the comparison page must have replaced the list first.
    page.wait_for_url(demo + f"/strategie/texte/{vision.pk}/vergleich/?a=1&b=2")
    assert page.locator("del", has_text="digital").count() >= 1
    assert page.locator("ins", has_text="smart").count() >= 1
    assert axe_violations(page) == []


def test_a_conflict_keeps_the_text_and_passes_axe(page, demo):
    vision = TextSection.objects.get(kind=TextSection.Kind.VISION)
    _login(page, demo, "kreis")
    page.goto(demo + f"/strategie/texte/{vision.pk}/bearbeiten/")
    # Someone else saves while this person is typing.
    section_update(
        section=vision, loaded_version=1, title="Leitbild", body="Fremder Text.", user=None
    )
    page.locator("#id_body").fill("Mein eigener Text.")
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_load_state()
    assert page.locator("#id_body").input_value() == "Mein eigener Text."
    assert page.locator("#current-source").input_value() == "Fremder Text."
    assert page.locator("ins", has_text="Mein").count() >= 1
    assert axe_violations(page) == []
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_url(demo + f"/strategie/texte/{vision.pk}/")
    vision.refresh_from_db()
    assert (vision.version, vision.body) == (3, "Mein eigener Text.")


def test_draft_and_frozen_version_pages_pass_axe(page, demo):
    version = StrategyVersion.objects.get()
    _login(page, demo, "kreis")
    for path in ("/strategie/entwurf/", "/strategie/fassungen/", version.get_absolute_url()):
        page.goto(demo + path)
        assert page.locator("h1").is_visible()
        assert axe_violations(page) == [], path
    page.goto(demo + "/strategie/fassungen/einfrieren/")
    assert axe_violations(page) == []
    page.locator("#id_note").fill("Zweiter Stand")
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_url(demo + "/strategie/fassungen/*/")
    assert StrategyVersion.objects.filter(label="Entwurf v2", note="Zweiter Stand").exists()
    assert axe_violations(page) == []

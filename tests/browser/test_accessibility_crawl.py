"""Every page a role can reach (crawled from the dashboard, plus every readable page of the
permission table) passes axe-core's WCAG 2.0/2.1 A and AA rules in Chromium."""

from urllib.parse import urljoin, urlparse

import pytest
from django.urls import Resolver404, resolve, reverse

from inventory.demo import demo_inventory_create
from inventory.similarity import similarities_compute
from strategy.demo import DEMO_PASSWORD, demo_accounts_create, demo_process_create
from strategy.services import reference_data_load
from tests.browser.conftest import axe_violations
from tests.test_permissions import TABLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {
    "anonymous": None,
    "district_staff": "kreis",
    "consultant": "beratung",
    "rep_duelmen": "duelmen",
    "working_group": "arbeitsgruppe",
    "councillor": "ratsmitglied",
    "admin": "admin",
}
# Downloads, state changes and the Django admin are not pages to scan.
SKIP_PARTS = (
    "/admin/",
    "/i18n/",
    "export.",
    "vorlage.xlsx",
    "/dokument/",
    "/meine-daten/",
    "/daten/",
    "/abmelden/",
    "/health/",
    # Adoption: OParl answers JSON, the draft council paper downloads as .docx.
    "/oparl/",
    "/vorlage/docx/",
)
MAX_PAGES_PER_ROLE = 80


@pytest.fixture
def demo(live_server):
    reference_data_load()
    demo_accounts_create()
    demo_process_create()
    demo_inventory_create()
    similarities_compute()
    return live_server.url


def _page_key(path):
    """One visit per URL pattern and query shape: lists with 25 rows need no second look."""
    parsed = urlparse(path)
    try:
        match = resolve(parsed.path)
    except Resolver404:
        return None
    return (match.view_name, tuple(sorted(match.kwargs)), bool(parsed.query))


def _table_paths(role):
    """GET pages of the permission table this role may read, with demo objects."""
    from inventory.models import ExistingStrategy, Project
    from strategy.models import Municipality, Step, StrategyProcess, ThemeField

    process = StrategyProcess.objects.first()
    step = Step.objects.filter(phase__process=process).first()
    objects = {
        "process": {"pk": process.pk},
        "step": {"pk": process.pk, "step_pk": step.pk},
        "phase": {"pk": process.pk, "phase_pk": step.phase_id},
        "themefield": {"pk": ThemeField.objects.first().pk},
        "project": {"pk": Project.objects.filter(municipality__name="Dülmen").first().pk},
        "strategy": {"pk": ExistingStrategy.objects.filter(municipality__name="Dülmen").first().pk},
        "municipality": {"pk": Municipality.objects.get(name="Dülmen").pk},
        "content_page": {"slug": "datenschutz"},
    }
    for name, (key, method, expected) in TABLE.items():
        if method == "get" and expected[role] == 200 and (key is None or key in objects):
            yield reverse(name, kwargs=objects.get(key))


def test_every_reachable_page_passes_axe(browser, demo):
    failures = {}
    for role, username in ROLES.items():
        context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        if username:
            page.goto(demo + "/konto/anmelden/")
            page.get_by_label("Benutzername").fill(username)
            page.get_by_label("Passwort").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Anmelden").click()
            page.wait_for_url(demo + "/")
        queue = ["/"] + list(_table_paths(role))
        seen_keys, visited = set(), 0
        while queue and visited < MAX_PAGES_PER_ROLE:
            path = queue.pop(0)
            if any(part in path for part in SKIP_PARTS):
                continue
            key = _page_key(path)
            if key is None or key in seen_keys:
                continue
            seen_keys.add(key)
            response = page.goto(demo + path)
            visited += 1
            if response is None or response.status >= 400 or not page.url.startswith(demo):
                continue
            violations = axe_violations(page)
            if violations:
                failures[f"{role} {path}"] = violations
            for href in page.eval_on_selector_all(
                "a[href]", "els => els.map(e => e.getAttribute('href'))"
            ):
                absolute = urljoin(page.url, href)
                if absolute.startswith(demo) and "#" not in href:
                    queue.append(absolute[len(demo) :])
        context.close()
        assert visited >= (3 if role == "anonymous" else 10), (role, visited)
    assert failures == {}

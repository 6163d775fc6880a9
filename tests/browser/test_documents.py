"""In Chromium: district staff ask for the strategy PDF; a councillor opens the documents page,
follows the progress bar of that render (htmx polling, live region) to the download and
downloads the PDF; the pages have no axe-core violations."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from adoption import documents
from adoption.models import StrategyDocument
from adoption.tasks import render_strategy_document
from roadmaps.section_services import strategy_version_freeze
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    # English, so that the test does not depend on the German catalogue being merged yet.
    page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ]
    )
    return page


def test_councillor_follows_the_render_to_the_download(
    page, live_server, process, personas, media, monkeypatch
):
    # The worker is played by the test: the job is only queued, then advanced step by step.
    monkeypatch.setattr(render_strategy_document, "delay", lambda pk: None)
    staff, councillor = personas["district_staff"], personas["councillor"]
    version = strategy_version_freeze(process=process, user=staff)

    # District staff ask for the council submission through the form.
    _log_in(page, live_server, staff)
    page.goto(f"{live_server.url}/beschluss/prozesse/{process.pk}/dokumente/neu/")
    assert axe_violations(page) == []
    page.get_by_label("Council submission (Beschlussvorlage)").check()
    page.get_by_role("button", name="Create PDF").click()
    job = StrategyDocument.objects.get()
    page.wait_for_url(f"**/beschluss/dokumente/{job.pk}/")
    assert job.purpose == "submission" and job.status == "queued"

    # The councillor finds it on the documents page and opens it.
    _log_in(page, live_server, councillor)
    page.goto(f"{live_server.url}/beschluss/prozesse/{process.pk}/dokumente/")
    assert version.label in page.content()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Council submission (Beschlussvorlage)").click()
    page.wait_for_url(f"**/beschluss/dokumente/{job.pk}/")
    bar = page.get_by_role("progressbar")
    assert bar.get_attribute("aria-valuenow") == "0"
    assert axe_violations(page) == []

    documents.DOCUMENTS.claim(job.pk, step=documents.STEP_COLLECTING)
    documents.DOCUMENTS.progress(job.pk, progress=30, step=documents.STEP_LAYOUT)
    page.wait_for_selector('[role="progressbar"][aria-valuenow="30"]', timeout=5000)
    live = page.locator("[aria-live=polite]")
    assert "30 %" in live.text_content() and "Laying out the pages" in live.text_content()

    # The rest of the render, as the worker does it.
    documents.document_run(document_id=job.pk)
    link = page.locator(f'a[href="/beschluss/dokumente/{job.pk}/download/"]')
    link.wait_for(timeout=10000)
    assert page.get_by_role("progressbar").count() == 0
    assert axe_violations(page) == []
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"digitalstrategie-v{version.number}-")
    job.refresh_from_db()
    assert Path(download.path()).read_bytes() == job.file.read()

"""In Chromium: the facilitator requests the PDF, the page follows the job through htmx
polling to the download; the minutes pages have no axe-core violations."""

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client

from tests.browser.conftest import axe_violations
from tests.workshops import test_minutes_data as data
from workshops.minutes import STEP_LAYOUT
from workshops.minutes_tasks import render_minutes
from workshops.models import MinutesRender

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Fixtures shared by the minutes tests and the browser tests.
media, facilitator, minutes_session = data.media, data.facilitator, data.minutes_session


@pytest.fixture
def logged_in(page, live_server, facilitator):
    client = Client()
    client.force_login(facilitator)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    # English, so that the test does not depend on the German catalogue being merged yet.
    page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ]
    )
    return page


def test_facilitator_follows_the_pdf_job_to_the_download(
    logged_in, live_server, minutes_session, monkeypatch, media
):
    # The worker is played by the test: the job is only queued.
    monkeypatch.setattr(render_minutes, "delay", lambda pk: None)
    page = logged_in
    page.goto(f"{live_server.url}/workshops/sitzungen/{minutes_session.pk}/protokoll/")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Create PDF").click()
    job = MinutesRender.objects.get()
    page.wait_for_url(f"**/workshops/protokolle/{job.pk}/")
    bar = page.get_by_role("progressbar")
    assert bar.get_attribute("aria-valuenow") == "0"
    assert axe_violations(page) == []

    MinutesRender.objects.filter(pk=job.pk).update(
        status=MinutesRender.Status.RUNNING, progress=35, step=STEP_LAYOUT
    )
    page.wait_for_selector('[role="progressbar"][aria-valuenow="35"]', timeout=5000)
    assert "35 %" in page.locator("[aria-live=polite]").text_content()
    page.screenshot(path=str(media / "progress.png"))

    job.file.save("protokoll.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    MinutesRender.objects.filter(pk=job.pk).update(
        status=MinutesRender.Status.DONE, progress=100, pages=8, file=job.file.name
    )
    download = page.locator(f'a[href="/workshops/protokolle/{job.pk}/download/"]')
    download.wait_for(timeout=5000)
    assert page.get_by_role("progressbar").count() == 0
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["bearbeiten/", "fotos/"])
def test_minutes_pages_are_accessible(logged_in, live_server, minutes_session, path):
    logged_in.goto(f"{live_server.url}/workshops/sitzungen/{minutes_session.pk}/protokoll/{path}")
    assert axe_violations(logged_in) == []

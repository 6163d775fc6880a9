"""Render jobs of the strategy PDF: request through the page, joining an active job, done,
failed, soft time limit, stale, broker unreachable, the council submission kept unchanged,
the pages (list, form, progress, download) with their queries and audit events."""

import hashlib
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from adoption import documents
from adoption.models import StrategyDocument
from adoption.tasks import render_strategy_document
from roadmaps.models import StrategyVersion
from strategy.audit import AuditAction
from strategy.jobs import ERROR_FAILED, ERROR_NOT_QUEUED, ERROR_STALE, ERROR_TIME_LIMIT
from strategy.models import AuditEvent

from . import test_documents_data as data

pytestmark = pytest.mark.django_db
media, staff = data.media, data.staff

Status = StrategyDocument.Status
Purpose = StrategyDocument.Purpose
FAKE_PDF = b"%PDF-1.7\n% a small stand-in for the layout, which test_documents_pdf checks\n"


@pytest.fixture
def version(process, staff):
    """A frozen version of a process with no content yet: renders in about a second."""
    from roadmaps.section_services import strategy_version_freeze

    return strategy_version_freeze(process=process, user=staff)


@pytest.fixture
def fake_render(monkeypatch):
    """The layout is tested in test_documents_pdf; here the jobs around it."""
    calls = []

    def render(*, version, purpose, progress=lambda p, s: None, fetcher=None):
        calls.append((version.pk, purpose))
        progress(30, documents.STEP_LAYOUT)
        return FAKE_PDF, 3

    monkeypatch.setattr(documents, "strategy_pdf", render)
    return calls


@pytest.fixture
def english(client, staff):
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _post_new(client, version, purpose="draft"):
    return client.post(
        reverse("adoption:document_new", args=[version.process_id]),
        {"version": version.pk, "purpose": purpose},
    )


def test_the_page_creates_a_job_and_a_second_request_joins_it(
    english, version, staff, fake_render, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post_new(english, version)
    job = StrategyDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("adoption:document_detail", args=[job.pk])
    assert job.status == Status.QUEUED and job.requested_by == staff and job.purpose == "draft"
    assert len(callbacks) == 1  # enqueued once committed, never inside the request
    assert not fake_render  # the web request renders nothing

    response = _post_new(english, version)
    assert response["Location"] == reverse("adoption:document_detail", args=[job.pk])
    assert StrategyDocument.objects.count() == 1
    # Another purpose of the same version is a job of its own.
    _post_new(english, version, purpose="adopted")
    assert StrategyDocument.objects.count() == 2
    events = AuditEvent.objects.filter(
        action=AuditAction.RENDER, target_type="adoption.StrategyDocument"
    ).order_by("pk")
    assert [e.target_id for e in events] == [str(job.pk), str(job.pk + 1)]
    assert events[0].actor == staff and events[0].details["purpose"] == "draft"


def test_the_task_renders_stores_checksums_and_keeps_every_render(
    version, staff, fake_render, media
):
    first, _ = documents.document_request(version=version, purpose="draft", user=staff)
    render_strategy_document(first.pk)
    second, created = documents.document_request(version=version, purpose="draft", user=staff)
    assert created
    render_strategy_document(second.pk)
    for job in (first, second):
        job.refresh_from_db()
        assert job.status == Status.DONE and job.progress == 100 and job.pages == 3
        assert job.sha256 == hashlib.sha256(FAKE_PDF).hexdigest()
        assert job.sha512 == hashlib.sha512(FAKE_PDF).hexdigest()
        assert job.size == len(FAKE_PDF) and job.render_seconds is not None
        assert job.peak_memory > 10_000_000  # the worker's high-water mark, in bytes
        assert job.file.read() == FAKE_PDF
    # Every render is kept as a version of the document.
    assert len(list(media.rglob("*.pdf"))) == 2
    # A job that is done is not rendered again when its task is delivered twice.
    render_strategy_document(first.pk)
    assert len(fake_render) == 2


def test_the_task_renders_a_real_small_pdf(version, staff, media):
    job, _ = documents.document_request(version=version, purpose="draft", user=staff)
    render_strategy_document(job.pk)
    job.refresh_from_db()
    assert job.status == Status.DONE, job.error
    assert job.file.read().startswith(b"%PDF-1.7") and job.pages >= 5


@pytest.mark.parametrize(
    ("exception", "error"),
    [(RuntimeError("Pango ist kaputt"), ERROR_FAILED), (SoftTimeLimitExceeded(), ERROR_TIME_LIMIT)],
    ids=["crash", "soft-time-limit"],
)
def test_failures_end_as_failed_with_a_message_and_a_retry_button(
    english, version, staff, monkeypatch, media, exception, error
):
    def broken(**kwargs):
        raise exception

    monkeypatch.setattr(documents, "strategy_pdf", broken)
    job, _ = documents.document_request(version=version, purpose="draft", user=staff)
    render_strategy_document(job.pk)  # does not raise: the job records the failure
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error == error and job.finished_at
    assert not job.file and not list(media.rglob("*.pdf"))

    html = english.get(reverse("adoption:document_status", args=[job.pk])).content.decode()
    with translation.override("en"):
        assert translation.gettext(error) in html
    assert "hx-trigger" not in html  # polling stops
    retry = reverse("adoption:document_retry", args=[job.pk])
    assert retry in html
    response = english.post(retry)
    new = StrategyDocument.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("adoption:document_detail", args=[new.pk])
    assert new.status == Status.QUEUED and new.purpose == job.purpose


def test_the_task_has_time_limits():
    assert 0 < render_strategy_document.soft_time_limit < render_strategy_document.time_limit
    assert render_strategy_document.time_limit < documents.STALE_RENDER_AFTER.total_seconds()


@pytest.mark.clock
def test_stale_jobs_end_as_failed(english, version, staff, personas):
    now = timezone.now()
    stuck = StrategyDocument.objects.create(version=version, status=Status.RUNNING, progress=30)
    StrategyDocument.objects.filter(pk=stuck.pk).update(
        started_at=now - timedelta(minutes=16), requested_at=now - timedelta(minutes=17)
    )
    lost = StrategyDocument.objects.create(version=version, purpose="adopted")
    StrategyDocument.objects.filter(pk=lost.pk).update(requested_at=now - timedelta(minutes=20))

    html = english.get(reverse("adoption:document_status", args=[stuck.pk])).content.decode()
    with translation.override("en"):
        assert translation.gettext(ERROR_STALE) in html
    stuck.refresh_from_db()
    assert stuck.status == Status.FAILED and stuck.error == ERROR_STALE
    # The list ends every stuck job it shows.
    english.get(reverse("adoption:document_list", args=[version.process_id]))
    assert StrategyDocument.objects.get(pk=lost.pk).status == Status.FAILED
    # And a stuck job does not block a new request.
    job, created = documents.document_request(version=version, purpose="draft", user=staff)
    assert created and job.pk != stuck.pk


def test_an_unreachable_broker_fails_the_job_with_a_message_and_keeps_the_request(
    english, version, staff, monkeypatch
):
    def unreachable(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(render_strategy_document, "delay", unreachable)
    job, _ = documents.document_request(version=version, purpose="draft", user=staff)
    documents.DOCUMENTS.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error == ERROR_NOT_QUEUED
    html = english.get(reverse("adoption:document_detail", args=[job.pk])).content.decode()
    with translation.override("en"):
        assert translation.gettext(ERROR_NOT_QUEUED) in html
    assert reverse("adoption:document_retry", args=[job.pk]) in html


def test_the_council_submission_is_kept_unchanged(english, version, staff, fake_render, media):
    job, _ = documents.document_request(version=version, purpose="submission", user=staff)
    render_strategy_document(job.pk)
    job.refresh_from_db()
    assert job.is_immutable
    original = (job.file.name, job.sha256, job.file.read())

    # No second council submission of the same version, neither by the page nor directly.
    response = _post_new(english, version, purpose="submission")
    assert response.status_code == 400
    assert "cannot be rendered again" in response.content.decode()
    with pytest.raises(documents.DocumentError):
        documents.document_request(version=version, purpose="submission", user=staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        StrategyDocument.objects.create(version=version, purpose="submission")
    # No deletion: not through the page (no permission), the service, or the model.
    response = english.post(reverse("adoption:document_delete", args=[job.pk]))
    assert response.status_code == 403
    with pytest.raises(documents.DocumentError):
        documents.document_delete(document=job, user=staff)
    with pytest.raises(ValidationError):
        job.delete()
    with pytest.raises(ValidationError):
        StrategyDocument.objects.get(pk=job.pk).delete()
    # No replacing of its file or checksums.
    job.sha256 = "0" * 64
    with pytest.raises(ValidationError):
        job.save()
    job = StrategyDocument.objects.get(pk=job.pk)
    job.file.save("anders.pdf", ContentFile(b"%PDF-1.7 anders"), save=False)
    with pytest.raises(ValidationError):
        job.save()
    # A re-delivered task does not render it again.
    render_strategy_document(job.pk)
    job = StrategyDocument.objects.get(pk=job.pk)
    assert (job.file.name, job.sha256, job.file.read()) == original
    assert len(fake_render) == 1
    # Drafts of the same version can still be made.
    draft, created = documents.document_request(version=version, purpose="draft", user=staff)
    assert created


@pytest.mark.clock
def test_the_version_choice_names_the_day_it_was_frozen_in_berlin(english, version):
    """Regression: the choice showed the UTC date, the day before between midnight and 01:00
    (02:00 in summer), unlike the list of versions beside it."""
    frozen_on = timezone.localdate(version.created_at)
    assert frozen_on == timezone.localdate()
    page = english.get(reverse("adoption:document_new", args=[version.process_id]))
    assert f"{version.label} ({frozen_on:%d.%m.%Y})" in page.content.decode()


def test_only_district_staff_issue_the_council_submission(client, version, personas):
    client.force_login(personas["consultant"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("adoption:document_new", args=[version.process_id]))
    assert 'value="submission"' not in page.content.decode()
    response = _post_new(client, version, purpose="submission")
    assert response.status_code == 400 and not StrategyDocument.objects.exists()
    assert "not available to you" in response.content.decode()
    with pytest.raises(documents.DocumentError):
        documents.document_request(
            version=version, purpose="submission", user=personas["consultant"]
        )
    assert _post_new(client, version, purpose="draft").status_code == 302


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"purpose": "draft"}, "Please choose a frozen version."),
        ({"version": "999999", "purpose": "draft"}, "Please choose a frozen version"),
        ({"version": "x", "purpose": "bogus"}, "not available to you"),
    ],
)
def test_bad_input_is_refused_with_a_message(english, version, form, message):
    response = english.post(reverse("adoption:document_new", args=[version.process_id]), form)
    assert response.status_code == 400 and message in response.content.decode()
    assert not StrategyDocument.objects.exists()


def test_a_version_of_another_process_cannot_be_chosen(english, version, staff):
    from strategy.services import process_create

    other = process_create(title="Andere Strategie", year=2030)
    response = _post_new(english, version)
    assert response.status_code == 302
    response = english.post(
        reverse("adoption:document_new", args=[other.pk]),
        {"version": version.pk, "purpose": "draft"},
    )
    assert response.status_code == 400 and StrategyDocument.objects.count() == 1


def test_drafts_can_be_deleted_by_district_staff(english, version, staff, fake_render, media):
    job, _ = documents.document_request(version=version, purpose="draft", user=staff)
    render_strategy_document(job.pk)
    with transaction.atomic():
        response = english.post(reverse("adoption:document_delete", args=[job.pk]))
    assert response["Location"] == reverse("adoption:document_list", args=[version.process_id])
    assert not StrategyDocument.objects.exists()


def test_download_is_recorded_in_the_audit_log(client, version, staff, personas, fake_render):
    job, _ = documents.document_request(version=version, purpose="submission", user=staff)
    councillor = personas["councillor"]
    client.force_login(councillor)
    url = reverse("adoption:document_download", args=[job.pk])
    assert client.get(url).status_code == 404  # not finished yet
    render_strategy_document(job.pk)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == FAKE_PDF
    assert f"digitalstrategie-v{version.number}-submission-" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert event.actor == councillor and event.target_id == str(job.pk)
    assert event.details["sha256"] == job.__class__.objects.get(pk=job.pk).sha256


def test_councillors_see_which_version_they_read(client, version, staff, personas, fake_render):
    job, _ = documents.document_request(version=version, purpose="submission", user=staff)
    render_strategy_document(job.pk)
    job.refresh_from_db()
    client.force_login(personas["councillor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for name, pk in (("document_list", version.process_id), ("document_detail", job.pk)):
        html = client.get(reverse(f"adoption:{name}", args=[pk])).content.decode()
        assert version.label in html and job.sha256[:16] in html
        assert "Council submission (Beschlussvorlage)" in html
        assert "Create PDF" not in html  # councillors read, they do not render


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_list_and_status_run_a_fixed_number_of_queries(
    client, process, version, staff, personas, fake_render
):
    from roadmaps.section_services import strategy_version_freeze

    client.force_login(personas["councillor"])
    job, _ = documents.document_request(version=version, purpose="draft", user=staff)
    list_url = reverse("adoption:document_list", args=[process.pk])
    status_url = reverse("adoption:document_status", args=[job.pk])
    before = (_queries(client, list_url), _queries(client, status_url))
    for _ in range(4):
        more = strategy_version_freeze(process=process, user=staff)
        for purpose in ("draft", "adopted"):
            extra, _ = documents.document_request(version=more, purpose=purpose, user=staff)
            render_strategy_document(extra.pk)
    assert StrategyVersion.objects.count() == 5
    after = (_queries(client, list_url), _queries(client, status_url))
    assert before == after, (before, after)


def test_unchanged_status_answers_204_to_the_poll(client, version, staff, personas):
    job, _ = documents.document_request(version=version, purpose="draft", user=staff)
    client.force_login(personas["councillor"])
    url = reverse("adoption:document_status", args=[job.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'role="progressbar"' in html and 'aria-valuenow="0"' in html
    assert client.get(url + "?seen=queued-0", headers={"HX-Request": "true"}).status_code == 204
    StrategyDocument.objects.filter(pk=job.pk).update(status=Status.RUNNING, progress=30)
    html = client.get(url + "?seen=queued-0", headers={"HX-Request": "true"}).content.decode()
    assert 'aria-valuenow="30"' in html


@pytest.mark.parametrize("role", ["rep_duelmen", "working_group", "councillor", "consultant"])
def test_refused_writes_change_nothing(client, version, staff, personas, fake_render, role):
    draft, _ = documents.document_request(version=version, purpose="draft", user=staff)
    render_strategy_document(draft.pk)
    failed = StrategyDocument.objects.create(version=version, purpose="adopted", status="failed")
    before = list(StrategyDocument.objects.order_by("pk").values())
    client.force_login(personas[role])
    expected_new = 403 if role != "consultant" else 400  # consultants: no submission
    assert _post_new(client, version, purpose="submission").status_code == expected_new
    assert client.post(reverse("adoption:document_delete", args=[draft.pk])).status_code == 403
    if role != "consultant":
        retry = reverse("adoption:document_retry", args=[failed.pk])
        assert client.post(retry).status_code == 403
    assert list(StrategyDocument.objects.order_by("pk").values()) == before


def test_the_render_checks_the_time_limit_itself(version, staff, monkeypatch, media):
    """A soft time limit that WeasyPrint swallowed (it catches errors while loading a font)
    still ends the job as failed at the next step."""
    import time

    def slow(*, version, purpose, progress, **kwargs):
        time.sleep(0.05)
        progress(75, documents.STEP_WRITING)
        return FAKE_PDF, 3

    monkeypatch.setattr(documents, "strategy_pdf", slow)
    job, _ = documents.document_request(version=version, purpose="draft", user=staff)
    documents.DOCUMENTS.run(
        job.pk,
        lambda: documents.document_run(document_id=job.pk, time_limit=0.01),
        step=documents.STEP_COLLECTING,
    )
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error == ERROR_TIME_LIMIT and not job.file


def test_the_navigation_leads_to_the_documents_of_the_current_edition(client, process, personas):
    client.force_login(personas["councillor"])
    html = client.get(reverse("strategy:dashboard")).content.decode()
    assert reverse("adoption:document_list_current") in html
    response = client.get(reverse("adoption:document_list_current"))
    assert response.status_code == 302
    assert response["Location"] == reverse("adoption:document_list", args=[process.pk])


def test_without_an_edition_the_documents_link_answers_404(client, personas):
    client.force_login(personas["councillor"])
    assert client.get(reverse("adoption:document_list_current")).status_code == 404

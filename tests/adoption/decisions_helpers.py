"""Fixtures of the adoption decision tests (imported by the test modules)."""

import hashlib
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from adoption.decision_services import councils_ensure
from adoption.models import AdoptionPublication, Council, StrategyDocument
from roadmaps.models import StrategyVersion
from tests.upload_samples import pdf_bytes


def local_day(days: int = 0) -> date:
    """The date ``days`` from today in Europe/Berlin, taken when the test runs (not when the
    module is imported: the clock of a test may have been moved, see tests/conftest.py)."""
    return timezone.localdate() + timedelta(days=days)


PDF_BYTES = pdf_bytes()
CONTENT = {
    "chapters": [
        {"key": "vision", "title": "Leitbild und Werte", "sections": []},
        {
            "key": "field",
            "title": "Mobilität",
            "goals": [],
            "measures": [
                {
                    "number": "M-02",
                    "title": "Bürgerbus-App",
                    "milestones": [{"title": "Pilot", "due_on": "2027-09-01", "done": False}],
                    "depends_on": ["M-01"],
                }
            ],
        },
        {
            "key": "roadmap",
            "title": "Roadmap",
            "measures": [
                {
                    "number": "M-01",
                    "title": "Glasfaser für alle Schulen",
                    "start_date": "2027-01-01",
                    "end_date": "2027-12-31",
                    "priority": "high",
                    "priority_label": "Hoch",
                    "status_label": "Vereinbart",
                },
                {
                    "number": "M-02",
                    "title": "Bürgerbus-App",
                    "start_date": "2027-06-01",
                    "end_date": "2028-06-30",
                    "priority": "medium",
                    "priority_label": "Mittel",
                    "status_label": "Vereinbart",
                },
            ],
        },
    ]
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def version(process):
    return StrategyVersion.objects.create(
        process=process, number=1, label="Entwurf v1", content=CONTENT
    )


@pytest.fixture
def councils(process, version):
    return {c.municipality.name: c for c in councils_ensure(process=process)}


def done_document(version, purpose=StrategyDocument.Purpose.ADOPTED) -> StrategyDocument:
    document = StrategyDocument(
        version=version,
        purpose=purpose,
        status=StrategyDocument.Status.DONE,
        sha256=hashlib.sha256(PDF_BYTES).hexdigest(),
        sha512=hashlib.sha512(PDF_BYTES).hexdigest(),
        size=len(PDF_BYTES),
        pages=1,
        finished_at=timezone.now(),
    )
    document.file.save("strategie.pdf", ContentFile(PDF_BYTES), save=False)
    document.save()
    return document


def decide(council: Council, result=Council.Result.ADOPTED, **fields) -> Council:
    fields.setdefault("decided_on", local_day(-3))
    Council.objects.filter(pk=council.pk).update(result=result, **fields)
    council.refresh_from_db()
    return council


def publish(process, version, user=None) -> AdoptionPublication:
    return AdoptionPublication.objects.create(
        process=process, document=done_document(version), published_by=user
    )


def count_queries(client, url) -> tuple[int, object]:
    """Queries of one GET (the log is emptied first: Django empties it when a request starts,
    which would confuse the counting context after earlier requests)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    captured = list(context.captured_queries)
    return len(captured), captured, response

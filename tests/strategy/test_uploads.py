# ruff: noqa: F811 - the fixtures are imported from decisions_helpers
"""Uploads are checked by what they claim to be (item 5 of issue 11). The outside probe's files
(an HTML page and a Windows program, each with the PDF marker in its first kilobyte) and other
broken PDFs are refused with a German message and nothing is stored; accepted PDFs are stored
under generated names; nothing is served from ``/media/``, not even with DEBUG on."""

import hashlib
import importlib
import re
import resource
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from adoption.models import Council
from inventory.models import ExistingStrategy
from strategy import uploads
from strategy.models import AuditEvent
from tests.adoption.decisions_helpers import councils, media, version  # noqa: F401
from tests.upload_samples import (
    encrypted_pdf_bytes,
    marker_exe,
    pdf_bytes,
    polyglot_html,
    polyglot_html_at_start,
    xref_stream_bomb,
)

pytestmark = pytest.mark.django_db


def _zero_pages() -> bytes:
    import io

    import pikepdf

    buffer = io.BytesIO()
    pikepdf.new().save(buffer)
    return buffer.getvalue()


# (uploaded name, content, words of the German message)
ATTACKS = [
    ("poly.html", polyglot_html, "kein PDF-Dokument"),
    ("poly.pdf", polyglot_html_at_start, "beschädigt oder kein gültiges PDF"),
    ("beschluss.exe", marker_exe, "kein PDF-Dokument"),
    ("geschuetzt.pdf", lambda: encrypted_pdf_bytes(user_password="offen"), "verschlüsselt"),
    ("nur-besitzerpasswort.pdf", encrypted_pdf_bytes, "verschlüsselt"),
    ("leer.pdf", _zero_pages, "keine Seiten"),
    ("zu-gross.pdf", lambda: pdf_bytes() + b"%" * (20 * 1024 * 1024), "höchstens 20,0"),
    # 2 MB whose cross-reference stream inflates to 2 GB.
    ("bombe.pdf", xref_stream_bomb, "PDF"),
]
IDS = [attack[0] for attack in ATTACKS]


def _decision(upload) -> dict:
    return {
        "paper_reference": "DS 1/2027",
        "ris_url": "https://ris.example.org/1",
        "result": "adopted",
        "decided_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "votes_yes": "30",
        "votes_no": "2",
        "votes_abstain": "1",
        "resolution_text": "Beschlossen.",
        "resolution_file": upload,
    }


def _stored_files(media) -> list[str]:
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())


def _usage() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


@pytest.mark.parametrize(("name", "make", "message"), ATTACKS, ids=IDS)
def test_a_council_resolution_that_is_no_usable_pdf_is_refused_and_nothing_stored(
    client, personas, councils, media, name, make, message
):
    client.force_login(personas["district_staff"])
    council = councils["Dülmen"]
    content = make()
    url = reverse("adoption:council_decide", args=[council.pk])
    client.get(url)  # the form's templates are loaded before measuring
    cpu_before, children_before = _usage()
    started = time.monotonic()
    response = client.post(
        url, _decision(SimpleUploadedFile(name, content, content_type="application/pdf"))
    )
    seconds = time.monotonic() - started
    cpu_after, children_after = _usage()
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["resolution_file"])
    assert message in errors, errors
    council.refresh_from_db()
    assert council.result == "pending" and not council.resolution_file
    assert not AuditEvent.objects.filter(action="decision").exists()
    assert _stored_files(media) == []
    # The PDF library runs in a process of its own with CPU and memory limits: the web
    # process itself spends next to nothing, the checking process at most its limit.
    assert cpu_after - cpu_before < 1.0
    assert children_after - children_before <= uploads.PDF_CHECK_CPU_SECONDS + 1.5
    assert seconds < uploads.PDF_CHECK_TIMEOUT_SECONDS + 5


@pytest.mark.parametrize(("name", "make", "message"), ATTACKS[:3], ids=IDS[:3])
def test_an_existing_strategy_document_that_is_no_pdf_is_refused(
    client, personas, reference, media, name, make, message
):
    client.force_login(personas["rep_duelmen"])
    response = client.post(
        reverse("inventory:strategy_new"),
        {
            "municipality": reference["Dülmen"].pk,
            "title": "Polyglott",
            "kind": "other",
            "document": SimpleUploadedFile(name, make(), content_type="text/html"),
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExistingStrategy.objects.exists()
    assert _stored_files(media) == []


def test_accepted_pdfs_are_stored_under_generated_names(client, personas, councils, media):
    client.force_login(personas["district_staff"])
    council = councils["Dülmen"]
    content = pdf_bytes(pages=2)
    response = client.post(
        reverse("adoption:council_decide", args=[council.pk]),
        _decision(SimpleUploadedFile("<script>.html", content, content_type="text/html")),
    )
    assert response.status_code == 302
    council.refresh_from_db()
    assert re.fullmatch(r"adoption/resolutions/[0-9a-f]{32}\.pdf", council.resolution_file.name)
    assert council.resolution_size == len(content)
    assert council.resolution_sha512 == hashlib.sha512(content).hexdigest()

    response = client.post(
        reverse("inventory:strategy_new"),
        {
            "municipality": personas["district_staff"].municipality_id,
            "title": "Strategie",
            "kind": "other",
            "document": SimpleUploadedFile("plan.html", content, content_type="text/html"),
        },
    )
    assert response.status_code == 302
    stored = ExistingStrategy.objects.get().document.name
    assert re.fullmatch(r"inventory/strategies/[0-9a-f]{32}\.pdf", stored)
    assert sorted(_stored_files(media)) == sorted([council.resolution_file.name, stored])


def test_the_pdf_is_opened_once_per_upload(monkeypatch):
    """Form, model field and service all ask; the separate process runs once."""
    calls = []
    real = uploads._pdf_inspect
    monkeypatch.setattr(uploads, "_pdf_inspect", lambda data: calls.append(1) or real(data))
    upload = SimpleUploadedFile("beschluss.pdf", pdf_bytes(pages=3))
    facts = uploads.pdf_check(upload)
    uploads.validate_pdf(upload)
    assert uploads.pdf_check(upload) is facts and facts.pages == 3 and calls == [1]


def test_a_check_that_takes_too_long_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "PDF_CHECK_TIMEOUT_SECONDS", 0.001)
    with pytest.raises(ValidationError) as error:
        uploads.pdf_check(SimpleUploadedFile("beschluss.pdf", pdf_bytes()))
    assert "zu komplex" in error.value.messages[0]


def test_media_is_not_served_even_with_debug_on(client, personas, media, settings):
    """With DEBUG on, ``/media/`` served the polyglot as text/html (its script ran)."""
    (media / "inventory").mkdir(parents=True)
    (media / "inventory" / "poly.html").write_bytes(polyglot_html())
    client.force_login(personas["admin"])
    import coesfeld_strategy.urls

    try:
        with override_settings(DEBUG=True):
            importlib.reload(coesfeld_strategy.urls)
            clear_url_caches()
            for path in ("/media/inventory/poly.html", "/media/", "/media/../media/x"):
                assert client.get(path).status_code == 404
    finally:
        importlib.reload(coesfeld_strategy.urls)
        clear_url_caches()


def test_files_stored_before_keep_their_name_and_are_served_the_same_way(
    client, personas, reference, media
):
    """Uploads from before the generated names (the uploaded name, any extension) still
    download through the view that checks permissions, as PDF attachments with nosniff."""
    from django.core.files.base import ContentFile

    strategy = ExistingStrategy(municipality=reference["Dülmen"], title="Alt", kind="other")
    strategy.document.storage.save("inventory/strategies/2025/poly.html", ContentFile(b"<b>x"))
    strategy.document.name = "inventory/strategies/2025/poly.html"
    strategy.save()
    url = reverse("inventory:strategy_document", args=[strategy.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(personas["councillor"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="strategie-{strategy.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_editing_an_entry_does_not_check_its_stored_file_again(client, personas, reference, media):
    """A file stored before the checks became strict stays usable when the entry is edited."""
    from django.core.files.base import ContentFile

    strategy = ExistingStrategy(municipality=reference["Dülmen"], title="Alt", kind="other")
    strategy.document.save("alt.pdf", ContentFile(b"%PDF-1.4 alt"), save=False)
    strategy.save()
    client.force_login(personas["rep_duelmen"])
    response = client.post(
        reverse("inventory:strategy_edit", args=[strategy.pk]),
        {"municipality": reference["Dülmen"].pk, "title": "Neuer Titel", "kind": "other"},
    )
    assert response.status_code == 302
    assert ExistingStrategy.objects.get().title == "Neuer Titel"


def test_council_keeps_its_resolution_when_the_new_file_is_refused(
    client, personas, councils, media
):
    client.force_login(personas["district_staff"])
    council = councils["Coesfeld"]
    good = pdf_bytes()
    client.post(
        reverse("adoption:council_decide", args=[council.pk]),
        _decision(SimpleUploadedFile("a.pdf", good)),
    )
    before = Council.objects.get(pk=council.pk)
    response = client.post(
        reverse("adoption:council_decide", args=[council.pk]),
        _decision(SimpleUploadedFile("b.pdf", marker_exe())),
    )
    assert response.status_code == 200
    after = Council.objects.get(pk=council.pk)
    assert after.resolution_file.name == before.resolution_file.name
    assert after.resolution_sha512 == hashlib.sha512(good).hexdigest()
    assert _stored_files(media) == [before.resolution_file.name]

# ruff: noqa: F811 - the fixtures are imported from decisions_helpers
"""The draft council paper (Beschlussvorlage) of each body: made from the template with the
body's name and the strategy version, editable, downloadable as .docx and as a PDF made by
the worker (eager in unit tests)."""

import hashlib
import subprocess
import zipfile
from io import BytesIO
from xml.etree import ElementTree

from django.urls import reverse

from adoption.decision_papers import council_paper_docx
from adoption.models import Council, CouncilPaperRender
from tests.adoption.decisions_helpers import councils, media, version  # noqa: F401

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_each_body_gets_its_own_paper_from_the_template(councils, version):
    duelmen, kreis = councils["Dülmen"], councils["Kreis Coesfeld"]
    assert "Der Rat der Stadt Dülmen beschließt" in duelmen.paper_text
    assert "Der Kreistag des Kreises Coesfeld beschließt" in kreis.paper_text
    assert f"„{version.label}“" in duelmen.paper_text
    assert duelmen.paper_text.startswith("# Beschlussvorlage: Digitalstrategie Kreis Coesfeld")


def test_staff_edit_the_text_and_it_is_cleaned(client, personas, councils):
    council = councils["Nottuln"]
    client.force_login(personas["district_staff"])
    url = reverse("adoption:council_paper_edit", args=[council.pk])
    text = "# Vorlage\r\n\r\nDer Rat\x07 beschließt.\r\n\r\n<script>alert(1)</script>\r\n"
    assert client.post(url, {"paper_text": text}).status_code == 302
    council.refresh_from_db()
    assert council.paper_text == "# Vorlage\n\nDer Rat beschließt.\n\n<script>alert(1)</script>\n"
    assert council.paper_text_edited_at is not None
    page = client.get(council.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page  # sanitised when shown


def test_an_empty_text_is_refused_and_changes_nothing(client, personas, councils):
    council = councils["Nottuln"]
    before = council.paper_text
    client.force_login(personas["consultant"])
    url = reverse("adoption:council_paper_edit", args=[council.pk])
    for text in ("", "   \n\x07 "):
        response = client.post(url, {"paper_text": text})
        assert response.status_code == 200
        assert response.context["form"].errors["paper_text"]
    # No browser sends NUL: a bad request before any form (strategy.http).
    assert client.post(url, {"paper_text": "Mit \x00 Nullzeichen"}).status_code == 400
    council.refresh_from_db()
    assert council.paper_text == before


def test_the_template_can_be_applied_again(client, personas, councils):
    council = councils["Senden"]
    Council.objects.filter(pk=council.pk).update(paper_text="Alt")
    client.force_login(personas["district_staff"])
    response = client.post(reverse("adoption:council_paper_reset", args=[council.pk]))
    assert response.status_code == 302
    council.refresh_from_db()
    assert "Der Rat der Gemeinde Senden beschließt" in council.paper_text


def test_the_docx_download_is_a_word_document_with_headings(client, personas, councils):
    council = councils["Dülmen"]
    client.force_login(personas["councillor"])
    response = client.get(reverse("adoption:council_paper_docx", args=[council.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert (
        'filename="beschlussvorlage-rat-der-stadt-dulmen.docx"' in response["Content-Disposition"]
    )
    with zipfile.ZipFile(BytesIO(response.content)) as package:
        names = set(package.namelist())
        assert {"[Content_Types].xml", "word/document.xml", "word/styles.xml"} <= names
        document = ElementTree.fromstring(package.read("word/document.xml"))
        for name in names - {"[Content_Types].xml"}:
            ElementTree.fromstring(package.read(name))  # every part is well-formed XML
    paragraphs = [
        (
            p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") if p.find(f"{W}pPr/{W}pStyle") is not None
            else None,
            "".join(t.text or "" for t in p.iter(f"{W}t")),
        )
        for p in document.iter(f"{W}p")
    ]  # fmt: skip
    assert paragraphs[0] == ("Titel", "Beschlussvorlage: Digitalstrategie Kreis Coesfeld")
    assert ("berschrift1", "Beschlussvorlage") not in paragraphs
    assert ("berschrift1", "Beschlussvorschlag") in paragraphs
    assert any(text.startswith("Der Rat der Stadt Dülmen beschließt") for _s, text in paragraphs)
    assert any(style == "Aufzhlungszeichen" and "Gremium:" in text for style, text in paragraphs)


def test_docx_escapes_markup_in_the_text(councils):
    council = councils["Olfen"]
    council.paper_text = "Text mit <w:p> & **fett**\n"
    package = zipfile.ZipFile(BytesIO(council_paper_docx(council)))
    document = ElementTree.fromstring(package.read("word/document.xml"))
    runs = [(r.find(f"{W}rPr") is not None, r.find(f"{W}t").text) for r in document.iter(f"{W}r")]
    assert runs == [(False, "Text mit <w:p> & "), (True, "fett")]


def test_pdf_is_made_by_the_worker_and_downloaded(
    client, personas, councils, media, tmp_path, django_capture_on_commit_callbacks
):
    council = councils["Dülmen"]
    client.force_login(personas["district_staff"])
    with_text = "# Beschlussvorlage Dülmen\n\n## Beschlussvorschlag\n\nDer Rat beschließt.\n"
    Council.objects.filter(pk=council.pk).update(paper_text=with_text)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("adoption:council_paper_render", args=[council.pk]))
    assert response.status_code == 302
    job = CouncilPaperRender.objects.get(council=council)
    assert response["Location"] == reverse("adoption:paper_render_detail", args=[job.pk])
    assert job.status == "done", job.error
    assert job.pages == 1 and job.size == job.file.size
    pdf = job.file.read()
    assert job.sha512 == hashlib.sha512(pdf).hexdigest()
    assert job.sha256 == hashlib.sha256(pdf).hexdigest()

    status = client.get(reverse("adoption:paper_render_status", args=[job.pk]))
    assert status.status_code == 200 and b"paper-render-" in status.content
    download = client.get(reverse("adoption:paper_render_download", args=[job.pk]))
    assert download.status_code == 200
    path = tmp_path / "vorlage.pdf"
    path.write_bytes(b"".join(download.streaming_content))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Beschlussvorlage Dülmen" in text and "Der Rat beschließt." in text
    assert "Rat der Stadt Dülmen" in text  # the kicker line names the body


def test_an_unfinished_pdf_cannot_be_downloaded(client, personas, councils):
    job = CouncilPaperRender.objects.create(council=councils["Olfen"])
    client.force_login(personas["district_staff"])
    response = client.get(reverse("adoption:paper_render_download", args=[job.pk]))
    assert response.status_code == 404
    page = client.get(reverse("adoption:paper_render_detail", args=[job.pk]))
    assert page.status_code == 200 and b'hx-get="' in page.content


def test_representatives_cannot_edit_or_render(client, personas, councils):
    council = councils["Dülmen"]
    before = council.paper_text
    client.force_login(personas["rep_duelmen"])
    edit = reverse("adoption:council_paper_edit", args=[council.pk])
    assert client.post(edit, {"paper_text": "Neu"}).status_code == 403
    render = reverse("adoption:council_paper_render", args=[council.pk])
    assert client.post(render).status_code == 403
    council.refresh_from_db()
    assert council.paper_text == before and not CouncilPaperRender.objects.exists()

# ruff: noqa: F811 - the fixtures are imported from decisions_helpers
"""Arbitrary text (HTML, script, javascript: URLs, RTL and zero-width characters, very long
strings) in every text field of the adoption forms, posted through the real pages: never a
server error, wherever the text is shown it is shown as text, and the .docx of the council
paper stays a well-formed Word document that holds the text as text."""

import zipfile
from contextlib import contextmanager
from datetime import timedelta
from io import BytesIO
from xml.etree import ElementTree

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import example, given

from adoption.models import ConferenceRecommendation, ConsultationStep, Council
from tests.adoption.decisions_helpers import councils, local_day, version  # noqa: F401 - fixtures
from tests.fuzzing import HYPOTHESIS, MARKERS, TEXT, accepted, check_shown_as_text, fuzzes

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, personas, process):
    client.force_login(personas["district_staff"])
    return client


@contextmanager
def rolled_back():
    """Each example starts from the same data: what it saved is rolled back afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def fit(text: str, size: int) -> str:
    """At most ``size`` characters of ``text``, with its marker if the marker fits."""
    for marker in MARKERS:
        at = text.find(marker)
        if at >= 0 and len(marker) <= size:
            start = 0 if at + len(marker) <= size else at
            return text[start : start + size]
    return text[:size]


def saves(*, lines=(), texts=()) -> bool:
    """Whether the forms must accept the values: ``lines`` posted into single-line fields,
    ``texts`` into multi-line ones (control characters are refused, strategy.text_input)."""
    return accepted(lines=lines, texts=texts)


def shown_as_text(client, response, *urls) -> None:
    """The response itself (a form shown again) and every page at ``urls`` show the text as
    text."""
    check_shown_as_text(client, response, None)
    if response.status_code == 200:
        html = response.content.decode()
        for marker in MARKERS:
            if marker.startswith("javascript:"):
                assert f'href="{marker}' not in html
            else:
                assert marker not in html
    for url in urls:
        check_shown_as_text(client, response, url)


def _pages(council) -> list[str]:
    return [
        reverse("adoption:council_detail", args=[council.pk]),
        reverse("adoption:decision_overview"),
        reverse("strategy:dashboard"),
    ]


@fuzzes("adoption.decision_forms.ConferenceForm")
@given(text=TEXT)
@HYPOTHESIS
def test_conference_remarks(staff, process, version, text):
    url = reverse("adoption:conference_edit")
    data = {"version": version.pk, "meeting_date": local_day(-1), "outcome": "recommended"}
    with rolled_back():
        shown_as_text(staff, staff.post(url, data | {"remarks": text * 3, "outcome": text}))
        response = staff.post(url, data | {"remarks": fit(text, 5000)})
        if saves(texts=[fit(text, 5000)]):
            assert response.status_code == 302
            assert ConferenceRecommendation.objects.filter(process=process).exists()
        shown_as_text(staff, response, reverse("adoption:decision_overview"), url)


@fuzzes("adoption.decision_forms.ConsultationStepForm")
@given(text=TEXT)
@HYPOTHESIS
def test_consultation_steps(staff, councils, text):
    council = councils["Coesfeld"]
    url = reverse("adoption:council_steps", args=[council.pk])
    data = {
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "10",
        "steps-0-organization_name": fit(text, 200),
        "steps-0-role": "preliminary",
        "steps-0-meeting_date": (local_day(-1) - timedelta(days=20)).isoformat(),
        "steps-1-organization_name": fit(text[::-1], 200),
        "steps-1-role": "decision",
        "steps-1-meeting_date": local_day(-1).isoformat(),
    }
    with rolled_back():
        too_long = {"steps-0-organization_name": text * 2, "steps-1-meeting_date": text}
        shown_as_text(staff, staff.post(url, data | too_long))
        response = staff.post(url, data)
        if saves(lines=[fit(text, 200), fit(text[::-1], 200)]):
            assert response.status_code == 302
            assert ConsultationStep.objects.filter(council=council).count() == 2
        shown_as_text(
            staff,
            response,
            url,
            *_pages(council),
            reverse("adoption:oparl_paper", args=[council.pk]),
        )


@fuzzes("adoption.decision_forms.CouncilDecisionForm")
@given(text=TEXT)
@HYPOTHESIS
def test_council_decision(staff, councils, text):
    council = councils["Dülmen"]
    url = reverse("adoption:council_decide", args=[council.pk])
    data = {
        "paper_reference": fit(text, 50),
        "ris_url": "",
        "result": "adopted",
        "decided_on": local_day(-1).isoformat(),
        "votes_yes": "30",
        "votes_no": "4",
        "votes_abstain": "2",
        "resolution_text": fit(text, 20000),
    }
    with rolled_back():
        # The text as the link, as a vote and as the result: refused, the form comes back.
        response = staff.post(url, data | {"ris_url": text, "votes_yes": text, "result": text})
        # (400: a NUL makes any post a bad request, strategy.http.)
        assert response.status_code == (400 if "\x00" in text else 200)
        shown_as_text(staff, response)
        response = staff.post(url, data)
        if saves(lines=[fit(text, 50)], texts=[fit(text, 20000)]):
            assert response.status_code == 302
            council.refresh_from_db()
            assert council.result == Council.Result.ADOPTED and council.paper_reference
        shown_as_text(staff, response, url, *_pages(council))
        # A web address that carries the text: if it is accepted, it is shown as a link that
        # stays a web address.
        link = "https://ris.example.org/vorlage?" + "".join(text.split())
        response = staff.post(url, data | {"ris_url": link[:500]})
        shown_as_text(staff, response, url, *_pages(council))
        council.refresh_from_db()
        assert council.ris_url == "" or council.ris_url.startswith("https://ris.example.org/")


def _docx_texts(content: bytes) -> str:
    """The text of every part of a .docx; each part must be well-formed XML."""
    texts = []
    with zipfile.ZipFile(BytesIO(content)) as package:
        for name in package.namelist():
            part = package.read(name)
            ElementTree.fromstring(part)
            texts.append(part.decode())
    return "\n".join(texts)


@fuzzes("adoption.decision_forms.CouncilPaperForm")
@given(text=TEXT)
# Characters XML 1.0 does not allow at all, which a .docx must not contain either.
@example(text="<script>alert(1)</script>\ufffe\uffff\x0b\x1f\u202e\u200b")
@HYPOTHESIS
def test_council_paper(staff, councils, text):
    council = councils["Nottuln"]
    url = reverse("adoption:council_paper_edit", args=[council.pk])
    with rolled_back():
        shown_as_text(staff, staff.post(url, {"paper_text": text * 21}))  # too long
        paper = f"# {text[:80]}\n\n## Vorschlag\n\n- {text}"
        response = staff.post(url, {"paper_text": paper})
        if "\x00" not in paper:  # the form drops the other control characters
            assert response.status_code == 302
            council.refresh_from_db()
            assert council.paper_text_edited_at is not None
        shown_as_text(staff, response, url, *_pages(council))
        docx = staff.get(reverse("adoption:council_paper_docx", args=[council.pk]))
        assert docx.status_code == 200
        xml = _docx_texts(docx.content)
        for marker in MARKERS:
            if marker.startswith("<") or marker.startswith('"'):
                assert marker not in xml  # escaped: < is &lt; in the document
        assert 'Target="javascript:' not in xml

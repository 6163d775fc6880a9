# ruff: noqa: F811 - the fixtures are imported from decisions_helpers
"""The public page of the adopted strategy: 404 and nothing shown before publication; after it,
without login, the strategy, its PDF, the roadmap timeline and the adoption status."""

import pytest
from django.urls import reverse

from adoption.models import AdoptionPublication, Council, StrategyDocument
from roadmaps.models import Measure, StrategyVersion
from strategy.models import AuditEvent
from tests.adoption.decisions_helpers import (  # noqa: F401
    PDF_BYTES,
    councils,
    count_queries,
    decide,
    done_document,
    media,
    publish,
    version,
)

PUBLIC_URLS = ["adoption:public_strategy", "adoption:public_pdf"]


@pytest.mark.parametrize("name", PUBLIC_URLS)
def test_before_publication_the_public_urls_answer_404(
    client, personas, process, councils, version, media, name
):
    # Everything exists except the publication: a finished PDF, adopted councils.
    done_document(version)
    for council in councils.values():
        decide(council)
    assert client.get(reverse(name)).status_code == 404
    client.force_login(personas["district_staff"])
    response = client.get(reverse(name))
    assert response.status_code == 404
    assert b"Entwurf v1" not in response.content


def test_the_published_strategy_is_public_without_login(client, process, councils, version, media):
    decide(councils["Dülmen"])
    decide(councils["Olfen"], Council.Result.POSTPONED)
    publication = publish(process, version)
    # A measure added after the version was frozen is not public.
    Measure.objects.create(process=process, number="M-99", title="Geheimer Entwurf")
    response = client.get(reverse("adoption:public_strategy"))
    assert response.status_code == 200
    html = response.content.decode()
    assert process.title in html and "Entwurf v1" in html
    assert "Glasfaser für alle Schulen" in html  # roadmap of the frozen version
    assert 'class="gantt-svg"' in html and 'data-measure="M-02"' in html
    assert 'data-from="M-01" data-to="M-02"' in html  # the dependency arrow
    assert "Geheimer Entwurf" not in html and "M-99" not in html
    assert html.count('class="adoption-tile') == 12
    assert 'data-result="postponed"' in html
    assert reverse("adoption:public_pdf") in html
    assert publication.document.sha512 in html
    download = client.get(reverse("adoption:public_pdf"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_only_the_published_document_is_downloadable(client, process, councils, version, media):
    decide(councils["Dülmen"])
    publish(process, version)
    later = StrategyVersion.objects.create(
        process=process, number=2, label="Entwurf v2 (unveröffentlicht)", content={"chapters": []}
    )
    other = done_document(later)
    html = client.get(reverse("adoption:public_strategy")).content.decode()
    assert "Entwurf v2" not in html
    download = client.get(reverse("adoption:public_pdf"))
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert other.file.name not in html


def test_the_public_page_takes_a_fixed_number_of_queries(client, process, councils, version, media):
    for council in councils.values():
        decide(council)
    publish(process, version)
    count, _queries, _response = count_queries(client, reverse("adoption:public_strategy"))
    assert count <= 8


def test_staff_publish_and_take_down_with_audit(
    client, personas, process, councils, version, media
):
    url = reverse("adoption:publish")
    client.force_login(personas["district_staff"])
    draft = done_document(version, StrategyDocument.Purpose.DRAFT)
    adopted = done_document(version)
    # Nobody has adopted yet: refused, nothing public.
    response = client.post(url, {"document": adopted.pk})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    decide(councils["Dülmen"])
    # A draft cannot be published.
    response = client.post(url, {"document": draft.pk})
    assert response.status_code == 200 and response.context["form"].errors["document"]
    assert not AdoptionPublication.objects.exists()
    assert client.post(url, {"document": adopted.pk}).status_code == 302
    assert AdoptionPublication.objects.get().document == adopted
    assert AuditEvent.objects.filter(action="publication").count() == 1
    assert client.get(reverse("adoption:public_strategy")).status_code == 200
    assert client.post(reverse("adoption:unpublish")).status_code == 302
    assert not AdoptionPublication.objects.exists()
    assert AuditEvent.objects.filter(action="publication").count() == 2
    client.logout()
    assert client.get(reverse("adoption:public_strategy")).status_code == 404


@pytest.mark.parametrize("role", ["consultant", "rep_duelmen", "councillor"])
def test_only_district_staff_and_admins_publish(
    client, personas, process, councils, version, media, role
):
    decide(councils["Dülmen"])
    adopted = done_document(version)
    client.force_login(personas[role])
    assert client.post(reverse("adoption:publish"), {"document": adopted.pk}).status_code == 403
    assert not AdoptionPublication.objects.exists()

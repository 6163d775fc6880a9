# ruff: noqa: F811 - the fixtures are imported from decisions_helpers
"""The OParl 1.1 interface: every endpoint's output validates against the official JSON schema
(copied into oparl_schema/), lists are paginated, nothing is public before publication, and
the lists cost a fixed number of queries."""

import hashlib
import importlib
import json
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from adoption import oparl
from adoption.models import (
    ConferenceRecommendation,
    ConsultationStep,
    Council,
    CouncilPaperRender,
    StrategyDocument,
)
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

SCHEMA_DIR = Path(__file__).parent / "oparl_schema"
SCHEMAS = {path.stem: json.loads(path.read_text()) for path in SCHEMA_DIR.glob("*.json")}
FORMATS = jsonschema.FormatChecker()
BODY_LISTS = ("organization", "person", "meeting", "paper", "agendaItem", "consultation", "file")


@FORMATS.checks("url")
def _is_url(value) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@FORMATS.checks("date")
def _is_date(value) -> bool:
    date.fromisoformat(value)
    return True


@FORMATS.checks("date-time")
def _is_date_time(value) -> bool:
    parsed = timezone.datetime.fromisoformat(value)
    return parsed.tzinfo is not None


def validate(obj: dict) -> int:
    """Validate ``obj`` against the schema of its type and every embedded object against its
    own schema (the OParl schemas name embedded objects with a non-standard ``schema`` key).
    Returns how many objects were validated."""
    kind = obj["type"].rsplit("/", 1)[1]
    schema = SCHEMAS[kind]
    jsonschema.Draft4Validator(schema, format_checker=FORMATS).validate(obj)
    count = 1
    for name, prop in schema["properties"].items():
        if name not in obj:
            continue
        if prop.get("type") == "object" and "schema" in prop:
            count += validate(obj[name])
        elif prop.get("type") == "array" and "schema" in prop.get("items", {}):
            for item in obj[name]:
                count += validate(item)
    return count


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    if status != 200:
        return None
    assert response["Content-Type"] == "application/json"
    return response.json()


def walk_list(client, url) -> list[dict]:
    """All objects of a paginated OParl list, validating the list shape on every page."""
    objects, seen = [], set()
    while url:
        assert url not in seen
        seen.add(url)
        page = get_json(client, url)
        assert set(page) == {"data", "pagination", "links"}
        pagination = page["pagination"]
        assert pagination["elementsPerPage"] == oparl.PAGE_SIZE
        assert len(page["data"]) <= oparl.PAGE_SIZE
        for key in ("first", "last", "self"):
            assert _is_url(page["links"][key])
        for obj in page["data"]:
            validate(obj)
        objects += page["data"]
        url = page["links"].get("next")
    assert len(objects) == pagination["totalElements"]
    return objects


@pytest.fixture
def adoption(process, councils, version, media, personas):
    """A published adoption: the conference recommended, two councils consulted a committee
    and decided, one postponed, a draft paper PDF, a resolution file, the submitted PDF."""
    today = timezone.localdate()
    ConferenceRecommendation.objects.create(
        process=process,
        version=version,
        meeting_date=today - timedelta(days=60),
        outcome="recommended",
        remarks="Einstimmig empfohlen.",
    )
    duelmen, kreis = councils["Dülmen"], councils["Kreis Coesfeld"]
    for council, committee in (
        (duelmen, "Ausschuss für Digitalisierung"),
        (kreis, "Kreisausschuss"),
    ):
        ConsultationStep.objects.create(
            council=council,
            organization_name=committee,
            role="preliminary",
            meeting_date=today - timedelta(days=30),
        )
        ConsultationStep.objects.create(
            council=council,
            organization_name=council.name,
            role="decision",
            meeting_date=today - timedelta(days=10),
        )
        decide(
            council,
            paper_reference="DS 12/2027",
            ris_url="https://ris.example.org/12",
            votes_yes=30,
            votes_no=3,
            votes_abstain=1,
            resolution_text="Beschlossen wie vorgeschlagen.",
            decided_on=today - timedelta(days=10),
        )
    # A council that decided without entering its steps.
    decide(councils["Senden"], Council.Result.ADOPTED_WITH_CHANGES)
    decide(councils["Olfen"], Council.Result.POSTPONED)
    duelmen.resolution_file.save("beschluss.pdf", ContentFile(PDF_BYTES))
    # As the upload (or, for older files, the migration) stores them.
    Council.objects.filter(pk=duelmen.pk).update(
        resolution_size=len(PDF_BYTES), resolution_sha512=hashlib.sha512(PDF_BYTES).hexdigest()
    )
    render = CouncilPaperRender(
        council=duelmen,
        status="done",
        sha512=hashlib.sha512(PDF_BYTES).hexdigest(),
        size=len(PDF_BYTES),
        pages=1,
        finished_at=timezone.now(),
    )
    render.file.save("vorlage.pdf", ContentFile(PDF_BYTES))
    done_document(version, StrategyDocument.Purpose.COUNCIL_SUBMISSION)
    publish(process, version, personas["district_staff"])
    return {"councils": councils, "render": render}


def _all_objects(client) -> dict[str, list[dict]]:
    system = get_json(client, reverse("adoption:oparl_system"))
    validate(system)
    found = {"System": [system], "Body": walk_list(client, system["body"])}
    for body in found["Body"]:
        for key in (
            "organization",
            "person",
            "meeting",
            "paper",
            "agendaItem",
            "consultation",
            "file",
        ):
            for obj in walk_list(client, body[key]):
                found.setdefault(obj["type"].rsplit("/", 1)[1], []).append(obj)
    return found


def test_every_endpoint_validates_against_the_oparl_schema(client, adoption):
    found = _all_objects(client)
    assert len(found["Body"]) == 12
    assert {b["ags"] for b in found["Body"]} >= {"05558016", "05558032"}
    kinds = {"Organization", "Meeting", "AgendaItem", "Paper", "Consultation", "File"}
    assert kinds <= set(found)
    # Every object answers at its own id, without login, with the same content.
    for kind, objects in found.items():
        for obj in objects:
            if kind == "System":
                continue
            single = get_json(client, obj["id"])
            assert single == obj
            validate(single)


def test_papers_are_linked_and_consultations_authoritative(client, adoption):
    found = _all_objects(client)
    papers = found["Paper"]
    assert len(papers) == 12
    ids = {paper["id"] for paper in papers}
    for paper in papers:
        assert set(paper["relatedPaper"]) == ids - {paper["id"]}
        assert paper["paperType"] == "Beschlussvorlage"
    duelmen = adoption["councils"]["Dülmen"]
    paper = get_json(client, reverse("adoption:oparl_paper", args=[duelmen.pk]))
    assert paper["reference"] == "DS 12/2027"
    roles = {(c["role"], c["authoritative"]) for c in paper["consultation"]}
    assert roles == {("Vorberatung", False), ("Entscheidung", True)}
    assert paper["mainFile"]["sha512Checksum"] == adoption["render"].sha512
    assert paper["auxiliaryFile"] and all(f["sha512Checksum"] for f in paper["auxiliaryFile"])
    deciding = next(c for c in paper["consultation"] if c["authoritative"])
    item = get_json(client, deciding["agendaItem"])
    with translation.override("de"):
        assert item["result"] == str(Council.Result.ADOPTED.label)
    assert item["resolutionText"] == "Beschlossen wie vorgeschlagen."
    assert item["resolutionFile"]["accessUrl"].endswith("/download/")
    # The Kreis also lists the mayors' conference, which recommends but does not decide.
    kreis = adoption["councils"]["Kreis Coesfeld"]
    kreis_paper = get_json(client, reverse("adoption:oparl_paper", args=[kreis.pk]))
    assert {c["role"] for c in kreis_paper["consultation"]} == {
        "Beratung und Empfehlung", "Vorberatung", "Entscheidung",
    }  # fmt: skip
    senden = adoption["councils"]["Senden"]
    senden_paper = get_json(client, reverse("adoption:oparl_paper", args=[senden.pk]))
    assert [c["authoritative"] for c in senden_paper["consultation"]] == [True]


def test_files_download_without_login_and_match_their_checksum(client, adoption):
    found = _all_objects(client)
    assert len(found["File"]) >= 3
    for file in found["File"]:
        response = client.get(file["downloadUrl"])
        assert response.status_code == 200
        assert response["Content-Type"] == file["mimeType"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        content = b"".join(response.streaming_content)
        # Every file says its size and checksum (the resolutions, too: item 15 of issue 11).
        assert hashlib.sha512(content).hexdigest() == file["sha512Checksum"]
        assert len(content) == file["size"]
        assert content.startswith(b"%PDF-")


def test_lists_are_paginated(client, adoption, monkeypatch):
    monkeypatch.setattr(oparl, "PAGE_SIZE", 5)
    url = reverse("adoption:oparl_body_list")
    first = get_json(client, url)
    assert first["pagination"] == {
        "totalElements": 12,
        "elementsPerPage": 5,
        "currentPage": 1,
        "totalPages": 3,
    }
    assert "prev" not in first["links"] and first["links"]["next"].endswith("?page=2")
    last = get_json(client, first["links"]["last"])
    assert len(last["data"]) == 2 and "next" not in last["links"]
    assert last["links"]["prev"].endswith("?page=2")
    assert len(walk_list(client, url)) == 12
    get_json(client, url + "?page=4", status=404)
    # A malformed page number is a bad request (strategy.http.page_param).
    get_json(client, url + "?page=0", status=400)
    get_json(client, url + "?page=x", status=400)


def test_before_publication_only_system_and_bodies_are_public(
    client, process, councils, version, media
):
    decide(councils["Dülmen"], paper_reference="DS 1/2027")
    system = get_json(client, reverse("adoption:oparl_system"))
    validate(system)
    bodies = walk_list(client, system["body"])
    assert len(bodies) == 12
    for body in bodies:
        for key in (
            "organization",
            "person",
            "meeting",
            "paper",
            "agendaItem",
            "consultation",
            "file",
        ):
            assert walk_list(client, body[key]) == []
    duelmen = councils["Dülmen"]
    get_json(client, reverse("adoption:oparl_paper", args=[duelmen.pk]), status=404)
    get_json(client, reverse("adoption:oparl_organization", args=[f"rat-{duelmen.pk}"]), 404)
    get_json(client, reverse("adoption:oparl_file", args=[f"beschluss-{duelmen.pk}"]), 404)
    get_json(client, reverse("adoption:oparl_file_download", args=["strategie-1"]), 404)


def test_unknown_objects_answer_404(client, adoption):
    for name, key in [
        ("oparl_organization", "rat-99999"),
        ("oparl_meeting", "step-99999"),
        ("oparl_agenda_item", "nichts"),
        ("oparl_consultation", "bmk-0"),
        ("oparl_file", "vorlage-99999"),
        ("oparl_file", "strategie-abc"),
    ]:
        get_json(client, reverse(f"adoption:{name}", args=[key]), status=404)
    get_json(client, reverse("adoption:oparl_paper", args=[99999]), status=404)
    get_json(client, reverse("adoption:oparl_body", args=[99999]), status=404)
    body = adoption["councils"]["Dülmen"].municipality_id
    get_json(client, reverse("adoption:oparl_body_objects", args=[body, "unknown"]), status=404)


def test_oparl_lists_take_a_fixed_number_of_queries(client, adoption):
    kreis = adoption["councils"]["Kreis Coesfeld"].municipality_id
    urls = [reverse("adoption:oparl_body_list")] + [
        reverse("adoption:oparl_body_objects", args=[kreis, kind])
        for kind in ("organizations", "meetings", "papers", "consultations", "files")
    ]
    before = {url: count_queries(client, url)[0] for url in urls}
    for council in adoption["councils"].values():
        for day in range(4):
            ConsultationStep.objects.create(
                council=council,
                organization_name=f"Ausschuss {day}",
                role="preliminary",
                meeting_date=timezone.localdate() - timedelta(days=40 + day),
            )
    after = {url: count_queries(client, url)[0] for url in urls}
    assert before == after
    assert max(after.values()) <= 8


def test_a_resolution_uploaded_through_the_form_is_published_with_size_and_checksum(
    client, personas, process, councils, version, media
):
    """The size and SHA-512 of a council resolution are taken when it is uploaded and published
    in its OParl ``File`` (which validates against the schema)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.upload_samples import pdf_bytes

    content = pdf_bytes(pages=2)
    council = councils["Nottuln"]
    client.force_login(personas["district_staff"])
    decided = (timezone.localdate() - timedelta(days=2)).isoformat()
    response = client.post(
        reverse("adoption:council_decide", args=[council.pk]),
        {
            "paper_reference": "DS 7/2027",
            "result": "adopted",
            "decided_on": decided,
            "votes_yes": "20",
            "votes_no": "3",
            "votes_abstain": "0",
            "resolution_text": "Beschlossen.",
            "resolution_file": SimpleUploadedFile("beschluss.pdf", content),
        },
    )
    assert response.status_code == 302
    publish(process, version, personas["district_staff"])
    client.logout()
    file = get_json(client, reverse("adoption:oparl_file", args=[f"beschluss-{council.pk}"]))
    validate(file)
    assert file["size"] == len(content)
    assert file["sha512Checksum"] == hashlib.sha512(content).hexdigest()
    assert file["mimeType"] == "application/pdf"
    downloaded = client.get(file["downloadUrl"])
    assert b"".join(downloaded.streaming_content) == content
    body_files = reverse("adoption:oparl_body_objects", args=[council.municipality_id, "files"])
    files = walk_list(client, body_files)
    assert [f for f in files if f["id"] == file["id"]] == [file]


def test_the_migration_fills_in_size_and_checksum_of_stored_resolutions(councils, media):
    """Resolutions stored before the upload took size and checksum get them from the data
    migration; a file missing from the storage is left without."""
    from django.apps import apps

    migration = importlib.import_module("adoption.migrations.0004_council_resolution_size_sha512")
    stored, missing = councils["Dülmen"], councils["Olfen"]
    stored.resolution_file.save("beschluss.pdf", ContentFile(PDF_BYTES))
    missing.resolution_file.name = "adoption/resolutions/weg.pdf"
    missing.save()
    migration.resolution_checksums_backfill(apps, None)
    stored.refresh_from_db()
    missing.refresh_from_db()
    assert stored.resolution_size == len(PDF_BYTES)
    assert stored.resolution_sha512 == hashlib.sha512(PDF_BYTES).hexdigest()
    assert missing.resolution_size is None and missing.resolution_sha512 == ""

"""Recording projects and strategies: who may write what, retiring, history, list and detail."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import ExistingStrategy, Project
from strategy.models import ThemeField
from tests.factories import ProjectFactory
from tests.upload_samples import pdf_bytes

NEW = reverse("inventory:project_new")


def _form(municipality, **extra):
    fields = ThemeField.objects.filter(name__in=["Mobilität", "Handel"])
    return {
        "municipality": municipality.pk,
        "title": "Parkleitsystem Innenstadt",
        "description": "Freie Parkplätze in Echtzeit.",
        "theme_fields": [f.pk for f in fields],
        "status": "planned",
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "investment_cost": "120000.50",
        "running_cost_per_year": "8000",
        "links": "https://www.duelmen.de/parken\nhttps://example.org/app",
        "tags": "Parken, App, Parken",
    } | extra


def test_representative_records_a_project_of_the_own_municipality(client, personas, reference):
    client.force_login(personas["rep_duelmen"])
    response = client.post(NEW, _form(reference["Dülmen"]))
    assert response.status_code == 302
    project = Project.objects.get(title="Parkleitsystem Innenstadt")
    assert project.municipality == reference["Dülmen"]
    assert project.key.startswith("DÜL") or project.key.startswith("DUE")
    assert sorted(f.name for f in project.theme_fields.all()) == ["Handel", "Mobilität"]
    assert project.tags == "Parken, App"
    assert project.link_list == ["https://www.duelmen.de/parken", "https://example.org/app"]
    record = project.history.latest()
    assert record.history_user == personas["rep_duelmen"]


def test_representative_cannot_record_for_another_municipality(client, personas, reference):
    client.force_login(personas["rep_duelmen"])
    response = client.post(NEW, _form(reference["Nottuln"]))
    assert response.status_code == 200
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("district_staff", 200),
        ("consultant", 200),
        ("rep_duelmen", 200),
        ("rep_nottuln", 403),
        ("working_group", 403),
        ("councillor", 403),
    ],
)
def test_edit_permissions_own_other_staff_reader(client, personas, reference, role, expected):
    project = ProjectFactory(municipality=reference["Dülmen"])
    client.force_login(personas[role])
    url = reverse("inventory:project_edit", args=[project.pk])
    assert client.get(url).status_code == expected
    response = client.post(url, _form(reference["Dülmen"], title="Geändert"))
    project.refresh_from_db()
    if expected == 200:
        assert response.status_code == 302 and project.title == "Geändert"
    else:
        assert response.status_code == 403 and project.title != "Geändert"
    assert client.get(project.get_absolute_url()).status_code == 200


def test_bad_project_input_gets_german_messages_and_changes_nothing(client, personas, reference):
    client.force_login(personas["district_staff"])
    response = client.post(
        NEW,
        _form(
            reference["Dülmen"],
            end_date="2025-01-01",
            investment_cost="-5",
            links="javascript:alert(1)",
            partners=[reference["Dülmen"].pk],
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Das Ende darf nicht vor dem Beginn liegen." in html
    assert "keine gültige Webadresse" in html
    assert "Die federführende Kommune kann nicht zugleich Partnerin sein." in html
    assert "größer oder gleich 0" in html
    assert not Project.objects.exists()


def test_retire_and_reactivate_keep_the_entry_and_its_history(client, personas, reference):
    project = ProjectFactory(municipality=reference["Dülmen"])
    client.force_login(personas["rep_duelmen"])
    client.post(reverse("inventory:project_retire", args=[project.pk]))
    project.refresh_from_db()
    assert project.retired_at is not None
    listing = client.get(reverse("inventory:project_list")).context["page"].object_list
    assert project not in listing
    with_retired = client.get(reverse("inventory:project_list") + "?retired=true")
    assert project in with_retired.context["page"].object_list
    client.post(reverse("inventory:project_reactivate", args=[project.pk]))
    project.refresh_from_db()
    assert project.retired_at is None
    client.force_login(personas["rep_nottuln"])
    assert client.post(reverse("inventory:project_retire", args=[project.pk])).status_code == 403
    project.refresh_from_db()
    assert project.retired_at is None


def test_history_shows_who_changed_what(client, personas, reference):
    client.force_login(personas["rep_duelmen"])
    client.post(NEW, _form(reference["Dülmen"]))
    project = Project.objects.get()
    client.post(
        reverse("inventory:project_edit", args=[project.pk]),
        _form(reference["Dülmen"], title="Parkleitsystem 2.0", status="running"),
    )
    client.force_login(personas["councillor"])
    html = client.get(reverse("inventory:project_history", args=[project.pk])).content.decode()
    assert "Parkleitsystem Innenstadt" in html and "Parkleitsystem 2.0" in html
    assert "Geplant" in html and "Laufend" in html
    assert personas["rep_duelmen"].get_full_name() in html


def test_user_text_is_shown_as_text(client, personas, reference):
    client.force_login(personas["district_staff"])
    evil = '<script>alert("x")</script>'
    client.post(NEW, _form(reference["Dülmen"], title=evil, description=evil))
    project = Project.objects.get()
    html = client.get(project.get_absolute_url()).content.decode()
    assert evil not in html and "&lt;script&gt;" in html


def test_existing_strategy_with_pdf_upload(client, personas, reference):
    client.force_login(personas["rep_duelmen"])
    pdf = SimpleUploadedFile("plan.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(
        reverse("inventory:strategy_new"),
        {
            "municipality": reference["Dülmen"].pk,
            "title": "Medienentwicklungsplan",
            "kind": "school_media",
            "adopted_on": "2020-06-30",
            "document": pdf,
        },
    )
    assert response.status_code == 302
    strategy = ExistingStrategy.objects.get()
    assert strategy.adopted_on == date(2020, 6, 30)
    download = client.get(reverse("inventory:strategy_document", args=[strategy.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    fake = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        reverse("inventory:strategy_new"),
        {
            "municipality": reference["Dülmen"].pk,
            "title": "Falsch",
            "kind": "other",
            "document": fake,
        },
    )
    assert "Die Datei ist kein PDF-Dokument." in response.content.decode()
    assert ExistingStrategy.objects.count() == 1

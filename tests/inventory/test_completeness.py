"""Declaring the inventory complete, the overview of all 12 participants, reminders."""

from django.core import mail
from django.urls import reverse

from inventory.models import InventoryCompletion, InventoryReminder
from tests.factories import ProjectFactory, UserFactory

OVERVIEW = reverse("inventory:completeness")


def test_representative_declares_own_inventory_complete_and_reopens(
    client, personas, process, reference
):
    dülmen = reference["Dülmen"]
    client.force_login(personas["rep_duelmen"])
    client.post(reverse("inventory:inventory_complete", args=[dülmen.pk]))
    completion = InventoryCompletion.objects.get()
    assert completion.municipality == dülmen and completion.process == process
    assert completion.completed_by == personas["rep_duelmen"]
    page = client.get(reverse("inventory:municipality_inventory", args=[dülmen.pk]))
    assert "Bestandsaufnahme abgeschlossen" in page.content.decode()
    # Declaring twice changes nothing.
    client.post(reverse("inventory:inventory_complete", args=[dülmen.pk]))
    assert InventoryCompletion.objects.count() == 1
    client.post(reverse("inventory:inventory_reopen", args=[dülmen.pk]))
    assert not InventoryCompletion.objects.exists()


def test_representative_cannot_complete_another_municipality(client, personas, process, reference):
    client.force_login(personas["rep_nottuln"])
    response = client.post(reverse("inventory:inventory_complete", args=[reference["Dülmen"].pk]))
    assert response.status_code == 403
    assert not InventoryCompletion.objects.exists()


def test_overview_shows_all_twelve_with_counts(client, personas, process, reference):
    ProjectFactory(municipality=reference["Olfen"])
    ProjectFactory(municipality=reference["Olfen"])
    InventoryCompletion.objects.create(
        process=process,
        municipality=reference["Senden"],
        completed_at="2026-11-01T10:00:00Z",
        completed_by=personas["district_staff"],
    )
    client.force_login(personas["district_staff"])
    response = client.get(OVERVIEW)
    participants = {m.name: m for m in response.context["participants"]}
    assert len(participants) == 12
    assert participants["Olfen"].project_count == 2
    assert participants["Senden"].completion is not None
    assert "1 von 12 Beteiligten" in response.content.decode()
    client.force_login(personas["rep_duelmen"])
    assert client.get(OVERVIEW).status_code == 403


def test_reminders_go_to_representatives_of_incomplete_municipalities(
    client, personas, process, reference, django_capture_on_commit_callbacks
):
    UserFactory(
        role="municipal_rep", municipality=reference["Dülmen"], email="zweite@duelmen.example"
    )
    InventoryCompletion.objects.create(
        process=process, municipality=reference["Nottuln"], completed_at="2026-11-01T10:00:00Z"
    )
    client.force_login(personas["district_staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            OVERVIEW, {"municipalities": [reference["Dülmen"].pk, reference["Nottuln"].pk]}
        )
    assert response.status_code == 302
    reminder = InventoryReminder.objects.get()
    assert reminder.municipality == reference["Dülmen"]
    assert reminder.recipients == 2 and reminder.sent_at is not None
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([personas["rep_duelmen"].email, "zweite@duelmen.example"])
    assert "Bestandsaufnahme" in mail.outbox[0].subject


def test_reminder_without_choice_gives_a_message_and_sends_nothing(client, personas, process):
    client.force_login(personas["district_staff"])
    response = client.post(OVERVIEW, {})
    assert response.status_code == 200
    assert "Bitte wählen Sie mindestens eine Kommune." in response.content.decode()
    assert not InventoryReminder.objects.exists() and mail.outbox == []

"""Audit log, personal data (DSGVO Art. 15/17), statements, health check."""

import json

from django.urls import reverse

from accounts.models import Invitation, Role
from inventory.models import Project
from strategy.models import AuditEvent, ContentPage
from strategy.services import process_advance
from tests.factories import PASSWORD, ProjectFactory


def _actions():
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def test_audit_log_records_logins_permissions_transitions_and_exports(
    client, personas, process, reference
):
    staff = personas["district_staff"]
    AuditEvent.objects.all().delete()
    client.post(reverse("accounts:login"), {"username": staff.username, "password": "falsch"})
    client.post(reverse("accounts:login"), {"username": staff.username, "password": PASSWORD})
    process_advance(process=process, by=staff, note="Los")
    client.get(reverse("inventory:export_csv") + "?status=running")
    councillor = personas["councillor"]
    councillor.role = Role.MUNICIPAL_REP
    councillor.save()
    client.post(reverse("accounts:logout"))
    assert _actions() == [
        "login_failed",
        "login",
        "phase_transition",
        "export",
        "permission_change",
        "logout",
    ]
    change = AuditEvent.objects.get(action="permission_change")
    assert change.details["changes"]["role"] == ["councillor", "municipal_rep"]
    assert AuditEvent.objects.get(action="login").ip_address == "127.0.0.1"


def test_audit_log_page_is_for_district_staff_only(client, personas, process):
    process_advance(process=process, by=personas["district_staff"])
    client.force_login(personas["district_staff"])
    html = client.get(reverse("strategy:audit_log")).content.decode()
    assert "Prozess weitergeführt" in html or "Prozessschritt" in html or "Auftakt" in html
    for role in ("consultant", "rep_duelmen", "councillor"):
        client.force_login(personas[role])
        assert client.get(reverse("strategy:audit_log")).status_code == 403


def test_person_data_export_contains_account_and_contributions(client, personas, reference):
    rep = personas["rep_duelmen"]
    project = ProjectFactory(municipality=reference["Dülmen"])
    project._history_user = rep
    project.title = "Geändert durch die Vertretung"
    project.save()
    client.force_login(rep)
    response = client.get(reverse("strategy:my_data"))
    data = json.loads(response.content)
    assert data["account"]["fields"]["username"] == rep.username
    assert "password" not in data["account"]["fields"]
    history = data["records"]["inventory.HistoricalProject (history_user)"]
    assert history[0]["fields"]["title"] == "Geändert durch die Vertretung"


def test_erasure_pseudonymises_and_keeps_contributions(client, personas, reference):
    rep = personas["rep_duelmen"]
    Invitation.objects.create(email=rep.email, role=Role.MUNICIPAL_REP, user=rep)
    project = ProjectFactory(municipality=reference["Dülmen"])
    project._history_user = rep
    project.save()
    client.force_login(personas["district_staff"])
    url = reverse("strategy:person_data_erase", args=[rep.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    rep.refresh_from_db()
    assert not rep.is_active and rep.email == "" and not rep.has_usable_password()
    assert rep.get_full_name() == f"Gelöschte Person {rep.pk}"
    assert Invitation.objects.get(user=rep).email.endswith("@invalid.invalid")
    # The contribution stays, attributed to the pseudonymised account.
    assert Project.history.filter(history_user=rep).exists()
    html = client.get(reverse("inventory:project_history", args=[project.pk])).content.decode()
    assert f"Gelöschte Person {rep.pk}" in html
    client.force_login(personas["consultant"])
    assert (
        client.post(
            reverse("strategy:person_data_erase", args=[personas["councillor"].pk])
        ).status_code
        == 403
    )
    assert personas["councillor"].__class__.objects.get(pk=personas["councillor"].pk).is_active


def test_statements_are_public_and_editable_by_district_staff(client, personas):
    url = reverse("strategy:content_page", args=["datenschutz"])
    html = client.get(url).content.decode()
    assert "Verantwortlich" in html and "Cookies" in html
    assert (
        "Barrierefreiheit"
        in client.get(reverse("strategy:content_page", args=["barrierefreiheit"])).content.decode()
    )
    edit = reverse("strategy:content_page_edit", args=["datenschutz"])
    client.force_login(personas["councillor"])
    assert client.post(edit, {"title": "X", "body": "Y"}).status_code == 403
    client.force_login(personas["district_staff"])
    client.post(
        edit, {"title": "Datenschutzerklärung", "body": "Absatz eins.\n\n<script>x</script>"}
    )
    page = ContentPage.objects.get(slug="datenschutz")
    assert page.updated_by == personas["district_staff"]
    html = client.get(url).content.decode()
    assert "<p>Absatz eins.</p>" in html and "&lt;script&gt;" in html
    assert client.get(reverse("strategy:content_page", args=["gibtsnicht"])).status_code == 404


def test_health_check_reports_database_and_broker(client, personas, monkeypatch):
    from coesfeld_strategy import health

    monkeypatch.setattr(health, "_local_result", None)
    client.force_login(personas["admin"])  # the details are for operators (tests/test_health.py)
    response = client.get(reverse("health_ready"))
    data = response.json()
    assert data["database"] == "ok" and data["broker"] == "ok"
    assert response.status_code == 200 and data["status"] in ("ok", "degraded")

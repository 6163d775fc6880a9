"""Logging in and out, rate limiting, password change and reset."""

import re

from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

LOGIN = reverse("accounts:login")


def test_login_leads_to_dashboard_and_logout_needs_post(client, personas, process):
    user = personas["rep_duelmen"]
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("strategy:dashboard")
    assert client.get(reverse("strategy:dashboard")).status_code == 200
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("strategy:dashboard")).status_code == 302


def test_wrong_password_gives_german_message(client, personas):
    response = client.post(LOGIN, {"username": personas["councillor"].username, "password": "x"})
    assert response.status_code == 200
    assert "Bitte Benutzername und Passwort eingeben." in response.content.decode()


def test_login_is_rate_limited(client, personas):
    user = personas["councillor"]
    for _ in range(5):
        client.post(LOGIN, {"username": user.username, "password": "falsch"})
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Zu viele Anmeldeversuche" in response.content.decode()
    assert client.get(reverse("strategy:dashboard")).status_code == 302


def test_password_change(client, personas):
    user = personas["working_group"]
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Neues-Passwort-2027",
            "new_password2": "Neues-Passwort-2027",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Neues-Passwort-2027")


def test_password_reset_by_email(client, personas, django_capture_on_commit_callbacks):
    user = personas["councillor"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+(/konto/passwort-neu/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "Zurueckgesetzt-2026!", "new_password2": "Zurueckgesetzt-2026!"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Zurueckgesetzt-2026!")


def test_password_reset_for_unknown_address_reveals_nothing(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "niemand@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []

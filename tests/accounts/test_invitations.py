"""District staff invite people; the e-mail's link sets a password once and expires."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Role, User

INVITE = reverse("accounts:invitation_new")


def _invite(client, django_capture_on_commit_callbacks, **data):
    payload = {
        "email": "lea.lehmann@duelmen.example",
        "first_name": "Lea",
        "last_name": "Lehmann",
        "role": Role.MUNICIPAL_REP,
        "municipality": "",
    } | data
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(INVITE, payload)


def _link_from_mail(message):
    match = re.search(r"https?://[^/\s]+(/konto/einladung/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def staff_client(client, personas):
    client.force_login(personas["district_staff"])
    return client


def test_invitation_is_mailed_and_accepted_once(
    staff_client, client, reference, django_capture_on_commit_callbacks
):
    response = _invite(
        staff_client, django_capture_on_commit_callbacks, municipality=reference["Dülmen"].pk
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lea.lehmann@duelmen.example"]
    assert "Einladung" in message.subject
    assert "Kommunale Vertretung" in message.body
    link = _link_from_mail(message)

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    response = client.post(
        link,
        {
            "first_name": "Lea",
            "last_name": "Lehmann",
            "password1": "Sonnenblume-Dülmen-77",
            "password2": "Sonnenblume-Dülmen-77",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("strategy:dashboard")
    user = User.objects.get(email="lea.lehmann@duelmen.example")
    assert user.role == Role.MUNICIPAL_REP and user.municipality == reference["Dülmen"]
    assert user.check_password("Sonnenblume-Dülmen-77")
    assert client.get(reverse("strategy:dashboard")).status_code == 200

    client.logout()
    again = client.get(link)
    assert again.status_code == 404
    assert "ungültig oder abgelaufen" in again.content.decode()
    assert User.objects.filter(email="lea.lehmann@duelmen.example").count() == 1


@pytest.mark.clock
def test_expired_link_is_refused(
    staff_client, client, settings, django_capture_on_commit_callbacks
):
    _invite(staff_client, django_capture_on_commit_callbacks, role=Role.COUNCILLOR)
    link = _link_from_mail(mail.outbox[0])
    Invitation.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.INVITATION_MAX_AGE + 1)
    )
    client.logout()
    assert client.get(link).status_code == 404


def test_revoked_and_resent_invitations_invalidate_old_links(
    staff_client, client, django_capture_on_commit_callbacks
):
    _invite(staff_client, django_capture_on_commit_callbacks, role=Role.COUNCILLOR)
    invitation = Invitation.objects.get()
    first_link = _link_from_mail(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("accounts:invitation_resend", args=[invitation.pk]))
    second_link = _link_from_mail(mail.outbox[1])
    assert first_link != second_link
    anonymous = client.__class__()
    assert anonymous.get(first_link).status_code == 404
    assert anonymous.get(second_link).status_code == 200
    staff_client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    assert anonymous.get(second_link).status_code == 404


def test_bad_invitations_get_german_messages_and_nothing_is_sent(
    staff_client, personas, django_capture_on_commit_callbacks
):
    response = _invite(staff_client, django_capture_on_commit_callbacks, municipality="")
    assert "Bitte wählen Sie die Kommune" in response.content.decode()
    response = _invite(
        staff_client,
        django_capture_on_commit_callbacks,
        email=personas["councillor"].email,
        role=Role.COUNCILLOR,
    )
    assert "Es gibt bereits ein Konto mit dieser E-Mail-Adresse." in response.content.decode()
    response = _invite(staff_client, django_capture_on_commit_callbacks, email="kein-mail")
    assert response.status_code == 200
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_staff_cannot_hand_out_the_admin_role(staff_client, django_capture_on_commit_callbacks):
    response = _invite(staff_client, django_capture_on_commit_callbacks, role=Role.ADMIN)
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_accepting_with_weak_or_mismatching_password_creates_nothing(
    staff_client, client, django_capture_on_commit_callbacks
):
    _invite(staff_client, django_capture_on_commit_callbacks, role=Role.COUNCILLOR)
    link = _link_from_mail(mail.outbox[0])
    client.logout()
    data = {"first_name": "Lea", "last_name": "Lehmann"}
    response = client.post(link, data | {"password1": "kurz", "password2": "kurz"})
    assert response.status_code == 200
    response = client.post(
        link, data | {"password1": "Lange-Passphrase-1", "password2": "Lange-Passphrase-2"}
    )
    assert "Die beiden Passwörter stimmen nicht überein." in response.content.decode()
    assert not User.objects.filter(email="lea.lehmann@duelmen.example").exists()
    assert Invitation.objects.get().accepted_at is None

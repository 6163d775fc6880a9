"""An invitation sent while the broker (Redis) is down is saved, marked "not sent" with a
clear German message, and can be sent again once the broker is back: by a real worker."""

import time

import pytest
from django.urls import reverse

from accounts.models import Invitation, Role
from strategy.mail import SendFailure
from tests.real_services import broker, celery_worker, free_port, mails, redis_server, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

NEW = reverse("accounts:invitation_new")
NOT_QUEUED_MESSAGE = "konnte aber nicht an den Hintergrunddienst übergeben werden"


def test_invitation_with_the_broker_down_can_be_sent_again_when_it_is_back(
    client, personas, tmp_path
):
    client.force_login(personas["admin"])
    port = free_port()
    data = {"email": "neu@example.org", "role": Role.COUNCILLOR}
    with broker(f"redis://127.0.0.1:{port}/0"):
        started = time.perf_counter()
        response = client.post(NEW, data, follow=True)
        seconds = time.perf_counter() - started
    assert response.status_code == 200 and seconds < 5, seconds
    page = response.content.decode()
    assert NOT_QUEUED_MESSAGE in page
    assert "Versand fehlgeschlagen:" in page and "Hintergrunddienst war nicht erreichbar" in page
    invitation = Invitation.objects.get(email="neu@example.org")
    assert invitation.send_failure == SendFailure.NOT_QUEUED and invitation.sent_at is None

    # Inviting the address again is refused with a pointer to "Send again", not a 500.
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert "„Erneut senden“" in response.content.decode()
    assert Invitation.objects.filter(email="neu@example.org").count() == 1

    mail_dir = tmp_path / "mail"
    with redis_server(port) as redis, celery_worker(broker_url=redis.url(), mail_dir=mail_dir):
        with broker(redis.url()):
            response = client.post(
                reverse("accounts:invitation_resend", args=[invitation.pk]), follow=True
            )
        assert "Die Einladung wird erneut versendet." in response.content.decode()

        def sent():
            invitation.refresh_from_db()
            return invitation.sent_at is not None

        assert wait_for(sent), "the worker did not send the invitation"
    assert invitation.send_failure == "" and invitation.send_failed_at is None
    text = mails(mail_dir)
    assert "To: neu@example.org" in text and "/konto/einladung/" in text
    page = client.get(reverse("accounts:user_list")).content.decode()
    assert "Versand fehlgeschlagen" not in page

"""Workshop invitations through a real worker when things go wrong: the broker is down (the
invitations and the cancellation are marked "not sent" and can be sent again), a title with
CR/LF stored before the forms refused it (sent with a one-line subject), and an e-mail that
cannot be composed (shown as a failure with the reason, not as "noch nicht versendet")."""

import re

import pytest
from django.urls import reverse

from strategy.mail import SendFailure
from tests.real_services import broker, celery_worker, free_port, mails, redis_server, wait_for
from tests.workshops import make_session, make_workshop
from workshops.models import Workshop, WorkshopInvitation
from workshops.planning_services import invitees_add_guests

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

GUESTS = ["anna@example.org", "bernd@example.org"]


@pytest.fixture
def staff_client(client, personas):
    client.force_login(personas["district_staff"])
    return client


@pytest.fixture
def workshop(process, personas):
    workshop = make_workshop(process, user=personas["district_staff"])
    make_session(workshop)
    invitees_add_guests(workshop=workshop, emails=GUESTS)
    return Workshop.objects.get(pk=workshop.pk)


def _send(client, workshop, url_name="workshops:invitations_send"):
    return client.post(reverse(url_name, args=[workshop.pk]), follow=True)


def _invitations_page(client, workshop) -> str:
    return client.get(reverse("workshops:invitations", args=[workshop.pk])).content.decode()


SEPARATOR = "-" * 79


def _headers(message: str) -> str:
    """The header block of one e-mail written by the file backend."""
    return message.strip().split("\n\n", 1)[0] + "\n"


def _all(workshop, **fields) -> bool:
    invitations = WorkshopInvitation.objects.filter(workshop=workshop)
    return invitations.count() == invitations.filter(**fields).count()


def test_broker_down_marks_invitations_and_cancellation_not_sent_until_sent_again(
    staff_client, workshop, tmp_path
):
    port = free_port()
    with broker(f"redis://127.0.0.1:{port}/0"):
        response = _send(staff_client, workshop)
    assert response.status_code == 200
    assert "konnten nicht an den Hintergrunddienst übergeben werden" in response.content.decode()
    assert _all(workshop, send_failure=SendFailure.NOT_QUEUED, sent_sequence=-1)
    page = _invitations_page(staff_client, workshop)
    assert page.count("Versand fehlgeschlagen:") == 2
    assert "Die E-Mails an 2 eingeladene Personen konnten nicht versendet werden" in page

    mail_dir = tmp_path / "mail"
    with redis_server(port) as redis, celery_worker(broker_url=redis.url(), mail_dir=mail_dir):
        with broker(redis.url()):
            response = _send(staff_client, workshop)
        assert "2 Einladungen werden versendet." in response.content.decode()
        assert wait_for(lambda: _all(workshop, sent_sequence=0, send_failure=""))
    assert all(f"To: {email}" in mails(mail_dir) for email in GUESTS)
    assert "Versand fehlgeschlagen" not in _invitations_page(staff_client, workshop)

    # Cancelling while the broker is down: cancelled, the cancellations marked not sent.
    with broker(f"redis://127.0.0.1:{port}/0"):
        response = staff_client.post(
            reverse("workshops:workshop_cancel", args=[workshop.pk]), follow=True
        )
    assert "die Absagen konnten aber nicht an den Hintergrunddienst übergeben werden" in (
        response.content.decode()
    )
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.CANCELLED
    assert _all(workshop, send_failure=SendFailure.NOT_QUEUED, cancellation_sent_at=None)
    page = _invitations_page(staff_client, workshop)
    assert "2 eingeladene Personen haben die Absage noch nicht erhalten." in page
    assert "Absage senden" in page

    with redis_server(port) as redis, celery_worker(broker_url=redis.url(), mail_dir=mail_dir):
        with broker(redis.url()):
            _send(staff_client, workshop)
        assert wait_for(lambda: _all(workshop, cancellation_sent_at__isnull=False))
    assert _all(workshop, send_failure="")
    assert mails(mail_dir).count("Subject: Abgesagt: Auftaktworkshop Smart Region") == 2
    page = _invitations_page(staff_client, workshop)
    assert "Absage senden" not in page and "Versand fehlgeschlagen" not in page


def test_worker_sends_a_title_with_line_breaks_as_a_one_line_subject(
    staff_client, workshop, tmp_path
):
    # Stored before the forms refused control characters (or by an import).
    Workshop.objects.filter(pk=workshop.pk).update(title="Auftakt\r\nBcc: spion@example.org")
    mail_dir = tmp_path / "mail"
    with redis_server() as redis, celery_worker(broker_url=redis.url(), mail_dir=mail_dir):
        with broker(redis.url()):
            _send(staff_client, workshop)
        assert wait_for(lambda: _all(workshop, sent_sequence=0)), "nothing was sent"
    headers = "".join(_headers(message) for message in mails(mail_dir).split(SEPARATOR))
    subjects = re.findall(r"^Subject: (.*)$", headers, flags=re.MULTILINE)
    assert subjects == ["Einladung: Auftakt Bcc: spion@example.org"] * 2
    assert not re.search(r"^Bcc:", headers, flags=re.MULTILINE)
    assert _all(workshop, send_failure="")


def test_a_failure_in_the_worker_shows_as_failure_and_can_be_sent_again(
    staff_client, workshop, tmp_path
):
    # An address with a line break, stored before the forms refused it: no e-mail can be
    # composed for it, and it must not become a second recipient either.
    broken = "anna@example.org\nBcc: spion@example.org"
    WorkshopInvitation.objects.filter(email="anna@example.org").update(email=broken)
    mail_dir = tmp_path / "mail"
    with redis_server() as redis, celery_worker(broker_url=redis.url(), mail_dir=mail_dir):
        with broker(redis.url()):
            _send(staff_client, workshop)

        def failed():
            return WorkshopInvitation.objects.filter(email=broken, send_failure="message").exists()

        assert wait_for(failed), "the failure was not recorded"
        assert wait_for(lambda: "To: bernd@example.org" in mails(mail_dir))
        page = _invitations_page(staff_client, workshop)
        row = next(row for row in page.split("<tr>") if "spion@example.org" in row)
        assert "Versand fehlgeschlagen:" in row and "nicht erstellt werden" in row
        assert "noch nicht versendet" not in row
        assert "spion@example.org" not in mails(mail_dir)

        # Corrected, the next "Send invitations" sends it.
        WorkshopInvitation.objects.filter(email=broken).update(email="anna@example.org")
        with broker(redis.url()):
            _send(staff_client, workshop)
        assert wait_for(lambda: _all(workshop, sent_sequence=0, send_failure=""))
    assert "To: anna@example.org" in mails(mail_dir)
    assert "Versand fehlgeschlagen" not in _invitations_page(staff_client, workshop)

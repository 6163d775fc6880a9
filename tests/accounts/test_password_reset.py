"""Password reset: the page answers the same, equally fast, for addresses with and without an
account; requests are limited per client address and per e-mail address; the worker sends
the e-mail; the Server-Timing header stays off in production."""

import re
import statistics
import time
from email import message_from_string, policy

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from strategy.mail import header_text
from tests.factories import UserFactory
from tests.real_services import (
    SmtpServer,
    broker,
    celery_worker,
    fail_soft_cache,
    free_port,
    mails,
    redis_server,
    wait_for,
)

RESET = reverse("accounts:password_reset")
DONE = reverse("accounts:password_reset_done")
NEUTRAL = "Falls es ein Konto mit dieser Adresse gibt"


@pytest.fixture(autouse=True)
def _uncounted():
    # The in-memory cache is shared by every test of a process: start with no counts.
    cache.clear()


def _same_page(html: str) -> str:
    return re.sub(r'value="[^"]+"', "", html)  # without the CSRF token


def _ask(client, email, address="192.0.2.10"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


@pytest.mark.django_db(transaction=True)
def test_response_time_does_not_tell_whether_an_address_has_an_account(client, settings):
    """20 requests each, interleaved; a mail server that takes 60 ms per message (as a relay
    over the network) made every request for an existing account that much slower."""
    user = UserFactory(email="vorhanden@example.org")
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 1000
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    timings = {"existing": [], "unknown": []}
    with redis_server() as redis, SmtpServer(delay=0.06) as smtp, broker(redis.url()):
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        for number in range(22):
            for kind, email in (("existing", user.email), ("unknown", f"niemand{number}@x.org")):
                started = time.perf_counter()
                response = _ask(client, email)
                elapsed = time.perf_counter() - started
                assert response.status_code == 302 and response["Location"] == DONE
                if number >= 2:  # the first requests warm up connections
                    timings[kind].append(elapsed)
        # The requests only handed the address to the worker (none runs here).
        assert smtp.messages == []
        assert redis.client().llen("celery") == 44
    existing, unknown = (statistics.median(timings[kind]) for kind in ("existing", "unknown"))
    assert abs(existing - unknown) < 0.02, (existing, unknown)


@pytest.mark.django_db
def test_sixth_request_per_address_or_account_gets_the_same_page_but_no_email(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="viel@example.org")
    pages = []
    with django_capture_on_commit_callbacks(execute=True):
        # Per account: six requests from six addresses.
        for number in range(6):
            response = _ask(client, user.email, address=f"198.51.100.{number}")
            pages.append(client.get(response["Location"]).content.decode())
    assert len(mail.outbox) == 5 and response["Location"] == DONE
    assert NEUTRAL in pages[-1] and _same_page(pages[-1]) == _same_page(pages[0])

    # Per client address: six accounts asked for from one address.
    others = [UserFactory(email=f"person{number}@example.org") for number in range(6)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for other in others:
            response = _ask(client, other.email, address="203.0.113.7")
    assert response.status_code == 302 and response["Location"] == DONE
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in others[:5])


@pytest.mark.django_db
def test_outages_answer_the_same_page_and_send_nothing(
    client, settings, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ausfall@example.org")
    # The cache cannot count: no e-mail (fails closed), the same answer.
    settings.CACHES = fail_soft_cache(f"redis://127.0.0.1:{free_port()}/0")
    with django_capture_on_commit_callbacks(execute=True):
        for email in (user.email, "niemand@example.org"):
            response = _ask(client, email)
            assert response.status_code == 302 and response["Location"] == DONE
    assert mail.outbox == []
    # The broker is down: the same answer, no 500.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with broker(dead), django_capture_on_commit_callbacks(execute=True):
        for email in (user.email, "niemand@example.org"):
            response = _ask(client, email)
            assert response.status_code == 302 and response["Location"] == DONE
    assert NEUTRAL in client.get(DONE).content.decode()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_reset_email(client, tmp_path):
    user = UserFactory(email="vergessen@example.org")
    mail_dir = tmp_path / "mail"
    with redis_server() as redis, celery_worker(broker_url=redis.url(), mail_dir=mail_dir):
        with broker(redis.url()):
            _ask(client, "niemand@example.org")
            _ask(client, "Vergessen@Example.org")
        assert wait_for(lambda: "To: vergessen@example.org" in mails(mail_dir))
    text = mails(mail_dir)
    assert "niemand@example.org" not in text
    message = message_from_string(text, policy=policy.default)
    assert message["To"] == "vergessen@example.org"
    assert message["Subject"] == "Ihr neues Passwort für das Strategieportal"
    link = re.search(r"http://\S+(/konto/passwort-neu/\S+/)", text).group(1)
    response = client.get(link, follow=True)
    password = "Neu-Gesetzt-2026!"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(password)


@pytest.mark.django_db
def test_server_timing_header_only_in_development_or_when_asked_for(client, settings):
    settings.DEBUG, settings.SERVER_TIMING = False, False
    assert "Server-Timing" not in client.get(RESET)
    settings.SERVER_TIMING = True
    assert client.get(RESET)["Server-Timing"].startswith("app;dur=")
    settings.DEBUG, settings.SERVER_TIMING = True, False
    assert "Server-Timing" in client.get(RESET)


def test_header_text_keeps_one_line_whatever_is_stored():
    assert header_text("Auftakt\r\nBcc: x@example.org") == "Auftakt Bcc: x@example.org"
    assert header_text(" a\tb\x00c\x85d\u2028e\u2029f\x0bg \n") == "a b c d e f g"
    assert header_text("Müller & Söhne – Workshop") == "Müller & Söhne – Workshop"

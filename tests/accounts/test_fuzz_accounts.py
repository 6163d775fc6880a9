"""Arbitrary text (HTML, script, javascript: URLs, RTL and zero-width characters, very long
strings) as the names and the password of an accepted invitation, posted through the link of
the invitation: never a server error, the names are shown as text wherever they appear, and a
password that is accepted is the password the account signs in with."""

from contextlib import contextmanager

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given

from accounts.models import Invitation, Role, User
from accounts.services import invitation_token
from tests.fuzzing import (
    HYPOTHESIS,
    MARKERS,
    TEXT,
    accepted,
    check_shown_as_text,
    fuzzes,
    login_url,
)

pytestmark = pytest.mark.django_db
EMAIL = "fuzz.invitee@duelmen.example"
GOOD_PASSWORD = "Sonnenblume-Dülmen-77"


@pytest.fixture
def staff(client, personas):
    client.force_login(personas["district_staff"])
    return client


@contextmanager
def rolled_back():
    """Each example starts from the same data: what it saved is rolled back afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def fit(text: str, size: int) -> str:
    """At most ``size`` characters of ``text``, with its marker if the marker fits."""
    for marker in MARKERS:
        at = text.find(marker)
        if at >= 0 and len(marker) <= size:
            start = 0 if at + len(marker) <= size else at
            return text[start : start + size]
    return text[:size]


def shown_as_text(client, response, *urls) -> None:
    """The response itself (the form shown again) and every page at ``urls`` show the text as
    text."""
    check_shown_as_text(client, response, None)
    if response.status_code == 200:
        html = response.content.decode()
        for marker in MARKERS:
            if marker.startswith("javascript:"):
                assert f'href="{marker}' not in html
            else:
                assert marker not in html
    for url in urls:
        check_shown_as_text(client, response, url)


def _invitation(staff_user, text: str) -> Invitation:
    """An open invitation whose names (set by staff) are the hostile text. Without NUL
    characters: the invitation form refuses them, and PostgreSQL cannot store them."""
    text = text.replace("\x00", "")
    return Invitation.objects.create(
        email=EMAIL,
        first_name=fit(text, 150),
        last_name=fit(text[::-1], 150),
        role=Role.MUNICIPAL_REP,
        municipality=staff_user.municipality,
        invited_by=staff_user,
    )


@fuzzes("accounts.forms.AcceptInvitationForm")
@given(text=TEXT)
@HYPOTHESIS
def test_accept_invitation_names(staff, personas, text):
    with rolled_back():
        invitation = _invitation(personas["district_staff"], text)
        invitee = Client()
        url = reverse("accounts:invitation_accept", args=[invitation_token(invitation)])
        # The names the invitation proposes are shown in the form.
        shown_as_text(invitee, invitee.get(url))
        # Too long, and the text as the password and as its repetition: the form comes back.
        data = {"first_name": text * 2, "last_name": text, "password1": text, "password2": "x"}
        shown_as_text(invitee, invitee.post(url, data))
        # The text as the names, with a good password: the account is made.
        data = {
            "first_name": fit(text, 150),
            "last_name": fit(text[::-1], 150),
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        }
        response = invitee.post(url, data)
        user = User.objects.filter(email=EMAIL).first()
        if accepted(lines=[data["first_name"], data["last_name"]]):
            assert response.status_code == 302 and user is not None
            assert user.first_name == data["first_name"].strip()
        shown_as_text(
            invitee, response, reverse("strategy:dashboard"), reverse("workshops:live_join")
        )
        shown_as_text(staff, response, reverse("accounts:user_list"), reverse("strategy:audit_log"))
        shown_as_text(staff, staff.get(reverse("accounts:user_list"), {"q": fit(text, 150)}))


@given(text=TEXT)
@HYPOTHESIS
def test_accept_invitation_password(staff, personas, text):
    with rolled_back():
        invitation = _invitation(personas["district_staff"], "Lea")
        invitee = Client()
        url = reverse("accounts:invitation_accept", args=[invitation_token(invitation)])
        data = {"first_name": "Lea", "last_name": "Lehmann", "password1": text, "password2": text}
        response = invitee.post(url, data)
        shown_as_text(invitee, response)
        user = User.objects.filter(email=EMAIL).first()
        if "\x00" not in text:  # long, uncommon and unlike the names: a good password
            assert response.status_code == 302
        if response.status_code == 302:
            # Kept exactly as typed: not stripped, not cut.
            assert user is not None and user.check_password(text)
            login = Client().post(login_url(), {"username": EMAIL, "password": text})
            assert login.status_code == 302
        else:
            # The form comes back, or a NUL makes the post a bad request (strategy.http).
            assert user is None and response.status_code in (200, 400)

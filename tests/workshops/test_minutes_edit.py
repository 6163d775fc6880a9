"""Editing, finalising and re-opening the minutes of a session."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory
from workshops.models import SessionPhoto

from . import test_minutes_data as data
from .test_minutes_data import jpeg_bytes

# Fixtures shared by the minutes tests.
media, facilitator, empty_session = data.media, data.facilitator, data.empty_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_facilitator_writes_summary_and_decisions(english, empty_session, reference):
    # A municipal representative named as facilitator may write the minutes of this workshop.
    representative = UserFactory(role=Role.MUNICIPAL_REP, municipality=reference["Nottuln"])
    empty_session.workshop.facilitators.add(representative)
    english.force_login(representative)
    url = reverse("workshops:minutes_edit", args=[empty_session.pk])
    assert english.get(url).status_code == 200
    response = english.post(
        url,
        {"summary": "Gute Beteiligung aller Kommunen.", "decisions": "Rufbus-Steckbrief bis Mai."},
        follow=True,
    )
    assert "The minutes were saved." in _messages(response)
    empty_session.refresh_from_db()
    assert empty_session.summary == "Gute Beteiligung aller Kommunen."
    assert empty_session.decisions == "Rufbus-Steckbrief bis Mai."
    page = english.get(reverse("workshops:minutes_detail", args=[empty_session.pk]))
    assert "Gute Beteiligung aller Kommunen." in page.content.decode()


def test_too_long_text_is_refused_and_nothing_changes(english, facilitator, empty_session):
    english.force_login(facilitator)
    response = english.post(
        reverse("workshops:minutes_edit", args=[empty_session.pk]),
        {"summary": "x" * 20001, "decisions": "kurz"},
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 20000 characters" in response.content.decode()
    empty_session.refresh_from_db()
    assert empty_session.summary == "" and empty_session.decisions == ""


def test_finalised_minutes_refuse_changes_until_reopened(english, facilitator, empty_session):
    english.force_login(facilitator)
    edit = reverse("workshops:minutes_edit", args=[empty_session.pk])
    english.post(edit, {"summary": "Erste Fassung", "decisions": ""})

    response = english.post(
        reverse("workshops:minutes_finalise", args=[empty_session.pk]), follow=True
    )
    assert "The minutes are finalised." in _messages(response)
    empty_session.refresh_from_db()
    finalised_at = empty_session.minutes_finalised_at
    assert finalised_at is not None

    # Editing, uploading and finalising again are refused with a message; nothing changes.
    refused = "Re-open them first if they need to be changed."
    response = english.get(edit, follow=True)
    assert refused in _messages(response)
    response = english.post(
        edit, {"summary": "Nachträglich geändert", "decisions": ""}, follow=True
    )
    assert refused in _messages(response)
    response = english.post(
        reverse("workshops:minutes_photos", args=[empty_session.pk]),
        {"image": SimpleUploadedFile("a.jpg", jpeg_bytes()), "caption": ""},
        follow=True,
    )
    assert refused in _messages(response)
    response = english.post(
        reverse("workshops:minutes_finalise", args=[empty_session.pk]), follow=True
    )
    assert refused in _messages(response)
    empty_session.refresh_from_db()
    assert empty_session.summary == "Erste Fassung"
    assert empty_session.minutes_finalised_at == finalised_at
    assert not SessionPhoto.objects.exists()

    # Finalised minutes can still be rendered.
    response = english.post(reverse("workshops:minutes_render", args=[empty_session.pk]))
    assert response.status_code == 302
    assert empty_session.minutes_renders.count() == 1

    response = english.post(
        reverse("workshops:minutes_reopen", args=[empty_session.pk]), follow=True
    )
    assert "The minutes can be edited again." in _messages(response)
    english.post(edit, {"summary": "Zweite Fassung", "decisions": ""})
    empty_session.refresh_from_db()
    assert empty_session.summary == "Zweite Fassung"
    assert empty_session.minutes_finalised_at is None


def test_reopening_open_minutes_says_so(english, facilitator, empty_session):
    english.force_login(facilitator)
    response = english.post(
        reverse("workshops:minutes_reopen", args=[empty_session.pk]), follow=True
    )
    assert "The minutes are not finalised." in _messages(response)


def test_photo_cannot_be_deleted_from_finalised_minutes(english, facilitator, empty_session):
    english.force_login(facilitator)
    english.post(
        reverse("workshops:minutes_photos", args=[empty_session.pk]),
        {"image": SimpleUploadedFile("a.jpg", jpeg_bytes()), "caption": "Tafel"},
    )
    photo = SessionPhoto.objects.get()
    english.post(reverse("workshops:minutes_finalise", args=[empty_session.pk]))
    response = english.post(
        reverse("workshops:minutes_photo_delete", args=[empty_session.pk, photo.pk]),
        follow=True,
    )
    assert "Re-open them first" in _messages(response)
    assert SessionPhoto.objects.filter(pk=photo.pk).exists()


def test_detail_page_shows_edit_buttons_to_facilitators_only(
    client, facilitator, empty_session, personas
):
    url = reverse("workshops:minutes_detail", args=[empty_session.pk])
    edit = reverse("workshops:minutes_edit", args=[empty_session.pk])
    client.force_login(facilitator)
    assert edit in client.get(url).content.decode()
    client.force_login(personas["councillor"])
    html = client.get(url).content.decode()
    assert edit not in html
    assert reverse("workshops:minutes_render", args=[empty_session.pk]) not in html


def test_links_partial_for_a_session(rf, facilitator, empty_session, personas):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = facilitator
    html = render_to_string(
        "workshops/_minutes_links.html",
        {"session": empty_session, "user": facilitator},
        request=request,
    )
    for name in ("minutes_detail", "minutes_edit", "minutes_photos", "minutes_render"):
        assert reverse(f"workshops:{name}", args=[empty_session.pk]) in html
    assert "csrfmiddlewaretoken" in html

    request.user = personas["councillor"]
    html = render_to_string(
        "workshops/_minutes_links.html",
        {"session": empty_session, "user": personas["councillor"]},
        request=request,
    )
    assert reverse("workshops:minutes_detail", args=[empty_session.pk]) in html
    assert reverse("workshops:minutes_edit", args=[empty_session.pk]) not in html
    assert reverse("workshops:minutes_render", args=[empty_session.pk]) not in html

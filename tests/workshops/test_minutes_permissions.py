"""Who may do what with the minutes: every minutes URL × role → expected status; refused
writes change nothing."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory
from workshops import minutes_urls
from workshops.models import MinutesRender, SessionPhoto

from . import test_minutes_data as data
from .test_minutes_data import jpeg_bytes

# Fixtures shared by the minutes tests.
media, facilitator, empty_session = data.media, data.facilitator, data.empty_session

ROLES = [
    "anonymous",
    "district_staff",
    "consultant",
    "rep_duelmen",
    "councillor",
    "working_group",
    "facilitator_consultant",
    "facilitator_rep",
]
L = "login"


def row(anon, staff, consultant, rep, councillor, wg, fac_consultant, fac_rep):
    values = [anon, staff, consultant, rep, councillor, wg, fac_consultant, fac_rep]
    return dict(zip(ROLES, values, strict=True))


READ = row(L, 200, 200, 200, 200, 200, 200, 200)
EDIT = row(L, 200, 200, 403, 403, 403, 200, 200)
POST_EDIT = row(L, 302, 302, 403, 403, 403, 302, 302)


def _photo_upload():
    return {"image": SimpleUploadedFile("tafel.jpg", jpeg_bytes()), "caption": "Neu"}


# (name, object, method, expectations, payload)
TABLE = [
    ("minutes_detail", "session", "get", READ, None),
    ("minutes_edit", "session", "get", EDIT, None),
    ("minutes_edit", "session", "post", POST_EDIT, lambda: {"summary": "neu", "decisions": ""}),
    ("minutes_finalise", "session", "post", POST_EDIT, None),
    ("minutes_reopen", "session", "post", POST_EDIT, None),
    ("minutes_photos", "session", "get", EDIT, None),
    ("minutes_photos", "session", "post", POST_EDIT, _photo_upload),
    ("minutes_photo_image", "photo", "get", READ, None),
    ("minutes_photo_delete", "photo", "post", POST_EDIT, None),
    ("minutes_render", "session", "post", POST_EDIT, None),
    ("minutes_render_detail", "render", "get", READ, None),
    ("minutes_render_status", "render", "get", READ, None),
    ("minutes_render_download", "render", "get", READ, None),
]


def test_every_minutes_url_is_in_the_table():
    names = {pattern.name for pattern in minutes_urls.urlpatterns}
    assert names == {entry[0] for entry in TABLE}


@pytest.fixture
def users(personas, facilitator, empty_session):
    facilitating_rep = UserFactory(
        role=Role.MUNICIPAL_REP, municipality=personas["rep_nottuln"].municipality
    )
    empty_session.workshop.facilitators.add(facilitating_rep)
    return personas | {"facilitator_consultant": facilitator, "facilitator_rep": facilitating_rep}


@pytest.fixture
def objects(empty_session, media, facilitator):
    photo = SessionPhoto(session=empty_session, caption="Flipchart", uploaded_by=facilitator)
    photo.image.save("photo.jpg", ContentFile(jpeg_bytes(exif=False)), save=False)
    photo.save()
    job = MinutesRender(
        session=empty_session,
        status=MinutesRender.Status.DONE,
        progress=100,
        pages=3,
        sha256="0" * 64,
    )
    job.file.save("protokoll.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    job.save()
    return {
        "session": {"pk": empty_session.pk},
        "photo": {"pk": empty_session.pk, "photo_pk": photo.pk},
        "render": {"pk": job.pk},
    }


def _state(session):
    session.refresh_from_db()
    return (
        session.summary,
        session.minutes_finalised_at,
        sorted(SessionPhoto.objects.values_list("pk", flat=True)),
        sorted(MinutesRender.objects.values_list("pk", "status")),
    )


CASES = [(entry, role) for entry in TABLE for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("entry", "role"), CASES, ids=[f"{e[0]}-{e[2]}-{r}" for e, r in CASES])
def test_url_role_matrix(client, users, objects, empty_session, entry, role):
    name, key, method, expectations, payload = entry
    expected = expectations[role]
    if role != "anonymous":
        client.force_login(users[role])
    url = reverse(f"workshops:{name}", kwargs=objects[key])
    before = _state(empty_session)
    response = getattr(client, method)(url, payload() if payload else {})
    if expected == L:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected
        if expected == 302:
            assert not response["Location"].startswith(reverse("accounts:login"))
    if expected in (403, L) and method == "post":
        assert _state(empty_session) == before


@pytest.mark.django_db
def test_posts_need_a_csrf_token(empty_session, facilitator, objects):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(facilitator)
    response = client.post(reverse("workshops:minutes_render", args=[empty_session.pk]))
    assert response.status_code == 403
    assert MinutesRender.objects.count() == 1  # only the one made by the fixture


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["minutes_finalise", "minutes_render", "minutes_reopen"])
def test_writes_refuse_get(client, facilitator, empty_session, name):
    client.force_login(facilitator)
    assert client.get(reverse(f"workshops:{name}", args=[empty_session.pk])).status_code == 405


@pytest.mark.django_db
def test_unknown_objects_are_not_found(client, facilitator):
    client.force_login(facilitator)
    assert client.get(reverse("workshops:minutes_detail", args=[999999])).status_code == 404
    assert client.get(reverse("workshops:minutes_render_status", args=[999999])).status_code == 404

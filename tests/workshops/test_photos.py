"""Photos of flipcharts: the type by content and the pixel limits checked from the header in the
web request (refused uploads save nothing), the photo prepared by the worker (re-encoded as
JPEG without EXIF, at most 2000 pixels, the original deleted), and every way that can fail
shown as a failure with a message. A real worker and the memory of the web request:
``test_photos_worker``."""

import io
import os
import struct
import zlib
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image, ImageFile

from tests.upload_samples import png_bomb
from workshops import minutes_photos
from workshops.minutes_tasks import prepare_photo
from workshops.models import SessionPhoto
from workshops.photos import MAX_PHOTO_SIDE, photo_check, photo_reencode

from . import test_minutes_data as data
from .test_minutes_data import jpeg_bytes, minutes_session_create

# Fixtures shared by the minutes tests.
media, facilitator, empty_session = data.media, data.facilitator, data.empty_session


def _upload(data: bytes, name="flipchart.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _png_bytes(size=(800, 600), mode="RGBA") -> bytes:
    image = Image.new(mode, size, (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width``×``height`` pixels but carries almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _prepared(data: bytes, name="flipchart.jpg") -> Image.Image:
    """What the worker stores for an upload the web request accepted."""
    image = Image.open(io.BytesIO(photo_reencode(photo_check(_upload(data, name=name)).data)))
    image.load()
    return image


def test_jpeg_is_reencoded_without_exif_and_turned_upright():
    # Orientation 6: the camera was turned; the stored pixels must be rotated by 90°.
    original = jpeg_bytes(size=(1200, 900), orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # has GPS before
    result = _prepared(original)
    assert result.format == "JPEG"
    assert result.size == (900, 1200)
    assert not result.getexif()
    assert "exif" not in result.info
    assert b"Kamerahersteller" not in photo_reencode(original)


def test_big_photo_is_scaled_to_2000_pixels():
    result = _prepared(jpeg_bytes(size=(4000, 3000), exif=False))
    assert max(result.size) == MAX_PHOTO_SIDE
    assert result.size == (2000, 1500)


def test_png_with_transparency_becomes_an_rgb_jpeg():
    result = _prepared(_png_bytes(), name="chart.png")
    assert result.format == "JPEG" and result.mode == "RGB" and result.size == (800, 600)


def test_palette_png_is_scaled_in_colour():
    image = Image.new("RGB", (3000, 1000), (200, 30, 30)).convert("P", palette=Image.ADAPTIVE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    result = _prepared(buffer.getvalue(), name="skizze.png")
    assert result.size == (2000, 667) and result.mode == "RGB"
    red, green, blue = result.getpixel((1000, 300))
    assert red > 150 and green < 80 and blue < 80


def test_webp_is_accepted():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (0, 128, 0)).save(buffer, format="WEBP")
    result = _prepared(buffer.getvalue(), name="foto.webp")
    assert result.format == "JPEG" and result.size == (300, 200)


def _gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (50, 50)).save(buffer, format="GIF")
    return buffer.getvalue()


REFUSED = [
    ("text named .jpg", lambda: b"Dies ist kein Foto, sondern Text.\n" * 20, "kein Foto"),
    ("gif", _gif_bytes, "kein Foto"),
    ("truncated png", lambda: _png_bytes(mode="RGB")[:-40], "nicht gelesen werden"),
    ("11 MB", lambda: b"\xff\xd8\xff\xe0" + b"\0" * (11 * 1024 * 1024), "höchstens 10"),
    ("bomb 50000x50000", lambda: _png_header_only(50000, 50000), "mehr als 40 Megapixel"),
    ("png of 48 megapixels", lambda: _png_header_only(8000, 6000), "mehr als 16 Megapixel"),
    # The outside probe's photo: 160 KB, 6320×6320 pixels, +495 MB in the web worker.
    ("png bomb 6320x6320", png_bomb, "mehr als 16 Megapixel"),
]


@pytest.mark.parametrize(("case", "make", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_bad_files_are_refused_with_a_german_message(case, make, message):
    with pytest.raises(ValidationError) as error:
        photo_check(_upload(make()))
    assert message in " ".join(error.value.messages)


@pytest.mark.parametrize(
    "make",
    [lambda: jpeg_bytes(exif=False)[:2500], lambda: _png_bytes(mode="RGB")[:-40]],
    ids=["jpeg", "png"],
)
def test_truncated_photos_are_not_prepared_even_after_weasyprint_was_imported(make):
    # WeasyPrint switches this on for the whole process when it is imported.
    import weasyprint  # noqa: F401

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    with translation.override("en"), pytest.raises(ValidationError) as error:
        photo_reencode(make())
    with translation.override("en"):
        assert "could not be read" in " ".join(error.value.messages)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "make", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_uploads_save_nothing(
    client, facilitator, empty_session, media, case, make, message
):
    client.force_login(facilitator)
    response = client.post(
        reverse("workshops:minutes_photos", args=[empty_session.pk]),
        {"image": _upload(make()), "caption": "Flipchart"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SessionPhoto.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


def _files(media) -> list[str]:
    return sorted(path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file())


@pytest.mark.django_db
def test_the_upload_waits_for_the_worker_under_a_generated_name(
    client, facilitator, empty_session, media
):
    """The web request stores the checked original (named by its verified format, not by the
    uploaded name) and does not decode it; the worker makes the JPEG."""
    client.force_login(facilitator)
    photos_url = reverse("workshops:minutes_photos", args=[empty_session.pk])
    response = client.post(
        photos_url,
        {"image": _upload(_png_bytes(size=(2400, 1800)), name="tafel.jpg"), "caption": "Tafel"},
    )
    assert response.status_code == 302
    photo = SessionPhoto.objects.get()
    assert photo.status == SessionPhoto.Status.PROCESSING
    original = photo.image.name
    assert original.endswith(".png") and "tafel" not in original
    assert _files(media) == [original]
    # Nothing of the original is served (it may carry a GPS position); the page says why.
    image_url = reverse("workshops:minutes_photo_image", args=[empty_session.pk, photo.pk])
    assert client.get(image_url).status_code == 404
    assert "wird für das Protokoll vorbereitet" in client.get(photos_url).content.decode()

    prepare_photo(photo.pk)  # what the worker does
    photo.refresh_from_db()
    assert photo.status == SessionPhoto.Status.READY and photo.image.name.endswith(".jpg")
    assert _files(media) == [photo.image.name]
    stored = Image.open(photo.image.path)
    assert stored.format == "JPEG" and stored.size == (2000, 1500)
    prepare_photo(photo.pk)  # a task delivered twice does nothing the second time
    assert SessionPhoto.objects.get().image.name == photo.image.name


@pytest.mark.django_db
def test_facilitator_uploads_and_deletes_a_photo(
    client, facilitator, empty_session, media, django_capture_on_commit_callbacks
):
    client.force_login(facilitator)
    url = reverse("workshops:minutes_photos", args=[empty_session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "image": _upload(
                    jpeg_bytes(size=(2400, 1800), orientation=3), name="IMG_0001.HEIC.jpg"
                ),
                "caption": "Flipchart Gruppe 2: Mobilität",
            },
        )
    assert response.status_code == 302
    photo = SessionPhoto.objects.get()
    assert photo.caption == "Flipchart Gruppe 2: Mobilität"
    assert photo.uploaded_by == facilitator
    assert photo.status == SessionPhoto.Status.READY
    assert photo.image.name.endswith(".jpg") and "IMG_0001" not in photo.image.name
    stored = Image.open(photo.image.path)
    assert stored.format == "JPEG" and stored.size == (2000, 1500) and not stored.getexif()
    assert _files(media) == [photo.image.name]

    # Everybody logged in sees the photo through the portal (never straight from MEDIA_ROOT),
    # as a download the browser still shows inside <img>.
    image = client.get(reverse("workshops:minutes_photo_image", args=[empty_session.pk, photo.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert image["Content-Disposition"].startswith("attachment;")
    assert image["X-Content-Type-Options"] == "nosniff"

    deleted = client.post(
        reverse("workshops:minutes_photo_delete", args=[empty_session.pk, photo.pk])
    )
    assert deleted.status_code == 302
    assert not SessionPhoto.objects.exists()


@pytest.mark.django_db
def test_a_photo_the_worker_cannot_read_fails_with_a_message_and_leaves_no_file(
    client, facilitator, empty_session, media, django_capture_on_commit_callbacks
):
    """A cut-off JPEG passes the header check; the worker finds out and says so."""
    client.force_login(facilitator)
    url = reverse("workshops:minutes_photos", args=[empty_session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"image": _upload(jpeg_bytes(exif=False)[:2500]), "caption": "Halb"})
    photo = SessionPhoto.objects.get()
    assert photo.status == SessionPhoto.Status.FAILED
    assert photo.error == minutes_photos.ERROR_PHOTO_DAMAGED and not photo.image
    assert _files(media) == []
    html = client.get(url).content.decode()
    assert "Das Foto konnte nicht gelesen werden" in html
    detail = client.get(reverse("workshops:minutes_detail", args=[empty_session.pk]))
    assert "Das Foto konnte nicht gelesen werden" in detail.content.decode()
    # The failed photo can be deleted like any other.
    client.post(reverse("workshops:minutes_photo_delete", args=[empty_session.pk, photo.pk]))
    assert not SessionPhoto.objects.exists()


@pytest.mark.django_db
def test_a_photo_lost_by_its_worker_fails_after_15_minutes(
    client, facilitator, empty_session, media
):
    client.force_login(facilitator)
    url = reverse("workshops:minutes_photos", args=[empty_session.pk])
    client.post(url, {"image": _upload(jpeg_bytes()), "caption": "Verloren"})
    photo = SessionPhoto.objects.get()
    assert photo.status == SessionPhoto.Status.PROCESSING
    SessionPhoto.objects.filter(pk=photo.pk).update(
        uploaded_at=timezone.now() - timedelta(minutes=14)
    )
    client.get(url)
    assert SessionPhoto.objects.get().status == SessionPhoto.Status.PROCESSING
    SessionPhoto.objects.filter(pk=photo.pk).update(
        uploaded_at=timezone.now() - timedelta(minutes=16)
    )
    html = client.get(url).content.decode()
    photo.refresh_from_db()
    assert photo.status == SessionPhoto.Status.FAILED
    assert photo.error == minutes_photos.ERROR_PHOTO_STALE
    assert "nicht innerhalb von 15 Minuten" in html
    assert _files(media) == []  # the original (with its GPS position) is gone


@pytest.mark.django_db
def test_an_unreachable_broker_fails_the_photo_with_a_message(
    client, facilitator, empty_session, media, monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(prepare_photo, "delay", unreachable)
    client.force_login(facilitator)
    url = reverse("workshops:minutes_photos", args=[empty_session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"image": _upload(jpeg_bytes()), "caption": "Ohne Worker"})
    photo = SessionPhoto.objects.get()
    assert photo.status == SessionPhoto.Status.FAILED
    assert photo.error == minutes_photos.ERROR_PHOTO_NOT_QUEUED
    html = client.get(url).content.decode()
    assert "konnte nicht an die Hintergrundverarbeitung übergeben werden" in html
    assert _files(media) == []


@pytest.mark.django_db
def test_a_photo_deleted_while_being_prepared_leaves_no_file(
    client, facilitator, empty_session, media
):
    client.force_login(facilitator)
    client.post(
        reverse("workshops:minutes_photos", args=[empty_session.pk]),
        {"image": _upload(jpeg_bytes()), "caption": ""},
    )
    photo = SessionPhoto.objects.get()
    # The worker has read the photo when the facilitator deletes it.
    real_reencode = minutes_photos.photo_reencode

    def delete_meanwhile(data):
        SessionPhoto.objects.filter(pk=photo.pk).delete()
        return real_reencode(data)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(minutes_photos, "photo_reencode", delete_meanwhile)
        minutes_photos.photo_prepare(photo_id=photo.pk)
    assert not SessionPhoto.objects.exists()
    assert [name for name in _files(media) if name.endswith(".jpg")] == [photo.image.name]
    os.remove(photo.image.path)  # the original: deleted by photo_delete in real life


@pytest.mark.django_db(transaction=True)
def test_deleting_a_photo_removes_its_file(client, facilitator, empty_session, media):
    client.force_login(facilitator)
    client.post(
        reverse("workshops:minutes_photos", args=[empty_session.pk]),
        {"image": _upload(jpeg_bytes()), "caption": ""},
    )
    photo = SessionPhoto.objects.get()
    assert photo.status == SessionPhoto.Status.READY  # eager task, run on commit
    path = photo.image.path
    client.post(reverse("workshops:minutes_photo_delete", args=[empty_session.pk, photo.pk]))
    assert not SessionPhoto.objects.exists()
    assert not os.path.exists(path)


@pytest.mark.django_db
def test_photo_of_another_session_is_not_found(client, facilitator, empty_session, process, media):
    other = minutes_session_create(process, photos=1)
    photo = other.photos.get()
    client.force_login(facilitator)
    response = client.post(
        reverse("workshops:minutes_photo_delete", args=[empty_session.pk, photo.pk])
    )
    assert response.status_code == 404
    assert SessionPhoto.objects.filter(pk=photo.pk).exists()


def test_photo_help_text_names_the_limits():
    from workshops.minutes_forms import PhotoForm

    with translation.override(settings.LANGUAGE_CODE):
        assert "PNG oder WebP bis 16 Megapixel" in str(PhotoForm().fields["image"].help_text)

"""Photos of flipcharts: the type by content, size and pixel limits, re-encoding as JPEG
without EXIF; refused uploads save nothing."""

import io
import os
import struct
import zlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image, ImageFile

from workshops.models import SessionPhoto
from workshops.photos import MAX_PHOTO_SIDE, photo_prepare

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


def _decoded(content_file) -> Image.Image:
    content_file.seek(0)
    image = Image.open(io.BytesIO(content_file.read()))
    image.load()
    return image


def test_jpeg_is_reencoded_without_exif_and_turned_upright():
    # Orientation 6: the camera was turned; the stored pixels must be rotated by 90°.
    original = jpeg_bytes(size=(1200, 900), orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # has GPS before
    result = _decoded(photo_prepare(_upload(original)))
    assert result.format == "JPEG"
    assert result.size == (900, 1200)
    assert not result.getexif()
    assert "exif" not in result.info
    assert b"Kamerahersteller" not in _raw(photo_prepare(_upload(original)))


def _raw(content_file) -> bytes:
    content_file.seek(0)
    return content_file.read()


def test_big_photo_is_scaled_to_2000_pixels():
    result = _decoded(photo_prepare(_upload(jpeg_bytes(size=(4000, 3000), exif=False))))
    assert max(result.size) == MAX_PHOTO_SIDE
    assert result.size == (2000, 1500)


def test_png_with_transparency_becomes_an_rgb_jpeg():
    result = _decoded(photo_prepare(_upload(_png_bytes(), name="chart.png")))
    assert result.format == "JPEG" and result.mode == "RGB" and result.size == (800, 600)


def test_webp_is_accepted():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (0, 128, 0)).save(buffer, format="WEBP")
    result = _decoded(photo_prepare(_upload(buffer.getvalue(), name="foto.webp")))
    assert result.format == "JPEG" and result.size == (300, 200)


def _gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (50, 50)).save(buffer, format="GIF")
    return buffer.getvalue()


REFUSED = [
    ("text named .jpg", lambda: b"Dies ist kein Foto, sondern Text.\n" * 20, "not a photo"),
    ("gif", _gif_bytes, "not a photo"),
    ("truncated jpeg", lambda: jpeg_bytes(exif=False)[:2500], "could not be read"),
    ("11 MB", lambda: b"\xff\xd8\xff\xe0" + b"\0" * (11 * 1024 * 1024), "at most 10"),
    ("bomb 50000x50000", lambda: _png_header_only(50000, 50000), "more than 40 megapixels"),
    ("48 megapixels", lambda: _png_header_only(8000, 6000), "more than 40 megapixels"),
]


@pytest.mark.parametrize(("case", "make", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_bad_files_are_refused_with_a_message(case, make, message):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        photo_prepare(_upload(make()))
    with translation.override("en"):
        assert message in " ".join(error.value.messages)


@pytest.mark.parametrize(
    "make",
    [lambda: jpeg_bytes(exif=False)[:2500], lambda: _png_bytes(mode="RGB")[:-40]],
    ids=["jpeg", "png"],
)
def test_truncated_photos_are_refused_even_after_weasyprint_was_imported(make):
    # WeasyPrint switches this on for the whole process when it is imported.
    import weasyprint  # noqa: F401

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    with translation.override("en"), pytest.raises(ValidationError) as error:
        photo_prepare(_upload(make()))
    with translation.override("en"):
        assert "could not be read" in " ".join(error.value.messages)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "make", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_uploads_save_nothing(
    client, facilitator, empty_session, media, case, make, message
):
    client.force_login(facilitator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("workshops:minutes_photos", args=[empty_session.pk]),
        {"image": _upload(make()), "caption": "Flipchart"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SessionPhoto.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


@pytest.mark.django_db
def test_facilitator_uploads_and_deletes_a_photo(client, facilitator, empty_session, media):
    client.force_login(facilitator)
    url = reverse("workshops:minutes_photos", args=[empty_session.pk])
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
    assert photo.image.name.endswith(".jpg") and "IMG_0001" not in photo.image.name
    stored = Image.open(photo.image.path)
    assert stored.format == "JPEG" and stored.size == (2000, 1500) and not stored.getexif()

    # Everybody logged in sees the photo through the portal (never straight from MEDIA_ROOT).
    image = client.get(reverse("workshops:minutes_photo_image", args=[empty_session.pk, photo.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"

    deleted = client.post(
        reverse("workshops:minutes_photo_delete", args=[empty_session.pk, photo.pk])
    )
    assert deleted.status_code == 302
    assert not SessionPhoto.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_deleting_a_photo_removes_its_file(client, facilitator, empty_session, media):
    client.force_login(facilitator)
    client.post(
        reverse("workshops:minutes_photos", args=[empty_session.pk]),
        {"image": _upload(jpeg_bytes()), "caption": ""},
    )
    photo = SessionPhoto.objects.get()
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

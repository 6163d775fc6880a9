"""Checks and re-encoding of flipchart photos for the minutes.

The type is decided by the content (Pillow), never by the file name or the browser's content
type. Every accepted photo is decoded and written anew as a plain JPEG: that drops EXIF (GPS
position, camera serial numbers), applies the orientation the camera recorded, and bounds the
size of what the PDF renderer has to embed later."""

import io
import threading
import warnings
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
MAX_PHOTO_SIDE = 2000
JPEG_QUALITY = 85
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}

NOT_AN_IMAGE = _("The file is not a photo in JPEG, PNG or WebP format.")
DAMAGED = _("The photo could not be read; the file may be damaged or incomplete.")


_strict_lock = threading.Lock()


@contextmanager
def _strict_decoding():
    """Refuse truncated files while decoding.

    WeasyPrint switches Pillow's process-wide ``LOAD_TRUNCATED_IMAGES`` on when it is imported
    (in the worker, in tests, wherever a PDF is made), which would let a half-uploaded photo
    through as a grey-bottomed picture; it is switched off here and restored afterwards."""
    with _strict_lock:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The photo has more than %(megapixels)d megapixels; please reduce its size."),
        params={"megapixels": MAX_PHOTO_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def _open_checked(data: bytes) -> Image.Image:
    """Open ``data`` as an accepted image whose pixel count is within bounds (header only)."""
    with warnings.catch_warnings():
        # Pillow warns (and above twice its limit refuses) for decompression bombs; both
        # become our message. Our own limit below is stricter still.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
    if image.format not in ACCEPTED_FORMATS:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
    width, height = image.size
    if width * height > MAX_PHOTO_PIXELS:
        raise _too_many_pixels()
    return image


def photo_prepare(upload) -> ContentFile:
    """Check an uploaded photo and return it re-encoded as JPEG, or raise ``ValidationError``.

    Accepted: JPEG, PNG and WebP by content, at most 10 MB and 40 megapixels. The result has
    no EXIF data, is turned the way the camera's orientation tag says, has its longest side
    at most 2000 pixels and is RGB (transparency is put on white)."""
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The file is %(size)s; at most %(limit)s are allowed."),
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_PHOTO_BYTES)},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:  # the declared size may lie
        raise ValidationError(
            _("The file is %(size)s; at most %(limit)s are allowed."),
            params={"size": filesizeformat(len(data)), "limit": filesizeformat(MAX_PHOTO_BYTES)},
            code="too_large",
        )

    with _strict_decoding():
        return _reencoded(data)


def _reencoded(data: bytes) -> ContentFile:
    # verify() checks the structure (e.g. PNG chunk checksums) but leaves the image unusable,
    # so the image is opened a second time to decode it.
    try:
        _open_checked(data).verify()
    except ValidationError:
        raise
    except Exception:
        raise ValidationError(DAMAGED, code="damaged") from None

    image = _open_checked(data)
    try:
        if image.format == "JPEG":
            # Let the JPEG decoder scale down while decoding: less memory for big photos.
            image.draft("RGB", (MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
        image.load()  # raises for truncated files
        image = ImageOps.exif_transpose(image)
        image = _to_rgb(image)
        image.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE), Image.Resampling.LANCZOS)
        output = io.BytesIO()
        # No exif= and no icc_profile= argument: nothing of the original metadata is kept.
        image.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    except ValidationError:
        raise
    except Exception:
        raise ValidationError(DAMAGED, code="damaged") from None
    return ContentFile(output.getvalue(), name="photo.jpg")


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB for the JPEG encoder; transparent areas become white (flipchart paper)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode != "RGB":
        return image.convert("RGB")
    return image

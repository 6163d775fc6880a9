"""Flipchart photos for the minutes, checked in the web request and prepared in the worker.

- ``photo_check`` (web request) reads only the header (format, pixel dimensions) and the
  file's structure; nothing is decoded. Decoding costs memory by pixels, not by bytes: a
  160 KB PNG of 6320×6320 pixels used to cost the web worker 495 MB and 2 CPU seconds.
- ``photo_reencode`` (worker) decodes the photo and writes it anew as a plain JPEG: that drops
  EXIF (GPS position, camera serial numbers), applies the orientation the camera recorded, and
  bounds the size of what the PDF renderer has to embed later.

The type is decided by the content (Pillow), never by the file name or the browser's content
type."""

import io
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from strategy.uploads import upload_read

MAX_PHOTO_BYTES = 10 * 1024 * 1024
# The decoder holds the whole picture in memory. PNG and WebP are decoded at full size (4 bytes
# a pixel with transparency): 16 megapixels are 64 MB. JPEG is decoded at a reduced scale
# (``draft``), so photos straight from a camera may have up to 40 megapixels.
PIXEL_LIMITS = {"JPEG": 40_000_000, "PNG": 16_000_000, "WEBP": 16_000_000}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PHOTO_SIDE = 2000
JPEG_QUALITY = 85

NOT_AN_IMAGE = _("The file is not a photo in JPEG, PNG or WebP format.")
DAMAGED = _("The photo could not be read; the file may be damaged or incomplete.")


@dataclass(frozen=True)
class CheckedPhoto:
    """An upload ``photo_check`` accepted: its content and what its header says."""

    data: bytes
    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


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


def _too_many_pixels(image_format: str) -> ValidationError:
    return ValidationError(
        _("The photo has more than %(megapixels)d megapixels; please reduce its size."),
        params={"megapixels": PIXEL_LIMITS[image_format] // 1_000_000},
        code="too_many_pixels",
    )


def _open_checked(data: bytes) -> Image.Image:
    """Open ``data`` as an accepted image whose pixel count is within bounds. Pillow reads
    only the header here; the pixels are decoded by ``load()``."""
    with warnings.catch_warnings():
        # Pillow warns (and above twice its limit refuses) for decompression bombs; both
        # become our message. Our own limits below are stricter still.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels("JPEG") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
    if image.format not in PIXEL_LIMITS:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
    width, height = image.size
    if width * height > PIXEL_LIMITS[image.format]:
        raise _too_many_pixels(image.format)
    return image


def photo_check(upload) -> CheckedPhoto:
    """Check an uploaded photo without decoding it, or raise ``ValidationError``.

    Accepted: JPEG (up to 40 megapixels), PNG and WebP (up to 16 megapixels) by content, at
    most 10 MB. The structure is verified where the format allows it without decoding (PNG:
    every chunk and its checksum, so a cut-off upload is refused at once)."""
    data = upload_read(upload, limit=MAX_PHOTO_BYTES)
    image = _open_checked(data)
    try:
        image.verify()
    except Exception:
        raise ValidationError(DAMAGED, code="damaged") from None
    return CheckedPhoto(data=data, format=image.format, width=image.width, height=image.height)


def photo_reencode(data: bytes) -> bytes:
    """Decode a checked photo and return it as JPEG, or raise ``ValidationError`` (damaged).

    The result has no EXIF data, is turned the way the camera's orientation tag says, has its
    longest side at most 2000 pixels and is RGB (transparency is put on white). Runs in the
    worker."""
    with _strict_decoding():
        image = _open_checked(data)
        try:
            return _reencoded(image)
        except ValidationError:
            raise
        except Exception:
            raise ValidationError(DAMAGED, code="damaged") from None


def _reencoded(image: Image.Image) -> bytes:
    if image.format == "JPEG":
        # Let the JPEG decoder scale down while decoding (by 1/2, 1/4 or 1/8, never below the
        # size the photo gets): less memory for big photos.
        scale = MAX_PHOTO_SIDE / max(image.size)
        if scale < 1:
            image.draft("RGB", (int(image.width * scale), int(image.height * scale)))
    image.load()  # raises for truncated files
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        # Palette, 16-bit and CMYK pictures become RGB(A) first: scaling a palette picture
        # would pick the nearest colours.
        has_alpha = "transparency" in image.info or image.mode.endswith("A")
        image = image.convert("RGBA" if has_alpha else "RGB")
    # Scale down before anything else, so that every later copy is small.
    image.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE), Image.Resampling.LANCZOS)
    image = ImageOps.exif_transpose(image)
    image = _to_rgb(image)
    output = io.BytesIO()
    # No exif= and no icc_profile= argument: nothing of the original metadata is kept.
    image.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return output.getvalue()


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB for the JPEG encoder; transparent areas become white (flipchart paper)."""
    if image.mode in ("RGBA", "LA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode != "RGB":
        return image.convert("RGB")
    return image

"""Uploaded files, handled one way everywhere in the portal.

- **Checked by what they claim to be.** The content is parsed: a PDF is opened with a PDF
  library (``pdf_check``), a photo's header is read with Pillow (``workshops.photos``). The
  uploaded name, the browser's content type or a marker in the first bytes decide nothing.
- **Stored under a generated name** with the verified extension (``GeneratedName``): nothing
  of the uploaded name reaches the disk.
- **Served only through views that check permissions**, as downloads (``download_response``:
  ``Content-Disposition: attachment``, the verified content type, ``nosniff``). ``MEDIA_ROOT``
  is never served directly, not even in development.

Files stored before these rules keep their old names; the views serve them the same way."""

import hashlib
import json
import logging
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

MAX_PDF_BYTES = 20 * 1024 * 1024
# What opening one PDF may cost, in its own process (see ``pdf_inspect``). A valid 20 MB PDF
# with 450,000 objects needs about half a CPU second.
PDF_CHECK_CPU_SECONDS = 2
PDF_CHECK_MEMORY_BYTES = 256 * 1024 * 1024
PDF_CHECK_TIMEOUT_SECONDS = 15
PDF_INSPECTOR = Path(__file__).with_name("pdf_inspect.py")

TOO_LARGE = _("The file is %(size)s; at most %(limit)s are allowed.")
NOT_A_PDF = _("The file is not a PDF document.")
PDF_DAMAGED = _(
    "The PDF document is damaged or not a valid PDF. Please save it again as PDF and upload "
    "it once more."
)
PDF_ENCRYPTED = _(
    "The PDF document is encrypted or protected by a password. Please upload it without protection."
)
PDF_NO_PAGES = _("The PDF document has no pages.")
PDF_TOO_COMPLEX = _(
    "The PDF document is too complex to be checked. Please save it again as PDF (for example "
    "with “Print to PDF”) and upload it once more."
)
PDF_UNCHECKED = _("The PDF document could not be checked. Please try again later.")


# --- Reading an upload -------------------------------------------------------------------------


def upload_read(upload, *, limit: int) -> bytes:
    """The content of ``upload``, or ``ValidationError`` if it is larger than ``limit`` bytes.

    The declared size is checked first (nothing is read of a file that says it is too big),
    then the bytes actually read: the declared size may lie."""
    if upload.size is not None and upload.size > limit:
        raise _too_large(upload.size, limit)
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise _too_large(len(data), limit)
    return data


def _too_large(size: int, limit: int) -> ValidationError:
    return ValidationError(
        TOO_LARGE,
        params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        code="too_large",
    )


# --- PDF -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfFacts:
    """What the check found out about an uploaded PDF; stored with it where it is published."""

    size: int
    sha512: str
    pages: int


PDF_ERRORS = {
    "encrypted": (PDF_ENCRYPTED, "encrypted"),
    "limit": (PDF_TOO_COMPLEX, "too_complex"),
    "damaged": (PDF_DAMAGED, "damaged"),
}


def _pdf_inspect(data: bytes) -> dict:
    """Run ``pdf_inspect`` on ``data`` in a process of its own, within its limits."""
    command = [
        sys.executable, "-I", str(PDF_INSPECTOR),
        str(PDF_CHECK_CPU_SECONDS), str(PDF_CHECK_MEMORY_BYTES),
    ]  # fmt: skip
    try:
        completed = subprocess.run(  # noqa: S603 - our own script, no shell
            command, input=data, capture_output=True, timeout=PDF_CHECK_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        return {"error": "limit"}
    except OSError:
        logger.exception("the PDF check could not be started")
        return {"error": "unchecked"}
    if completed.returncode < 0:
        # Ended by the kernel: SIGXCPU/SIGKILL past the CPU limit.
        return {"error": "limit"}
    try:
        return json.loads(completed.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        logger.error("the PDF check failed: %s", completed.stderr.decode(errors="replace")[-2000:])
        return {"error": "unchecked"}


def _underlying(upload):
    # A model field's validators see the upload wrapped in a FieldFile; both are checked once.
    return upload.file if isinstance(upload, FieldFile) else upload


def pdf_check(upload) -> PdfFacts:
    """Check that ``upload`` is a usable PDF and return its size, SHA-512 and page count;
    raise ``ValidationError`` with a message for the user otherwise.

    Usable means: at most 20 MB, starting with the PDF header, opened by a PDF library with a
    valid structure (no repair), not encrypted, at least one page. The library runs in a
    separate process with CPU and memory limits. The result is remembered on the upload, so
    the form, the model field and the service may all ask."""
    target = _underlying(upload)
    known = getattr(target, "_pdf_facts", None)
    if known is not None:
        return known
    data = upload_read(upload, limit=MAX_PDF_BYTES)
    # The header belongs at the very start (ISO 32000-1, 7.5.2); a marker somewhere in the
    # first kilobyte is how an HTML page or a program passed as a PDF.
    if not data.startswith(b"%PDF-"):
        raise ValidationError(NOT_A_PDF, code="not_a_pdf")
    result = _pdf_inspect(data)
    if "error" in result:
        message, code = PDF_ERRORS.get(result["error"], (PDF_UNCHECKED, "unchecked"))
        raise ValidationError(message, code=code)
    if not result.get("pages"):
        raise ValidationError(PDF_NO_PAGES, code="no_pages")
    facts = PdfFacts(size=len(data), sha512=hashlib.sha512(data).hexdigest(), pages=result["pages"])
    target._pdf_facts = facts
    return facts


def validate_pdf(value) -> None:
    """Field validator: a new upload must pass ``pdf_check``; a file stored earlier was checked
    when it was uploaded and is not read again."""
    if isinstance(value, FieldFile) and value._committed:
        return
    pdf_check(value)


# --- Storing ---------------------------------------------------------------------------------


@deconstructible
class GeneratedName:
    """``upload_to`` of a file field: a random name with the verified extension in ``folder``;
    the uploaded name is not used at all."""

    def __init__(self, folder: str, extension: str):
        self.folder = folder.rstrip("/")
        self.extension = extension

    def __call__(self, instance, filename: str) -> str:
        return f"{self.folder}/{uuid.uuid4().hex}.{self.extension}"

    def __eq__(self, other):
        return isinstance(other, GeneratedName) and (self.folder, self.extension) == (
            other.folder,
            other.extension,
        )

    def __hash__(self):
        return hash((self.folder, self.extension))


# --- Serving ---------------------------------------------------------------------------------


def safe_filename(name: str) -> str:
    """``name`` reduced to ASCII letters, digits and hyphens, keeping its extension."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = slugify(stem)[:80] or "datei"
    extension = slugify(extension)[:10]
    return f"{stem}.{extension}" if extension else stem


def download_response(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """``file`` as a download: as an attachment under a safe name, with the verified
    ``content_type`` and ``nosniff``, so that no browser shows it as a page of the portal.
    (Images inside ``<img>`` are still shown: browsers ignore the disposition there.)

    The caller checks the permission first; this is the only way the portal serves stored
    files."""
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=safe_filename(filename),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

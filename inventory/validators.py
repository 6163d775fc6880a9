"""Upload checks: the type by content, not by name, and the size."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_PDF_BYTES = 20 * 1024 * 1024


def validate_pdf(upload):
    """Accept only real PDF files up to 20 MB."""
    if upload.size > MAX_PDF_BYTES:
        raise ValidationError(
            _("The file is %(size)s; at most %(limit)s are allowed."),
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_PDF_BYTES)},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(position)
    if b"%PDF-" not in head[:1024]:
        raise ValidationError(_("The file is not a PDF document."))

"""E-mail pieces every app shares: subjects that stored text cannot break, and why sending
an e-mail failed (recorded on the row whose page shows it).

A subject comes from data people typed (a workshop title, a municipality's name). Control
characters, above all CR/LF, are refused by the forms, but rows written before that rule (or
by an import) may hold them, and Django refuses a header with a line break: the e-mail then
fails in the worker. So every subject passes through ``header_text``, which turns such
characters into spaces: the e-mail goes out with a readable one-line subject."""

import re
import unicodedata

from django.db import models
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

# Characters that end or break a header line: C0/C1 controls (CR, LF, NUL, NEL, ...) and
# the Unicode line and paragraph separators (str.splitlines() splits on them too).
_BREAKING = {"Cc", "Zl", "Zp"}


def header_text(value: str) -> str:
    """``value`` as one header line: control characters and line breaks become spaces, runs
    of white space one space, and the ends are trimmed."""
    cleaned = "".join(
        " " if unicodedata.category(char) in _BREAKING else char for char in str(value)
    )
    return re.sub(r"\s+", " ", cleaned).strip()


def render_subject(template_name: str, context: dict) -> str:
    """Render a subject template to one safe header line (see ``header_text``)."""
    return header_text(render_to_string(template_name, context))


class SendFailure(models.TextChoices):
    """Why an e-mail was not sent; the label is what the page shows after "Sending failed"."""

    NOT_QUEUED = (
        "not_queued",
        _("the background service could not be reached. Please send it again later."),
    )
    MAIL_SERVER = (
        "mail_server",
        _(
            "the mail server could not be reached or refused the e-mail. "
            "Please send it again later."
        ),
    )
    MESSAGE = (
        "message",
        _(
            "the e-mail could not be composed from the stored data (for example the address). "
            "Please check the entry; if sending fails again, please contact the district "
            "administration."
        ),
    )

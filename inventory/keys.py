"""Project keys (``Project.key``): the stable identifier of a digital project, which a
re-import uses to update the project instead of creating it again.

A key is 1 to 40 ASCII characters: letters, digits and ``- _ . /``, beginning with a letter or a
digit. Keys of the form ``<prefix>-<number>``, where the prefix belongs to a municipality (e.g.
``DUEL016`` for Dülmen: the first three letters of the name, umlauts spelled out, and the last
three digits of its AGS), are the portal's numbering of that municipality's projects: only that
municipality may use them, and the number has 1 to ``NUMBER_DIGITS`` ASCII digits. So no
municipality can break another's numbering (``DUEL016-²`` or 33 nines once made every new
project of Dülmen or Ascheberg fail), and a number never outgrows the column.

Every path that sets a key checks it here: the import (new keys), ``Project.clean`` (the admin
and any model form) and the numbering of new projects (``services``). Keys stored before these
rules are left alone: they still identify their project, and numbering ignores them.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

KEY_MAX_LENGTH = 40
NUMBER_DIGITS = 6
_KEY = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._/-]{{0,{KEY_MAX_LENGTH - 1}}}")
_NUMBER = re.compile(rf"[0-9]{{1,{NUMBER_DIGITS}}}")


def key_prefix(municipality) -> str:
    """The prefix of a municipality's numbered keys, e.g. ``DUEL016`` for Dülmen (AGS 05558016)."""
    name = municipality.name[:3].upper().replace("Ü", "UE").replace("Ä", "AE").replace("Ö", "OE")
    return re.sub(r"[^A-Z0-9]", "", name) + re.sub(r"[^0-9]", "", municipality.ags)[-3:]


def numbered_key(prefix: str, number: int) -> str:
    """The key with ``number`` in the numbering of ``prefix``, e.g. ``DUEL016-0007``."""
    return f"{prefix}-{number:04d}"


def numbered_key_pattern(prefix: str) -> str:
    """A regular expression (ASCII digits only, also in the database) for the well-formed keys
    of a municipality's numbering; the number starts at ``len(prefix) + 2``."""
    return rf"^{re.escape(prefix)}-[0-9]{{1,{NUMBER_DIGITS}}}$"


def project_key_check(*, key: str, municipality_id: int | None, prefixes: dict) -> None:
    """Refuse a key that may not be set for a project of ``municipality_id`` (ValidationError).

    ``prefixes`` maps every municipality's prefix to the municipality (``key_prefixes``)."""
    if not _KEY.fullmatch(key):
        raise ValidationError(
            _(
                "A key consists of 1 to 40 characters: letters A–Z without umlauts, digits and "
                "- _ . /, beginning with a letter or a digit."
            ),
            code="key_characters",
        )
    prefix, dash, number = key.upper().partition("-")
    owner = prefixes.get(prefix) if dash else None
    if owner is None:
        return
    if municipality_id is not None and owner.pk != municipality_id:
        raise ValidationError(
            _(
                "Keys beginning with %(prefix)s- are the project numbers of %(municipality)s; "
                "please choose another key."
            ),
            code="key_of_another_municipality",
            params={"prefix": prefix, "municipality": owner.name},
        )
    if not _NUMBER.fullmatch(number):
        raise ValidationError(
            _(
                "A key beginning with %(prefix)s- ends with a number of 1 to %(digits)s digits "
                "(0–9), e.g. %(example)s."
            ),
            code="key_number",
            params={"prefix": prefix, "digits": NUMBER_DIGITS, "example": numbered_key(prefix, 7)},
        )


def key_prefixes(municipalities) -> dict:
    """Every municipality by the prefix of its numbered keys."""
    return {key_prefix(municipality): municipality for municipality in municipalities}

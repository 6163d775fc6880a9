"""What a text field of the portal accepts: no control characters, and in a single-line
field (a text input) no line breaks either.

A line break in a workshop title ends up in the header of an invitation e-mail and makes the
mail fail; control characters break exports, PDFs and XML, and PostgreSQL cannot store NUL.
TAB is whitespace, harmless everywhere (HTML, mail headers, CSV), and stays allowed.

The rule is applied in one place, ``TextRules.full_clean``: every form of the portal derives
from ``Form`` or ``ModelForm`` below (the admin's forms too, see ``strategy.admin_base``), so
it runs for every field, including fields a form adds or changes in ``__init__``. The widget
says what the user can type: a ``Textarea`` is multi-line, every other text widget single-line.
Passwords are left alone (hashed, never shown, never put into a header).
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 and C1 control characters and DEL, except TAB; Unicode line and paragraph separators.
SINGLE_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
# The same, but line breaks (CR, LF) are what a multi-line text is made of.
MULTI_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

SINGLE_LINE_MESSAGE = _("Please enter a single line, without line breaks or control characters.")
MULTI_LINE_MESSAGE = _("The text must not contain control characters.")


def text_error(value: str, *, multiline: bool) -> str | None:
    """The German message why ``value`` cannot be accepted, or None."""
    pattern = MULTI_LINE_FORBIDDEN if multiline else SINGLE_LINE_FORBIDDEN
    if pattern.search(value):
        return str(MULTI_LINE_MESSAGE if multiline else SINGLE_LINE_MESSAGE)
    return None


def is_multiline(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.Textarea)


def is_checked_text(field: forms.Field) -> bool:
    """A free-text field the rule applies to."""
    return (
        isinstance(field, forms.CharField)
        and not field.disabled
        and not isinstance(field.widget, forms.PasswordInput)
    )


class TextRules:
    """Refuses control characters in every text field of the form (see the module)."""

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            if name in self._errors or not is_checked_text(field):
                continue
            value = self.cleaned_data.get(name)
            if not isinstance(value, str):
                # A field that turns the text into something else (a list of addresses, an
                # item reference): the text as it was sent.
                value = self[name].data
            if isinstance(value, str):
                message = text_error(value.strip(), multiline=is_multiline(field))
                if message:
                    self.add_error(name, ValidationError(message, code="control_characters"))


class Form(TextRules, forms.Form):
    """The base of every form of the portal."""


class ModelForm(TextRules, forms.ModelForm):
    """The base of every model form of the portal."""

"""What the portal accepts from an HTTP request before a view uses it.

One way to read a number from a request (``int_param``), path converters that accept only
the alphabet of the portal's tokens, and a middleware that refuses control characters in the
address and NUL characters anywhere: PostgreSQL cannot store or compare NUL, and no browser
sends it, so such a request is answered 400 before any view runs.

Why not ``str.isdigit()``/``int()``: both accept far more than ASCII digits ("²" passes
``isdigit()`` but not ``int()``; "٣" and "１" pass both), and ``int()`` of thousands of digits
costs time and then fails. A number here is 1 to N ASCII digits, within given bounds.
"""

import re

from django.core.exceptions import BadRequest
from django.shortcuts import render
from django.urls import register_converter
from django.utils.translation import gettext as _

DIGITS = re.compile(r"[0-9]+")
# Primary keys are BigAutoFields.
MAX_ID = 2**63 - 1
# The pages of a list: far more than any list of the portal has.
MAX_PAGE = 100_000
# C0 control characters and DEL: never part of an address of the portal.
PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# No part of an address of the portal is longer (the longest, a signed invitation link, has
# about 100 characters); a longer one cannot even name a file ("File name too long").
MAX_SEGMENT_BYTES = 255


class BadParameter(BadRequest):
    """A request parameter that is malformed; answered 400 with its German message."""


def int_param(value: str | None, *, minimum: int, maximum: int, name: str) -> int:
    """``value`` as a number from ``minimum`` to ``maximum``, written in ASCII digits only
    (no sign, no spaces, no Unicode digits); else ``BadParameter``."""
    if (
        not isinstance(value, str)
        or len(value) > len(str(maximum))
        or not DIGITS.fullmatch(value)
        or not minimum <= int(value) <= maximum
    ):
        raise BadParameter(
            _("“%(name)s” must be a whole number from %(minimum)s to %(maximum)s.")
            % {"name": name, "minimum": minimum, "maximum": maximum}
        )
    return int(value)


def id_or_none(value: str | None) -> int | None:
    """The primary key written in ``value`` (a form value naming an object), or None: the
    caller answers as for an object that does not exist."""
    try:
        return int_param(value, minimum=1, maximum=MAX_ID, name="id")
    except BadParameter:
        return None


def page_param(value: str | None) -> int:
    """The ``page`` parameter of a list (1 when absent or empty); malformed is a bad
    request."""
    return int_param(value or "1", minimum=1, maximum=MAX_PAGE, name="page")


class TokenConverter:
    """A token in a path (RSVP links, password reset): URL-safe Base64, at most 64 chars.

    Anything else is not a URL of the portal (404) and never reaches a database query."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class SignedConverter(TokenConverter):
    """A value signed by ``django.core.signing`` (invitation links): Base64 parts joined by
    colons, at most 255 characters."""

    regex = "[A-Za-z0-9_:.-]{1,255}"


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())


def _overlong(path: str) -> bool:
    return any(len(part.encode()) > MAX_SEGMENT_BYTES for part in path.split("/"))


class RefuseControlCharactersMiddleware:
    """400 for a request whose path holds a control character or an overlong part, or whose
    query string or form data hold a NUL character, before any view (or database query or
    file system access) sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if PATH_CONTROL.search(request.path_info) or _has_nul(request.GET):
            raise BadParameter(_("The address contains control characters."))
        if _overlong(request.path_info):
            raise BadParameter(_("The address contains a part that is too long."))
        # Reading the form data here is what the CSRF check does anyway, a little later.
        if request.method == "POST" and _has_nul(request.POST):
            raise BadParameter(_("The submitted data contain NUL characters."))
        return self.get_response(request)


def bad_request(request, exception):
    """The 400 page; a ``BadParameter`` says what was wrong in German."""
    reason = str(exception) if isinstance(exception, BadParameter) else ""
    return render(request, "400.html", {"reason": reason}, status=400)


# Registered when this module is first imported (by the root URLconf, before the apps' URLs):
# a reloaded URLconf must not register them again (Django 6 refuses that).
register_converter(TokenConverter, "token")
register_converter(SignedConverter, "signed")

"""Asking for a password reset link: limited per client address and per e-mail address, sent
by the worker, and answered the same way whether the address has an account or not.

The page must not tell who has an account. Django's view looked the address up and sent the
e-mail inside the request, so a request for an existing account took measurably longer (and
a mail server error turned into a different answer). Here the request does the same work for
every address: count it, hand the address to the worker, answer. Only the worker looks for
accounts (``accounts.tasks.send_password_reset``)."""

import hashlib
import logging

from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from strategy.broker import enqueue
from strategy.text_input import Form

logger = logging.getLogger(__name__)


class PasswordResetRequestForm(Form):
    """The e-mail address of the account whose password is to be reset."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _within_limit(kind: str, value: str, *, limit: int) -> bool:
    """Count one request for ``value``; True while there were at most ``limit`` in the window
    (``PASSWORD_RESET_WINDOW_SECONDS`` from the first one).

    Fails closed: when the cache cannot count (Redis unreachable) no e-mail is sent. A reset
    link is not urgent, the page looks the same, and an outage must not open the way to
    flooding someone's mailbox."""
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    key = f"password-reset:{kind}:{digest}"
    cache.add(key, 0, settings.PASSWORD_RESET_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the counter was not stored: the cache is unreachable
        logger.warning("password reset: the cache cannot count requests; no e-mail sent")
        return False
    return count <= limit


def password_reset_request(*, email: str, client_address: str) -> None:
    """Have the worker send a reset link to the accounts with ``email`` (after the commit),
    unless this client address or this e-mail address asked too often. The caller answers
    the same in every case, also when the broker is unreachable (that is only logged)."""
    email = email.strip().lower()
    by_address = _within_limit(
        "address", client_address, limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    )
    by_account = _within_limit("email", email, limit=settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT)
    if not (by_address and by_account):
        logger.info("password reset: limit reached (address ok: %s)", by_address)
        return
    from .tasks import send_password_reset

    transaction.on_commit(lambda: enqueue(send_password_reset, email))


def password_reset_client_address(request) -> str:
    """The client address, as the login lock (django-axes) sees it behind proxies."""
    return get_client_ip_address(request) or "unknown"

"""Login lockout per user name and address, and per address across user names.

django-axes locks a user name at one address after ``AXES_FAILURE_LIMIT`` failures (typos,
guessing one person's password). Spraying one password over many user names from one address
stays under that limit for every name, so this handler also counts the failures of an
address across all names and locks the address once there are ``LOGIN_FAILURES_PER_ADDRESS``
within the cool-off: high enough for the typos of a town hall behind one NAT address.

Why not ``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]``: axes applies
its one failure limit to every parameter, which would lock the whole town hall after five
typos by different people; and with ``AXES_RESET_ON_SUCCESS`` one successful login would
delete all failures of the address, so an attacker could interleave logins to his own
account. The maintainers' advice for separate limits is a custom handler
(jazzband/django-axes#661). Here a successful login still deletes only the failures of its
own user name at that address (``[["username", "ip_address"]]``), so the address count of
everybody else's names stays."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import gettext as _

# Marks a request refused because of its address rather than its user name.
ADDRESS_SCOPE = "address"


class LoginLimitHandler(AxesDatabaseHandler):
    """axes' database handler plus a lock of the whole address against password spraying."""

    def address_failures(self, request) -> int:
        """Failed logins from the request's address within the cool-off, over all names."""
        rows = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            attempt_time__gte=get_cool_off_threshold(request),
        )
        return rows.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def address_locked(self, request, credentials=None) -> bool:
        """The request's address has used up its failures; marks the request so the lockout
        page names the address, not the user name."""
        if self.is_whitelisted(request, credentials):
            return False
        locked = self.address_failures(request) >= settings.LOGIN_FAILURES_PER_ADDRESS
        if locked:
            request.login_lock_scope = ADDRESS_SCOPE
        return locked

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request, credentials)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # axes counted this failure for the user name; the address may now be over its own
        # limit (or was already, and this attempt was refused before the password check).
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.address_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page (``AXES_LOCKOUT_CALLABLE``): says whether the user name or the whole
    address is blocked, and for how long."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    by_address = getattr(request, "login_lock_scope", "") == ADDRESS_SCOPE
    if by_address:
        message = _(
            "Too many failed logins from your network. For your protection, logging in from "
            "this address is blocked for %(minutes)s minutes. Please try again later."
        )
    else:
        message = _(
            "For your protection, logging in with this user name is blocked for %(minutes)s "
            "minutes after too many failed attempts. Please try again later or reset your "
            "password."
        )
    response = render(
        request,
        "accounts/lockout.html",
        {"message": message % {"minutes": minutes}},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response

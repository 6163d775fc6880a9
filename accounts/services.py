"""Writes around accounts: invitations and accepting them."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from strategy.audit import AuditAction, audit_record
from strategy.broker import enqueue
from strategy.mail import SendFailure

from .authority import GRANT_HIGHER, account_rank, role_rank
from .models import Invitation, User

_SALT = "accounts.invitation"


class InvitationError(Exception):
    """An invitation that cannot be used; the message is shown to the user."""


def invitation_token(invitation: Invitation) -> str:
    """The secret part of the link in the invitation e-mail."""
    return signing.dumps({"i": invitation.pk, "c": invitation.created_at.timestamp()}, salt=_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The open invitation a token stands for, or ``InvitationError``."""
    invalid = InvitationError(_("This invitation link is invalid or has expired."))
    try:
        payload = signing.loads(token, salt=_SALT, max_age=settings.INVITATION_MAX_AGE)
    except signing.BadSignature:
        raise invalid from None
    invitation = Invitation.objects.open().filter(pk=payload.get("i")).first()
    # A re-sent invitation gets a new creation time, which invalidates older links.
    if invitation is None or invitation.created_at.timestamp() != payload.get("c"):
        raise invalid
    return invitation


def invitation_send_result(*, invitation_id: int, failure: str = "") -> None:
    """Record how sending an open invitation's e-mail went: sent (no ``failure``), or why
    not (a ``SendFailure``), which the user list shows with "Send again"."""
    invitations = Invitation.objects.filter(pk=invitation_id)
    if failure:
        invitations.filter(sent_at=None).update(send_failure=failure, send_failed_at=timezone.now())
    else:
        invitations.update(sent_at=timezone.now(), send_failure="", send_failed_at=None)


def _enqueue(invitation: Invitation) -> None:
    """After the commit, hand the e-mail to the worker. An unreachable broker is recorded on
    the invitation (and on ``invitation``, for the page) instead of failing the request."""
    from .tasks import send_invitation_email

    def send():
        if not enqueue(send_invitation_email, invitation.pk):
            invitation_send_result(invitation_id=invitation.pk, failure=SendFailure.NOT_QUEUED)
            invitation.send_failure = SendFailure.NOT_QUEUED

    transaction.on_commit(send)


@transaction.atomic
def invitation_create(*, invited_by: User, **fields) -> Invitation:
    """Record an invitation and have the worker send its e-mail once the record is saved.
    Nobody invites a person into a role with more rights than their own (``InvitationError``).
    If the worker cannot be reached, ``send_failure`` of the returned invitation says so."""
    if role_rank(fields.get("role", "")) > account_rank(invited_by):
        raise InvitationError(GRANT_HIGHER)
    invitation = Invitation.objects.create(invited_by=invited_by, **fields)
    _enqueue(invitation)
    audit_record(
        action=AuditAction.INVITATION,
        actor=invited_by,
        target=invitation,
        summary=f"{invitation.email} ({invitation.role})",
    )
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User | None = None) -> Invitation:
    """Send a fresh link with a fresh expiry; earlier links stop working. Also the way to
    try again after sending failed (``send_failure`` of the result says if it failed again).
    Nobody re-sends an invitation into a role with more rights than their own
    (``InvitationError``)."""
    if invitation.accepted_at or invitation.revoked_at:
        raise InvitationError(_("Only open invitations can be sent again."))
    if by is not None and role_rank(invitation.role) > account_rank(by):
        # The new link would create an account with more rights than the sender's own.
        raise InvitationError(GRANT_HIGHER)
    invitation.created_at = timezone.now()
    invitation.sent_at, invitation.send_failure, invitation.send_failed_at = None, "", None
    invitation.save(update_fields=["created_at", "sent_at", "send_failure", "send_failed_at"])
    _enqueue(invitation)
    _audit_invitation(invitation, by=by, event="resent")
    return invitation


def _audit_invitation(invitation: Invitation, *, by: User | None, event: str) -> None:
    audit_record(
        action=AuditAction.INVITATION,
        actor=by,
        target=invitation,
        summary=f"{invitation.email} ({invitation.role}): {event}",
        details={"event": event},
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User | None = None) -> Invitation:
    """Make an open invitation unusable."""
    if invitation.accepted_at:
        raise InvitationError(_("This invitation was already accepted."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _audit_invitation(invitation, by=by, event="revoked")
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> User:
    """Create the account of an invitation; the link cannot be used a second time."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at or timezone.now() >= invitation.expires_at:
        raise InvitationError(_("This invitation link is invalid or has expired."))
    if User.objects.filter(username__iexact=invitation.email).exists():
        raise InvitationError(_("There is already an account with this e-mail address."))
    user = User(
        username=invitation.email,
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
        role=invitation.role,
        municipality=invitation.municipality,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    invitation.accepted_at, invitation.user = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "user"])
    _audit_invitation(invitation, by=user, event="accepted")
    return user

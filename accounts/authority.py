"""Who may erase or change whose account: the one place for the rule.

Accounts are ranked by the rights they carry: a superuser above an administrator, above
district staff, above external consultants, above everybody else. Nobody may erase, demote
or otherwise change an account that carries more rights than their own, nor give an account
more rights than their own; and the last active superuser always stays (otherwise nobody
could reach the Django admin or grant the right again). The erasure service, the rules the
views use, the invitation service and the Django admin all ask this module."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Role

SUPERUSER_RANK = 5
ROLE_RANKS = {
    Role.ADMIN: 4,
    Role.DISTRICT_STAFF: 3,
    Role.CONSULTANT: 2,
    Role.MUNICIPAL_REP: 1,
    Role.WORKING_GROUP: 1,
    Role.COUNCILLOR: 1,
}
# What a non-superuser may not touch in the Django admin: these fields grant rights beyond
# any role (the admin site itself, every model permission).
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")

ERASE_OWN = _("You cannot erase your own account here.")
ERASE_HIGHER = _("You cannot erase an account with more rights than your own.")
LAST_SUPERUSER = _(
    "This is the last active administrator with full rights; it cannot be erased, "
    "deactivated or demoted. Make another account an administrator first."
)
CHANGE_HIGHER = _("You cannot change an account with more rights than your own.")
GRANT_HIGHER = _("You cannot give an account more rights than your own.")
SUPERUSER_ONLY = _("Only an administrator with full rights can change these rights.")


class AccountProtectedError(Exception):
    """An account may not be erased or changed as asked; the message is shown to the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def role_rank(role: str) -> int:
    """The rank of a role (0 for an unknown one)."""
    return ROLE_RANKS.get(role, 0)


def account_rank(user) -> int:
    """The rank of the rights ``user`` carries: superusers above every role."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    if user.is_superuser:
        return SUPERUSER_RANK
    return role_rank(user.role)


def is_last_active_superuser(user) -> bool:
    """``user`` is an active superuser and no other active superuser exists."""
    if not (user.is_superuser and user.is_active):
        return False
    others = get_user_model().objects.filter(is_superuser=True, is_active=True)
    return not others.exclude(pk=user.pk).exists()


def erase_refusal(*, actor, target) -> str | None:
    """Why ``actor`` may not erase ``target``'s account, or None if they may (as far as
    ranks go; whether ``actor`` manages personal data at all is the rules' business)."""
    if actor.pk == target.pk:
        return str(ERASE_OWN)
    if account_rank(target) > account_rank(actor):
        return str(ERASE_HIGHER)
    if is_last_active_superuser(target):
        return str(LAST_SUPERUSER)
    return None


def change_refusal(*, actor, before, after) -> str | None:
    """Why ``actor`` may not change an account from ``before`` to ``after`` (two user
    instances, the stored one and the edited one), or None if they may."""
    if account_rank(before) > account_rank(actor):
        return str(CHANGE_HIGHER)
    if not actor.is_superuser and any(
        getattr(before, field) != getattr(after, field) for field in ("is_superuser", "is_staff")
    ):
        return str(SUPERUSER_ONLY)
    if account_rank(after) > account_rank(actor):
        return str(GRANT_HIGHER)
    still_superuser = after.is_superuser and after.is_active
    if not still_superuser and is_last_active_superuser(before):
        return str(LAST_SUPERUSER)
    return None


def lock_superusers() -> None:
    """Lock the rows of the active superusers until the transaction ends, so two requests
    that each take away one of the last two superusers run one after the other and the
    second sees that only one is left."""
    list(
        get_user_model()
        .objects.select_for_update()
        .filter(is_superuser=True, is_active=True)
        .values_list("pk", flat=True)
    )

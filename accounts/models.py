"""People who use the portal, their roles, and invitations for new accounts."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from strategy.mail import SendFailure


class Role(models.TextChoices):
    """What a person does in the strategy process (see DESIGN.md, 'Users and what they may do')."""

    DISTRICT_STAFF = "district_staff", _("District staff")
    CONSULTANT = "consultant", _("External consultant")
    MUNICIPAL_REP = "municipal_rep", _("Municipal representative")
    WORKING_GROUP = "working_group", _("Working group member")
    COUNCILLOR = "councillor", _("Councillor")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """An account of the portal; a municipal representative is bound to one municipality."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.COUNCILLOR)
    municipality = models.ForeignKey(
        "strategy.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Required for municipal representatives."),
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def clean(self):
        super().clean()
        if self.role == Role.MUNICIPAL_REP and not self.municipality_id:
            raise ValidationError(
                {"municipality": _("A municipal representative needs a municipality.")}
            )

    def __str__(self):
        return self.get_full_name() or self.username


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Invitations that were neither accepted nor revoked and have not expired."""
        cutoff = timezone.now() - timezone.timedelta(seconds=settings.INVITATION_MAX_AGE)
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, created_at__gt=cutoff)


class Invitation(models.Model):
    """District staff invite a person by e-mail; the link in the e-mail sets a password once."""

    email = models.EmailField(_("e-mail address"))
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    municipality = models.ForeignKey(
        "strategy.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Why the last attempt to send the e-mail failed (empty: sent, or on its way).
    send_failure = models.CharField(
        _("sending failed"), max_length=20, choices=SendFailure.choices, blank=True
    )
    send_failed_at = models.DateTimeField(_("sending failed at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return self.email

    @property
    def expires_at(self):
        return self.created_at + timezone.timedelta(seconds=settings.INVITATION_MAX_AGE)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return _("accepted")
        if self.revoked_at:
            return _("revoked")
        if timezone.now() >= self.expires_at:
            return _("expired")
        return _("open")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.db.models import Q

        from strategy.privacy import register_pseudonymiser

        from .models import Invitation

        @register_pseudonymiser
        def _invitations(user, pseudonym):
            matches = Q(user=user) | (Q(email__iexact=user.email) if user.email else Q(pk=None))
            Invitation.objects.filter(matches).update(
                email=f"geloescht-{user.pk}@invalid.invalid", first_name="", last_name=pseudonym
            )

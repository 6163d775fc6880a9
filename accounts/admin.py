from copy import copy

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from strategy.admin_base import ModelAdmin
from strategy.text_input import TextRules

from .authority import (
    PRIVILEGE_FIELDS,
    account_rank,
    change_refusal,
    erase_refusal,
    lock_superusers,
    role_rank,
)
from .models import Invitation, User

# The fields of an account whose change the rule in accounts/authority.py judges.
_RIGHTS_FIELDS = ("role", "is_superuser", "is_staff", "is_active")


def _limit_roles(db_field, request, kwargs) -> None:
    """Offer only roles with no more rights than the acting person's own."""
    if db_field.name == "role":
        kwargs["choices"] = [
            (value, label)
            for value, label in db_field.get_choices(include_blank=False)
            if role_rank(value) <= account_rank(request.user)
        ]


class GuardedUserChangeForm(TextRules, UserChangeForm):
    """The admin's change form, refusing a change the acting person may not make (see
    accounts/authority.py) with the reason, before anything is saved; with the portal's text
    rule."""

    actor: User | None = None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.actor is not None:
            # The admin saves inside a transaction: the lock holds until the change is saved.
            lock_superusers()
            before = User.objects.get(pk=self.instance.pk)
            after = copy(before)
            for field in _RIGHTS_FIELDS:
                if field in cleaned:
                    setattr(after, field, cleaned[field])
            refusal = change_refusal(actor=self.actor, before=before, after=after)
            if refusal:
                raise forms.ValidationError(refusal)
        return cleaned


class UserCreateForm(TextRules, AdminUserCreationForm):
    """Django's form for a new account, with the portal's text rule."""


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = GuardedUserChangeForm
    add_form = UserCreateForm
    list_display = ["username", "email", "first_name", "last_name", "role", "municipality"]
    list_filter = ["role", "municipality", "is_active", "is_staff"]
    list_select_related = ["municipality"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Role in the strategy process"), {"fields": ("role", "municipality", "organisation")}),
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if change:
            form = type(form.__name__, (form,), {"actor": request.user})
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += PRIVILEGE_FIELDS
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        _limit_roles(db_field, request, kwargs)
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        # Also guards the password form of the account (it asks this method).
        if obj is not None and account_rank(obj) > account_rank(request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and erase_refusal(actor=request.user, target=obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # Bulk deletion does not ask has_delete_permission per account; people are erased
        # one by one (or pseudonymised in the portal), never in bulk.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Invitation)
class InvitationAdmin(ModelAdmin):
    list_display = ["email", "role", "municipality", "created_at", "sent_at", "accepted_at"]
    list_filter = ["role"]
    list_select_related = ["municipality"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # An invitation accepted later creates an account with this role.
        _limit_roles(db_field, request, kwargs)
        return super().formfield_for_choice_field(db_field, request, **kwargs)

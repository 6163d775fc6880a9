from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from strategy.admin_base import ModelAdmin
from strategy.text_input import TextRules

from .models import Invitation, User


class UserCreateForm(TextRules, AdminUserCreationForm):
    """Django's form for a new account, with the portal's text rule."""


class UserEditForm(TextRules, UserChangeForm):
    """Django's form for an account, with the portal's text rule."""


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    list_display = ["username", "email", "first_name", "last_name", "role", "municipality"]
    list_filter = ["role", "municipality", "is_active", "is_staff"]
    list_select_related = ["municipality"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Role in the strategy process"), {"fields": ("role", "municipality", "organisation")}),
    )


@admin.register(Invitation)
class InvitationAdmin(ModelAdmin):
    list_display = ["email", "role", "municipality", "created_at", "sent_at", "accepted_at"]
    list_filter = ["role"]
    list_select_related = ["municipality"]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Invitation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "municipality"]
    list_filter = ["role", "municipality", "is_active", "is_staff"]
    list_select_related = ["municipality"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Role in the strategy process"), {"fields": ("role", "municipality", "organisation")}),
    )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "municipality", "created_at", "sent_at", "accepted_at"]
    list_filter = ["role"]
    list_select_related = ["municipality"]

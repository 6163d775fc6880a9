from django.contrib import admin

from strategy.admin_base import ModelAdmin, TabularInline

from .models import (
    Activity,
    AgendaItem,
    Attendance,
    Card,
    Cluster,
    Dot,
    MinutesRender,
    Participant,
    PromotedResult,
    Rating,
    SessionPhoto,
    Workshop,
    WorkshopInvitation,
    WorkshopSession,
)


class SessionInline(TabularInline):
    model = WorkshopSession
    extra = 0
    fields = ["position", "starts_at", "duration_minutes"]


@admin.register(Workshop)
class WorkshopAdmin(ModelAdmin):
    list_display = ["title", "kind", "status", "process", "step"]
    list_filter = ["kind", "status"]
    list_select_related = ["process", "step"]
    filter_horizontal = ["theme_fields", "facilitators"]
    inlines = [SessionInline]


class AgendaInline(TabularInline):
    model = AgendaItem
    extra = 0


@admin.register(WorkshopSession)
class WorkshopSessionAdmin(ModelAdmin):
    list_display = ["workshop", "position", "starts_at", "duration_minutes"]
    list_select_related = ["workshop"]
    inlines = [AgendaInline]
    raw_id_fields = ["live_activity"]


@admin.register(WorkshopInvitation)
class WorkshopInvitationAdmin(ModelAdmin):
    list_display = ["email", "workshop", "response", "sent_at"]
    list_filter = ["response"]
    list_select_related = ["workshop"]
    raw_id_fields = ["user"]


@admin.register(SessionPhoto, MinutesRender)
class StoredFileAdmin(ModelAdmin):
    """Photos come only through the minutes page (checked, re-encoded by the worker), PDFs only
    from the worker: here their files can be looked at and deleted, not uploaded."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name != "id"]

    def has_add_permission(self, request):
        return False


for model in (
    Activity,
    Attendance,
    Card,
    Cluster,
    Dot,
    Participant,
    PromotedResult,
    Rating,
):
    admin.site.register(model, ModelAdmin)

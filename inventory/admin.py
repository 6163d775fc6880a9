from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from strategy.admin_base import ModelAdmin
from strategy.http import id_or_none
from strategy.text_input import ModelForm

from .models import (
    ExistingStrategy,
    InventoryCompletion,
    InventoryReminder,
    Project,
    ProjectSimilarity,
    SimilarityRun,
    SynergyCandidate,
)


class HistoryAdmin(SimpleHistoryAdmin):
    """The history pages with ids checked first: django-simple-history passes the ids from
    the address straight to a query, and "²" or "x" there is a server error (ValueError)."""

    form = ModelForm

    def history_view(self, request, object_id, extra_context=None):
        if id_or_none(unquote(object_id)) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if id_or_none(unquote(object_id)) is None or id_or_none(unquote(version_id)) is None:
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Project)
class ProjectAdmin(HistoryAdmin):
    list_display = ["key", "title", "municipality", "status", "retired_at"]
    list_filter = ["status", "municipality"]
    search_fields = ["key", "title", "description"]
    list_select_related = ["municipality"]
    filter_horizontal = ["partners", "theme_fields", "funding_programmes"]


@admin.register(ExistingStrategy)
class ExistingStrategyAdmin(HistoryAdmin):
    list_display = ["title", "municipality", "kind", "adopted_on"]
    list_filter = ["kind", "municipality"]
    list_select_related = ["municipality"]


@admin.register(InventoryCompletion)
class InventoryCompletionAdmin(ModelAdmin):
    list_display = ["municipality", "process", "completed_at", "completed_by"]
    list_select_related = ["municipality", "process", "completed_by"]


@admin.register(InventoryReminder)
class InventoryReminderAdmin(ModelAdmin):
    list_display = ["municipality", "requested_at", "sent_at", "recipients"]
    list_select_related = ["municipality"]


@admin.register(ProjectSimilarity)
class ProjectSimilarityAdmin(ModelAdmin):
    list_display = ["project", "other", "score"]
    list_select_related = ["project", "other"]
    raw_id_fields = ["project", "other"]


@admin.register(SynergyCandidate)
class SynergyCandidateAdmin(ModelAdmin):
    list_display = ["key", "score", "decision", "decided_at"]
    list_filter = ["decision"]


@admin.register(SimilarityRun)
class SimilarityRunAdmin(ModelAdmin):
    list_display = ["requested_at", "status", "projects", "pairs", "seconds"]

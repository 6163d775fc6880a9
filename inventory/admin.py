from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ExistingStrategy,
    InventoryCompletion,
    InventoryReminder,
    Project,
    ProjectSimilarity,
    SimilarityRun,
    SynergyCandidate,
)


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["key", "title", "municipality", "status", "retired_at"]
    list_filter = ["status", "municipality"]
    search_fields = ["key", "title", "description"]
    list_select_related = ["municipality"]
    filter_horizontal = ["partners", "theme_fields", "funding_programmes"]


@admin.register(ExistingStrategy)
class ExistingStrategyAdmin(SimpleHistoryAdmin):
    list_display = ["title", "municipality", "kind", "adopted_on"]
    list_filter = ["kind", "municipality"]
    list_select_related = ["municipality"]


@admin.register(InventoryCompletion)
class InventoryCompletionAdmin(admin.ModelAdmin):
    list_display = ["municipality", "process", "completed_at", "completed_by"]
    list_select_related = ["municipality", "process", "completed_by"]


@admin.register(InventoryReminder)
class InventoryReminderAdmin(admin.ModelAdmin):
    list_display = ["municipality", "requested_at", "sent_at", "recipients"]
    list_select_related = ["municipality"]


@admin.register(ProjectSimilarity)
class ProjectSimilarityAdmin(admin.ModelAdmin):
    list_display = ["project", "other", "score"]
    list_select_related = ["project", "other"]
    raw_id_fields = ["project", "other"]


@admin.register(SynergyCandidate)
class SynergyCandidateAdmin(admin.ModelAdmin):
    list_display = ["key", "score", "decision", "decided_at"]
    list_filter = ["decision"]


@admin.register(SimilarityRun)
class SimilarityRunAdmin(admin.ModelAdmin):
    list_display = ["requested_at", "status", "projects", "pairs", "seconds"]

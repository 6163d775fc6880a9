from django.contrib import admin

from strategy.admin_base import ModelAdmin

from .models import (
    FieldPlan,
    Goal,
    Measure,
    Measurement,
    Milestone,
    SectionComment,
    SectionVersion,
    StrategyVersion,
    TargetValue,
    TextSection,
)


@admin.register(TextSection)
class TextSectionAdmin(ModelAdmin):
    list_display = ["title", "kind", "status", "version", "process"]
    list_filter = ["kind", "status"]


@admin.register(Measure)
class MeasureAdmin(ModelAdmin):
    list_display = ["number", "title", "status", "priority", "start_date", "end_date"]
    list_filter = ["status", "priority"]
    filter_horizontal = ["theme_fields", "goals", "target_values", "municipalities", "depends_on"]


@admin.register(StrategyVersion)
class StrategyVersionAdmin(ModelAdmin):
    list_display = ["label", "process", "created_at", "created_by"]
    readonly_fields = ["content"]


for model in (FieldPlan, Goal, TargetValue, Measurement, Milestone, SectionVersion, SectionComment):
    admin.site.register(model, ModelAdmin)

from django.contrib import admin

from .admin_base import ModelAdmin, TabularInline
from .models import (
    ActorGroup,
    FundingProgramme,
    Municipality,
    Phase,
    Step,
    StepTransition,
    StrategyProcess,
    ThemeField,
)


@admin.register(Municipality)
class MunicipalityAdmin(ModelAdmin):
    list_display = ["name", "kind", "ags", "population", "population_year"]
    search_fields = ["name", "ags"]


@admin.register(ThemeField)
class ThemeFieldAdmin(ModelAdmin):
    list_display = ["name", "position", "in_council_paper"]
    list_editable = ["position"]


@admin.register(ActorGroup)
class ActorGroupAdmin(ModelAdmin):
    list_display = ["name"]


@admin.register(FundingProgramme)
class FundingProgrammeAdmin(ModelAdmin):
    list_display = ["name", "level", "verified"]
    list_filter = ["level", "verified"]


class PhaseInline(TabularInline):
    model = Phase
    extra = 0


@admin.register(StrategyProcess)
class StrategyProcessAdmin(ModelAdmin):
    list_display = ["title", "year", "status", "created_at"]
    list_filter = ["status"]
    inlines = [PhaseInline]


class StepInline(TabularInline):
    model = Step
    extra = 0


@admin.register(Phase)
class PhaseAdmin(ModelAdmin):
    list_display = ["name", "process", "position", "planned_start", "planned_end"]
    list_select_related = ["process"]
    inlines = [StepInline]


@admin.register(Step)
class StepAdmin(ModelAdmin):
    list_display = ["short_title", "phase", "status", "planned_start", "planned_end"]
    list_filter = ["status"]
    list_select_related = ["phase"]


@admin.register(StepTransition)
class StepTransitionAdmin(ModelAdmin):
    list_display = ["process", "from_step", "to_step", "direction", "by", "at"]
    list_select_related = ["process", "from_step", "to_step", "by"]
    readonly_fields = ["at"]

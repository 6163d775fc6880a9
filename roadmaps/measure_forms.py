"""Forms and filters of the measures (Maßnahmensteckbriefe), the roadmap and the funding
overview. Every filter is a URL parameter, so filtered pages can be linked and bookmarked."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from inventory.models import Project, SynergyCandidate
from strategy.forms import DateInput
from strategy.models import FundingProgramme, Municipality, StrategyProcess, ThemeField
from strategy.text_input import ModelForm
from workshops.models import PromotedResult

from .models import Goal, Measure, Milestone, TargetValue

COST_FIELDS = ("investment_cost", "running_cost_per_year")
# Which origin needs which link, and the links it must not keep.
ORIGIN_LINKS = {
    Measure.Origin.WORKSHOP: "origin_result",
    Measure.Origin.INVENTORY: "origin_project",
    Measure.Origin.SYNERGY: "origin_synergy",
}
ORIGIN_MISSING = {
    Measure.Origin.WORKSHOP: _("Please choose the workshop result this measure comes from."),
    Measure.Origin.INVENTORY: _("Please choose the inventory project this measure comes from."),
    Measure.Origin.SYNERGY: _("Please choose the synergy candidate this measure comes from."),
}


class GoalChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.field_plan.theme_field.name}: {obj.title}"


class TargetValueChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.goal.title}: {obj}"


class PromotedResultChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.activity.session.workshop.title}: {obj.text[:120]}"


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.key} {obj.title} ({obj.municipality.name})"


class SynergyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        titles = " / ".join(project.title for project in obj.projects.all())
        return titles or obj.reason or obj.key


class MeasureForm(ModelForm):
    """All fields of a measure; milestones come in the formset below."""

    all_municipalities = forms.BooleanField(
        label=_("All municipalities and the Kreis"),
        required=False,
        help_text=_(
            "Ticks all 11 municipalities and the Kreis. Tick none for a Kreis-wide measure."
        ),
    )
    goals = GoalChoiceField(
        label=_("Goals"),
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_values = TargetValueChoiceField(
        label=_("Target values it moves"),
        queryset=TargetValue.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    origin_result = PromotedResultChoiceField(
        label=_("Workshop result"), queryset=PromotedResult.objects.none(), required=False
    )
    origin_project = ProjectChoiceField(
        label=_("Inventory project"), queryset=Project.objects.none(), required=False
    )
    origin_synergy = SynergyChoiceField(
        label=_("Synergy candidate"), queryset=SynergyCandidate.objects.none(), required=False
    )

    class Meta:
        model = Measure
        fields = [
            "number",
            "title",
            "theme_fields",
            "goals",
            "description",
            "target_group",
            "expected_benefit",
            "lead_organisation",
            "partners",
            "municipalities",
            "investment_cost",
            "running_cost_per_year",
            "funding_programme",
            "grant_rate",
            "start_date",
            "end_date",
            "target_values",
            "depends_on",
            "status",
            "priority",
            "origin",
            "origin_result",
            "origin_project",
            "origin_synergy",
        ]
        widgets = {
            "theme_fields": forms.CheckboxSelectMultiple,
            "municipalities": forms.CheckboxSelectMultiple,
            "depends_on": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 6}),
            "expected_benefit": forms.Textarea(attrs={"rows": 3}),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }
        help_texts = {
            "description": _("Markdown is allowed (lists, bold, links)."),
            "priority": _("High: start now. Medium: start within 2 years. Low: within 4 years."),
        }

    def __init__(self, *args, process: StrategyProcess, **kwargs):
        super().__init__(*args, **kwargs)
        self.process = process
        self.instance.process = process
        fields = self.fields
        fields["theme_fields"].error_messages["required"] = _(
            "Please choose at least one theme field."
        )
        fields["goals"].queryset = Goal.objects.filter(field_plan__process=process).select_related(
            "field_plan__theme_field"
        )
        fields["target_values"].queryset = TargetValue.objects.filter(
            goal__field_plan__process=process
        ).select_related("goal")
        fields["municipalities"].queryset = Municipality.objects.all()
        fields["funding_programme"].queryset = FundingProgramme.objects.all()
        dependencies = fields["depends_on"]
        dependencies.queryset = Measure.objects.filter(process=process).order_by("number")
        # The measure itself stays a valid value (so that choosing it gets a clear message),
        # but it is not offered.
        own = str(self.instance.pk) if self.instance.pk else None
        dependencies.widget.choices = [
            (value, label) for value, label in dependencies.choices if str(value) != own
        ]
        fields["origin_result"].queryset = PromotedResult.objects.filter(
            kind=PromotedResult.Kind.PROJECT_IDEA,
            activity__session__workshop__process=process,
        ).select_related("activity__session__workshop")
        fields["origin_project"].queryset = Project.objects.filter(
            retired_at__isnull=True
        ).select_related("municipality")
        fields["origin_synergy"].queryset = SynergyCandidate.objects.filter(
            decision=SynergyCandidate.Decision.JOINT_PROJECT
        ).prefetch_related("projects")
        for name in COST_FIELDS:
            fields[name].widget.attrs.update({"min": "0", "step": "0.01"})
        fields["grant_rate"].widget.attrs.update({"min": "0", "max": "100", "step": "0.01"})
        fields["grant_rate"].help_text = _(
            "Share of the investment the programme pays, in per cent. The own share is the "
            "investment minus the possible grant."
        )
        if self.instance.pk and self.instance.investment_cost is not None:
            fields["grant_rate"].help_text += " " + _(
                "Currently: possible grant %(grant)s EUR, own share %(own)s EUR."
            ) % {
                "grant": number_format(self.instance.possible_grant or 0, 2, force_grouping=True),
                "own": number_format(self.instance.own_share, 2, force_grouping=True),
            }

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        taken = Measure.objects.filter(process=self.process, number__iexact=number)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Another measure of this strategy already has the number %(number)s."),
                params={"number": number},
            )
        return number

    def _not_negative(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and value < 0:
            raise forms.ValidationError(_("Costs cannot be negative."))
        return value

    def clean_investment_cost(self):
        return self._not_negative("investment_cost")

    def clean_running_cost_per_year(self):
        return self._not_negative("running_cost_per_year")

    def clean_grant_rate(self):
        rate = self.cleaned_data.get("grant_rate")
        if rate is not None and not 0 <= rate <= 100:
            raise forms.ValidationError(_("The grant rate must be between 0 and 100 %."))
        return rate

    def clean_depends_on(self):
        dependencies = self.cleaned_data.get("depends_on")
        if self.instance.pk and dependencies and self.instance in dependencies:
            raise forms.ValidationError(_("A measure cannot depend on itself."))
        return dependencies

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end must not be before the start."))
        if cleaned.get("all_municipalities"):
            cleaned["municipalities"] = Municipality.objects.all()
        origin = cleaned.get("origin")
        needed = ORIGIN_LINKS.get(origin)
        if needed and not cleaned.get(needed):
            self.add_error(needed, ORIGIN_MISSING[origin])
        for name in ORIGIN_LINKS.values():
            if name != needed:
                # Only the link that matches the origin is kept.
                cleaned[name] = None
        return cleaned

    def validate_constraints(self):
        # The database constraints (end after start, grant rate, costs) are checked in clean()
        # and the service with messages a person understands.
        pass


class MilestoneForm(ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "done"]
        widgets = {"due_on": DateInput()}


class BaseMilestoneFormSet(forms.BaseInlineFormSet):
    """Milestones of a measure; ``period`` (start, end) is set once the measure form is valid,
    so that each milestone can be checked against the measure's period."""

    period: tuple = (None, None)

    def clean(self):
        super().clean()
        start, end = self.period
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            due = form.cleaned_data.get("due_on")
            if due and ((start and due < start) or (end and due > end)):
                form.add_error(
                    "due_on", _("The milestone must lie within the period of the measure.")
                )

    def milestones(self) -> list[dict]:
        """The kept milestones as plain data for the service."""
        kept = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("title"):
                continue
            kept.append(
                {
                    "pk": form.instance.pk,
                    "title": data["title"],
                    "due_on": data["due_on"],
                    "done": data.get("done", False),
                }
            )
        return kept


MilestoneFormSet = forms.inlineformset_factory(
    Measure,
    Milestone,
    form=MilestoneForm,
    formset=BaseMilestoneFormSet,
    extra=2,
    can_delete=True,
)


class RoadmapFilter(django_filters.FilterSet):
    """Filters of the roadmap and the funding overview: theme field, municipality, priority and
    funding programme."""

    field = django_filters.ModelChoiceFilter(
        label=_("Theme field"),
        queryset=ThemeField.objects.all(),
        field_name="theme_fields",
        empty_label=_("All theme fields"),
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"),
        queryset=Municipality.objects.all(),
        method="filter_municipality",
        empty_label=_("All municipalities"),
    )
    priority = django_filters.ChoiceFilter(
        label=_("Priority"), choices=Measure.Priority.choices, empty_label=_("All priorities")
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Funding programme"),
        queryset=FundingProgramme.objects.all(),
        field_name="funding_programme",
        empty_label=_("All funding programmes"),
    )

    class Meta:
        model = Measure
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-select"

    def filter_municipality(self, queryset, name, value):
        # "What does this mean for Dülmen?": the measures Dülmen takes part in, and the
        # Kreis-wide ones that name no municipality.
        return queryset.filter(Q(municipalities=value) | Q(municipalities__isnull=True)).distinct()


class MeasureFilter(RoadmapFilter):
    """Filters of the measure list: those of the roadmap plus the status."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Measure.Status.choices, empty_label=_("All statuses")
    )

    class Meta:
        model = Measure
        fields = []

"""Forms of the theme field plans: priorities of all fields at once, the choice of a dot
vote, the field vision, goals, target values and measurements."""

from django import forms
from django.utils.translation import gettext_lazy as _

from strategy.forms import DateInput
from strategy.text_input import Form, ModelForm
from workshops.models import Activity

from .field_services import (
    FieldPlanError,
    PriorityInput,
    duplicate_ranks,
    goal_hierarchy_check,
    vote_check,
)
from .models import FieldPlan, Goal, Measurement, TargetValue

NUMBER_MESSAGES = {
    "required": _("Please enter a number."),
    "invalid": _("Please enter a number, e.g. 42 or 12.5."),
}
YEAR_MESSAGES = {
    "required": _("Please enter a year between 2000 and 2100."),
    "invalid": _("Please enter the year as a whole number, e.g. 2027."),
    "min_value": _("Please enter a year between 2000 and 2100."),
    "max_value": _("Please enter a year between 2000 and 2100."),
}


def _localize_number(field: forms.DecimalField) -> None:
    """Accept and show numbers as the language writes them (German: "12,5")."""
    field.localize = True
    field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
    field.widget.is_localized = True


def add_service_error(form: forms.Form, error: FieldPlanError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class PrioritiesForm(Form):
    """Tier, rank and rationale of every field plan of a process, in one form."""

    def __init__(self, *args, plans: list[FieldPlan], **kwargs):
        super().__init__(*args, **kwargs)
        self.plans = plans
        for plan in plans:
            name = plan.theme_field.name
            self.fields[f"tier_{plan.pk}"] = forms.ChoiceField(
                label=_("Priority tier of “%(field)s”") % {"field": name},
                choices=[("", _("not set")), *FieldPlan.Tier.choices],
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                initial=plan.tier,
                error_messages={"invalid_choice": _("Please choose priority I, II or III.")},
            )
            self.fields[f"rank_{plan.pk}"] = forms.IntegerField(
                label=_("Rank of “%(field)s”") % {"field": name},
                required=False,
                min_value=1,
                max_value=len(plans),
                initial=plan.rank,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
                error_messages={
                    "invalid": _("Please enter the rank as a whole number."),
                    "min_value": _("Please enter a rank from 1 to %(count)s.")
                    % {"count": len(plans)},
                    "max_value": _("Please enter a rank from 1 to %(count)s.")
                    % {"count": len(plans)},
                },
            )
            self.fields[f"rationale_{plan.pk}"] = forms.CharField(
                label=_("Rationale for “%(field)s”") % {"field": name},
                required=False,
                max_length=5000,
                initial=plan.rationale,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
            )

    def rows(self):
        """Per field plan its three bound fields, for the table of the template."""
        for plan in self.plans:
            yield {
                "plan": plan,
                "tier": self[f"tier_{plan.pk}"],
                "rank": self[f"rank_{plan.pk}"],
                "rationale": self[f"rationale_{plan.pk}"],
            }

    def clean(self):
        cleaned = super().clean()
        ranks = {plan.pk: cleaned.get(f"rank_{plan.pk}") for plan in self.plans}
        for rank in sorted(duplicate_ranks(list(ranks.values()))):
            for pk, value in ranks.items():
                if value == rank:
                    self.add_error(
                        f"rank_{pk}",
                        _("Rank %(rank)s is given to more than one theme field.") % {"rank": rank},
                    )
        return cleaned

    def priorities(self) -> dict[int, PriorityInput]:
        return {
            plan.pk: PriorityInput(
                tier=self.cleaned_data[f"tier_{plan.pk}"],
                rank=self.cleaned_data[f"rank_{plan.pk}"],
                rationale=self.cleaned_data[f"rationale_{plan.pk}"],
            )
            for plan in self.plans
        }


class VoteChoiceForm(Form):
    """Which finished dot vote over the theme fields sets the priorities."""

    activity = forms.ModelChoiceField(
        label=_("Dot vote"),
        queryset=Activity.objects.select_related("session__workshop"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": _("Please choose a dot vote."),
            "invalid_choice": _("Please choose one of the dot votes listed."),
        },
    )

    def __init__(self, *args, process, votes: list[Activity], **kwargs):
        super().__init__(*args, **kwargs)
        self.process = process
        # Any activity id is looked up, so that a wrong choice gets a clear message; the
        # list offers only the finished votes over theme fields of this process.
        self.fields["activity"].widget.choices = [("", "---------")] + [
            (vote.pk, f"{vote.session.workshop.title}: {vote.title}") for vote in votes
        ]

    def clean_activity(self):
        activity = self.cleaned_data["activity"]
        try:
            vote_check(process=self.process, activity=activity)
        except FieldPlanError as error:
            raise forms.ValidationError(error.message) from error
        return activity


class VisionForm(Form):
    """The vision of one theme field in Markdown."""

    vision = forms.CharField(
        label=_("Field vision"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Markdown: **bold**, *italic*, lists with “- ”, links as [text](https://…). "
            "Scripts and other HTML are removed."
        ),
    )


class GoalForm(Form):
    """A strategic or operative goal; an operative goal sits under a strategic goal of the
    same theme field."""

    kind = forms.ChoiceField(label=_("Kind of goal"), choices=Goal.Kind.choices)
    parent = forms.ModelChoiceField(
        label=_("Strategic goal (for an operative goal)"),
        queryset=Goal.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("Please choose one of the strategic goals listed.")},
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    position = forms.IntegerField(
        label=_("Position"),
        required=False,
        min_value=0,
        max_value=999,
        help_text=_("Goals with a smaller number come first."),
    )

    def __init__(self, *args, field_plan: FieldPlan, goal: Goal | None = None, **kwargs):
        if goal is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": goal.kind,
                "parent": goal.parent_id,
                "title": goal.title,
                "description": goal.description,
                "position": goal.position,
            }
        super().__init__(*args, **kwargs)
        self.field_plan, self.goal = field_plan, goal
        strategic = field_plan.goals.filter(kind=Goal.Kind.STRATEGIC)
        if goal is not None:
            strategic = strategic.exclude(pk=goal.pk)
        # Every goal id is looked up, so that a goal of another field gets a clear message;
        # the list offers only this field's strategic goals.
        self.fields["parent"].widget.choices = [("", _("none"))] + [
            (g.pk, g.title) for g in strategic
        ]

    def clean(self):
        cleaned = super().clean()
        if "kind" in cleaned and "parent" in cleaned:
            try:
                goal_hierarchy_check(
                    field_plan=self.field_plan,
                    kind=cleaned["kind"],
                    parent=cleaned["parent"],
                    goal=self.goal,
                )
            except FieldPlanError as error:
                add_service_error(self, error)
        if cleaned.get("position") is None:
            cleaned["position"] = 0
        return cleaned


class TargetValueForm(ModelForm):
    """A target value: indicator, unit, baseline and target with their years, source,
    responsible body and measurement interval."""

    class Meta:
        model = TargetValue
        fields = [
            "indicator",
            "unit",
            "baseline_value",
            "baseline_year",
            "target_value",
            "target_year",
            "data_source",
            "responsible_body",
            "interval",
        ]
        error_messages = {
            "indicator": {"required": _("Please name the indicator.")},
            "unit": {"required": _("Please enter the unit, e.g. “%” or “services”.")},
            "baseline_value": NUMBER_MESSAGES,
            "target_value": NUMBER_MESSAGES,
            "baseline_year": YEAR_MESSAGES,
            "target_year": YEAR_MESSAGES,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("baseline_value", "target_value"):
            _localize_number(self.fields[name])


class MeasurementForm(ModelForm):
    """A value measured on a date."""

    class Meta:
        model = Measurement
        fields = ["measured_on", "value", "note"]
        widgets = {"measured_on": DateInput()}
        error_messages = {
            "measured_on": {
                "required": _("Please enter the date of the measurement."),
                "invalid": _("Please enter a valid date."),
            },
            "value": NUMBER_MESSAGES,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _localize_number(self.fields["value"])

    def clean_measured_on(self):
        measured_on = self.cleaned_data["measured_on"]
        if not 2000 <= measured_on.year <= 2100:
            raise forms.ValidationError(_("Please enter a date between the years 2000 and 2100."))
        return measured_on

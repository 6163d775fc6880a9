"""Forms of the strategy spine."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ActorGroup, StrategyProcess, ThemeField
from .text_input import Form, ModelForm


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProcessCreateForm(ModelForm):
    """A new edition of the strategy."""

    class Meta:
        model = StrategyProcess
        fields = ["title", "year", "description"]

    def clean_year(self):
        year = self.cleaned_data["year"]
        this_year = timezone.localdate().year
        if not 2015 <= year <= this_year + 10:
            raise forms.ValidationError(
                _("Please enter a year between %(low)s and %(high)s."),
                params={"low": 2015, "high": this_year + 10},
            )
        return year


class TransitionForm(Form):
    """An optional note that is recorded with a move of the process."""

    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ScheduleForm(Form):
    """Planned dates of a phase or a step."""

    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=DateInput())
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("planned_start"), cleaned.get("planned_end")
        if start and end and end < start:
            self.add_error(
                "planned_end", _("The planned end must not be before the planned start.")
            )
        return cleaned


class ThemeFieldForm(ModelForm):
    class Meta:
        model = ThemeField
        fields = ["name", "description", "in_council_paper", "position"]


class ActorGroupForm(ModelForm):
    class Meta:
        model = ActorGroup
        fields = ["name", "description"]

"""Forms for starting an update of an edition and for comparing two editions."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from strategy.editions import START_PHASES
from strategy.models import Phase, StrategyProcess
from strategy.text_input import Form


class EditionStartForm(Form):
    """Title, year and starting phase of the new edition."""

    title = forms.CharField(label=_("Title of the new edition"), max_length=200)
    year = forms.IntegerField(label=_("Year"))
    start_phase = forms.ChoiceField(
        label=_("The new edition starts in the phase"),
        choices=[(key, Phase.Key(key).label) for key in START_PHASES],
        widget=forms.RadioSelect,
        initial=Phase.Key.ELABORATION,
    )

    def __init__(self, *args, source: StrategyProcess, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source

    def clean_year(self):
        year = self.cleaned_data["year"]
        high = timezone.localdate().year + 10
        if not self.source.year <= year <= high:
            raise forms.ValidationError(
                _("Please enter a year between %(low)s and %(high)s."),
                params={"low": self.source.year, "high": high},
            )
        return year


class EditionChoiceField(forms.ModelChoiceField):
    widget = forms.Select(attrs={"class": "form-select"})

    def label_from_instance(self, obj):
        return f"{obj.title} {obj.year} ({obj.get_status_display()})"


class EditionCompareForm(Form):
    """Which two editions to compare: an older and a newer one."""

    old = EditionChoiceField(
        label=_("Older edition"),
        queryset=StrategyProcess.objects.order_by("year", "created_at"),
        error_messages={"invalid_choice": _("Please choose an existing edition.")},
    )
    new = EditionChoiceField(
        label=_("Newer edition"),
        queryset=StrategyProcess.objects.order_by("year", "created_at"),
        error_messages={"invalid_choice": _("Please choose an existing edition.")},
    )

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old"), cleaned.get("new")
        if old is not None and old == new:
            raise forms.ValidationError(_("Please choose two different editions."))
        return cleaned

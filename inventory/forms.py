"""Forms of the inventory."""

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from strategy.forms import DateInput
from strategy.models import Municipality
from strategy.text_input import Form, ModelForm

from .models import ExistingStrategy, Project, SynergyCandidate


def _restrict_municipality(form, user):
    """A municipal representative records entries of the own municipality only."""
    field = form.fields["municipality"]
    if user.role == Role.MUNICIPAL_REP:
        field.queryset = Municipality.objects.filter(pk=user.municipality_id)
        field.initial = user.municipality_id
        field.empty_label = None


class ProjectForm(ModelForm):
    """Create or edit a digital project."""

    class Meta:
        model = Project
        fields = [
            "municipality",
            "title",
            "description",
            "theme_fields",
            "status",
            "start_date",
            "end_date",
            "lead_organisation",
            "contact_person",
            "target_groups",
            "investment_cost",
            "running_cost_per_year",
            "funding_programmes",
            "partners",
            "links",
            "tags",
            "last_confirmed_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "theme_fields": forms.CheckboxSelectMultiple,
            "funding_programmes": forms.CheckboxSelectMultiple,
            "partners": forms.CheckboxSelectMultiple,
            "start_date": DateInput(),
            "end_date": DateInput(),
            "last_confirmed_on": DateInput(),
            "links": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _restrict_municipality(self, user)
        for name in ("investment_cost", "running_cost_per_year"):
            self.fields[name].widget.attrs.update({"min": "0", "step": "0.01"})

    def clean_links(self):
        validate = URLValidator(schemes=["http", "https"])
        links = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        for link in links:
            try:
                validate(link)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("“%(link)s” is not a valid web address (http or https)."),
                    params={"link": link[:100]},
                ) from None
        return "\n".join(links)

    def clean_tags(self):
        tags = [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]
        return ", ".join(dict.fromkeys(tags))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end must not be before the start."))
        owner = cleaned.get("municipality")
        if owner and owner in (cleaned.get("partners") or []):
            self.add_error("partners", _("The owning municipality cannot also be a partner."))
        return cleaned


class ExistingStrategyForm(ModelForm):
    """Create or edit an existing strategy of a municipality."""

    link = forms.URLField(label=_("link"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = ExistingStrategy
        fields = ["municipality", "title", "kind", "adopted_on", "summary", "link", "document"]
        widgets = {
            "adopted_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "document": forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _restrict_municipality(self, user)


class ReminderForm(Form):
    """District staff choose the municipalities to remind."""

    municipalities = forms.ModelMultipleChoiceField(
        label=_("Municipalities"),
        queryset=Municipality.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please choose at least one municipality.")},
    )


class SynergyDecisionForm(Form):
    """The decision of district staff about a synergy candidate."""

    decision = forms.ChoiceField(label=_("Decision"), choices=SynergyCandidate.Decision.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

"""Forms of the adoption decisions. The services check everything again; the forms give the
messages next to the fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roadmaps.models import StrategyVersion
from strategy.text_input import Form, ModelForm
from strategy.uploads import pdf_check

from .decision_services import paper_text_clean, vote_check
from .models import ConferenceRecommendation, ConsultationStep, Council, StrategyDocument

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("The date lies in the future."))


class ConferenceForm(ModelForm):
    """What the mayors' conference recommended, about which version."""

    class Meta:
        model = ConferenceRecommendation
        fields = ["version", "meeting_date", "outcome", "remarks"]
        widgets = {"meeting_date": DATE_WIDGET, "remarks": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = StrategyVersion.objects.filter(process=process).only(
            "pk", "label", "number", "process_id"
        )
        self.fields["version"].error_messages["invalid_choice"] = _(
            "Please choose a version of this edition."
        )
        self.fields["meeting_date"].validators.append(_not_in_future)


class CouncilDecisionForm(ModelForm):
    """Paper number, link, result, vote and resolution of one council."""

    ris_url = forms.URLField(
        label=_("link to the council information system"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("The address of the paper in the council information system."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    remove_resolution_file = forms.BooleanField(
        label=_("Remove the stored resolution file"), required=False
    )

    class Meta:
        model = Council
        fields = [
            "paper_reference",
            "ris_url",
            "result",
            "decided_on",
            "votes_yes",
            "votes_no",
            "votes_abstain",
            "resolution_text",
            "resolution_file",
        ]
        widgets = {
            "decided_on": DATE_WIDGET,
            "ris_url": forms.URLInput(attrs={"placeholder": "https://"}),
            "resolution_text": forms.Textarea(attrs={"rows": 6}),
            "resolution_file": forms.FileInput(attrs={"accept": "application/pdf"}),
            "votes_yes": forms.NumberInput(attrs={"min": 0}),
            "votes_no": forms.NumberInput(attrs={"min": 0}),
            "votes_abstain": forms.NumberInput(attrs={"min": 0}),
        }
        help_texts = {
            "resolution_file": _("PDF, at most 20 MB."),
            "ris_url": _("The address of the paper in the council information system."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].validators.append(_not_in_future)
        for name in ("votes_yes", "votes_no", "votes_abstain"):
            # The model field already refuses negative numbers; say it in the domain's words.
            self.fields[name].error_messages["min_value"] = _("Votes cannot be negative.")

    def clean_resolution_file(self):
        upload = self.cleaned_data.get("resolution_file")
        if upload and upload is not self.instance.resolution_file:
            pdf_check(upload)
        return upload

    def clean(self):
        data = super().clean()
        result = data.get("result")
        needs_date = result and result != Council.Result.PENDING
        if needs_date and not data.get("decided_on") and "decided_on" not in self.errors:
            self.add_error("decided_on", _("Please enter the date of the meeting that decided."))
        if result and not any(
            name in self.errors for name in ("votes_yes", "votes_no", "votes_abstain")
        ):
            try:
                vote_check(
                    result=result,
                    votes_yes=data.get("votes_yes"),
                    votes_no=data.get("votes_no"),
                    votes_abstain=data.get("votes_abstain"),
                    members=self.instance.members,
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data

    @property
    def new_file(self):
        upload = self.cleaned_data.get("resolution_file")
        return upload if upload and upload is not self.instance.resolution_file else None


class ConsultationStepForm(ModelForm):
    class Meta:
        model = ConsultationStep
        fields = ["organization_name", "role", "meeting_date"]
        widgets = {"meeting_date": DATE_WIDGET}


ConsultationStepFormSet = forms.modelformset_factory(
    ConsultationStep, form=ConsultationStepForm, extra=2, can_delete=True, max_num=10,
    validate_max=True,
)  # fmt: skip


class CouncilPaperForm(Form):
    """The text of the draft council paper (Markdown)."""

    paper_text = forms.CharField(
        label=_("Text of the draft council paper"),
        help_text=_(
            "Markdown: “# ” for the title, “## ” for sections, “- ” for list items, "
            "**bold** for emphasis."
        ),
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 24, "class": "font-monospace"}),
        error_messages={"required": _("The council paper cannot be empty.")},
    )

    def clean_paper_text(self):
        # The text is pasted from council documents (Word puts control characters into
        # copied text): they are dropped as the service stores it, not refused; so the
        # portal's text rule (strategy.text_input) finds none.
        return paper_text_clean(self.cleaned_data["paper_text"])


class PublishForm(Form):
    """Which finished PDF of the edition the public page offers."""

    document = forms.ModelChoiceField(
        label=_("PDF of the adopted strategy"),
        queryset=StrategyDocument.objects.none(),
        error_messages={
            "required": _("Please choose the PDF to publish."),
            "invalid_choice": _("Please choose a finished PDF of this edition."),
        },
    )

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = (
            StrategyDocument.objects.filter(
                version__process=process, status=StrategyDocument.Status.DONE
            )
            .exclude(purpose=StrategyDocument.Purpose.DRAFT)
            .exclude(file="")
            .select_related("version")
        )

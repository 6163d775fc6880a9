"""Forms of the strategy texts and the frozen versions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from strategy.text_input import Form

from .models import SectionStatus, TextSection

MARKDOWN_HELP = _(
    "Markdown: a blank line starts a new paragraph, **bold**, *italic*, “- ” starts a list "
    "item, “## ” a heading, [text](https://…) a link."
)
TITLE_ERRORS = {"required": _("Please enter a title.")}


class SectionCreateForm(Form):
    """A new section: what kind of text and its title."""

    kind = forms.ChoiceField(label=_("Kind"), choices=TextSection.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, error_messages=TITLE_ERRORS)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        strip=False,
        max_length=100000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
    )


class SectionEditForm(Form):
    """The text of a section. ``version`` is the version the form was loaded with (the
    optimistic lock); after a conflict the view sets it to the current version."""

    title = forms.CharField(label=_("Title"), max_length=200, error_messages=TITLE_ERRORS)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        strip=False,
        max_length=100000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=MARKDOWN_HELP,
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def clean_body(self):
        # Browsers send CRLF; store what the person typed with plain newlines.
        return self.cleaned_data["body"].replace("\r\n", "\n")


class SectionStatusForm(Form):
    """Draft, discussed in a workshop (which one) or agreed."""

    status = forms.ChoiceField(label=_("New status"), choices=SectionStatus.choices)
    workshop = forms.ModelChoiceField(
        label=_("Discussed in workshop"),
        queryset=None,
        required=False,
        help_text=_("Required for “Discussed in workshop”."),
    )

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = process.workshops.order_by("-created_at")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == SectionStatus.DISCUSSED and not cleaned.get("workshop"):
            self.add_error(
                "workshop", _("Please choose the workshop in which the section was discussed.")
            )
        return cleaned


class SectionCommentForm(Form):
    text = forms.CharField(
        label=_("Your comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please enter a comment.")},
        help_text=_("Plain text, at most 5000 characters."),
    )


class VersionCompareForm(Form):
    """Two version numbers of a section to compare (from the query string)."""

    a = forms.TypedChoiceField(
        label=_("Compare version"), coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )
    b = forms.TypedChoiceField(
        label=_("with version"), coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, numbers, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, str(n)) for n in numbers]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices


class StrategyFreezeForm(Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: for the meeting of the mayors' conference on 12 May."),
    )

"""Forms of the strategy document."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roadmaps.models import StrategyVersion
from strategy.models import StrategyProcess
from strategy.text_input import Form

from .models import StrategyDocument


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, version):
        # The day in Berlin, as the list of versions shows it (the stored time is UTC).
        return f"{version.label} ({timezone.localdate(version.created_at):%d.%m.%Y})"


class DocumentRequestForm(Form):
    """Which frozen version to render, and what for (printed on the cover). Only the district
    administration may choose the council submission."""

    version = VersionChoiceField(
        label=_("Strategy version"),
        queryset=StrategyVersion.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Please choose a frozen version."),
            "invalid_choice": _("Please choose a frozen version of this process."),
        },
    )
    purpose = forms.ChoiceField(
        label=_("Purpose (printed on the cover)"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose what the document is for."),
            "invalid_choice": _("This purpose is not available to you."),
        },
        help_text=_(
            "A council submission (Beschlussvorlage) is kept unchanged: it can neither be "
            "deleted nor rendered again."
        ),
    )

    def __init__(self, *args, process: StrategyProcess, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = (
            StrategyVersion.objects.filter(process=process).defer("content").order_by("-number")
        )
        choices = list(StrategyDocument.Purpose.choices)
        if not user.has_perm("adoption.render_submission"):
            choices = [c for c in choices if c[0] != StrategyDocument.Purpose.COUNCIL_SUBMISSION]
        self.fields["purpose"].choices = choices
        self.fields["purpose"].initial = StrategyDocument.Purpose.DRAFT

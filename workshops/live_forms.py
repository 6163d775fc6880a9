"""Forms of the live session. They only parse input; the rules live in ``live_services``."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from strategy.models import ThemeField
from strategy.text_input import Form, ModelForm

from .live_selectors import normalise_join_code, parse_item_key
from .live_services import DISPLAY_NAME_MAX, TIMER_MAX_MINUTES
from .models import Activity, Card, Cluster, PromotedResult


class JoinForm(Form):
    code = forms.CharField(
        label=_("Join code"),
        max_length=40,
        help_text=_("The eight characters shown on the projector; spaces do not matter."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=DISPLAY_NAME_MAX,
        help_text=_("Shown to the facilitator; at most 60 characters."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        if account is not None:
            # Accounts take part under their own name.
            del self.fields["display_name"]

    def clean_code(self):
        return normalise_join_code(self.cleaned_data["code"])


class CardForm(Form):
    activity = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Your idea"),
        required=False,
        max_length=Card.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": Card.MAX_LENGTH}),
        help_text=_("At most 280 characters."),
    )
    theme_field = forms.ModelChoiceField(
        label=_("Theme field (optional)"),
        queryset=ThemeField.objects.all(),
        required=False,
        empty_label=_("– none –"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The services explain empty or long texts in their own words. NUL characters stay
        # refused here: PostgreSQL cannot store them (a server error instead of a message).
        self.fields["text"].max_length = None
        self.fields["text"].validators = [
            v
            for v in self.fields["text"].validators
            if isinstance(v, ProhibitNullCharactersValidator)
        ]


class ItemForm(Form):
    """A vote or rating on one item (``card:12``, ``cluster:3``, ``theme_field:4``)."""

    activity = forms.IntegerField()
    item = forms.CharField(max_length=40)

    def clean_item(self):
        item = parse_item_key(self.cleaned_data["item"])
        if item is None:
            raise forms.ValidationError(_("Unknown item."))
        return item


class RatingForm(ItemForm):
    benefit = forms.IntegerField(label=_("Benefit"), required=False)
    effort = forms.IntegerField(label=_("Effort"), required=False)


class ActivityForm(ModelForm):
    class Meta:
        model = Activity
        fields = ["kind", "title", "target", "dots_per_participant", "cap_per_item"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].help_text = _("For dot votes and ratings.")
        self.fields["dots_per_participant"].help_text = _("For dot votes.")


class TimerForm(Form):
    minutes = forms.IntegerField(
        label=_("Timer (minutes)"), required=False, min_value=0, max_value=TIMER_MAX_MINUTES
    )


class ClusterForm(Form):
    name = forms.CharField(label=_("Cluster name"), required=False, max_length=500)


class CardEditForm(Form):
    # A card is multi-line, as it was posted (``CardForm``); the page shows a textarea.
    text = forms.CharField(
        label=_("Text"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class CardMoveForm(Form):
    cluster = forms.ModelChoiceField(
        label=_("Cluster"), queryset=Cluster.objects.none(), required=False
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = Cluster.objects.filter(session=session)


class CardMergeForm(Form):
    card = forms.ModelChoiceField(label=_("Merge card"), queryset=Card.objects.none())
    into = forms.ModelChoiceField(label=_("into card"), queryset=Card.objects.none())

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        cards = Card.objects.filter(session=session, merged_into__isnull=True)
        self.fields["card"].queryset = cards
        self.fields["into"].queryset = cards


class PromoteForm(Form):
    kind = forms.ChoiceField(label=_("Take over as"), choices=PromotedResult.Kind.choices)
    cards = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    clusters = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())

    def __init__(self, *args, card_ids=(), cluster_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cards"].choices = [(pk, pk) for pk in card_ids]
        self.fields["clusters"].choices = [(pk, pk) for pk in cluster_ids]

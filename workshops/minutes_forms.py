"""Forms of the workshop minutes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from strategy.text_input import Form, ModelForm

from .models import SessionPhoto, WorkshopSession
from .photos import photo_check


class MinutesForm(ModelForm):
    """The facilitator's texts of the minutes."""

    class Meta:
        model = WorkshopSession
        fields = ["summary", "decisions"]
        labels = {"summary": _("Summary"), "decisions": _("Decisions")}
        help_texts = {
            "summary": _("The course and the most important results of the session."),
            "decisions": _("One decision or agreement per line."),
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 10}),
            "decisions": forms.Textarea(attrs={"rows": 6}),
        }


class PhotoForm(Form):
    """A photo of a flipchart with its caption; the photo is checked here (header only) and
    re-encoded by the worker."""

    image = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG up to 40 megapixels, PNG or WebP up to 16 megapixels; at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={
            "required": _("Please choose a photo."),
            "empty": _("The file is empty."),
        },
    )
    caption = forms.CharField(
        label=_("Caption"),
        max_length=SessionPhoto._meta.get_field("caption").max_length,
        required=False,
        help_text=_("What the photo shows, e.g. “Flipchart group 2: mobility”."),
    )

    def clean_image(self):
        """The checked upload (see ``photos.photo_check``)."""
        return photo_check(self.cleaned_data["image"])

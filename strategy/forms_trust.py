from django import forms

from .models import ContentPage
from .text_input import ModelForm


class ContentPageForm(ModelForm):
    """Edit the accessibility or privacy statement."""

    class Meta:
        model = ContentPage
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 20})}

"""Forms of the workshop planning."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from strategy.models import ActorGroup, Municipality, Step, StrategyProcess
from strategy.text_input import Form, ModelForm

from .models import AgendaItem, Workshop, WorkshopInvitation, WorkshopSession
from .planning_services import (
    AGENDA_ITEM_MINUTES,
    FACILITATOR_ROLES,
    MAX_GUESTS_PER_REQUEST,
    MESSAGES,
    SESSION_MINUTES,
    workshop_input_errors,
)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _minutes_field(label, bounds, message_key):
    low, high = bounds
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        error_messages={"min_value": MESSAGES[message_key], "max_value": MESSAGES[message_key]},
        help_text=_("Between %(low)s and %(high)s minutes.") % {"low": low, "high": high},
    )


class WorkshopForm(ModelForm):
    """Plan or change a workshop of an edition of the strategy."""

    online_link = forms.URLField(
        label=_("Online meeting link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("For example the link of the video conference."),
    )

    class Meta:
        model = Workshop
        fields = [
            "step",
            "kind",
            "title",
            "description",
            "theme_fields",
            "location",
            "online_link",
            "facilitators",
        ]
        labels = {
            "step": _("Step of the process"),
            "kind": _("Kind of workshop"),
            "title": _("Title"),
            "description": _("Description"),
            "theme_fields": _("Theme fields"),
            "location": _("Place"),
            "facilitators": _("Facilitators"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "theme_fields": forms.CheckboxSelectMultiple,
            "facilitators": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "theme_fields": _("Required for a thematic workshop."),
            "location": _("Address and room. A place, an online meeting link, or both."),
            "facilitators": _("District staff and consultants who run this workshop."),
        }

    def __init__(self, *args, process: StrategyProcess, **kwargs):
        super().__init__(*args, **kwargs)
        step = self.fields["step"]
        step.queryset = Step.objects.filter(phase__process=process).select_related("phase")
        step.label_from_instance = lambda s: f"{s.phase.name}: {s.short_title}"
        facilitators = self.fields["facilitators"]
        facilitators.queryset = get_user_model().objects.filter(
            is_active=True, role__in=FACILITATOR_ROLES
        )
        facilitators.label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.get_role_display()})"
        )

    def clean(self):
        cleaned = super().clean()
        errors = workshop_input_errors(
            kind=cleaned.get("kind", ""),
            theme_fields=cleaned.get("theme_fields") or [],
            location=cleaned.get("location", ""),
            # An invalid link has its own error already; do not also ask for a place.
            online_link=cleaned.get("online_link", "") or self.data.get("online_link", ""),
        )
        for name, message in errors.items():
            self.add_error(name, message)
        return cleaned


class SessionForm(ModelForm):
    """A date of a workshop."""

    starts_at = forms.DateTimeField(
        label=_("Start (date and time)"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    duration_minutes = _minutes_field(_("Duration (minutes)"), SESSION_MINUTES, "session_minutes")

    class Meta:
        model = WorkshopSession
        fields = ["starts_at", "duration_minutes", "tasks_until_next"]
        labels = {"tasks_until_next": _("Tasks until the next session")}
        widgets = {"tasks_until_next": forms.Textarea(attrs={"rows": 3})}


class AgendaItemForm(ModelForm):
    """An item of a session's agenda."""

    duration_minutes = _minutes_field(_("Duration (minutes)"), AGENDA_ITEM_MINUTES, "item_minutes")

    class Meta:
        model = AgendaItem
        fields = ["title", "duration_minutes", "notes"]
        labels = {"title": _("Title"), "notes": _("Notes")}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class EmailListField(forms.CharField):
    """E-mail addresses, one per line (commas and semicolons also separate them)."""

    widget = forms.Textarea(attrs={"rows": 5})

    def to_python(self, value):
        text = super().to_python(value)
        addresses = [part.strip() for part in re.split(r"[\n,;]+", text) if part.strip()]
        invalid = []
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                invalid.append(address)
        if invalid:
            raise forms.ValidationError(
                [
                    forms.ValidationError(
                        _("“%(address)s” is not a valid e-mail address."),
                        params={"address": address[:100]},
                    )
                    for address in invalid[:20]
                ]
            )
        unique = list(dict.fromkeys(address.lower() for address in addresses))
        if len(unique) > MAX_GUESTS_PER_REQUEST:
            raise forms.ValidationError(
                _("Please enter at most %(max)s addresses at once."),
                params={"max": MAX_GUESTS_PER_REQUEST},
            )
        return unique


class RoleInviteForm(Form):
    """Invite all active accounts with a role."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class MunicipalityInviteForm(Form):
    """Invite all active accounts of a municipality."""

    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.all()
    )


class ActorGroupInviteForm(Form):
    """Invite guests who represent an actor group."""

    actor_group = forms.ModelChoiceField(label=_("Actor group"), queryset=ActorGroup.objects.all())
    emails = EmailListField(
        label=_("E-mail addresses of the representatives"),
        max_length=50000,
        help_text=_("One address per line."),
    )


class EmailInviteForm(Form):
    """Invite single people by e-mail address (guests without an account, too)."""

    emails = EmailListField(
        label=_("E-mail addresses"), max_length=50000, help_text=_("One address per line.")
    )


INVITE_FORMS = {
    "role": RoleInviteForm,
    "municipality": MunicipalityInviteForm,
    "group": ActorGroupInviteForm,
    "email": EmailInviteForm,
}


class RsvpForm(Form):
    """An invitee's answer."""

    response = forms.ChoiceField(
        choices=[
            (WorkshopInvitation.Response.YES, _("Yes, I will attend")),
            (WorkshopInvitation.Response.NO, _("No, I cannot attend")),
            (WorkshopInvitation.Response.MAYBE, _("Maybe")),
        ]
    )


class AttendanceForm(Form):
    """Who of the invitees attended a session: one labelled checkbox per invitee."""

    attended = forms.MultipleChoiceField(
        label=_("Present"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, invitations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [
            (str(i.pk), f"{i.name} <{i.email}>" if i.name else i.email) for i in invitations
        ]

    def clean_attended(self):
        return {int(pk) for pk in self.cleaned_data["attended"]}

"""Forms for logging in, invitations and accepting an invitation."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from strategy.models import Municipality
from strategy.text_input import Form, ModelForm

from .authority import account_rank, role_rank
from .models import Invitation, Role, User


class InvitationForm(ModelForm):
    """District staff invite a person and choose the role (and the municipality)."""

    class Meta:
        model = Invitation
        fields = ["email", "first_name", "last_name", "role", "municipality"]

    def __init__(self, *args, inviter: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.all()
        self.fields["municipality"].help_text = _("Required for municipal representatives.")
        # Nobody invites a person into a role with more rights than their own.
        self.fields["role"].choices = [
            (value, label)
            for value, label in self.fields["role"].choices
            if not value or role_rank(value) <= account_rank(inviter)
        ]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email, is_active=True).exists():
            raise forms.ValidationError(_("There is already an account with this e-mail address."))
        if Invitation.objects.open().filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _(
                    "An open invitation for this e-mail address exists already. To send its "
                    "e-mail again, use “Send again” in the list of invitations."
                )
            )
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.MUNICIPAL_REP and not cleaned.get("municipality"):
            self.add_error(
                "municipality", _("Please choose the municipality this person represents.")
            )
        return cleaned


class AcceptInvitationForm(Form):
    """The invitee confirms the name and chooses a password."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Repeat password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation: Invitation, **kwargs):
        self.invitation = invitation
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            candidate = User(
                username=self.invitation.email,
                email=self.invitation.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

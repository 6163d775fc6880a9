"""Account pages: login and passwords (Django's views, our templates), user administration
and invitations."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from strategy.permissions import permission_required

from .forms import AcceptInvitationForm, InvitationForm
from .models import Invitation, User
from .password_reset import (
    PasswordResetRequestForm,
    password_reset_client_address,
    password_reset_request,
)
from .services import (
    InvitationError,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_resend,
    invitation_revoke,
)

_NOT_QUEUED = gettext_lazy(
    "The invitation to %(email)s was saved, but its e-mail could not be handed to the "
    "background service. It is marked as not sent; please use “Send again” later."
)


@permission_required("accounts.view_user_list")
def user_list(request):
    # NUL cannot be stored or searched in PostgreSQL; it has no meaning in a search anyway.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    users = User.objects.select_related("municipality").order_by("last_name", "username")
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    invitations = Invitation.objects.select_related("municipality", "invited_by", "user")[:100]
    return render(
        request,
        "accounts/user_list.html",
        {"users": users[:500], "invitations": invitations, "query": query},
    )


@permission_required("accounts.invite_user")
def invitation_new(request):
    form = InvitationForm(request.POST or None, inviter=request.user)
    if request.method == "POST" and form.is_valid():
        invitation = invitation_create(invited_by=request.user, **form.cleaned_data)
        if invitation.send_failure:
            messages.error(request, _NOT_QUEUED % {"email": invitation.email})
        else:
            messages.success(
                request,
                _("The invitation to %(email)s is being sent.") % {"email": invitation.email},
            )
        return redirect("accounts:user_list")
    return render(
        request,
        "form_page.html",
        {"form": form, "title": _("Invite a person"), "submit_label": _("Send invitation")},
    )


@login_not_required
def password_reset_view(request):
    """Ask for a link to choose a new password. Every valid request gets the same answer at
    once, whether the address has an account or not; the worker sends the e-mail."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset_request(
            email=form.cleaned_data["email"],
            client_address=password_reset_client_address(request),
        )
        return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset.html", {"form": form})


def _get_invitation(request, pk, **kwargs):
    return get_object_or_404(Invitation, pk=pk)


@require_POST
@permission_required("accounts.invite_user", get_object=_get_invitation)
def invitation_resend_view(request, pk, obj):
    try:
        invitation = invitation_resend(invitation=obj, by=request.user)
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        if invitation.send_failure:
            messages.error(request, _NOT_QUEUED % {"email": invitation.email})
        else:
            messages.success(request, _("The invitation is being sent again."))
    return redirect("accounts:user_list")


@require_POST
@permission_required("accounts.invite_user", get_object=_get_invitation)
def invitation_revoke_view(request, pk, obj):
    try:
        invitation_revoke(invitation=obj, by=request.user)
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The invitation was revoked."))
    return redirect("accounts:user_list")


@login_not_required
def invitation_accept_view(request, token):
    try:
        invitation = invitation_from_token(token)
    except InvitationError as error:
        return render(request, "accounts/invitation_invalid.html", {"error": error}, status=404)
    form = AcceptInvitationForm(
        request.POST or None,
        invitation=invitation,
        initial={"first_name": invitation.first_name, "last_name": invitation.last_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                invitation=invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except InvitationError as error:
            return render(request, "accounts/invitation_invalid.html", {"error": error}, status=404)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("strategy:dashboard")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )

"""Pages of the workshop planning: list, detail, workshop/session/agenda forms, invitations,
answers (RSVP) and attendance.

Every page but the answer page goes through ``permission_required`` with the workshop as the
object, so named facilitators are recognised. The answer page is reached from the invitation
e-mail by guests without an account; its unguessable token is the credential."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from strategy.mail import SendFailure
from strategy.permissions import permission_required
from strategy.selectors import process_current

from .models import AgendaItem, Workshop, WorkshopInvitation, WorkshopSession
from .planning_forms import (
    INVITE_FORMS,
    AgendaItemForm,
    AttendanceForm,
    RsvpForm,
    SessionForm,
    WorkshopForm,
)
from .planning_selectors import (
    invitation_by_token,
    process_current_step,
    workshop_detail,
    workshop_list,
)
from .planning_services import (
    WorkshopError,
    agenda_item_create,
    agenda_item_delete,
    agenda_item_move,
    agenda_item_update,
    attendance_record,
    invitation_respond,
    invitations_send,
    invitee_remove,
    invitees_add_guests,
    invitees_add_municipality,
    invitees_add_role,
    session_create,
    session_delete,
    session_update,
    workshop_cancel,
    workshop_check_editable,
    workshop_create,
    workshop_update,
)


def _get_workshop(request, pk, **kwargs):
    return get_object_or_404(Workshop.objects.select_related("process", "step"), pk=pk)


def _get_session_workshop(request, pk, **kwargs):
    return _get_workshop(request, get_object_or_404(WorkshopSession, pk=pk).workshop_id)


def _get_item_workshop(request, pk, **kwargs):
    item = get_object_or_404(AgendaItem.objects.select_related("session"), pk=pk)
    return _get_workshop(request, item.session.workshop_id)


def _get_invitation_workshop(request, pk, **kwargs):
    return _get_workshop(request, get_object_or_404(WorkshopInvitation, pk=pk).workshop_id)


def _refused(request, workshop: Workshop):
    """A redirect to the workshop with the reason if it can no longer be changed, else None."""
    try:
        workshop_check_editable(workshop=workshop)
    except WorkshopError as error:
        messages.error(request, str(error))
        return redirect(workshop)
    return None


def _form_page(request, form, *, title, cancel_url, submit_label=None, error=None):
    if error:
        form.add_error(None, error)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "submit_label": submit_label or _("Save"),
            "cancel_url": cancel_url,
        },
    )


# --- Workshops -------------------------------------------------------------------------------


@permission_required("workshops.view_workshop")
def workshop_list_view(request):
    return render(
        request,
        "workshops/workshop_list.html",
        {
            "overview": workshop_list(),
            "can_add": request.user.has_perm("workshops.add_workshop"),
        },
    )


@permission_required("workshops.view_workshop", get_object=_get_workshop)
def workshop_detail_view(request, pk, obj):
    detail = workshop_detail(workshop=obj)
    editable = True
    try:
        workshop_check_editable(workshop=detail.workshop)
    except WorkshopError as error:
        editable, locked_reason = False, str(error)
    else:
        locked_reason = ""
    user = request.user
    return render(
        request,
        "workshops/workshop_detail.html",
        {
            "detail": detail,
            "workshop": detail.workshop,
            "editable": editable,
            "locked_reason": locked_reason,
            "can_change": editable and user.has_perm("workshops.change_workshop", obj),
            "can_invite": user.has_perm("workshops.invite", obj),
            "can_record_attendance": editable and user.has_perm("workshops.record_attendance", obj),
            "my_invitation": detail.invitation_of(user),
        },
    )


@permission_required("workshops.add_workshop")
def workshop_new(request):
    process = process_current()
    title = _("New workshop")
    if process is None:
        messages.error(request, _("There is no running strategy process."))
        return redirect("workshops:workshop_list")
    current_step = process_current_step(process=process)
    form = WorkshopForm(
        request.POST or None,
        process=process,
        initial={"step": current_step.pk if current_step else None},
    )
    cancel_url = reverse("workshops:workshop_list")
    if request.method == "POST" and form.is_valid():
        try:
            workshop = workshop_create(process=process, user=request.user, **form.cleaned_data)
        except WorkshopError as error:
            return _form_page(request, form, title=title, cancel_url=cancel_url, error=str(error))
        messages.success(request, _("The workshop “%(title)s” was created.") % {"title": workshop})
        return redirect(workshop)
    return _form_page(request, form, title=title, cancel_url=cancel_url)


@permission_required("workshops.change_workshop", get_object=_get_workshop)
def workshop_edit(request, pk, obj):
    if refused := _refused(request, obj):
        return refused
    form = WorkshopForm(request.POST or None, instance=obj, process=obj.process)
    title = _("Edit workshop “%(title)s”") % {"title": obj.title}
    if request.method == "POST" and form.is_valid():
        try:
            workshop = workshop_update(workshop=obj, user=request.user, **form.cleaned_data)
        except WorkshopError as error:
            return _form_page(
                request, form, title=title, cancel_url=obj.get_absolute_url(), error=str(error)
            )
        messages.success(request, _("The workshop “%(title)s” was saved.") % {"title": workshop})
        return redirect(workshop)
    return _form_page(request, form, title=title, cancel_url=obj.get_absolute_url())


@permission_required("workshops.change_workshop", get_object=_get_workshop)
def workshop_cancel_view(request, pk, obj):
    if refused := _refused(request, obj):
        return refused
    if request.method == "POST":
        try:
            workshop = workshop_cancel(workshop=obj)
        except WorkshopError as error:
            messages.error(request, str(error))
        else:
            if workshop.invitations.filter(send_failure=SendFailure.NOT_QUEUED).exists():
                messages.warning(
                    request,
                    _(
                        "The workshop was cancelled, but the cancellations could not be handed "
                        "to the background service. Please send them again on the "
                        "invitations page later."
                    ),
                )
            else:
                messages.success(
                    request,
                    _("The workshop was cancelled. Everyone who was invited is being notified."),
                )
        return redirect(obj)
    sent = obj.invitations.filter(sent_sequence__gte=0).count()
    return render(
        request, "workshops/planning/cancel_confirm.html", {"workshop": obj, "sent_count": sent}
    )


# --- Sessions --------------------------------------------------------------------------------


@permission_required("workshops.change_workshop", get_object=_get_workshop)
def session_new(request, pk, obj):
    if refused := _refused(request, obj):
        return refused
    form = SessionForm(request.POST or None)
    title = _("New session of “%(title)s”") % {"title": obj.title}
    if request.method == "POST" and form.is_valid():
        try:
            session_create(workshop=obj, **form.cleaned_data)
        except WorkshopError as error:
            return _form_page(
                request, form, title=title, cancel_url=obj.get_absolute_url(), error=str(error)
            )
        messages.success(request, _("The session was added."))
        return redirect(obj)
    return _form_page(request, form, title=title, cancel_url=obj.get_absolute_url())


@permission_required("workshops.change_workshop", get_object=_get_session_workshop)
def session_edit(request, pk, obj):
    if refused := _refused(request, obj):
        return refused
    session = get_object_or_404(WorkshopSession, pk=pk)
    form = SessionForm(request.POST or None, instance=session)
    title = _("Edit session of “%(title)s”") % {"title": obj.title}
    if request.method == "POST" and form.is_valid():
        try:
            session_update(session=session, **form.cleaned_data)
        except WorkshopError as error:
            return _form_page(
                request, form, title=title, cancel_url=obj.get_absolute_url(), error=str(error)
            )
        messages.success(request, _("The session was saved."))
        return redirect(obj)
    return _form_page(request, form, title=title, cancel_url=obj.get_absolute_url())


@require_POST
@permission_required("workshops.change_workshop", get_object=_get_session_workshop)
def session_delete_view(request, pk, obj):
    try:
        session_delete(session=get_object_or_404(WorkshopSession, pk=pk))
    except WorkshopError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The session was deleted."))
    return redirect(obj)


# --- Agenda ----------------------------------------------------------------------------------


@permission_required("workshops.change_workshop", get_object=_get_session_workshop)
def agenda_item_new(request, pk, obj):
    if refused := _refused(request, obj):
        return refused
    session = get_object_or_404(WorkshopSession, pk=pk)
    form = AgendaItemForm(request.POST or None)
    title = _("New agenda item")
    cancel_url = obj.get_absolute_url()
    if request.method == "POST" and form.is_valid():
        try:
            agenda_item_create(session=session, **form.cleaned_data)
        except WorkshopError as error:
            return _form_page(request, form, title=title, cancel_url=cancel_url, error=str(error))
        messages.success(request, _("The agenda item was added."))
        return redirect(obj)
    return _form_page(request, form, title=title, cancel_url=cancel_url)


@permission_required("workshops.change_workshop", get_object=_get_item_workshop)
def agenda_item_edit(request, pk, obj):
    if refused := _refused(request, obj):
        return refused
    item = get_object_or_404(AgendaItem.objects.select_related("session__workshop"), pk=pk)
    form = AgendaItemForm(request.POST or None, instance=item)
    title = _("Edit agenda item “%(title)s”") % {"title": item.title}
    cancel_url = obj.get_absolute_url()
    if request.method == "POST" and form.is_valid():
        try:
            agenda_item_update(item=item, **form.cleaned_data)
        except WorkshopError as error:
            return _form_page(request, form, title=title, cancel_url=cancel_url, error=str(error))
        messages.success(request, _("The agenda item was saved."))
        return redirect(obj)
    return _form_page(request, form, title=title, cancel_url=cancel_url)


@require_POST
@permission_required("workshops.change_workshop", get_object=_get_item_workshop)
def agenda_item_delete_view(request, pk, obj):
    item = get_object_or_404(AgendaItem.objects.select_related("session__workshop"), pk=pk)
    try:
        agenda_item_delete(item=item)
    except WorkshopError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The agenda item was deleted."))
    return redirect(obj)


@require_POST
@permission_required("workshops.change_workshop", get_object=_get_item_workshop)
def agenda_item_move_view(request, pk, obj):
    item = get_object_or_404(AgendaItem.objects.select_related("session__workshop"), pk=pk)
    try:
        agenda_item_move(item=item, direction=request.POST.get("direction", ""))
    except WorkshopError as error:
        messages.error(request, str(error))
    return redirect(obj.get_absolute_url() + f"#session-{item.session_id}")


# --- Invitations -----------------------------------------------------------------------------


def _add_invitees(workshop, action, form):
    data = form.cleaned_data
    if action == "role":
        return invitees_add_role(workshop=workshop, role=data["role"])
    if action == "municipality":
        return invitees_add_municipality(workshop=workshop, municipality=data["municipality"])
    return invitees_add_guests(
        workshop=workshop, emails=data["emails"], actor_group=data.get("actor_group")
    )


@permission_required("workshops.invite", get_object=_get_workshop)
def invitations_view(request, pk, obj):
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = {
        key: form_class(request.POST if key == action else None, prefix=key)
        for key, form_class in INVITE_FORMS.items()
    }
    if request.method == "POST":
        if refused := _refused(request, obj):
            return refused
        form = forms.get(action)
        if form is not None and form.is_valid():
            try:
                result = _add_invitees(obj, action, form)
            except WorkshopError as error:
                messages.error(request, str(error))
            else:
                message = _("%(added)s invitees added, %(skipped)s were already invited.") % {
                    "added": result.added,
                    "skipped": result.already_invited,
                }
                if result.without_email:
                    message += " " + _(
                        "%(count)s accounts have no e-mail address and were left out."
                    ) % {"count": result.without_email}
                messages.success(request, message)
                return redirect("workshops:invitations", pk=obj.pk)
    detail = workshop_detail(workshop=obj)
    editable = True
    try:
        workshop_check_editable(workshop=detail.workshop)
    except WorkshopError:
        editable = False
    return render(
        request,
        "workshops/planning/invitations.html",
        {
            "workshop": detail.workshop,
            "detail": detail,
            "forms": forms,
            "editable": editable,
        },
    )


@require_POST
@permission_required("workshops.invite", get_object=_get_workshop)
def invitations_send_view(request, pk, obj):
    try:
        result = invitations_send(workshop=obj)
    except WorkshopError as error:
        messages.error(request, str(error))
    else:
        if result.queued:
            message = _("%(count)s invitations are being sent.")
            messages.success(request, message % {"count": result.count})
        else:
            message = _(
                "The %(count)s e-mails could not be handed to the background service and are "
                "marked as not sent. Nothing else was changed; please try again later."
            )
            messages.error(request, message % {"count": result.count})
    return redirect("workshops:invitations", pk=obj.pk)


@require_POST
@permission_required("workshops.invite", get_object=_get_invitation_workshop)
def invitee_remove_view(request, pk, obj):
    invitation = get_object_or_404(WorkshopInvitation.objects.select_related("workshop"), pk=pk)
    try:
        invitee_remove(invitation=invitation)
    except WorkshopError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(email)s was removed.") % {"email": invitation.email})
    return redirect("workshops:invitations", pk=obj.pk)


# --- Answers ---------------------------------------------------------------------------------


@login_not_required
def rsvp_view(request, token):
    invitation = invitation_by_token(token=token)
    if invitation is None:
        return render(request, "workshops/planning/rsvp_invalid.html", status=404)
    workshop = invitation.workshop
    form = RsvpForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation = invitation_respond(
                    invitation=invitation, response=form.cleaned_data["response"]
                )
            except WorkshopError as exc:
                error = str(exc)
            else:
                messages.success(request, _("Thank you, your answer was saved."))
                return redirect("workshops:rsvp", token=token)
        else:
            error = _("Please answer yes, no or maybe.")
    sessions = workshop.sessions.order_by("starts_at", "position", "pk")
    return render(
        request,
        "workshops/planning/rsvp.html",
        {
            "invitation": invitation,
            "workshop": workshop,
            "sessions": sessions,
            "error": error,
            "cancelled": workshop.status == Workshop.Status.CANCELLED,
            "choices": RsvpForm.base_fields["response"].choices,
        },
    )


# --- Attendance ------------------------------------------------------------------------------


@permission_required("workshops.record_attendance", get_object=_get_session_workshop)
def attendance_view(request, pk, obj):
    if refused := _refused(request, obj):
        return refused
    session = get_object_or_404(WorkshopSession, pk=pk)
    invitations = list(obj.invitations.order_by("name", "email"))
    present = session.attendance.filter(attended=True).values_list("invitation_id", flat=True)
    form = AttendanceForm(
        request.POST or None,
        invitations=invitations,
        initial={"attended": [str(pk) for pk in present]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            count = attendance_record(session=session, attended_ids=form.cleaned_data["attended"])
        except WorkshopError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Attendance saved: %(count)s of %(total)s present.")
                % {"count": count, "total": len(invitations)},
            )
            return redirect(obj.get_absolute_url() + f"#session-{session.pk}")
    return render(
        request,
        "workshops/planning/attendance.html",
        {"workshop": obj, "session": session, "form": form, "invitations": invitations},
    )

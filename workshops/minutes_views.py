"""Pages of the workshop minutes: reading, editing, photos, and the PDF made by the worker."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from strategy.permissions import permission_required
from strategy.uploads import download_response

from .minutes import (
    MinutesError,
    minutes_finalise,
    minutes_render_checked,
    minutes_render_current,
    minutes_render_latest_done,
    minutes_render_request,
    minutes_reopen,
    minutes_save,
)
from .minutes_forms import MinutesForm, PhotoForm
from .minutes_photos import photo_add, photo_delete, photos_of
from .models import MinutesRender, SessionPhoto, WorkshopSession


def _get_session(request, pk, **kwargs):
    # The session stands for its workshop in the permission rules (``rules.facilitates``).
    return get_object_or_404(WorkshopSession.objects.select_related("workshop"), pk=pk)


def _get_render(request, pk, **kwargs):
    # One query for the job, its session and workshop, whatever state the job is in.
    return get_object_or_404(MinutesRender.objects.select_related("session__workshop"), pk=pk)


def _photo_of(session: WorkshopSession, photo_pk: int) -> SessionPhoto:
    return get_object_or_404(SessionPhoto, pk=photo_pk, session=session)


def _back(session: WorkshopSession):
    return redirect("workshops:minutes_detail", pk=session.pk)


@permission_required("workshops.view_minutes", get_object=_get_session)
def minutes_detail(request, pk, obj):
    return render(
        request,
        "workshops/minutes/detail.html",
        {
            "session": obj,
            "workshop": obj.workshop,
            "photos": photos_of(session=obj),
            "current": minutes_render_current(session=obj),
            "latest": minutes_render_latest_done(session=obj),
            "can_edit": request.user.has_perm("workshops.edit_minutes", obj),
        },
    )


@permission_required("workshops.edit_minutes", get_object=_get_session)
def minutes_edit(request, pk, obj):
    if obj.minutes_finalised_at:
        messages.error(
            request, _("The minutes are finalised. Re-open them first if they need to be changed.")
        )
        return _back(obj)
    form = MinutesForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            minutes_save(session=obj, **form.cleaned_data)
        except MinutesError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The minutes were saved."))
        return _back(obj)
    return render(request, "workshops/minutes/edit.html", {"session": obj, "form": form})


@require_POST
@permission_required("workshops.edit_minutes", get_object=_get_session)
def minutes_finalise_view(request, pk, obj):
    try:
        minutes_finalise(session=obj)
    except MinutesError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The minutes are finalised."))
    return _back(obj)


@require_POST
@permission_required("workshops.edit_minutes", get_object=_get_session)
def minutes_reopen_view(request, pk, obj):
    try:
        minutes_reopen(session=obj)
    except MinutesError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The minutes can be edited again."))
    return _back(obj)


@permission_required("workshops.edit_minutes", get_object=_get_session)
def minutes_photos(request, pk, obj):
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if obj.minutes_finalised_at:
            messages.error(
                request,
                _("The minutes are finalised. Re-open them first if they need to be changed."),
            )
            return redirect("workshops:minutes_photos", pk=obj.pk)
        if form.is_valid():
            try:
                photo_add(
                    session=obj,
                    photo=form.cleaned_data["image"],
                    caption=form.cleaned_data["caption"],
                    user=request.user,
                )
            except MinutesError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request, _("The photo was uploaded; it is being prepared for the minutes.")
                )
            return redirect("workshops:minutes_photos", pk=obj.pk)
    return render(
        request,
        "workshops/minutes/photos.html",
        {"session": obj, "form": form, "photos": photos_of(session=obj)},
    )


@permission_required("workshops.view_minutes", get_object=_get_session)
def minutes_photo_image(request, pk, photo_pk, obj):
    photo = _photo_of(obj, photo_pk)
    if photo.status != SessionPhoto.Status.READY or not photo.image:
        # The original is never served: it may carry a GPS position (EXIF).
        raise Http404
    response = download_response(
        photo.image, filename=f"foto-{photo.pk}.jpg", content_type="image/jpeg"
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@permission_required("workshops.edit_minutes", get_object=_get_session)
def minutes_photo_delete(request, pk, photo_pk, obj):
    photo = _photo_of(obj, photo_pk)
    try:
        photo_delete(session=obj, photo=photo)
    except MinutesError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The photo was deleted."))
    return redirect("workshops:minutes_photos", pk=obj.pk)


@require_POST
@permission_required("workshops.edit_minutes", get_object=_get_session)
def minutes_render_view(request, pk, obj):
    job, created = minutes_render_request(session=obj, user=request.user)
    if not created:
        messages.info(request, _("The PDF is already being created; this page shows its progress."))
    return redirect("workshops:minutes_render_detail", pk=job.pk)


def _can_retry(request, job: MinutesRender) -> bool:
    return job.status == MinutesRender.Status.FAILED and request.user.has_perm(
        "workshops.edit_minutes", job.session
    )


@permission_required("workshops.view_minutes", get_object=_get_render)
def minutes_render_detail(request, pk, obj):
    job = minutes_render_checked(obj)
    return render(
        request,
        "workshops/minutes/render.html",
        {"job": job, "session": job.session, "can_retry": _can_retry(request, job)},
    )


@never_cache
@permission_required("workshops.view_minutes", get_object=_get_render)
def minutes_render_status(request, pk, obj):
    """The progress partial the job page polls (htmx) every second.

    An unchanged state answers 204, which htmx does not swap: the live region around the
    partial then announces only real changes, not the same text every second."""
    job = minutes_render_checked(obj)
    if job.unchanged_for(request):
        return HttpResponse(status=204)
    return render(
        request,
        "workshops/minutes/_render_status.html",
        {"job": job, "can_retry": _can_retry(request, job)},
    )


@permission_required("workshops.view_minutes", get_object=_get_render)
def minutes_render_download(request, pk, obj):
    if obj.status != MinutesRender.Status.DONE or not obj.file:
        raise Http404
    session = obj.session
    local_start = timezone.localtime(session.starts_at)
    name = slugify(session.workshop.title)[:60] or "workshop"
    return download_response(
        obj.file,
        filename=f"protokoll-{name}-{local_start:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )

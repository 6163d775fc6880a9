"""Pages of the strategy document: the renders of each frozen version, requesting a PDF, its
progress (made by the worker, polled by the page) and the download."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from strategy.models import StrategyProcess
from strategy.permissions import permission_required
from strategy.selectors import process_current
from strategy.uploads import download_response

from .document_forms import DocumentRequestForm
from .documents import (
    DocumentError,
    document_checked,
    document_delete,
    document_download_name,
    document_downloaded,
    document_request,
    documents_by_version,
)
from .models import StrategyDocument


def _get_process(request, pk, **kwargs):
    return get_object_or_404(StrategyProcess, pk=pk)


def _get_document(request, pk, **kwargs):
    return get_object_or_404(
        StrategyDocument.objects.select_related("version__process", "requested_by").defer(
            "version__content"
        ),
        pk=pk,
    )


@permission_required("adoption.view_documents")
def document_list_current(request):
    """The documents of the current edition: where the navigation's "Strategy PDF" leads."""
    process = process_current()
    if process is None:
        raise Http404
    return redirect("adoption:document_list", pk=process.pk)


@permission_required("adoption.view_documents", get_object=_get_process)
def document_list(request, pk, obj):
    return render(
        request,
        "adoption/documents/list.html",
        {
            "process": obj,
            "versions": documents_by_version(process=obj),
            "can_render": request.user.has_perm("adoption.render_document", obj),
        },
    )


def _requested(request, job: StrategyDocument, created: bool):
    if not created:
        messages.info(
            request, _("This PDF is already being created; this page shows its progress.")
        )
    return redirect("adoption:document_detail", pk=job.pk)


@permission_required("adoption.render_document", get_object=_get_process)
def document_new(request, pk, obj):
    form = DocumentRequestForm(request.POST or None, process=obj, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job, created = document_request(
                version=form.cleaned_data["version"],
                purpose=form.cleaned_data["purpose"],
                user=request.user,
                request=request,
            )
        except DocumentError as error:
            form.add_error(None, str(error))
        else:
            return _requested(request, job, created)
    return render(
        request,
        "adoption/documents/new.html",
        {"process": obj, "form": form, "has_versions": form.fields["version"].queryset.exists()},
        status=400 if form.errors else 200,
    )


def _can_retry(request, job: StrategyDocument) -> bool:
    return job.is_failed and request.user.has_perm("adoption.render_document", job)


@permission_required("adoption.view_documents", get_object=_get_document)
def document_detail(request, pk, obj):
    job = document_checked(obj)
    return render(
        request,
        "adoption/documents/detail.html",
        {
            "job": job,
            "version": job.version,
            "process": job.version.process,
            "can_retry": _can_retry(request, job),
            "can_delete": request.user.has_perm("adoption.delete_document", job)
            and not job.is_active,
        },
    )


@never_cache
@permission_required("adoption.view_documents", get_object=_get_document)
def document_status(request, pk, obj):
    """The progress partial the job page polls (htmx) every second; an unchanged state answers
    204, which htmx does not swap, so the live region announces only real changes."""
    job = document_checked(obj)
    if job.unchanged_for(request):
        return HttpResponse(status=204)
    return render(
        request,
        "adoption/documents/_status.html",
        {"job": job, "can_retry": _can_retry(request, job)},
    )


@permission_required("adoption.view_documents", get_object=_get_document)
def document_download(request, pk, obj):
    if not obj.is_done or not obj.file:
        raise Http404
    document_downloaded(document=obj, user=request.user, request=request)
    return download_response(
        obj.file, filename=document_download_name(obj), content_type="application/pdf"
    )


@require_POST
@permission_required("adoption.render_document", get_object=_get_document)
def document_retry(request, pk, obj):
    try:
        job, created = document_request(
            version=obj.version, purpose=obj.purpose, user=request.user, request=request
        )
    except DocumentError as error:
        messages.error(request, str(error))
        return redirect("adoption:document_detail", pk=obj.pk)
    return _requested(request, job, created)


@require_POST
@permission_required("adoption.delete_document", get_object=_get_document)
def document_delete_view(request, pk, obj):
    process_pk = obj.version.process_id
    try:
        document_delete(document=obj, user=request.user, request=request)
    except DocumentError as error:
        messages.error(request, str(error))
        return redirect("adoption:document_detail", pk=obj.pk)
    messages.success(request, _("The PDF was deleted."))
    return redirect("adoption:document_list", pk=process_pk)

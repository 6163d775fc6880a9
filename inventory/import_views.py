"""Pages for importing the digital projects from a file and exporting them.

The upload is checked as far as costs nothing and handed to the worker, which reads it
(``import_jobs``); the browser polls the job page, then the preview shows what importing the
rows would do, and the confirmation imports them, all rows or none. The job's id is kept in
the session.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from strategy.audit import AuditAction, audit_record
from strategy.jobs import ERROR_NOT_QUEUED
from strategy.permissions import permission_required

from .exporting import projects_export_csv, projects_export_xlsx
from .filters import ProjectFilter
from .import_jobs import (
    ERROR_READ_FAILED,
    ERROR_READ_TIME_LIMIT,
    import_forget,
    import_job_of,
    import_request,
    import_rows,
)
from .importing import (
    MAX_ROWS,
    ImportFileError,
    import_apply,
    import_template_xlsx,
    upload_size_check,
    validate_rows,
)
from .models import Project, ProjectImport

SESSION_KEY = "inventory_import"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_FOUND = _("The uploaded file was not found. Please upload it again.")


class ImportUploadForm(forms.Form):
    """The file to import; its size is checked before it is read into memory, everything else
    by ``import_request`` (what costs nothing) and the worker."""

    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        help_text=_(
            "At most 5 MB and 5,000 rows. The first row holds the column headers of the template."
        ),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            upload_size_check(size=upload.size)
        except ImportFileError as error:
            raise forms.ValidationError(error.message) from error
        self.content = upload.read()
        return upload


class ConfirmForm(forms.Form):
    """No fields: carries the errors of a confirmation that failed."""


def _session_job(request, *, with_rows=False) -> ProjectImport | None:
    kept = request.session.get(SESSION_KEY)
    job_id = kept.get("job") if isinstance(kept, dict) else None
    if not isinstance(job_id, int):
        return None
    return import_job_of(user=request.user, job_id=job_id, with_rows=with_rows)


def _forget(request, job: ProjectImport | None) -> None:
    if job is not None:
        import_forget(job=job)
    request.session.pop(SESSION_KEY, None)


def _upload_page(request, form, status=200):
    return render(request, "inventory/import_upload.html", {"form": form}, status=status)


def _upload_page_with_error(request, message: str):
    """The upload form showing ``message`` at its file field (the file was refused)."""
    form = ImportUploadForm(data={}, files={})
    form.full_clean()
    form.errors["file"] = form.error_class([message])
    return _upload_page(request, form)


def _failure(job: ProjectImport) -> str:
    """Why a job failed, for the page: the worker's own messages, or (the job was given up by
    the job layer, e.g. its worker was lost) that reading did not finish."""
    if job.error in (ERROR_READ_FAILED, ERROR_READ_TIME_LIMIT, ERROR_NOT_QUEUED):
        return gettext(job.error)
    return gettext(ERROR_READ_FAILED)


@permission_required("inventory.import_projects")
def import_template(request):
    response = HttpResponse(import_template_xlsx(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="vorlage-digitale-projekte.xlsx"'
    return response


@permission_required("inventory.import_projects")
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_request(
                user=request.user,
                name=form.cleaned_data["file"].name,
                data=form.content,
                language=request.LANGUAGE_CODE,
            )
        except ImportFileError as error:
            form.add_error("file", error.message)
        else:
            request.session[SESSION_KEY] = {"job": job.pk}
            return redirect("inventory:import_job", pk=job.pk)
    return _upload_page(request, form)


def _own_job(request, pk: int) -> ProjectImport:
    """The import ``pk`` of the person asking; 404 for anybody else's."""
    job = import_job_of(user=request.user, job_id=pk)
    if job is None:
        raise Http404
    return job


@permission_required("inventory.import_projects")
def import_job(request, pk):
    """The file being read: progress while the worker reads it, then the preview (or the upload
    form with the reason the file was refused)."""
    job = _own_job(request, pk)
    if job.is_done:
        if job.problem:
            return _upload_page_with_error(request, job.problem)
        request.session[SESSION_KEY] = {"job": job.pk}
        return redirect("inventory:import_preview")
    return render(
        request,
        "inventory/import_progress.html",
        {"job": job, "failure": _failure(job) if job.is_failed else ""},
    )


@never_cache
@permission_required("inventory.import_projects")
def import_job_status(request, pk):
    """The progress partial the job page polls (htmx) every second: 204 while nothing changed;
    once the file is read, htmx is sent on to the job page, which leads on."""
    job = _own_job(request, pk)
    if job.unchanged_for(request):
        return HttpResponse(status=204)
    response = render(
        request,
        "inventory/_import_status.html",
        {"job": job, "failure": _failure(job) if job.is_failed else ""},
    )
    if job.is_done:
        response["HX-Redirect"] = reverse("inventory:import_job", args=[job.pk])
    return response


def _preview_page(request, job, preview, confirm_form=None):
    context = {
        "preview": preview,
        "file_name": job.file_name,
        "confirm_form": confirm_form or ConfirmForm(),
        "max_rows": MAX_ROWS,
    }
    return render(request, "inventory/import_preview.html", context)


def _read_job(request) -> ProjectImport | None:
    """The session's import if its rows are ready."""
    job = _session_job(request, with_rows=True)
    return job if job is not None and job.is_done and not job.problem else None


@permission_required("inventory.import_projects")
def import_preview(request):
    job = _read_job(request)
    if job is None:
        messages.error(request, NOT_FOUND)
        return redirect("inventory:import_upload")
    preview = validate_rows(rows=import_rows(job=job), user=request.user)
    return _preview_page(request, job, preview)


@require_POST
@permission_required("inventory.import_projects")
def import_confirm(request):
    job = _read_job(request)
    if job is None:
        _forget(request, _session_job(request))
        return _upload_page_with_error(request, str(NOT_FOUND))
    preview = validate_rows(rows=import_rows(job=job), user=request.user)
    if not preview.is_valid:
        return _preview_page(request, job, preview)
    try:
        result = import_apply(preview=preview, user=request.user)
    except ImportFileError as error:
        confirm_form = ConfirmForm(data={})
        confirm_form.add_error(None, error.message)
        return _preview_page(request, job, preview, confirm_form)
    _forget(request, job)
    messages.success(
        request,
        gettext("Import finished: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    return redirect("inventory:project_list")


def _filtered_projects(request):
    """The projects of the list as it is filtered and sorted (same URL parameters)."""
    project_filter = ProjectFilter(request.GET, queryset=Project.objects.all())
    if not project_filter.is_valid():
        raise BadRequest
    return project_filter.qs


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _audit_export(request, kind: str) -> None:
    audit_record(
        action=AuditAction.EXPORT,
        request=request,
        summary=f"{kind}: {request.GET.urlencode()}"[:500],
    )


@permission_required("inventory.view_inventory")
def export_xlsx(request):
    content = projects_export_xlsx(projects=_filtered_projects(request))
    _audit_export(request, "xlsx")
    return _attachment(content, XLSX_TYPE, "bestandsaufnahme.xlsx")


@permission_required("inventory.view_inventory")
def export_csv(request):
    content = projects_export_csv(projects=_filtered_projects(request))
    _audit_export(request, "csv")
    return _attachment(content, "text/csv; charset=utf-8", "bestandsaufnahme.csv")

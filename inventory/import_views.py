"""Pages for importing the digital projects from a file and exporting them.

The upload is checked as a file, kept under ``MEDIA_ROOT/imports/`` (its token in the session),
shown as a preview, and imported on confirmation, all rows or none.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from strategy.audit import AuditAction, audit_record
from strategy.permissions import permission_required

from .exporting import projects_export_csv, projects_export_xlsx
from .filters import ProjectFilter
from .importing import (
    MAX_ROWS,
    ImportFileError,
    import_apply,
    import_template_xlsx,
    parse_upload,
    upload_discard,
    upload_prune,
    upload_read,
    upload_size_check,
    upload_store,
    validate_rows,
)
from .models import Project

SESSION_KEY = "inventory_import"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadForm(forms.Form):
    """The file to import; it is read and checked as a whole when the form is validated."""

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
            self.content = upload.read()
            parse_upload(name=upload.name, data=self.content)
        except ImportFileError as error:
            raise forms.ValidationError(error.message) from error
        return upload


class ConfirmForm(forms.Form):
    """No fields: carries the errors of a confirmation that failed."""


def _kept_upload(request) -> dict | None:
    kept = request.session.get(SESSION_KEY)
    return kept if isinstance(kept, dict) and kept.get("token") else None


def _forget_upload(request) -> None:
    kept = _kept_upload(request)
    if kept:
        upload_discard(token=kept["token"])
    request.session.pop(SESSION_KEY, None)


def _upload_page(request, form, status=200):
    return render(request, "inventory/import_upload.html", {"form": form}, status=status)


def _upload_page_with_error(request, message: str):
    """The upload form showing ``message`` at its file field (the kept file was unusable)."""
    form = ImportUploadForm(data={}, files={})
    form.full_clean()
    form.errors["file"] = form.error_class([message])
    return _upload_page(request, form)


def _read_kept_rows(request):
    """The rows of the kept upload; ``ImportFileError`` if there is none or it cannot be read."""
    kept = _kept_upload(request)
    if kept is None:
        raise ImportFileError(gettext("The uploaded file was not found. Please upload it again."))
    data = upload_read(token=kept["token"])
    return kept, parse_upload(name=kept.get("name", ""), data=data)


@permission_required("inventory.import_projects")
def import_template(request):
    response = HttpResponse(import_template_xlsx(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="vorlage-digitale-projekte.xlsx"'
    return response


@permission_required("inventory.import_projects")
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        _forget_upload(request)
        upload_prune()
        token = upload_store(data=form.content)
        request.session[SESSION_KEY] = {"token": token, "name": form.cleaned_data["file"].name}
        return redirect("inventory:import_preview")
    return _upload_page(request, form)


def _preview_page(request, kept, preview, confirm_form=None):
    context = {
        "preview": preview,
        "file_name": kept.get("name", ""),
        "confirm_form": confirm_form or ConfirmForm(),
        "max_rows": MAX_ROWS,
    }
    return render(request, "inventory/import_preview.html", context)


@permission_required("inventory.import_projects")
def import_preview(request):
    if _kept_upload(request) is None:
        messages.error(request, gettext("The uploaded file was not found. Please upload it again."))
        return redirect("inventory:import_upload")
    try:
        kept, rows = _read_kept_rows(request)
    except ImportFileError as error:
        _forget_upload(request)
        return _upload_page_with_error(request, error.message)
    preview = validate_rows(rows=rows, user=request.user)
    return _preview_page(request, kept, preview)


@require_POST
@permission_required("inventory.import_projects")
def import_confirm(request):
    try:
        kept, rows = _read_kept_rows(request)
    except ImportFileError as error:
        _forget_upload(request)
        return _upload_page_with_error(request, error.message)
    preview = validate_rows(rows=rows, user=request.user)
    if not preview.is_valid:
        return _preview_page(request, kept, preview)
    try:
        result = import_apply(preview=preview, user=request.user)
    except ImportFileError as error:
        confirm_form = ConfirmForm(data={})
        confirm_form.add_error(None, error.message)
        return _preview_page(request, kept, preview, confirm_form)
    _forget_upload(request)
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

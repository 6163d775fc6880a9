"""Addresses of the import and export pages; included into the ``inventory`` namespace."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("import/vorlage.xlsx", import_views.import_template, name="import_template"),
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/pruefung/<int:pk>/", import_views.import_job, name="import_job"),
    path(
        "import/pruefung/<int:pk>/status/",
        import_views.import_job_status,
        name="import_job_status",
    ),
    path("import/vorschau/", import_views.import_preview, name="import_preview"),
    path("import/bestaetigen/", import_views.import_confirm, name="import_confirm"),
    path("export.xlsx", import_views.export_xlsx, name="export_xlsx"),
    path("export.csv", import_views.export_csv, name="export_csv"),
]

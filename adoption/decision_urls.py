"""Addresses of the adoption decisions, the OParl interface and the public page; included
into the ``adoption`` namespace (mounted at /beschluss/)."""

from django.urls import path

from . import decision_views as views
from . import oparl_views, public_views

urlpatterns = [
    path("gremien/", views.decision_overview, name="decision_overview"),
    path("gremien/anlegen/", views.councils_create, name="councils_create"),
    path("buergermeisterkonferenz/", views.conference_edit, name="conference_edit"),
    path("gremien/<int:pk>/", views.council_detail, name="council_detail"),
    path("gremien/<int:pk>/beschluss/", views.council_decide, name="council_decide"),
    path("gremien/<int:pk>/beratungsfolge/", views.council_steps, name="council_steps"),
    path(
        "gremien/<int:pk>/beschluss/datei/",
        views.council_resolution_file,
        name="council_resolution_file",
    ),
    path("gremien/<int:pk>/vorlage/", views.council_paper_edit, name="council_paper_edit"),
    path(
        "gremien/<int:pk>/vorlage/neu/",
        views.council_paper_reset_view,
        name="council_paper_reset",
    ),
    path(
        "gremien/<int:pk>/vorlage/docx/", views.council_paper_docx_view, name="council_paper_docx"
    ),
    path(
        "gremien/<int:pk>/vorlage/pdf/",
        views.council_paper_render_view,
        name="council_paper_render",
    ),
    path("vorlagen/<int:pk>/", views.paper_render_detail, name="paper_render_detail"),
    path("vorlagen/<int:pk>/status/", views.paper_render_status, name="paper_render_status"),
    path("vorlagen/<int:pk>/download/", views.paper_render_download, name="paper_render_download"),
    path("veroeffentlichen/", views.publish, name="publish"),
    path("veroeffentlichen/zuruecknehmen/", views.unpublish, name="unpublish"),
    # Public, without login: the adopted strategy once it is published.
    path("oeffentlich/", public_views.public_strategy, name="public_strategy"),
    path("oeffentlich/strategie.pdf", public_views.public_pdf, name="public_pdf"),
    # OParl 1.1, read-only, without login.
    path("oparl/v1/", oparl_views.system, name="oparl_system"),
    path("oparl/v1/bodies/", oparl_views.body_list, name="oparl_body_list"),
    path("oparl/v1/body/<int:pk>/", oparl_views.body, name="oparl_body"),
    path(
        "oparl/v1/body/<int:pk>/<slug:kind>/", oparl_views.body_objects, name="oparl_body_objects"
    ),
    path("oparl/v1/organization/<slug:key>/", oparl_views.organization, name="oparl_organization"),
    path("oparl/v1/meeting/<slug:key>/", oparl_views.meeting, name="oparl_meeting"),
    path("oparl/v1/agendaitem/<slug:key>/", oparl_views.agenda_item, name="oparl_agenda_item"),
    path("oparl/v1/paper/<int:pk>/", oparl_views.paper, name="oparl_paper"),
    path("oparl/v1/consultation/<slug:key>/", oparl_views.consultation, name="oparl_consultation"),
    path("oparl/v1/file/<slug:key>/", oparl_views.file, name="oparl_file"),
    path(
        "oparl/v1/file/<slug:key>/download/", oparl_views.file_download, name="oparl_file_download"
    ),
]

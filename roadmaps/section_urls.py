"""Addresses of the section pages; included into the ``roadmaps`` namespace."""

from django.urls import path

from . import section_views as views

urlpatterns = [
    path("texte/", views.section_overview, name="section_overview"),
    path("texte/neu/", views.section_new, name="section_new"),
    path("texte/<int:pk>/", views.section_detail, name="section_detail"),
    path("texte/<int:pk>/bearbeiten/", views.section_edit, name="section_edit"),
    path("texte/<int:pk>/status/", views.section_status, name="section_status"),
    path("texte/<int:pk>/kommentieren/", views.section_comment, name="section_comment"),
    path("texte/<int:pk>/verschieben/", views.section_move_view, name="section_move"),
    path(
        "texte/<int:pk>/aussage-uebernehmen/",
        views.section_statement_append_view,
        name="section_statement_append",
    ),
    path("texte/<int:pk>/versionen/", views.section_history, name="section_history"),
    path("texte/<int:pk>/vergleich/", views.section_compare, name="section_compare"),
    path("entwurf/", views.strategy_draft, name="strategy_draft"),
    path("fassungen/", views.version_list, name="version_list"),
    path("fassungen/einfrieren/", views.version_freeze, name="version_freeze"),
    path("fassungen/<int:pk>/", views.version_detail, name="version_detail"),
]

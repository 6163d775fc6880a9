from django.urls import path

from . import views, views_trust

app_name = "strategy"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("prozess/", views.process_list, name="process_list"),
    path("prozess/neu/", views.process_new, name="process_new"),
    path("prozess/<int:pk>/", views.process_detail, name="process_detail"),
    path("prozess/<int:pk>/weiter/", views.process_advance_view, name="process_advance"),
    path("prozess/<int:pk>/zurueck/", views.process_back_view, name="process_back"),
    path(
        "prozess/<int:pk>/schritte/<int:step_pk>/termine/",
        views.step_schedule_view,
        name="step_schedule",
    ),
    path(
        "prozess/<int:pk>/phasen/<int:phase_pk>/termine/",
        views.phase_schedule_view,
        name="phase_schedule",
    ),
    path("kommunen/", views.municipality_list, name="municipality_list"),
    path("handlungsfelder/", views.themefield_list, name="themefield_list"),
    path("handlungsfelder/neu/", views.themefield_edit, name="themefield_new"),
    path("handlungsfelder/<int:pk>/bearbeiten/", views.themefield_edit, name="themefield_edit"),
    path("akteursgruppen/", views.actorgroup_list, name="actorgroup_list"),
    path("akteursgruppen/neu/", views.actorgroup_edit, name="actorgroup_new"),
    path("akteursgruppen/<int:pk>/bearbeiten/", views.actorgroup_edit, name="actorgroup_edit"),
    path("pruefprotokoll/", views_trust.audit_log, name="audit_log"),
    path("seiten/<slug:slug>/", views_trust.content_page, name="content_page"),
    path("seiten/<slug:slug>/bearbeiten/", views_trust.content_page_edit, name="content_page_edit"),
    path("meine-daten/", views_trust.my_data, name="my_data"),
    path("personen/<int:pk>/daten/", views_trust.person_data_export, name="person_data_export"),
    path("personen/<int:pk>/loeschen/", views_trust.person_data_erase, name="person_data_erase"),
]

from django.urls import path

from . import views

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
]

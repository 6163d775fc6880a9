"""Addresses of the field pages; included into the ``roadmaps`` namespace."""

from django.urls import path

from . import field_views as views

urlpatterns = [
    path("handlungsfelder/", views.field_list, name="field_list"),
    path("handlungsfelder/prioritaeten/", views.field_priorities, name="field_priorities"),
    path(
        "handlungsfelder/prioritaeten/aus-punktabfrage/",
        views.field_priorities_vote,
        name="field_priorities_vote",
    ),
    path("handlungsfelder/<int:pk>/", views.field_detail, name="field_detail"),
    path("handlungsfelder/<int:pk>/leitbild/", views.field_vision, name="field_vision"),
    path("handlungsfelder/<int:pk>/ziele/neu/", views.goal_new, name="goal_new"),
    path("ziele/<int:pk>/bearbeiten/", views.goal_edit, name="goal_edit"),
    path("ziele/<int:pk>/loeschen/", views.goal_delete_view, name="goal_delete"),
    path("ziele/<int:pk>/zielwerte/neu/", views.target_new, name="target_new"),
    path("zielwerte/<int:pk>/bearbeiten/", views.target_edit, name="target_edit"),
    path("zielwerte/<int:pk>/loeschen/", views.target_delete, name="target_delete"),
    path("zielwerte/<int:pk>/messwerte/neu/", views.measurement_new, name="measurement_new"),
    path("messwerte/<int:pk>/loeschen/", views.measurement_delete_view, name="measurement_delete"),
]

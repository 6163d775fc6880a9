"""Addresses of the measure pages; included into the ``roadmaps`` namespace."""

from django.urls import path

from . import measure_views as views

urlpatterns = [
    path("massnahmen/", views.measure_list, name="measure_list"),
    path("massnahmen/neu/", views.measure_new, name="measure_new"),
    path("massnahmen/<int:pk>/", views.measure_detail_view, name="measure_detail"),
    path("massnahmen/<int:pk>/bearbeiten/", views.measure_edit, name="measure_edit"),
    path("massnahmen/<int:pk>/loeschen/", views.measure_delete_view, name="measure_delete"),
    path("roadmap/", views.roadmap, name="roadmap"),
    path("foerderung/", views.funding, name="funding_overview"),
]

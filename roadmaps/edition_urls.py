"""Addresses of the update (Fortschreibung) pages; included into the ``roadmaps`` namespace."""

from django.urls import path

from . import edition_views as views

urlpatterns = [
    path("fortschreibung/<int:pk>/beginnen/", views.edition_start_view, name="edition_start"),
    path("fortschreibung/vergleich/", views.edition_compare_view, name="edition_compare"),
]

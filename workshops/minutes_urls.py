"""Addresses of the workshop minutes pages; included into the ``workshops`` namespace."""

from django.urls import path

from . import minutes_views as views

urlpatterns = [
    path("sitzungen/<int:pk>/protokoll/", views.minutes_detail, name="minutes_detail"),
    path("sitzungen/<int:pk>/protokoll/bearbeiten/", views.minutes_edit, name="minutes_edit"),
    path(
        "sitzungen/<int:pk>/protokoll/abschliessen/",
        views.minutes_finalise_view,
        name="minutes_finalise",
    ),
    path(
        "sitzungen/<int:pk>/protokoll/wieder-oeffnen/",
        views.minutes_reopen_view,
        name="minutes_reopen",
    ),
    path("sitzungen/<int:pk>/protokoll/fotos/", views.minutes_photos, name="minutes_photos"),
    path(
        "sitzungen/<int:pk>/protokoll/fotos/<int:photo_pk>/",
        views.minutes_photo_image,
        name="minutes_photo_image",
    ),
    path(
        "sitzungen/<int:pk>/protokoll/fotos/<int:photo_pk>/loeschen/",
        views.minutes_photo_delete,
        name="minutes_photo_delete",
    ),
    path("sitzungen/<int:pk>/protokoll/pdf/", views.minutes_render_view, name="minutes_render"),
    path("protokolle/<int:pk>/", views.minutes_render_detail, name="minutes_render_detail"),
    path("protokolle/<int:pk>/status/", views.minutes_render_status, name="minutes_render_status"),
    path(
        "protokolle/<int:pk>/download/",
        views.minutes_render_download,
        name="minutes_render_download",
    ),
]

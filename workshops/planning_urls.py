"""Addresses of the workshop planning pages; included into the ``workshops`` namespace."""

from django.urls import path

from . import planning_views as views

urlpatterns = [
    path("", views.workshop_list_view, name="workshop_list"),
    path("neu/", views.workshop_new, name="workshop_new"),
    path("<int:pk>/", views.workshop_detail_view, name="workshop_detail"),
    path("<int:pk>/bearbeiten/", views.workshop_edit, name="workshop_edit"),
    path("<int:pk>/absagen/", views.workshop_cancel_view, name="workshop_cancel"),
    path("<int:pk>/sitzungen/neu/", views.session_new, name="session_new"),
    path("sitzungen/<int:pk>/bearbeiten/", views.session_edit, name="session_edit"),
    path("sitzungen/<int:pk>/loeschen/", views.session_delete_view, name="session_delete"),
    path("sitzungen/<int:pk>/tagesordnung/neu/", views.agenda_item_new, name="agenda_item_new"),
    path("tagesordnung/<int:pk>/bearbeiten/", views.agenda_item_edit, name="agenda_item_edit"),
    path(
        "tagesordnung/<int:pk>/loeschen/", views.agenda_item_delete_view, name="agenda_item_delete"
    ),
    path(
        "tagesordnung/<int:pk>/verschieben/", views.agenda_item_move_view, name="agenda_item_move"
    ),
    path("sitzungen/<int:pk>/anwesenheit/", views.attendance_view, name="attendance"),
    path("<int:pk>/einladungen/", views.invitations_view, name="invitations"),
    path("<int:pk>/einladungen/senden/", views.invitations_send_view, name="invitations_send"),
    path("einladungen/<int:pk>/entfernen/", views.invitee_remove_view, name="invitee_remove"),
    path("antwort/<token:token>/", views.rsvp_view, name="rsvp"),
]

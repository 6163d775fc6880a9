"""Addresses of the workshop live pages; included into the ``workshops`` namespace.

``<pk>`` is always the workshop session: the facilitator's permission and a guest's scope are
checked against it, and every object below it is looked up within that session."""

from django.urls import path

from . import live_views as views

LIVE = "sitzungen/<int:pk>/live/"
FACILITATE = LIVE + "moderation/"
ACTIVITY = FACILITATE + "aktivitaeten/<int:activity_pk>/"

urlpatterns = [
    path("teilnehmen/", views.join, name="live_join"),
    # Participants (accounts and the session's guests).
    path(LIVE, views.participate, name="live_participate"),
    path(LIVE + "stand/", views.participant_panel, name="live_participant_panel"),
    path(LIVE + "karten/", views.card_post, name="live_card_post"),
    path(LIVE + "punkte/", views.dot_vote, name="live_dot"),
    path(LIVE + "bewertungen/", views.rating, name="live_rating"),
    # Projector.
    path(LIVE + "beamer/", views.projector, name="live_projector"),
    path(LIVE + "beamer/stand/", views.projector_panel, name="live_projector_panel"),
    # Facilitator.
    path(FACILITATE, views.facilitate, name="live_facilitate"),
    path(FACILITATE + "stand/", views.facilitator_status, name="live_facilitator_status"),
    path(FACILITATE + "pinnwand/", views.facilitator_board, name="live_facilitator_board"),
    path(FACILITATE + "aktivitaeten/", views.activity_add, name="live_activity_add"),
    path(ACTIVITY + "starten/", views.activity_start, name="live_activity_start"),
    path(ACTIVITY + "timer/", views.activity_timer, name="live_activity_timer"),
    path(ACTIVITY + "sperren/", views.activity_lock, name="live_activity_lock"),
    path(ACTIVITY + "entsperren/", views.activity_unlock, name="live_activity_unlock"),
    path(ACTIVITY + "beenden/", views.activity_close, name="live_activity_close"),
    path(ACTIVITY + "ergebnisse/", views.activity_reveal, name="live_activity_reveal"),
    path(ACTIVITY + "uebernehmen/", views.activity_promote, name="live_activity_promote"),
    path(FACILITATE + "cluster/", views.cluster_add, name="live_cluster_add"),
    path(
        FACILITATE + "cluster/<int:cluster_pk>/umbenennen/",
        views.cluster_rename,
        name="live_cluster_rename",
    ),
    path(
        FACILITATE + "karten/<int:card_pk>/verschieben/",
        views.card_move,
        name="live_card_move",
    ),
    path(FACILITATE + "karten/<int:card_pk>/text/", views.card_edit, name="live_card_edit"),
    path(FACILITATE + "karten/zusammenfuehren/", views.card_merge, name="live_card_merge"),
]

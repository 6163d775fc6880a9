"""Addresses of the strategy document pages; included into the ``adoption`` namespace."""

from django.urls import path

from . import document_views as views

urlpatterns = [
    path("dokumente/", views.document_list_current, name="document_list_current"),
    path("prozesse/<int:pk>/dokumente/", views.document_list, name="document_list"),
    path("prozesse/<int:pk>/dokumente/neu/", views.document_new, name="document_new"),
    path("dokumente/<int:pk>/", views.document_detail, name="document_detail"),
    path("dokumente/<int:pk>/status/", views.document_status, name="document_status"),
    path("dokumente/<int:pk>/download/", views.document_download, name="document_download"),
    path("dokumente/<int:pk>/erneut/", views.document_retry, name="document_retry"),
    path("dokumente/<int:pk>/loeschen/", views.document_delete_view, name="document_delete"),
]

"""Addresses of the measure pages; included into the ``roadmaps`` namespace."""

urlpatterns = []

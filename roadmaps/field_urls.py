"""Addresses of the field pages; included into the ``roadmaps`` namespace."""

urlpatterns = []

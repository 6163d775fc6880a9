"""Addresses of the section pages; included into the ``roadmaps`` namespace."""

urlpatterns = []

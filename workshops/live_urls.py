"""Addresses of the workshop live pages; included into the ``workshops`` namespace."""

urlpatterns = []

"""Addresses of the workshop minutes pages; included into the ``workshops`` namespace."""

urlpatterns = []

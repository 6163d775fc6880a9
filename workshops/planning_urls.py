"""Addresses of the workshop planning pages; included into the ``workshops`` namespace."""

urlpatterns = []

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and benchmark data across all apps; it sits on top of the dependency graph."""

    name = "demo"
    verbose_name = "Demo"

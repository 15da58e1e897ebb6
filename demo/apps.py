from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data generator (``manage.py seed_demo``)."""

    name = "demo"
    verbose_name = "Demo data"

from django.core.management.base import BaseCommand

from strategy.services import reference_data_load


class Command(BaseCommand):
    help = "Load the Kreis Coesfeld reference data (municipalities, fields, programmes)."

    def handle(self, *args, **options):
        counts = reference_data_load()
        self.stdout.write(
            "Referenzdaten geladen: "
            + ", ".join(f"{name}={count}" for name, count in counts.items())
        )

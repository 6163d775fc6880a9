from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from strategy.backup import export_all


class Command(BaseCommand):
    help = "Write every record and uploaded file of the portal into one archive (zip)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Archive file (default: portal-<date>.zip)")

    def handle(self, *args, **options):
        output = Path(options["output"] or f"portal-{timezone.now():%Y%m%d-%H%M%S}.zip")
        manifest = export_all(output=output)
        records = sum(manifest["models"].values())
        self.stdout.write(
            f"Archiv {output}: {records} Datensätze, {len(manifest['files'])} Dateien."
        )

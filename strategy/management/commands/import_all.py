from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from strategy.backup import BackupError, import_all


class Command(BaseCommand):
    help = "Restore an archive of export_all into an empty database (after `migrate`)."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Archive written by export_all")

    def handle(self, *args, **options):
        try:
            manifest = import_all(archive_path=Path(options["archive"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        records = sum(manifest["models"].values())
        self.stdout.write(
            f"Wiederhergestellt: {records} Datensätze, {len(manifest['files'])} Dateien."
        )

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from adoption.demo_decisions import demo_decisions_create
from adoption.demo_documents import demo_version_freeze
from inventory.demo import demo_inventory_create, large_inventory_create
from roadmaps.demo import measures_large_create
from strategy.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_accounts_create, demo_process_create
from strategy.services import reference_data_load
from workshops.demo import demo_workshops_create


class Command(BaseCommand):
    help = "Create the demo accounts (one per role), a running demo edition and demo content."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Also run when DEBUG is off (never in production)."
        )
        parser.add_argument(
            "--scale",
            choices=["small", "large"],
            default="small",
            help="'large' adds a large synthetic data set for benchmarks.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo creates accounts with a known password; DEBUG is off.")
        reference_data_load()
        demo_accounts_create()
        process = demo_process_create()
        projects = demo_inventory_create()
        demo_workshops_create(process=process)
        self.stdout.write(f"Demo-Bestandsaufnahme: {projects} Projekte.")
        if options["scale"] == "large":
            started = time.monotonic()
            created = large_inventory_create()
            self.stdout.write(
                f"Große Bestandsaufnahme: {created} Projekte ergänzt "
                f"({time.monotonic() - started:.1f} s)."
            )
            missing = 300 - process.measures.count()
            if missing > 0:
                measures = measures_large_create(process, count=missing, goals=100)
                self.stdout.write(f"Große Erarbeitung: {measures} Maßnahmen ergänzt.")
        # The demo version is frozen after all content exists; the councils deliberate it.
        demo_version_freeze(process=process)
        demo_decisions_create(process=process)
        self.stdout.write(f"Demo-Zugänge (Passwort für alle: {DEMO_PASSWORD}):")
        with translation.override("de"):
            for username, first, last, role, municipality, _superuser in DEMO_ACCOUNTS:
                where = f", {municipality}" if municipality else ""
                self.stdout.write(f"  {username:<15} {first} {last}: {role.label}{where}")

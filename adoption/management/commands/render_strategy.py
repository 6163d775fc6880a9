"""``manage.py render_strategy --version N [--process ID] [--purpose draft] --output x.pdf``:
render a frozen strategy version through the same code as the worker, without storing a
job (for checks, benchmarks and emergencies)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from adoption.documents import strategy_pdf
from adoption.models import StrategyDocument
from roadmaps.models import StrategyVersion
from strategy.selectors import process_current


class Command(BaseCommand):
    help = "Render a frozen strategy version as PDF (the same code path as the worker)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # ``--version`` names the strategy version here, not Django's version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--version", dest="number", type=int, required=True)
        parser.add_argument("--process", type=int, help="Process id (default: the current one).")
        parser.add_argument(
            "--purpose",
            choices=StrategyDocument.Purpose.values,
            default=StrategyDocument.Purpose.DRAFT,
        )
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, number, process, purpose, output, **options):
        process_id = process or getattr(process_current(), "pk", None)
        if process_id is None:
            raise CommandError(
                "Es gibt keinen laufenden Strategieprozess; bitte --process angeben."
            )
        try:
            version = StrategyVersion.objects.get(process_id=process_id, number=number)
        except StrategyVersion.DoesNotExist:
            raise CommandError(
                f"Prozess {process_id} hat keine eingefrorene Fassung Nr. {number}."
            ) from None
        started = time.monotonic()
        pdf, pages = strategy_pdf(version=version, purpose=purpose)
        seconds = time.monotonic() - started
        output.write_bytes(pdf)
        self.stdout.write(
            f"{output}: {pages} Seiten, {len(pdf)} Bytes, {seconds:.1f} s ({version.label})"
        )

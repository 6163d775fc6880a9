"""Demo content: one account per role and a running edition of the strategy."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User

from .models import Municipality, Step, StrategyProcess
from .services import process_advance, process_create

DEMO_PASSWORD = "Coesfeld-Demo-2026"

# (username, first name, last name, role, municipality name or None, is_staff/superuser)
DEMO_ACCOUNTS = [
    ("kreis", "Katrin", "Kreisler", Role.DISTRICT_STAFF, "Kreis Coesfeld", False),
    ("beratung", "Bernd", "Berater", Role.CONSULTANT, None, False),
    ("duelmen", "Dana", "Dülmener", Role.MUNICIPAL_REP, "Dülmen", False),
    ("nottuln", "Nils", "Nottulner", Role.MUNICIPAL_REP, "Nottuln", False),
    ("arbeitsgruppe", "Anna", "Arbeitsgruppe", Role.WORKING_GROUP, None, False),
    ("ratsmitglied", "Rolf", "Rat", Role.COUNCILLOR, "Coesfeld", False),
    ("admin", "Ada", "Admin", Role.ADMIN, None, True),
]


@transaction.atomic
def demo_accounts_create() -> list[User]:
    """Create (or reset) the demo accounts, one per role. Idempotent."""
    users = []
    municipalities = {m.name: m for m in Municipality.objects.all()}
    for username, first, last, role, municipality, superuser in DEMO_ACCOUNTS:
        user, _created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name, user.role = first, last, role
        user.email = f"{username}@demo.kreis-coesfeld.invalid"
        user.municipality = municipalities.get(municipality) if municipality else None
        user.is_staff = user.is_superuser = superuser
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        users.append(user)
    return users


@transaction.atomic
def demo_process_create(*, today: date | None = None) -> StrategyProcess:
    """A running edition standing at the inventory step, with dates around ``today``."""
    existing = StrategyProcess.objects.filter(title="Digitalstrategie Kreis Coesfeld").first()
    if existing:
        return existing
    today = today or timezone.localdate()
    process = process_create(
        title="Digitalstrategie Kreis Coesfeld",
        year=today.year + 1,
        description=(
            "Kreisweite Digitalisierungsstrategie „Smart Region“ des Kreises Coesfeld und "
            "seiner elf Städte und Gemeinden."
        ),
    )
    staff = User.objects.filter(role=Role.DISTRICT_STAFF).first()
    # Planned dates: each step about six weeks, starting eight weeks ago.
    start = today - timedelta(weeks=8)
    steps = Step.objects.filter(phase__process=process).select_related("phase")
    for index, step in enumerate(steps.order_by("phase__position", "position")):
        step.planned_start = start + timedelta(weeks=6 * index)
        step.planned_end = step.planned_start + timedelta(weeks=6) - timedelta(days=1)
        step.save(update_fields=["planned_start", "planned_end"])
    for phase in process.phases.prefetch_related("steps"):
        dates = [s.planned_start for s in phase.steps.all()] + [
            s.planned_end for s in phase.steps.all()
        ]
        phase.planned_start, phase.planned_end = min(dates), max(dates)
        phase.save(update_fields=["planned_start", "planned_end"])
    process_advance(process=process, by=staff, note="Auftakt im Kreishaus Coesfeld.")
    process_advance(
        process=process,
        by=staff,
        note="Auftaktworkshop mit Kreis, Kreispolitik und allen elf Kommunen durchgeführt.",
    )
    return process

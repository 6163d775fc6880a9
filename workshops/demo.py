"""Demo workshops: the kick-off that was held and the values-and-vision workshop ahead."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from strategy.models import Step, StrategyProcess

from .models import AgendaItem, Workshop, WorkshopInvitation, WorkshopSession

AGENDAS = {
    "kickoff": [
        ("Begrüßung durch den Landrat", 15),
        ("Ziele und Ablauf der Digitalisierungsstrategie", 30),
        ("Bestehende Strategien und Projekte der Kommunen", 60),
        ("Ideensammlung: Wo hilft Digitalisierung im Kreis?", 45),
        ("Nächste Schritte", 15),
    ],
    "vision": [
        ("Rückblick auf die Bestandsaufnahme", 20),
        ("Werte der Smart Region Kreis Coesfeld", 60),
        ("Leitbild: Entwurf und Diskussion", 60),
        ("Punktabfrage: Prioritäten der Handlungsfelder", 30),
    ],
}


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@transaction.atomic
def demo_workshops_create(*, process: StrategyProcess) -> int:
    """Create the demo workshops of ``process`` once (idempotent by title)."""
    if Workshop.objects.filter(process=process).exists():
        return 0
    steps = {s.short_title: s for s in Step.objects.filter(phase__process=process)}
    staff = User.objects.filter(role=Role.DISTRICT_STAFF).first()
    consultant = User.objects.filter(role=Role.CONSULTANT).first()
    today = timezone.localdate()
    plans = [
        (
            "kickoff",
            "Auftaktworkshop Smart Region Kreis Coesfeld",
            "Auftaktworkshop(s)",
            "Kreishaus Coesfeld, Sitzungssaal",
            [today - timedelta(weeks=6)],
            Workshop.Status.HELD,
        ),
        (
            "vision",
            "Werte und Leitbild der Smart Region",
            "Werte und Leitbild",
            "Online (Videokonferenz des Kreises)",
            [today + timedelta(weeks=3), today + timedelta(weeks=5)],
            Workshop.Status.PLANNED,
        ),
    ]
    for kind, title, step_title, location, days, status in plans:
        workshop = Workshop.objects.create(
            process=process,
            step=steps[step_title],
            kind=kind,
            title=title,
            location=location,
            status=status,
            created_by=staff,
            description="Mit Kreisverwaltung, Kreispolitik und Vertretungen aller elf Kommunen.",
        )
        workshop.facilitators.set([u for u in (staff, consultant) if u])
        for position, day in enumerate(days, start=1):
            session = WorkshopSession.objects.create(
                workshop=workshop,
                position=position,
                starts_at=_at(day, 14),
                duration_minutes=180,
                tasks_until_next="Kommunen ergänzen ihre Projekte in der Bestandsaufnahme."
                if position < len(days)
                else "",
            )
            AgendaItem.objects.bulk_create(
                AgendaItem(session=session, position=i, title=item, duration_minutes=minutes)
                for i, (item, minutes) in enumerate(AGENDAS[kind], start=1)
            )
        WorkshopInvitation.objects.bulk_create(
            WorkshopInvitation(
                workshop=workshop,
                user=user,
                email=user.email,
                name=user.get_full_name(),
                municipality=user.municipality,
                response=WorkshopInvitation.Response.YES
                if status == Workshop.Status.HELD
                else WorkshopInvitation.Response.PENDING,
            )
            for user in User.objects.filter(is_active=True).exclude(email="")
        )
    return len(plans)

"""Demo data of the adoption phase: the twelve bodies, the recommendation of the mayors'
conference and a plausible mix of decisions (some adopted, one with changes, one postponed,
the rest still pending, some with their committee dates ahead)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from roadmaps.models import StrategyVersion
from roadmaps.section_services import strategy_version_freeze
from strategy.models import StrategyProcess

from .decision_services import council_paper_template_text, councils_ensure
from .models import ConferenceRecommendation, ConsultationStep, Council

# municipality: (result, days ago of the decision, yes, no, abstentions, committee)
DECISIONS = {
    "Kreis Coesfeld": ("adopted", 9, 52, 4, 2, "Kreisausschuss"),
    "Dülmen": ("adopted", 16, 34, 2, 3, "Haupt- und Finanzausschuss"),
    "Coesfeld": ("adopted_changes", 12, 28, 6, 4, "Ausschuss für Digitalisierung"),
    "Lüdinghausen": ("adopted", 5, 30, 0, 2, ""),
    "Nottuln": ("postponed", 7, None, None, None, "Haupt- und Finanzausschuss"),
}
# Municipalities whose committee meets soon; their council decides later.
SCHEDULED = {"Senden": 6, "Billerbeck": 10, "Havixbeck": 13}


@transaction.atomic
def demo_decisions_create(*, process: StrategyProcess) -> int:
    """Create the demo adoption of ``process`` once; returns how many bodies have decided."""
    if ConferenceRecommendation.objects.filter(process=process).exists():
        return 0
    staff = User.objects.filter(role=Role.DISTRICT_STAFF).first()
    version = StrategyVersion.objects.filter(process=process).order_by("-number").first()
    version = version or strategy_version_freeze(
        process=process, note="Fassung für die Bürgermeisterkonferenz", user=staff
    )
    today = timezone.localdate()
    ConferenceRecommendation.objects.create(
        process=process,
        version=version,
        meeting_date=today - timedelta(days=42),
        outcome=ConferenceRecommendation.Outcome.RECOMMENDED,
        remarks="Die Bürgermeisterkonferenz empfiehlt den Räten einstimmig, die Strategie zu "
        "beschließen.",
        updated_by=staff,
    )
    councils = {c.municipality.name: c for c in councils_ensure(process=process)}
    for number, (name, council) in enumerate(sorted(councils.items()), start=1):
        council.paper_reference = f"{'KT' if council.municipality.is_district else 'DS'} " + (
            f"{100 + number}/{today.year}"
        )
        council.ris_url = f"https://ris.example.org/{council.municipality.ags}/vorlage/{number}"
        # The paper names its Drucksache number once the council office has given it.
        council.paper_text = council_paper_template_text(council=council, version=version)
        council.updated_by = staff
        if name in DECISIONS:
            result, days, yes, no, abstain, committee = DECISIONS[name]
            council.result = result
            council.decided_on = today - timedelta(days=days)
            council.votes_yes, council.votes_no, council.votes_abstain = yes, no, abstain
            if result != Council.Result.POSTPONED:
                council.resolution_text = (
                    f"Der {council.name} beschließt die Digitalisierungsstrategie in der Fassung "
                    f"„{version.label}“."
                    + (" Maßnahme M-03 wird um ein Jahr verschoben." if "changes" in result else "")
                )
            if committee:
                ConsultationStep.objects.create(
                    council=council,
                    organization_name=committee,
                    role=ConsultationStep.Role.PRELIMINARY,
                    meeting_date=council.decided_on - timedelta(days=14),
                )
            ConsultationStep.objects.create(
                council=council,
                organization_name=council.name,
                role=ConsultationStep.Role.DECISION,
                meeting_date=council.decided_on,
            )
        elif name in SCHEDULED:
            ConsultationStep.objects.create(
                council=council,
                organization_name="Ausschuss für Digitalisierung",
                role=ConsultationStep.Role.PRELIMINARY,
                meeting_date=today + timedelta(days=SCHEDULED[name]),
            )
            ConsultationStep.objects.create(
                council=council,
                organization_name=council.name,
                role=ConsultationStep.Role.DECISION,
                meeting_date=today + timedelta(days=SCHEDULED[name] + 21),
            )
        council.save()
    return sum(1 for c in councils.values() if c.result in Council.DECIDED)

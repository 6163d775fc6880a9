"""Demo data of the strategy document: a frozen version of the demo strategy, so that there is
something to render right after ``make run``."""

from django.db import transaction

from accounts.models import Role, User
from roadmaps.models import FieldPlan, StrategyVersion
from roadmaps.section_services import strategy_version_freeze
from strategy.models import StrategyProcess, ThemeField


@transaction.atomic
def demo_version_freeze(*, process: StrategyProcess) -> StrategyVersion | None:
    """Freeze the demo content of ``process`` as a version, unless one exists (idempotent).

    Theme fields without a field plan get one first, so that the frozen strategy has its
    chapter per theme field even when the demo has no elaboration content yet."""
    if StrategyVersion.objects.filter(process=process).exists():
        return None
    planned = set(FieldPlan.objects.filter(process=process).values_list("theme_field", flat=True))
    FieldPlan.objects.bulk_create(
        FieldPlan(process=process, theme_field=field, rank=index + 1)
        for index, field in enumerate(ThemeField.objects.order_by("position", "pk"))
        if field.pk not in planned
    )
    staff = User.objects.filter(role=Role.DISTRICT_STAFF).order_by("pk").first()
    return strategy_version_freeze(
        process=process, note="Demo-Fassung zum Ausprobieren des Strategie-PDFs", user=staff
    )

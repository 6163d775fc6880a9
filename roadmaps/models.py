"""The content of the strategy made in the elaboration phase: vision (Leitbild), values,
guiding principles (Leitsätze) and chapters as versioned text sections; per theme field a
priority tier, a field vision, goals and target values (Zielwerte) with measurements; measures
(Maßnahmensteckbriefe) with milestones and dependencies; and frozen strategy versions."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from strategy.models import FundingProgramme, Municipality, StrategyProcess, ThemeField


class SectionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DISCUSSED = "discussed", _("Discussed in workshop")
    AGREED = "agreed", _("Agreed")


class TextSection(models.Model):
    """A text of the strategy in Markdown: the vision (Leitbild), a value, a guiding principle
    (Leitsatz, holds across all fields) or a chapter of the final wording.

    ``version`` is the optimistic lock: a save must name the version it started from."""

    class Kind(models.TextChoices):
        VISION = "vision", _("Vision (Leitbild)")
        VALUES = "values", _("Values")
        PRINCIPLE = "principle", _("Guiding principle (Leitsatz)")
        CHAPTER = "chapter", _("Chapter of the strategy")

    process = models.ForeignKey(
        StrategyProcess,
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    body = models.TextField(_("text (Markdown)"), blank=True, max_length=100000)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=SectionStatus.choices, default=SectionStatus.DRAFT
    )
    discussed_in = models.ForeignKey(
        "workshops.Workshop",
        verbose_name=_("discussed in workshop"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agreed_at = models.DateTimeField(_("agreed on"), null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agreed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("text section")
        verbose_name_plural = _("text sections")
        ordering = ["process", "kind", "position", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("roadmaps:section_detail", kwargs={"pk": self.pk})


class SectionVersion(models.Model):
    """Every save of a section is kept with author and time; any two can be compared."""

    section = models.ForeignKey(
        TextSection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("section version")
        verbose_name_plural = _("section versions")
        ordering = ["section", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["section", "number"], name="section_version_once")
        ]

    def __str__(self):
        return f"{self.section} v{self.number}"


class SectionComment(models.Model):
    """A participant's comment on a section."""

    section = models.ForeignKey(
        TextSection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["section", "created_at"]

    def __str__(self):
        return self.text[:60]


class FieldPlan(models.Model):
    """A theme field within one edition: its priority tier, the rationale and its own vision."""

    class Tier(models.TextChoices):
        I = "I", _("Priority I")  # noqa: E741 - the tiers are called I, II, III in the process
        II = "II", _("Priority II")
        III = "III", _("Priority III")

    process = models.ForeignKey(
        StrategyProcess,
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name="field_plans",
    )
    theme_field = models.ForeignKey(
        ThemeField, verbose_name=_("theme field"), on_delete=models.PROTECT, related_name="plans"
    )
    tier = models.CharField(_("priority tier"), max_length=3, choices=Tier.choices, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    rationale = models.TextField(_("rationale"), blank=True, max_length=5000)
    vision = models.TextField(_("field vision (Markdown)"), blank=True, max_length=20000)
    priority_source = models.ForeignKey(
        "workshops.Activity",
        verbose_name=_("taken from the dot vote"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("theme field plan")
        verbose_name_plural = _("theme field plans")
        ordering = ["process", "rank", "theme_field__position"]
        constraints = [
            models.UniqueConstraint(fields=["process", "theme_field"], name="field_plan_once")
        ]

    def __str__(self):
        return str(self.theme_field)

    def get_absolute_url(self):
        return reverse("roadmaps:field_detail", kwargs={"pk": self.pk})


class Goal(models.Model):
    """A strategic or operative goal of a theme field."""

    class Kind(models.TextChoices):
        STRATEGIC = "strategic", _("Strategic goal")
        OPERATIVE = "operative", _("Operative goal")

    field_plan = models.ForeignKey(
        FieldPlan, verbose_name=_("theme field"), on_delete=models.CASCADE, related_name="goals"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("strategic goal"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="operative_goals",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["field_plan", "kind", "position", "pk"]

    def __str__(self):
        return self.title


class TargetValue(models.Model):
    """A target value (Zielwert) of a goal: an indicator from a baseline to a target."""

    class Interval(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")
        YEARLY = "yearly", _("yearly")
        BIENNIAL = "biennial", _("every two years")

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="target_values"
    )
    indicator = models.CharField(_("indicator"), max_length=300)
    unit = models.CharField(_("unit"), max_length=50)
    baseline_value = models.DecimalField(_("baseline value"), max_digits=14, decimal_places=2)
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    target_value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    target_year = models.PositiveSmallIntegerField(
        _("target year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    responsible_body = models.CharField(_("responsible body"), max_length=300, blank=True)
    interval = models.CharField(
        _("measurement interval"), max_length=20, choices=Interval.choices, default=Interval.YEARLY
    )

    class Meta:
        verbose_name = _("target value")
        verbose_name_plural = _("target values")
        ordering = ["goal", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_year__gte=models.F("baseline_year")),
                name="target_year_not_before_baseline",
            ),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.target_value} {self.unit} ({self.target_year})"

    def clean(self):
        if self.baseline_year and self.target_year and self.target_year < self.baseline_year:
            raise ValidationError(
                {"target_year": _("The target year must not be before the baseline year.")}
            )


class Measurement(models.Model):
    """A value measured after adoption, to show progress towards the target."""

    target_value = models.ForeignKey(
        TargetValue,
        verbose_name=_("target value"),
        on_delete=models.CASCADE,
        related_name="measurements",
    )
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["target_value", "measured_on"]

    def __str__(self):
        return f"{self.measured_on}: {self.value}"


class Measure(models.Model):
    """A measure (project sketch, Maßnahmensteckbrief) of the strategy."""

    class Status(models.TextChoices):
        SKETCH = "sketch", _("Sketch")
        PROPOSED = "proposed", _("Proposed")
        AGREED = "agreed", pgettext_lazy("measure status", "Agreed")
        RUNNING = "running", pgettext_lazy("measure status", "Running")
        DONE = "done", pgettext_lazy("measure status", "Done")
        DROPPED = "dropped", _("Dropped")

    class Priority(models.TextChoices):
        HIGH = "high", _("High (start now)")
        MEDIUM = "medium", _("Medium (within 2 years)")
        LOW = "low", _("Low (within 4 years)")

    class Origin(models.TextChoices):
        NEW = "new", _("New")
        WORKSHOP = "workshop", _("Workshop result")
        INVENTORY = "inventory", _("Inventory project")
        SYNERGY = "synergy", _("Synergy candidate")

    process = models.ForeignKey(
        StrategyProcess,
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name="measures",
    )
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    theme_fields = models.ManyToManyField(
        ThemeField, verbose_name=_("theme fields"), related_name="measures"
    )
    goals = models.ManyToManyField(
        Goal, verbose_name=_("goals"), blank=True, related_name="measures"
    )
    target_values = models.ManyToManyField(
        TargetValue, verbose_name=_("target values it moves"), blank=True, related_name="measures"
    )
    description = models.TextField(_("description"), blank=True, max_length=20000)
    target_group = models.CharField(_("target group"), max_length=300, blank=True)
    expected_benefit = models.TextField(_("expected benefit"), blank=True, max_length=5000)
    lead_organisation = models.CharField(_("lead organisation"), max_length=200, blank=True)
    partners = models.CharField(_("partners"), max_length=500, blank=True)
    municipalities = models.ManyToManyField(
        Municipality,
        verbose_name=_("participating municipalities"),
        blank=True,
        related_name="measures",
    )
    investment_cost = models.DecimalField(
        _("investment (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    running_cost_per_year = models.DecimalField(
        _("running cost per year (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funding_programme = models.ForeignKey(
        FundingProgramme,
        verbose_name=_("funding programme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
    )
    grant_rate = models.DecimalField(
        _("grant rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SKETCH
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    depends_on = models.ManyToManyField(
        "self",
        verbose_name=_("depends on"),
        symmetrical=False,
        blank=True,
        related_name="dependents",
    )
    origin = models.CharField(
        _("origin"), max_length=20, choices=Origin.choices, default=Origin.NEW
    )
    origin_result = models.ForeignKey(
        "workshops.PromotedResult",
        verbose_name=_("workshop result"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
    )
    origin_project = models.ForeignKey(
        "inventory.Project",
        verbose_name=_("inventory project"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
    )
    origin_synergy = models.ForeignKey(
        "inventory.SynergyCandidate",
        verbose_name=_("synergy candidate"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["process", "number"]
        constraints = [
            models.UniqueConstraint(fields=["process", "number"], name="measure_number_once"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="measure_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(grant_rate__isnull=True) | Q(grant_rate__gte=0, grant_rate__lte=100),
                name="measure_grant_rate_percent",
            ),
            models.CheckConstraint(
                condition=Q(investment_cost__isnull=True) | Q(investment_cost__gte=0),
                name="measure_investment_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("roadmaps:measure_detail", kwargs={"pk": self.pk})

    @property
    def possible_grant(self) -> Decimal | None:
        if self.investment_cost is None or self.grant_rate is None:
            return None
        return (self.investment_cost * self.grant_rate / 100).quantize(Decimal("0.01"))

    @property
    def own_share(self) -> Decimal | None:
        if self.investment_cost is None:
            return None
        return self.investment_cost - (self.possible_grant or 0)


class Milestone(models.Model):
    """A milestone of a measure."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["measure", "due_on"]

    def __str__(self):
        return self.title


class StrategyVersion(models.Model):
    """A frozen, numbered draft of the whole strategy ("Entwurf v3"). It never changes: the
    assembled content is stored as a snapshot; further edits go into the next version."""

    process = models.ForeignKey(
        StrategyProcess,
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=100)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    content = models.JSONField(_("content"))
    created_at = models.DateTimeField(_("frozen at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("frozen by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")
        ordering = ["process", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["process", "number"], name="strategy_version_once")
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.pop("_migrating", False):
            raise ValidationError(_("A frozen version cannot be changed."))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("roadmaps:version_detail", kwargs={"pk": self.pk})

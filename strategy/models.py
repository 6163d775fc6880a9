"""The spine of the portal: editions of the strategy, their phases and steps, and the
participants (municipalities, theme fields, actor groups, funding programmes)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .audit import AuditAction


class Municipality(models.Model):
    """One of the 11 towns and municipalities, or the Kreis itself as a participant."""

    class Kind(models.TextChoices):
        TOWN = "Stadt", pgettext_lazy("kind of municipality", "Town")
        MUNICIPALITY = "Gemeinde", pgettext_lazy("kind of municipality", "Municipality")
        DISTRICT = "Kreis", pgettext_lazy("kind of municipality", "District")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ags = models.CharField(
        _("official municipality key (AGS)"),
        max_length=8,
        unique=True,
        help_text=_("Amtlicher Gemeindeschlüssel, 8 digits."),
    )
    population = models.PositiveIntegerField(_("population (approx.)"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        # The Kreis first, then the municipalities alphabetically.
        ordering = [models.Case(models.When(kind="Kreis", then=0), default=1), "name"]

    def __str__(self):
        return self.name

    @property
    def is_district(self) -> bool:
        return self.kind == self.Kind.DISTRICT


class ThemeField(models.Model):
    """A Handlungsfeld: a thematic field of the strategy, e.g. health or mobility."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    in_council_paper = models.BooleanField(
        _("named in the council paper"),
        default=False,
        help_text=_("The council paper names this field as one where digitalisation helps."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("theme field")
        verbose_name_plural = _("theme fields")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class ActorGroup(models.Model):
    """A group of actors (health, mobility, ...) that joins the process later."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("actor group")
        verbose_name_plural = _("actor groups")
        ordering = ["name"]

    def __str__(self):
        return self.name


class FundingProgramme(models.Model):
    """A funding programme of the Land, the Bund or the EU that projects and measures may use."""

    class Level(models.TextChoices):
        FEDERAL = "Bund", _("Federal")
        STATE = "Land NRW", _("State of NRW")
        EU = "EU", _("European Union")

    name = models.CharField(_("name"), max_length=200, unique=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    verified = models.BooleanField(_("checked in public sources"), default=False)

    class Meta:
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")
        ordering = ["level", "name"]

    def __str__(self):
        return self.name


class StrategyProcess(models.Model):
    """One edition of the strategy; a later update (Fortschreibung) is a new edition."""

    class Status(models.TextChoices):
        PREPARATION = "preparation", _("In preparation")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PREPARATION
    )
    description = models.TextField(_("description"), blank=True)
    previous_edition = models.ForeignKey(
        "self",
        verbose_name=_("previous edition"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="later_editions",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("strategy process")
        verbose_name_plural = _("strategy processes")
        ordering = ["-year", "-created_at"]

    def __str__(self):
        return f"{self.title} ({self.year})"

    def get_absolute_url(self):
        return reverse("strategy:process_detail", kwargs={"pk": self.pk})


class Phase(models.Model):
    """One of the three phases of a process: initialisation, elaboration, adoption."""

    class Key(models.TextChoices):
        INITIALISATION = "initialisation", _("Initialisation")
        ELABORATION = "elaboration", _("Elaboration")
        ADOPTION = "adoption", _("Adoption")

    process = models.ForeignKey(
        StrategyProcess, verbose_name=_("process"), on_delete=models.CASCADE, related_name="phases"
    )
    key = models.CharField(_("key"), max_length=20, choices=Key.choices)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"))
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["process", "position"]
        constraints = [
            models.UniqueConstraint(fields=["process", "key"], name="phase_unique_key"),
            models.UniqueConstraint(fields=["process", "position"], name="phase_unique_position"),
        ]

    def __str__(self):
        return self.name

    def status_from(self, steps) -> str:
        """A phase's status follows from its steps (passed in, so no extra query is needed)."""
        statuses = {step.status for step in steps}
        if statuses and statuses == {Step.Status.DONE}:
            return Step.Status.DONE
        if Step.Status.IN_PROGRESS in statuses or Step.Status.DONE in statuses:
            return Step.Status.IN_PROGRESS
        return Step.Status.PLANNED


class Step(models.Model):
    """A step of a phase, as the council paper describes it, with planned dates and a status."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("step status", "Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("step status", "In progress")
        DONE = "done", pgettext_lazy("step status", "Done")

    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=300)
    short_title = models.CharField(_("short title"), max_length=60)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["phase__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "position"], name="step_unique_position"),
        ]

    def __str__(self):
        return self.short_title


class StepTransition(models.Model):
    """A recorded move of the process from one step to another, forwards or backwards."""

    class Direction(models.TextChoices):
        FORWARD = "forward", _("forward")
        BACKWARD = "backward", _("backward")

    process = models.ForeignKey(
        StrategyProcess,
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    from_step = models.ForeignKey(
        Step,
        verbose_name=_("from step"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    to_step = models.ForeignKey(
        Step,
        verbose_name=_("to step"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("step transition")
        verbose_name_plural = _("step transitions")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.from_step} → {self.to_step}"


class AuditEvent(models.Model):
    """One entry of the audit log (logins, permission changes, invitations, exports, process
    moves, renders and downloads). Names are copied so that the log stays readable after a
    person's data was deleted."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("by (name)"), max_length=200, blank=True)
    target_type = models.CharField(_("object type"), max_length=100, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_name = models.CharField(_("object"), max_length=200, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.CharField(_("IP address"), max_length=45, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["action", "-at"])]

    def __str__(self):
        return f"{self.at:%d.%m.%Y %H:%M} {self.get_action_display()} {self.actor_name}"


class ContentPage(models.Model):
    """A page district staff edit in the portal: the accessibility statement (Erklärung zur
    Barrierefreiheit) and the privacy statement (Datenschutzerklärung)."""

    class Slug(models.TextChoices):
        ACCESSIBILITY = "barrierefreiheit", _("Accessibility statement")
        PRIVACY = "datenschutz", _("Privacy statement")

    slug = models.CharField(_("page"), max_length=30, choices=Slug.choices, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"), max_length=50000, help_text=_("Paragraphs are separated by an empty line.")
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
        verbose_name = _("content page")
        verbose_name_plural = _("content pages")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("strategy:content_page", kwargs={"slug": self.slug})

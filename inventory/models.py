"""The inventory (Bestandsaufnahme): what every municipality and the Kreis already have —
existing strategies and digital projects — and the synergies the portal finds between them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from strategy.jobs import BackgroundJob
from strategy.models import FundingProgramme, Municipality, StrategyProcess, ThemeField
from strategy.uploads import GeneratedName, validate_pdf

from .keys import key_prefixes, project_key_check


class ExistingStrategy(models.Model):
    """A strategy a municipality (or the Kreis) has already adopted, e.g. a school media plan."""

    class Kind(models.TextChoices):
        ADMINISTRATION = "administration", _("Digitalisation of the administration")
        BROADBAND = "broadband", _("Broadband and digital infrastructure")
        SCHOOL_MEDIA = "school_media", _("School media development plan")
        SMART_CITY = "smart_city", _("Smart city / smart region")
        ECONOMY = "economy", _("Economic development")
        OTHER = "other", _("Other")

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="existing_strategies",
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True, max_length=5000)
    link = models.URLField(_("link"), blank=True, max_length=500)
    document = models.FileField(
        _("document (PDF)"),
        upload_to=GeneratedName("inventory/strategies", "pdf"),
        blank=True,
        validators=[validate_pdf],
        help_text=_("PDF, at most 20 MB."),
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("existing strategy")
        verbose_name_plural = _("existing strategies")
        ordering = ["municipality__name", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("inventory:strategy_detail", kwargs={"pk": self.pk})


class ProjectQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired_at__isnull=True)


class Project(models.Model):
    """A digital project owned by one municipality (or the Kreis), possibly with partners."""

    class Status(models.TextChoices):
        IDEA = "idea", pgettext_lazy("project status", "Idea")
        PLANNED = "planned", pgettext_lazy("project status", "Planned")
        RUNNING = "running", pgettext_lazy("project status", "Running")
        COMPLETED = "completed", pgettext_lazy("project status", "Completed")
        STOPPED = "stopped", pgettext_lazy("project status", "Stopped")

    key = models.CharField(
        _("key"),
        max_length=40,
        unique=True,
        help_text=_("Stable identifier, e.g. DUE-0007; a re-import updates the entry."),
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("owning municipality"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    partners = models.ManyToManyField(
        Municipality,
        verbose_name=_("partner municipalities"),
        blank=True,
        related_name="partner_projects",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    theme_fields = models.ManyToManyField(
        ThemeField, verbose_name=_("theme fields"), blank=True, related_name="projects"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    lead_organisation = models.CharField(
        _("lead organisation / department"), max_length=200, blank=True
    )
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    target_groups = models.CharField(_("target groups"), max_length=500, blank=True)
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
    funding_programmes = models.ManyToManyField(
        FundingProgramme, verbose_name=_("funding programmes"), blank=True, related_name="projects"
    )
    links = models.TextField(_("links"), blank=True, help_text=_("One web address per line."))
    tags = models.CharField(_("tags"), max_length=500, blank=True, help_text=_("Comma-separated."))
    last_confirmed_on = models.DateField(_("last confirmed on"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(
        m2m_fields=[partners, theme_fields, funding_programmes], excluded_fields=["updated_at"]
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("digital project")
        verbose_name_plural = _("digital projects")
        ordering = ["municipality__name", "title"]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["retired_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="project_end_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("inventory:project_detail", kwargs={"pk": self.pk})

    @classmethod
    def from_db(cls, db, field_names, values):
        project = super().from_db(db, field_names, values)
        # The key as stored: only a key that is set or changed is checked (``clean``).
        project._stored_key = project.__dict__.get("key")
        return project

    def clean(self):
        """A key that is set or changed must follow the rules of ``keys`` (the admin and any
        model form; the import and the numbering check their keys themselves)."""
        super().clean()
        if self.key and self.key != getattr(self, "_stored_key", None):
            try:
                project_key_check(
                    key=self.key,
                    municipality_id=self.municipality_id,
                    prefixes=key_prefixes(Municipality.objects.all()),
                )
            except ValidationError as error:
                raise ValidationError({"key": error}) from error

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class InventoryCompletion(models.Model):
    """A municipality declares its inventory complete ("Bestandsaufnahme abgeschlossen")."""

    process = models.ForeignKey(
        StrategyProcess, verbose_name=_("process"), on_delete=models.CASCADE, related_name="+"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="inventory_completions",
    )
    completed_at = models.DateTimeField(_("completed at"))
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True
    )

    class Meta:
        verbose_name = _("inventory completion")
        verbose_name_plural = _("inventory completions")
        constraints = [
            models.UniqueConstraint(
                fields=["process", "municipality"], name="inventory_completion_once"
            )
        ]

    def __str__(self):
        return f"{self.municipality} ({self.completed_at:%d.%m.%Y})"


class InventoryReminder(models.Model):
    """A reminder e-mail sent to the representatives of a municipality that is not complete."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("inventory reminder")
        verbose_name_plural = _("inventory reminders")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.municipality} {self.requested_at:%d.%m.%Y}"


class ProjectSimilarity(models.Model):
    """A stored similarity between two projects of different municipalities (computed by the
    worker, read by the pages). Stored in both directions so that a project's list is one query."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="similarities")
    other = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    text_score = models.FloatField(_("text similarity"))
    shared_fields = models.CharField(_("shared theme fields"), max_length=500, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("project similarity")
        verbose_name_plural = _("project similarities")
        ordering = ["project", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["project", "other"], name="similarity_unique_pair")
        ]

    def __str__(self):
        return f"{self.project_id} ~ {self.other_id}: {self.score:.2f}"

    @property
    def reason(self) -> str:
        """Why the projects are similar, in the active language."""
        from .similarity import similarity_reason

        return similarity_reason(self)


class SynergyCandidate(models.Model):
    """A pair or group of similar projects across municipalities that district staff review;
    candidates marked "worth a joint project" feed the project sketches of the elaboration."""

    class Decision(models.TextChoices):
        OPEN = "open", _("Open")
        JOINT_PROJECT = "joint_project", _("Worth a joint project")
        NOT_RELEVANT = "not_relevant", _("Not relevant")

    key = models.CharField(_("key"), max_length=255, unique=True)
    projects = models.ManyToManyField(Project, verbose_name=_("projects"), related_name="synergies")
    score = models.FloatField(_("score"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision.choices, default=Decision.OPEN
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("synergy candidate")
        verbose_name_plural = _("synergy candidates")
        ordering = ["-score"]

    def __str__(self):
        return self.key


class SimilarityRun(models.Model):
    """State of the background similarity computation, for the pages to show and poll."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    projects = models.PositiveIntegerField(default=0)
    pairs = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("similarity run")
        verbose_name_plural = _("similarity runs")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.requested_at:%d.%m.%Y %H:%M} {self.status}"


class ProjectImport(BackgroundJob):
    """An uploaded file of digital projects that the worker reads (a ``BackgroundJob`` the
    browser polls); once read, the page previews its rows and imports them on confirmation.

    The file itself is kept under ``MEDIA_ROOT/imports/`` (``upload_token``) only until the
    worker has read it. The rows (JSON; dates and times tagged, see ``import_jobs``) stay until
    the import is confirmed or replaced, at most a day. A file refused as a whole ends done with
    ``problem`` set, written in the ``language`` of the person who uploaded it."""

    file_name = models.CharField(_("file name"), max_length=255)
    upload_token = models.CharField(max_length=36, blank=True)
    language = models.CharField(max_length=10, default="de")
    rows = models.JSONField(null=True, blank=True, editable=False)
    problem = models.TextField(blank=True)

    class Meta:
        verbose_name = _("project import")
        verbose_name_plural = _("project imports")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="project_import_progress_percent"
            ),
        ]

    def __str__(self):
        return f"{self.file_name} {self.status}"

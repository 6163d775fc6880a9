"""Workshops of the strategy process: planning (sessions, agenda, invitations, attendance), the
live session with its activities (idea cards, clusters, dot votes, benefit/effort ratings),
results promoted into the strategy, and the minutes (Protokoll)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from strategy.jobs import BackgroundJob
from strategy.mail import SendFailure
from strategy.models import ActorGroup, Municipality, Step, StrategyProcess, ThemeField

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_join_code() -> str:
    """Eight characters without look-alikes (no 0/O, 1/I), easy to type from a projector."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(8))


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Workshop(models.Model):
    """A workshop of the process, held in one or more sessions (a series of web meetings)."""

    class Kind(models.TextChoices):
        KICKOFF = "kickoff", _("Kick-off")
        INVENTORY = "inventory", _("Inventory")
        VISION = "vision", _("Values and vision")
        THEMATIC = "thematic", _("Thematic workshop")
        FINAL = "final", _("Final consolidation")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("workshop status", "Planned")
        CANCELLED = "cancelled", pgettext_lazy("workshop status", "Cancelled")
        HELD = "held", pgettext_lazy("workshop status", "Held")

    process = models.ForeignKey(
        StrategyProcess,
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name="workshops",
    )
    step = models.ForeignKey(
        Step, verbose_name=_("step"), on_delete=models.PROTECT, related_name="workshops"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    theme_fields = models.ManyToManyField(
        ThemeField, verbose_name=_("theme fields"), blank=True, related_name="workshops"
    )
    location = models.CharField(_("place"), max_length=300, blank=True)
    online_link = models.URLField(_("online meeting link"), blank=True, max_length=500)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators"),
        blank=True,
        related_name="facilitated_workshops",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    join_code = models.CharField(
        _("join code"), max_length=8, unique=True, default=new_join_code, editable=False
    )
    # RFC 5545: every change of date or place sends an update with a higher SEQUENCE.
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workshops:workshop_detail", kwargs={"pk": self.pk})


class WorkshopSession(models.Model):
    """One date of a workshop; tasks between sessions are noted on the session before."""

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="sessions"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(15), MaxValueValidator(720)]
    )
    tasks_until_next = models.TextField(_("tasks until the next session"), blank=True)
    summary = models.TextField(_("summary"), blank=True, max_length=20000)
    decisions = models.TextField(_("decisions"), blank=True, max_length=20000)
    minutes_finalised_at = models.DateTimeField(_("minutes finalised at"), null=True, blank=True)
    live_activity = models.ForeignKey(
        "Activity",
        verbose_name=_("current activity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["workshop", "starts_at", "position"]

    def __str__(self):
        return f"{self.workshop} ({timezone.localtime(self.starts_at):%d.%m.%Y})"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class AgendaItem(models.Model):
    """An item of a session's agenda; its planned time follows from the items before it."""

    session = models.ForeignKey(
        WorkshopSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="agenda"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(480)]
    )
    notes = models.TextField(_("notes"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["session", "position"]

    def __str__(self):
        return self.title


class WorkshopInvitation(models.Model):
    """An invitee of a workshop: an account, or a guest by e-mail address only."""

    class Response(models.TextChoices):
        PENDING = "pending", _("No answer yet")
        YES = "yes", _("Yes")
        NO = "no", _("No")
        MAYBE = "maybe", _("Maybe")

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workshop_invitations",
    )
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    actor_group = models.ForeignKey(
        ActorGroup,
        verbose_name=_("actor group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    response = models.CharField(
        _("answer"), max_length=10, choices=Response.choices, default=Response.PENDING
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    sent_sequence = models.IntegerField(_("last calendar sequence sent"), default=-1)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    cancellation_sent_at = models.DateTimeField(_("cancellation sent at"), null=True, blank=True)
    # Why the last attempt to send this invitee the current version failed (empty: sent, or
    # on its way); cleared when the e-mail goes out.
    send_failure = models.CharField(
        _("sending failed"), max_length=20, choices=SendFailure.choices, blank=True
    )
    send_failed_at = models.DateTimeField(_("sending failed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("workshop invitation")
        verbose_name_plural = _("workshop invitations")
        ordering = ["workshop", "email"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "email"], name="workshop_invitee_once")
        ]

    def __str__(self):
        return self.name or self.email


class Attendance(models.Model):
    """Who attended a session, recorded by the facilitator afterwards."""

    session = models.ForeignKey(
        WorkshopSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    invitation = models.ForeignKey(
        WorkshopInvitation,
        verbose_name=_("invitee"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    attended = models.BooleanField(_("attended"), default=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "invitation"], name="attendance_once")
        ]

    def __str__(self):
        return f"{self.invitation} @ {self.session}"


class Participant(models.Model):
    """Someone taking part in a live session: a logged-in account or a guest with a name."""

    session = models.ForeignKey(
        WorkshopSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    display_name = models.CharField(_("display name"), max_length=60)
    guest_key = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(user__isnull=False),
                name="participant_account_once",
            )
        ]

    def __str__(self):
        return self.display_name


class Activity(models.Model):
    """One activity of a live session, started by the facilitator; only one runs at a time."""

    class Kind(models.TextChoices):
        IDEAS = "ideas", _("Idea collection")
        CLUSTERING = "clustering", _("Clustering")
        DOT_VOTE = "dot_vote", _("Dot voting")
        RATING = "rating", _("Benefit/effort rating")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Prepared")
        OPEN = "open", _("Running")
        LOCKED = "locked", _("Locked")
        CLOSED = "closed", _("Finished")

    class Target(models.TextChoices):
        CARDS = "cards", _("Cards")
        CLUSTERS = "clusters", _("Clusters")
        THEME_FIELDS = "theme_fields", _("Theme fields")

    session = models.ForeignKey(
        WorkshopSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    target = models.CharField(
        _("what is voted or rated"), max_length=20, choices=Target.choices, default=Target.CARDS
    )
    timer_ends_at = models.DateTimeField(_("timer ends at"), null=True, blank=True)
    dots_per_participant = models.PositiveSmallIntegerField(
        _("dots per participant"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    cap_per_item = models.PositiveSmallIntegerField(
        _("maximum dots per item"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("How many dots one participant may give to the same card or cluster."),
    )
    results_revealed = models.BooleanField(_("results revealed"), default=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["session", "position", "pk"]

    def __str__(self):
        return self.title


class Cluster(models.Model):
    """A named group of cards."""

    session = models.ForeignKey(
        WorkshopSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="clusters",
    )
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["session", "position", "pk"]

    def __str__(self):
        return self.name


class Card(models.Model):
    """An idea card posted by a participant (short text, optional theme field)."""

    MAX_LENGTH = 280

    session = models.ForeignKey(
        WorkshopSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="cards"
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="cards"
    )
    author = models.ForeignKey(
        Participant,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cards",
    )
    text = models.CharField(_("text"), max_length=MAX_LENGTH)
    theme_field = models.ForeignKey(
        ThemeField, verbose_name=_("theme field"), on_delete=models.SET_NULL, null=True, blank=True
    )
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("cluster"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cards",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_cards",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        ordering = ["session", "created_at", "pk"]

    def __str__(self):
        return self.text[:60]


class Dot(models.Model):
    """One dot of a participant in a dot vote, on a card, a cluster or a theme field.

    ``slot`` numbers a participant's dots 1..budget; the unique constraint makes the database
    refuse a second dot in the same slot, so concurrent requests cannot exceed the budget."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="dots"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="dots"
    )
    slot = models.PositiveSmallIntegerField(_("slot"), validators=[MinValueValidator(1)])
    card = models.ForeignKey(
        Card, on_delete=models.CASCADE, null=True, blank=True, related_name="dots"
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, null=True, blank=True, related_name="dots"
    )
    theme_field = models.ForeignKey(
        ThemeField, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dot")
        verbose_name_plural = _("dots")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "participant", "slot"], name="dot_slot_once"
            ),
            models.CheckConstraint(condition=Q(slot__gte=1), name="dot_slot_positive"),
            models.CheckConstraint(
                condition=(
                    Q(card__isnull=False, cluster__isnull=True, theme_field__isnull=True)
                    | Q(card__isnull=True, cluster__isnull=False, theme_field__isnull=True)
                    | Q(card__isnull=True, cluster__isnull=True, theme_field__isnull=False)
                ),
                name="dot_exactly_one_target",
            ),
        ]

    def __str__(self):
        return f"{self.participant} #{self.slot}"


class Rating(models.Model):
    """A participant's benefit and effort rating (1–5) of a card or cluster."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="ratings"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="ratings"
    )
    card = models.ForeignKey(
        Card, on_delete=models.CASCADE, null=True, blank=True, related_name="ratings"
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, null=True, blank=True, related_name="ratings"
    )
    benefit = models.PositiveSmallIntegerField(
        _("benefit"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    effort = models.PositiveSmallIntegerField(
        _("effort"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "participant", "card"],
                condition=Q(card__isnull=False),
                name="rating_card_once",
            ),
            models.UniqueConstraint(
                fields=["activity", "participant", "cluster"],
                condition=Q(cluster__isnull=False),
                name="rating_cluster_once",
            ),
            models.CheckConstraint(
                condition=Q(benefit__gte=1, benefit__lte=5, effort__gte=1, effort__lte=5),
                name="rating_range",
            ),
            models.CheckConstraint(
                condition=Q(card__isnull=False, cluster__isnull=True)
                | Q(card__isnull=True, cluster__isnull=False),
                name="rating_exactly_one_target",
            ),
        ]

    def __str__(self):
        return f"{self.participant}: {self.benefit}/{self.effort}"


class PromotedResult(models.Model):
    """A result of an activity carried into the strategy, keeping the link to the workshop.

    The elaboration (roadmaps) picks these up: theme-field priorities, draft statements for the
    vision (Leitbild) and project ideas that become project sketches."""

    class Kind(models.TextChoices):
        FIELD_PRIORITY = "field_priority", _("Priority of a theme field")
        VISION_STATEMENT = "vision_statement", _("Draft statement for the vision")
        PROJECT_IDEA = "project_idea", _("Project idea")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="promoted"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text"), max_length=5000)
    theme_field = models.ForeignKey(
        ThemeField, verbose_name=_("theme field"), on_delete=models.SET_NULL, null=True, blank=True
    )
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    dots = models.PositiveIntegerField(_("dots"), null=True, blank=True)
    card = models.ForeignKey(
        Card, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    adopted_at = models.DateTimeField(
        _("taken up at"),
        null=True,
        blank=True,
        help_text=_("Set when the elaboration takes the result up (e.g. as a measure)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("promoted result")
        verbose_name_plural = _("promoted results")
        ordering = ["kind", "rank", "pk"]

    def __str__(self):
        return self.text[:80]


def photo_path(instance, filename):
    """A random name; only the extension comes from ``filename``, which the portal makes from
    the verified format (the checked original until the worker made the JPEG)."""
    extension = filename.rpartition(".")[2].lower()
    if extension not in ("jpg", "png", "webp"):
        raise ValueError(f"not a photo extension: {extension!r}")
    return f"workshops/{instance.session.workshop_id}/photos/{new_token()[:16]}.{extension}"


class SessionPhoto(models.Model):
    """A photo of a flipchart: stored as uploaded once its header passed the checks
    (``PROCESSING``), re-encoded by the worker as JPEG without EXIF (``READY``), or ``FAILED``
    with ``error`` (a message id); see ``workshops.minutes_photos``."""

    class Status(models.TextChoices):
        PROCESSING = "processing", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    session = models.ForeignKey(
        WorkshopSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=photo_path, blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    # Photos stored before the worker prepared them were re-encoded on upload: ready.
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="ready")
    error = models.CharField(_("error"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["session", "uploaded_at"]

    def __str__(self):
        return self.caption or self.image.name


class MinutesRender(BackgroundJob):
    """A render job of a session's minutes (PDF), done by the worker; the browser polls it."""

    session = models.ForeignKey(
        WorkshopSession, on_delete=models.CASCADE, related_name="minutes_renders"
    )
    file = models.FileField(upload_to="workshops/minutes/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("minutes render")
        verbose_name_plural = _("minutes renders")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="minutes_progress_percent"),
        ]

    def __str__(self):
        return f"{self.session} {self.status}"

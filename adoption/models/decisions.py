"""The bodies that deliberate and adopt the strategy, and their decisions.

- ``ConferenceRecommendation``: the mayors' conference (Bürgermeisterkonferenz) deliberates a
  strategy version and recommends it (or not) to the councils.
- ``Council``: the Kreistag or the council (Rat) of one of the 11 municipalities, one per
  municipality and edition, with its council paper (Drucksache), the consultation steps
  (Beratungsfolge), the result and the vote.
- ``CouncilPaperRender``: a PDF of the draft council paper (Beschlussvorlage) of one council,
  made by the worker.
- ``AdoptionPublication``: the moment district staff publish the adopted strategy; before it
  nothing of the adoption is public."""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from roadmaps.models import StrategyVersion
from strategy.jobs import BackgroundJob
from strategy.models import Municipality, StrategyProcess
from strategy.uploads import GeneratedName, validate_pdf

__all__ = [
    "AdoptionPublication",
    "ConferenceRecommendation",
    "ConsultationStep",
    "Council",
    "CouncilPaperRender",
]

# Links to the council information system: web addresses only, no javascript:, file: etc.
validate_web_url = URLValidator(
    schemes=["http", "https"],
    message=_("Please enter a web address starting with http:// or https://."),
)


class ConferenceRecommendation(models.Model):
    """What the mayors' conference (Bürgermeisterkonferenz: the Landrat and the 11 mayors)
    recommended about a strategy version; one per edition."""

    class Outcome(models.TextChoices):
        RECOMMENDED = "recommended", _("Recommended")
        RECOMMENDED_WITH_CHANGES = "recommended_changes", _("Recommended with changes")
        NOT_RECOMMENDED = "not_recommended", _("Not recommended")

    process = models.OneToOneField(
        StrategyProcess,
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name="conference_recommendation",
    )
    version = models.ForeignKey(
        StrategyVersion,
        verbose_name=_("strategy version deliberated"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    meeting_date = models.DateField(_("meeting date"))
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices)
    remarks = models.TextField(_("remarks"), blank=True, max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("recommendation of the mayors' conference")
        verbose_name_plural = _("recommendations of the mayors' conference")

    def __str__(self):
        return str(_("Mayors' conference"))


class Council(models.Model):
    """The body of one municipality (or of the Kreis: the Kreistag) that adopts the strategy,
    with its council paper (Drucksache), result and vote.

    ``paper_text`` is the draft council paper (Beschlussvorlage) as editable Markdown, prefilled
    from the template; the PDF of it is made by the worker (``CouncilPaperRender``)."""

    class Result(models.TextChoices):
        PENDING = "pending", pgettext_lazy("council decision", "Pending")
        ADOPTED = "adopted", pgettext_lazy("council decision", "Adopted")
        ADOPTED_WITH_CHANGES = (
            "adopted_changes",
            pgettext_lazy("council decision", "Adopted with changes"),
        )
        REJECTED = "rejected", pgettext_lazy("council decision", "Rejected")
        POSTPONED = "postponed", pgettext_lazy("council decision", "Postponed")

    # A body has decided once it adopted or rejected; postponing is not a decision.
    DECIDED = (Result.ADOPTED, Result.ADOPTED_WITH_CHANGES, Result.REJECTED)

    process = models.ForeignKey(
        StrategyProcess,
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name="councils",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="councils",
    )
    name = models.CharField(_("name of the body"), max_length=200)
    members = models.PositiveSmallIntegerField(
        _("number of seats"),
        null=True,
        blank=True,
        help_text=_("Optional; the vote is checked against it."),
    )
    paper_reference = models.CharField(
        _("council paper number (Drucksache)"), max_length=50, blank=True
    )
    ris_url = models.URLField(
        _("link to the council information system"),
        max_length=500,
        blank=True,
        validators=[validate_web_url],
    )
    result = models.CharField(
        _("result"), max_length=20, choices=Result.choices, default=Result.PENDING
    )
    decided_on = models.DateField(_("date of the decision"), null=True, blank=True)
    votes_yes = models.PositiveSmallIntegerField(_("yes votes"), null=True, blank=True)
    votes_no = models.PositiveSmallIntegerField(_("no votes"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    resolution_text = models.TextField(_("resolution text"), blank=True, max_length=20000)
    resolution_file = models.FileField(
        _("resolution (PDF)"),
        upload_to=GeneratedName("adoption/resolutions", "pdf"),
        blank=True,
        validators=[validate_pdf],
    )
    # Published in OParl (``File.size``, ``File.sha512Checksum``); taken when it is uploaded.
    resolution_size = models.PositiveBigIntegerField(
        _("size of the resolution in bytes"), null=True, blank=True
    )
    resolution_sha512 = models.CharField(_("SHA-512 of the resolution"), max_length=128, blank=True)
    paper_text = models.TextField(
        _("text of the draft council paper"), blank=True, max_length=50000
    )
    paper_text_edited_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        ordering = [
            models.Case(models.When(municipality__kind="Kreis", then=0), default=1),
            "municipality__name",
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "municipality"], name="council_once_per_municipality"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("adoption:council_detail", kwargs={"pk": self.pk})

    @property
    def has_decided(self) -> bool:
        return self.result in self.DECIDED

    @property
    def has_votes(self) -> bool:
        return self.votes_yes is not None


class ConsultationStep(models.Model):
    """One step of the consultation sequence (Beratungsfolge) of a council paper: a committee
    deliberating beforehand (Vorberatung) or the council deciding (Entscheidung)."""

    class Role(models.TextChoices):
        PRELIMINARY = "preliminary", _("Preliminary consultation")
        DECISION = "decision", _("Decision")
        INFORMATION = "information", _("For information")

    council = models.ForeignKey(
        Council, verbose_name=_("council"), on_delete=models.CASCADE, related_name="steps"
    )
    organization_name = models.CharField(
        _("committee or council"),
        max_length=200,
        help_text=_("E.g. “Ausschuss für Digitalisierung” or “Rat der Stadt Dülmen”."),
    )
    role = models.CharField(_("kind of consultation"), max_length=20, choices=Role.choices)
    meeting_date = models.DateField(_("meeting date"))

    class Meta:
        verbose_name = _("consultation step")
        verbose_name_plural = _("consultation steps")
        ordering = ["meeting_date", "pk"]

    def __str__(self):
        return f"{self.organization_name} ({self.get_role_display()})"

    @property
    def authoritative(self) -> bool:
        """OParl: the consultation where the resolution is passed."""
        return self.role == self.Role.DECISION


class CouncilPaperRender(BackgroundJob):
    """A PDF of the draft council paper of one council, made by the worker from the stored
    text (``Council.paper_text``); the newest finished one is the council's PDF."""

    council = models.ForeignKey(
        Council, verbose_name=_("council"), on_delete=models.CASCADE, related_name="paper_renders"
    )
    file = models.FileField(_("file"), upload_to="adoption/council-papers/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    sha512 = models.CharField(_("SHA-512"), max_length=128, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)

    class Meta:
        verbose_name = _("draft council paper PDF")
        verbose_name_plural = _("draft council paper PDFs")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="council_paper_render_progress_percent"
            ),
        ]

    def __str__(self):
        return f"{self.council} ({self.requested_at:%Y-%m-%d})"


class AdoptionPublication(models.Model):
    """The adopted strategy of an edition made public: from then on the public page, the
    published PDF and the OParl interface show the adoption. One per edition."""

    process = models.OneToOneField(
        StrategyProcess,
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name="adoption_publication",
    )
    document = models.ForeignKey(
        "adoption.StrategyDocument",
        verbose_name=_("published PDF"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("publication of the adopted strategy")
        verbose_name_plural = _("publications of the adopted strategy")

    def __str__(self):
        return str(self.process)


# The permissions of this part of the app are registered together with its models.
from .. import decision_rules  # noqa: E402, F401

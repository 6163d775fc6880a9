"""The strategy document: PDF renders of a frozen strategy version, made by the worker."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from roadmaps.models import StrategyVersion
from strategy.jobs import BackgroundJob

__all__ = ["StrategyDocument"]


class StrategyDocument(BackgroundJob):
    """One render of a frozen strategy version as a PDF, kept as a version of the document.

    The job fields (status, progress, step, error, who asked and when) come from
    ``BackgroundJob``; once done, the file, its checksums, size and page count are stored. The
    document sent to the councils (``purpose`` = council submission, "Beschlussvorlage") is
    immutable: its file is never replaced or deleted."""

    class Purpose(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COUNCIL_SUBMISSION = "submission", _("Council submission (Beschlussvorlage)")
        ADOPTED = "adopted", _("Adopted strategy")

    version = models.ForeignKey(
        StrategyVersion,
        verbose_name=_("strategy version"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    purpose = models.CharField(
        _("status on the cover"), max_length=20, choices=Purpose.choices, default=Purpose.DRAFT
    )
    file = models.FileField(_("file"), upload_to="adoption/documents/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    sha512 = models.CharField(_("SHA-512"), max_length=128, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    # Measured by the worker for each render: how long WeasyPrint took and the high-water
    # mark of the worker process's resident memory (``ru_maxrss``) when it finished.
    render_seconds = models.FloatField(_("render time in seconds"), null=True, blank=True)
    peak_memory = models.PositiveBigIntegerField(
        _("peak memory of the worker in bytes"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("strategy document")
        verbose_name_plural = _("strategy documents")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="strategy_document_progress_percent"
            ),
            # A version has at most one council submission that is not failed: once made it
            # is never replaced by another render.
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(purpose="submission") & ~Q(status="failed"),
                name="strategy_document_one_submission_per_version",
            ),
        ]

    def __str__(self):
        return f"{self.version} ({self.get_purpose_display()})"

    def get_absolute_url(self):
        return reverse("adoption:document_detail", kwargs={"pk": self.pk})

    @property
    def is_council_submission(self) -> bool:
        return self.purpose == self.Purpose.COUNCIL_SUBMISSION

    @property
    def is_immutable(self) -> bool:
        """A finished council submission is kept unchanged for good."""
        return self.is_council_submission and self.is_done

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding:
            stored = (
                StrategyDocument.objects.filter(pk=self.pk)
                .values("purpose", "status", "file", "sha256", "sha512", "size", "pages")
                .first()
            )
            if (
                stored
                and stored["purpose"] == self.Purpose.COUNCIL_SUBMISSION
                and stored["status"] == self.Status.DONE
                and any(getattr(self, name) != value for name, value in stored.items())
            ):
                raise ValidationError(_("The council submission cannot be changed."))
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_immutable or (
            self.pk
            and StrategyDocument.objects.filter(
                pk=self.pk, purpose=self.Purpose.COUNCIL_SUBMISSION, status=self.Status.DONE
            ).exists()
        ):
            raise ValidationError(_("The council submission cannot be deleted."))
        return super().delete(*args, **kwargs)


from .. import document_rules  # noqa: E402, F401 - registers the permissions of the documents

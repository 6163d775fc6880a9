"""Writes of the adoption phase: the bodies of an edition, the recommendation of the mayors'
conference, the councils' decisions and consultation steps, the draft council paper text, and
publishing the adopted strategy. Every write runs in a transaction, is checked completely
before anything is stored and leaves an audit event."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from roadmaps.models import StrategyVersion
from strategy.audit import AuditAction, audit_record
from strategy.models import Municipality, StrategyProcess
from strategy.text_input import MULTI_LINE_FORBIDDEN
from strategy.uploads import pdf_check

from .models import (
    AdoptionPublication,
    ConferenceRecommendation,
    ConsultationStep,
    Council,
    StrategyDocument,
)

# Voting members of the Kreistag: 58 seats (2025–2030) and the Landrat.
KREISTAG_VOTING_MEMBERS = 59


class DecisionError(Exception):
    """A write of the adoption phase that is not possible; the message is shown to the user."""


def council_name(municipality: Municipality) -> str:
    """The usual name of the body that adopts in ``municipality`` (German, a proper name)."""
    if municipality.is_district:
        return f"Kreistag des {municipality.name.replace('Kreis ', 'Kreises ', 1)}"
    article = "der Stadt" if municipality.kind == Municipality.Kind.TOWN else "der Gemeinde"
    return f"Rat {article} {municipality.name}"


@transaction.atomic
def councils_ensure(*, process: StrategyProcess) -> list[Council]:
    """Create the missing bodies of an edition: the Kreistag and one council per municipality
    (idempotent), each with the draft council paper prefilled from the template."""
    existing = set(
        Council.objects.filter(process=process).values_list("municipality_id", flat=True)
    )
    version = strategy_version_for_papers(process=process)
    for municipality in Municipality.objects.exclude(pk__in=existing):
        council = Council(
            process=process,
            municipality=municipality,
            name=council_name(municipality),
            members=KREISTAG_VOTING_MEMBERS if municipality.is_district else None,
        )
        council.paper_text = council_paper_template_text(council=council, version=version)
        council.save()
    return list(Council.objects.filter(process=process).select_related("municipality"))


def strategy_version_for_papers(*, process: StrategyProcess) -> StrategyVersion | None:
    """The version the councils are asked to adopt: the one the mayors' conference
    deliberated, otherwise the newest frozen version."""
    conference = ConferenceRecommendation.objects.filter(process=process).first()
    if conference is not None:
        return conference.version
    return StrategyVersion.objects.filter(process=process).order_by("-number").first()


def council_paper_template_text(*, council: Council, version: StrategyVersion | None) -> str:
    """The draft council paper of ``council`` as Markdown, made from the template."""
    conference = ConferenceRecommendation.objects.filter(process_id=council.process_id).first()
    with translation.override("de"):
        text = render_to_string(
            "adoption/decisions/council_paper.md",
            {
                "council": council,
                "process": council.process,
                "version": version,
                "conference": conference,
                "conference_outcome": conference.get_outcome_display() if conference else "",
            },
        )
    return text.strip() + "\n"


# --- The mayors' conference ------------------------------------------------------------------


@transaction.atomic
def conference_record(
    *,
    process: StrategyProcess,
    version: StrategyVersion,
    meeting_date: date,
    outcome: str,
    remarks: str,
    user,
    request=None,
) -> ConferenceRecommendation:
    """Store what the mayors' conference recommended (one record per edition)."""
    if version.process_id != process.pk:
        raise DecisionError(_("The strategy version does not belong to this edition."))
    if meeting_date > timezone.localdate():
        raise DecisionError(_("The meeting date lies in the future."))
    recommendation = ConferenceRecommendation.objects.filter(process=process).first()
    recommendation = recommendation or ConferenceRecommendation(process=process)
    recommendation.version = version
    recommendation.meeting_date = meeting_date
    recommendation.outcome = outcome
    recommendation.remarks = remarks
    recommendation.updated_by = user
    recommendation.full_clean()
    recommendation.save()
    audit_record(
        action=AuditAction.DECISION,
        actor=user,
        request=request,
        target=recommendation,
        summary=f"Bürgermeisterkonferenz: {recommendation.get_outcome_display()}",
        details={"outcome": outcome, "version": version.pk, "meeting_date": str(meeting_date)},
    )
    return recommendation


# --- The councils ----------------------------------------------------------------------------


def vote_check(
    *,
    result: str,
    votes_yes: int | None,
    votes_no: int | None,
    votes_abstain: int | None,
    members: int | None,
) -> None:
    """Raise ``ValidationError`` for a vote that cannot be right: partly filled, negative,
    more votes than seats, or a result the majority contradicts."""
    votes = (votes_yes, votes_no, votes_abstain)
    if all(v is None for v in votes):
        return
    if any(v is None for v in votes):
        raise ValidationError(
            _("Please enter yes votes, no votes and abstentions, or leave all three empty.")
        )
    if any(v < 0 for v in votes):
        raise ValidationError(_("Votes cannot be negative."))
    total = sum(votes)
    if total == 0:
        raise ValidationError(_("At least one vote must have been cast."))
    if members is not None and total > members:
        raise ValidationError(
            _("%(total)s votes were entered, but the body has only %(members)s voting members."),
            params={"total": total, "members": members},
        )
    if result == Council.Result.PENDING or result == Council.Result.POSTPONED:
        return
    adopted = result in (Council.Result.ADOPTED, Council.Result.ADOPTED_WITH_CHANGES)
    if adopted and votes_yes <= votes_no:
        raise ValidationError(
            _("An adopted resolution needs more yes votes than no votes. Please check the vote.")
        )
    if result == Council.Result.REJECTED and votes_yes > votes_no:
        raise ValidationError(
            _("With more yes votes than no votes the resolution was not rejected.")
        )


@transaction.atomic
def council_decision_record(
    *,
    council: Council,
    user,
    paper_reference: str,
    ris_url: str,
    result: str,
    decided_on: date | None,
    votes_yes: int | None,
    votes_no: int | None,
    votes_abstain: int | None,
    resolution_text: str,
    resolution_file: UploadedFile | None = None,
    remove_resolution_file: bool = False,
    request=None,
) -> Council:
    """Store the paper number, link, result, vote and resolution of a council.

    Everything is checked before anything is stored; a refused input changes nothing."""
    locked = Council.objects.select_for_update().get(pk=council.pk)
    if result != Council.Result.PENDING and decided_on is None:
        raise DecisionError(_("Please enter the date of the meeting that decided."))
    if decided_on is not None and decided_on > timezone.localdate():
        raise DecisionError(_("The date of the decision lies in the future."))
    try:
        vote_check(
            result=result,
            votes_yes=votes_yes,
            votes_no=votes_no,
            votes_abstain=votes_abstain,
            members=locked.members,
        )
    except ValidationError as error:
        raise DecisionError(error.messages[0]) from error
    facts = None
    if resolution_file is not None:
        try:
            facts = pdf_check(resolution_file)
        except ValidationError as error:
            raise DecisionError(error.messages[0]) from error
    before = {"result": locked.result, "votes": [locked.votes_yes, locked.votes_no]}
    old_file = locked.resolution_file.name if locked.resolution_file else ""
    locked.paper_reference = paper_reference.strip()
    locked.ris_url = ris_url.strip()
    locked.result = result
    locked.decided_on = decided_on
    locked.votes_yes, locked.votes_no, locked.votes_abstain = votes_yes, votes_no, votes_abstain
    locked.resolution_text = resolution_text
    locked.updated_by = user
    if remove_resolution_file:
        locked.resolution_file = ""
        locked.resolution_size, locked.resolution_sha512 = None, ""
    try:
        locked.full_clean(exclude=["resolution_file"], validate_constraints=False)
    except ValidationError as error:
        raise DecisionError(" ".join(error.messages)) from error
    new_name = ""
    if facts is not None:
        # Stored under a generated name (see the field's ``upload_to``); size and checksum
        # are published with it through OParl.
        locked.resolution_file.save("beschluss.pdf", resolution_file, save=False)
        locked.resolution_size, locked.resolution_sha512 = facts.size, facts.sha512
        new_name = locked.resolution_file.name
    try:
        locked.save()
    except Exception:
        # The new file must not stay behind when the row cannot be written.
        if new_name:
            locked.resolution_file.storage.delete(new_name)
        raise
    if old_file and (remove_resolution_file or new_name):
        storage = locked.resolution_file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    audit_record(
        action=AuditAction.DECISION,
        actor=user,
        request=request,
        target=locked,
        summary=f"{locked.name}: {locked.get_result_display()}",
        details={
            "before": before,
            "result": result,
            "votes": [votes_yes, votes_no, votes_abstain],
            "decided_on": str(decided_on) if decided_on else None,
            "paper_reference": locked.paper_reference,
        },
    )
    return locked


@transaction.atomic
def consultation_steps_replace(*, council: Council, steps: list[dict], user, request=None) -> None:
    """Replace the consultation sequence of a council with ``steps`` (dicts with
    ``organization_name``, ``role``, ``meeting_date``). At most one step decides."""
    locked = Council.objects.select_for_update().get(pk=council.pk)
    deciding = [step for step in steps if step["role"] == ConsultationStep.Role.DECISION]
    if len(deciding) > 1:
        raise DecisionError(_("Only one step of the consultation sequence can be the decision."))
    if deciding and any(
        step["meeting_date"] > deciding[0]["meeting_date"]
        for step in steps
        if step["role"] == ConsultationStep.Role.PRELIMINARY
    ):
        raise DecisionError(_("A preliminary consultation cannot take place after the decision."))
    ConsultationStep.objects.filter(council=locked).delete()
    ConsultationStep.objects.bulk_create(ConsultationStep(council=locked, **step) for step in steps)
    Council.objects.filter(pk=locked.pk).update(updated_by=user, updated_at=timezone.now())
    audit_record(
        action=AuditAction.DECISION,
        actor=user,
        request=request,
        target=locked,
        summary=f"{locked.name}: Beratungsfolge ({len(steps)})",
        details={
            "steps": [[s["organization_name"], s["role"], str(s["meeting_date"])] for s in steps]
        },
    )


def paper_text_clean(text: str) -> str:
    """The paper text as stored: no control characters, Unix line ends, one final newline.
    (Markdown is sanitised when it is shown, see ``roadmaps.markdown``.)"""
    # The characters the portal's text rule forbids in a multi-line text.
    text = MULTI_LINE_FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip() + "\n" if text.strip() else ""


@transaction.atomic
def council_paper_save(*, council: Council, text: str, user) -> Council:
    """Store the edited text of the draft council paper."""
    locked = Council.objects.select_for_update().get(pk=council.pk)
    cleaned = paper_text_clean(text)
    if not cleaned:
        raise DecisionError(_("The council paper cannot be empty."))
    locked.paper_text = cleaned
    locked.paper_text_edited_at = timezone.now()
    locked.updated_by = user
    locked.save(update_fields=["paper_text", "paper_text_edited_at", "updated_by", "updated_at"])
    return locked


@transaction.atomic
def council_paper_reset(*, council: Council, user) -> Council:
    """Replace the text of the draft council paper with a fresh one from the template."""
    locked = Council.objects.select_for_update().select_related("process").get(pk=council.pk)
    version = strategy_version_for_papers(process=locked.process)
    locked.paper_text = council_paper_template_text(council=locked, version=version)
    locked.paper_text_edited_at = None
    locked.updated_by = user
    locked.save(update_fields=["paper_text", "paper_text_edited_at", "updated_by", "updated_at"])
    return locked


# --- Publication -----------------------------------------------------------------------------


@transaction.atomic
def adoption_publish(
    *, process: StrategyProcess, document: StrategyDocument, user, request=None
) -> AdoptionPublication:
    """Make the adopted strategy of an edition public with ``document`` as its PDF.

    Only a finished PDF of a version of this edition can be published, and only after at
    least one body adopted the strategy."""
    StrategyProcess.objects.select_for_update().filter(pk=process.pk).first()
    if AdoptionPublication.objects.filter(process=process).exists():
        raise DecisionError(_("The adopted strategy of this edition is already published."))
    if document.version.process_id != process.pk or not document.is_done or not document.file:
        raise DecisionError(_("Only a finished PDF of this edition can be published."))
    if document.purpose == StrategyDocument.Purpose.DRAFT:
        raise DecisionError(_("A draft cannot be published; choose the adopted strategy."))
    if not Council.objects.filter(
        process=process,
        result__in=[Council.Result.ADOPTED, Council.Result.ADOPTED_WITH_CHANGES],
    ).exists():
        raise DecisionError(_("No body has adopted the strategy yet."))
    publication = AdoptionPublication.objects.create(
        process=process, document=document, published_by=user
    )
    audit_record(
        action=AuditAction.PUBLICATION,
        actor=user,
        request=request,
        target=process,
        summary=f"Veröffentlicht: {document}",
        details={"document": document.pk, "sha512": document.sha512},
    )
    return publication


@transaction.atomic
def adoption_unpublish(*, process: StrategyProcess, user, request=None) -> None:
    """Take the public page down again (e.g. after a wrong publication)."""
    deleted, _rows = AdoptionPublication.objects.filter(process=process).delete()
    if not deleted:
        raise DecisionError(_("The adopted strategy of this edition is not published."))
    audit_record(
        action=AuditAction.PUBLICATION,
        actor=user,
        request=request,
        target=process,
        summary="Veröffentlichung zurückgenommen",
    )

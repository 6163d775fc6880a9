"""Writes of the strategy texts (vision, values, guiding principles, chapters) and of the
frozen strategy versions.

Each service runs in a transaction and raises ``SectionError`` with a translatable message
when the change is not allowed. Saving a text is guarded by an optimistic lock: the caller
names the version it loaded, and the row is only updated while it still has that version."""

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from strategy.audit import AuditAction, audit_record
from strategy.models import StrategyProcess
from workshops.models import PromotedResult, Workshop

from .consolidation import strategy_assemble
from .models import SectionComment, SectionStatus, SectionVersion, StrategyVersion, TextSection
from .section_selectors import vision_statements


class SectionError(Exception):
    """A change to a strategy text that is not allowed; the message is shown to the user."""


class SectionConflict(SectionError):
    """Someone else saved the section after the caller loaded it; ``current`` is the section
    as it is now. Nothing was written."""

    def __init__(self, current: TextSection):
        super().__init__(_("Someone else has saved this section in the meantime."))
        self.current = current


def _check_open(process: StrategyProcess) -> None:
    if process.status == StrategyProcess.Status.ARCHIVED:
        raise SectionError(_("This edition is archived and can no longer be changed."))


def _lock_section(section: TextSection) -> TextSection:
    locked = (
        # Lock only the section row: PostgreSQL cannot lock the nullable side of a join.
        TextSection.objects.select_for_update(of=("self",))
        .select_related("process", "updated_by")
        .get(pk=section.pk)
    )
    _check_open(locked.process)
    return locked


@transaction.atomic
def section_create(
    *, process: StrategyProcess, kind: str, title: str, body: str = "", user
) -> TextSection:
    """Add a section at the end of its kind; its first version is recorded."""
    _check_open(process)
    title = (title or "").strip()
    if not title:
        raise SectionError(_("Please enter a title."))
    if kind not in TextSection.Kind.values:
        raise SectionError(_("Please choose what kind of text this is."))
    siblings = TextSection.objects.filter(process=process, kind=kind)
    if kind == TextSection.Kind.VISION and siblings.exists():
        raise SectionError(_("This edition already has a vision. Please edit it instead."))
    last = siblings.aggregate(last=Max("position"))["last"]
    section = TextSection.objects.create(
        process=process,
        kind=kind,
        title=title,
        body=body or "",
        position=0 if last is None else last + 1,
        version=1,
        updated_by=user,
    )
    SectionVersion.objects.create(
        section=section, number=1, title=section.title, body=section.body, author=user
    )
    return section


@transaction.atomic
def section_update(
    *, section: TextSection, loaded_version: int, title: str, body: str, user
) -> tuple[TextSection, bool]:
    """Save a new text of ``section`` if nobody else saved since ``loaded_version``.

    Returns the section as saved and whether anything changed. A real change increments
    ``version``, records a ``SectionVersion`` and sends an agreed section back to draft.
    Raises ``SectionConflict`` (nothing written) if the section has moved on."""
    current = _lock_section(section)
    title = (title or "").strip()
    if not title:
        raise SectionError(_("Please enter a title."))
    if title == current.title and body == current.body:
        return current, False
    now = timezone.now()
    changes = {
        "title": title,
        "body": body,
        "version": F("version") + 1,
        "updated_at": now,
        "updated_by": user,
    }
    if current.status == SectionStatus.AGREED:
        changes.update(status=SectionStatus.DRAFT, agreed_at=None, agreed_by=None)
    # The optimistic lock: UPDATE … WHERE version = <loaded>; 0 rows means someone else won.
    updated = TextSection.objects.filter(pk=current.pk, version=loaded_version).update(**changes)
    if not updated:
        raise SectionConflict(current)
    saved = TextSection.objects.select_related("process", "updated_by").get(pk=current.pk)
    SectionVersion.objects.create(
        section=saved, number=saved.version, title=title, body=body, author=user
    )
    return saved, True


@transaction.atomic
def section_status_set(
    *, section: TextSection, status: str, workshop: Workshop | None = None, user
) -> TextSection:
    """Move a section to draft, "discussed in workshop" (with the workshop) or agreed (with
    date and person). Only the status columns are written, so a text saved meanwhile stays."""
    current = _lock_section(section)
    if status == SectionStatus.DISCUSSED:
        if workshop is None:
            raise SectionError(_("Please choose the workshop in which the section was discussed."))
        if workshop.process_id != current.process_id:
            raise SectionError(_("The workshop belongs to another edition."))
        changes = {"status": status, "discussed_in": workshop, "agreed_at": None, "agreed_by": None}
    elif status == SectionStatus.AGREED:
        changes = {"status": status, "agreed_at": timezone.now(), "agreed_by": user}
    elif status == SectionStatus.DRAFT:
        changes = {"status": status, "agreed_at": None, "agreed_by": None}
    else:
        raise SectionError(_("Unknown status."))
    TextSection.objects.filter(pk=current.pk).update(**changes)
    return TextSection.objects.get(pk=current.pk)


@transaction.atomic
def section_move(*, section: TextSection, direction: str, user) -> None:
    """Move a section one place up or down among the sections of the same kind."""
    _check_open(section.process)
    siblings = list(
        TextSection.objects.select_for_update()
        .filter(process_id=section.process_id, kind=section.kind)
        .order_by("position", "pk")
    )
    index = next(i for i, s in enumerate(siblings) if s.pk == section.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(siblings):
        raise SectionError(_("The section cannot be moved further."))
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            TextSection.objects.filter(pk=sibling.pk).update(position=position)


@transaction.atomic
def section_comment_add(*, section: TextSection, text: str, user) -> SectionComment:
    """A participant's comment on a section (plain text, at most 5000 characters)."""
    _check_open(section.process)
    text = (text or "").strip()
    if not text:
        raise SectionError(_("Please enter a comment."))
    if len(text) > 5000:
        raise SectionError(_("A comment may have at most 5000 characters."))
    return SectionComment.objects.create(section=section, author=user, text=text)


@transaction.atomic
def section_statement_append(*, section: TextSection, result: PromotedResult, user) -> TextSection:
    """Append a draft statement from a workshop to the vision as a new paragraph.

    It is appended to the text as it is now (whoever saved last), so nothing is lost; the
    result is marked as taken up."""
    current = _lock_section(section)
    if current.kind != TextSection.Kind.VISION:
        raise SectionError(_("Draft statements can only be added to the vision."))
    if not vision_statements(process=current.process).filter(pk=result.pk).exists():
        raise SectionError(_("This is not a draft statement of this edition's workshops."))
    body = (
        f"{current.body.rstrip()}\n\n{result.text.strip()}"
        if current.body.strip()
        else result.text.strip()
    )
    saved, _changed = section_update(
        section=current, loaded_version=current.version, title=current.title, body=body, user=user
    )
    if result.adopted_at is None:
        PromotedResult.objects.filter(pk=result.pk).update(adopted_at=timezone.now())
    return saved


@transaction.atomic
def strategy_version_freeze(
    *, process: StrategyProcess, note: str = "", user, request=None
) -> StrategyVersion:
    """Freeze the assembled draft of ``process`` as the next numbered version ("Entwurf v3").

    The content is a snapshot; later edits of the texts do not change it."""
    process = StrategyProcess.objects.select_for_update().get(pk=process.pk)
    _check_open(process)
    last = process.versions.aggregate(last=Max("number"))["last"] or 0
    number = last + 1
    try:
        with transaction.atomic():
            version = StrategyVersion.objects.create(
                process=process,
                number=number,
                label=f"Entwurf v{number}",
                note=(note or "").strip(),
                content=strategy_assemble(process),
                created_by=user,
            )
    except IntegrityError:
        raise SectionError(
            _("Someone else froze a version at the same moment. Please try again.")
        ) from None
    audit_record(
        action=AuditAction.RENDER,
        actor=user,
        request=request,
        target=version,
        summary="Strategy version frozen",
        details={"number": number, "process": process.pk},
    )
    return version

"""What the portal knows of the adoption, as OParl 1.1 objects (read-only, no login).

The mapping:
- ``Body``: the Kreis and the 11 municipalities (with their AGS).
- ``Organization``: the mayors' conference (in the Kreis), the Kreistag and each council, and
  the committees named in the consultation steps (Vorberatung).
- ``Paper``: one council paper (Drucksache) per body, all linked through ``relatedPaper``;
  ``mainFile`` is the body's draft council paper PDF, ``auxiliaryFile`` the strategy PDF.
- ``Meeting`` with one ``AgendaItem`` and one ``Consultation``: every consultation step, the
  council meeting that decided (when no step was entered for it) and the mayors' conference.
- ``File``: the strategy PDFs, the draft council paper PDFs, the resolutions.

Nothing of the adoption is public before district staff publish it: until then the System and
the twelve bodies (reference data) are shown, every list of a body is empty and every other
object answers 404. Everything is read at once (``oparl_snapshot``) in a fixed number of
queries, so lists and objects cost the same whatever the data."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from math import ceil

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from strategy.http import id_or_none
from strategy.models import Municipality

from .decision_selectors import publication_current
from .models import (
    AdoptionPublication,
    ConferenceRecommendation,
    ConsultationStep,
    Council,
    CouncilPaperRender,
    StrategyDocument,
)

SCHEMA = "https://schema.oparl.org/1.1/"
PAGE_SIZE = 20
# The reference data (municipalities) has no timestamps of its own.
REFERENCE_DATA_SINCE = datetime(2026, 1, 1, tzinfo=timezone.get_fixed_timezone(60))

ROLE_NAMES = {
    ConsultationStep.Role.PRELIMINARY: "Vorberatung",
    ConsultationStep.Role.DECISION: "Entscheidung",
    ConsultationStep.Role.INFORMATION: "Kenntnisnahme",
}


def iso(value) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def date_start(day: date) -> str:
    """OParl wants a date-time for meetings; the portal knows the day only."""
    return iso(timezone.make_aware(datetime.combine(day, time(0, 0))))


@dataclass
class MeetingInfo:
    """A meeting in which the strategy was on the agenda (one agenda item, one consultation)."""

    key: str
    organization_key: str
    organization_name: str
    day: date
    role: str
    authoritative: bool
    council: Council | None = None
    conference: ConferenceRecommendation | None = None


@dataclass
class Snapshot:
    """Everything the interface shows, read at once."""

    municipalities: list[Municipality]
    publication: AdoptionPublication | None = None
    councils: list[Council] = field(default_factory=list)
    conference: ConferenceRecommendation | None = None
    strategy_documents: list[StrategyDocument] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.publication is not None

    def council_of(self, municipality_id: int) -> Council | None:
        return next((c for c in self.councils if c.municipality_id == municipality_id), None)

    @property
    def district(self) -> Municipality | None:
        return next((m for m in self.municipalities if m.is_district), None)


def oparl_snapshot() -> Snapshot:
    """Read the bodies and, once published, the adoption (at most seven queries)."""
    snapshot = Snapshot(municipalities=list(Municipality.objects.all()))
    publication = publication_current()
    if publication is None:
        return snapshot
    process = publication.process
    snapshot.publication = publication
    snapshot.councils = list(
        Council.objects.filter(process=process)
        .select_related("municipality")
        .prefetch_related(
            Prefetch("steps", queryset=ConsultationStep.objects.order_by("meeting_date", "pk")),
            Prefetch(
                "paper_renders",
                queryset=CouncilPaperRender.objects.filter(status=CouncilPaperRender.Status.DONE)
                .exclude(file="")
                .order_by("-finished_at", "-pk"),
                to_attr="finished_papers",
            ),
        )
    )
    snapshot.conference = ConferenceRecommendation.objects.filter(process=process).first()
    # The published PDF and the PDFs sent to the councils are public records.
    documents = {publication.document.pk: publication.document}
    for document in StrategyDocument.objects.filter(
        version__process=process,
        purpose=StrategyDocument.Purpose.COUNCIL_SUBMISSION,
        status=StrategyDocument.Status.DONE,
    ).exclude(file=""):
        documents.setdefault(document.pk, document)
    snapshot.strategy_documents = list(documents.values())
    return snapshot


# --- Keys of the objects that are not rows of their own ---------------------------------------


def committee_key(step: ConsultationStep, council: Council) -> str:
    """Committees with the same name in one council are one organization: the key is that of
    their first step."""
    first = min(s.pk for s in council.steps.all() if s.organization_name == step.organization_name)
    return f"gremium-{first}"


def council_meetings(council: Council) -> list[MeetingInfo]:
    meetings = []
    decision_entered = False
    for step in council.steps.all():
        deciding = step.role == ConsultationStep.Role.DECISION
        decision_entered = decision_entered or deciding
        meetings.append(
            MeetingInfo(
                key=f"step-{step.pk}",
                organization_key=f"rat-{council.pk}" if deciding else committee_key(step, council),
                organization_name=council.name if deciding else step.organization_name,
                day=step.meeting_date,
                role=ROLE_NAMES[step.role],
                authoritative=deciding,
                council=council,
            )
        )
    if not decision_entered and council.decided_on:
        meetings.append(
            MeetingInfo(
                key=f"beschluss-{council.pk}",
                organization_key=f"rat-{council.pk}",
                organization_name=council.name,
                day=council.decided_on,
                role=ROLE_NAMES[ConsultationStep.Role.DECISION],
                authoritative=True,
                council=council,
            )
        )
    return meetings


def conference_meeting(snapshot: Snapshot) -> MeetingInfo | None:
    conference = snapshot.conference
    if conference is None:
        return None
    return MeetingInfo(
        key=f"bmk-{conference.process_id}",
        organization_key=f"bmk-{conference.process_id}",
        organization_name="Bürgermeisterkonferenz",
        day=conference.meeting_date,
        role="Beratung und Empfehlung",
        authoritative=False,
        conference=conference,
    )


# --- Building the objects -----------------------------------------------------------------------


class Builder:
    """Turns the snapshot into OParl objects with absolute URLs for one request."""

    def __init__(self, request, snapshot: Snapshot):
        self.request = request
        self.snapshot = snapshot

    def url(self, name: str, **kwargs) -> str:
        return self.request.build_absolute_uri(reverse(f"adoption:{name}", kwargs=kwargs or None))

    def _stamps(self, created, modified) -> dict:
        return {"created": iso(created), "modified": iso(modified)}

    def _web(self) -> str:
        return self.url("public_strategy")

    # System and bodies ---------------------------------------------------------------------

    def system(self) -> dict:
        return {
            "id": self.url("oparl_system"),
            "type": SCHEMA + "System",
            "oparlVersion": SCHEMA,
            "body": self.url("oparl_body_list"),
            "name": "Strategieportal Kreis Coesfeld: Verabschiedung der Digitalisierungsstrategie",
            "contactName": "Kreis Coesfeld, Kreisentwicklung",
            "website": self.request.build_absolute_uri("/"),
            "vendor": "https://www.kreis-coesfeld.de/",
            **self._stamps(REFERENCE_DATA_SINCE, self._modified()),
        }

    def _modified(self) -> datetime:
        if not self.snapshot.published:
            return REFERENCE_DATA_SINCE
        stamps = [self.snapshot.publication.published_at]
        stamps += [council.updated_at for council in self.snapshot.councils]
        return max(stamps)

    def body(self, municipality: Municipality) -> dict:
        pk = municipality.pk
        council = self.snapshot.council_of(pk)
        # "Stadt Dülmen", "Gemeinde Nottuln", "Kreis Coesfeld" (proper names, German).
        name = municipality.name
        if not municipality.is_district:
            name = f"{municipality.kind} {municipality.name}"
        return {
            "id": self.url("oparl_body", pk=pk),
            "type": SCHEMA + "Body",
            "system": self.url("oparl_system"),
            "name": name,
            "shortName": municipality.name,
            "ags": municipality.ags,
            "classification": "Kreis" if municipality.is_district else municipality.kind,
            "organization": self.url("oparl_body_objects", pk=pk, kind="organizations"),
            "person": self.url("oparl_body_objects", pk=pk, kind="people"),
            "meeting": self.url("oparl_body_objects", pk=pk, kind="meetings"),
            "paper": self.url("oparl_body_objects", pk=pk, kind="papers"),
            "agendaItem": self.url("oparl_body_objects", pk=pk, kind="agendaitems"),
            "consultation": self.url("oparl_body_objects", pk=pk, kind="consultations"),
            "file": self.url("oparl_body_objects", pk=pk, kind="files"),
            "legislativeTerm": [],
            **self._stamps(
                REFERENCE_DATA_SINCE, council.updated_at if council else REFERENCE_DATA_SINCE
            ),
        }

    # Organizations ---------------------------------------------------------------------------

    def organizations_of(self, municipality: Municipality) -> list[dict]:
        council = self.snapshot.council_of(municipality.pk)
        result = []
        if municipality.is_district and self.snapshot.conference:
            result.append(self._conference_organization())
        if council is not None:
            result.append(self._council_organization(council))
            seen = set()
            for step in council.steps.all():
                if step.role == ConsultationStep.Role.DECISION:
                    continue
                key = committee_key(step, council)
                if key not in seen:
                    seen.add(key)
                    result.append(self._committee_organization(council, step, key))
        return result

    def _organization(self, key, body_pk, name, classification, created, modified) -> dict:
        return {
            "id": self.url("oparl_organization", key=key),
            "type": SCHEMA + "Organization",
            "body": self.url("oparl_body", pk=body_pk),
            "name": name,
            "organizationType": "Gremium",
            "classification": classification,
            **self._stamps(created, modified),
        }

    def _conference_organization(self) -> dict:
        conference = self.snapshot.conference
        return self._organization(
            f"bmk-{conference.process_id}",
            self.snapshot.district.pk,
            "Bürgermeisterkonferenz",
            "Konferenz",
            conference.created_at,
            conference.updated_at,
        )

    def _council_organization(self, council: Council) -> dict:
        return self._organization(
            f"rat-{council.pk}",
            council.municipality_id,
            council.name,
            "Kreistag" if council.municipality.is_district else "Rat",
            REFERENCE_DATA_SINCE,
            council.updated_at,
        )

    def _committee_organization(self, council: Council, step, key) -> dict:
        return self._organization(
            key, council.municipality_id, step.organization_name, "Ausschuss",
            REFERENCE_DATA_SINCE, council.updated_at,
        )  # fmt: skip

    def organization(self, key: str) -> dict | None:
        for municipality in self.snapshot.municipalities:
            for organization in self.organizations_of(municipality):
                if organization["id"].endswith(f"/organization/{key}/"):
                    return organization
        return None

    # Meetings, agenda items, consultations ----------------------------------------------------

    def meetings_info_of(self, municipality: Municipality) -> list[MeetingInfo]:
        meetings = []
        if municipality.is_district:
            conference = conference_meeting(self.snapshot)
            if conference:
                meetings.append(conference)
        council = self.snapshot.council_of(municipality.pk)
        if council is not None:
            meetings += council_meetings(council)
        return meetings

    def _all_meetings(self) -> list[MeetingInfo]:
        return [m for mun in self.snapshot.municipalities for m in self.meetings_info_of(mun)]

    def find_meeting(self, key: str) -> MeetingInfo | None:
        return next((m for m in self._all_meetings() if m.key == key), None)

    def _paper_of(self, info: MeetingInfo) -> Council | None:
        if info.council is not None:
            return info.council
        # The mayors' conference deliberated the strategy for the Kreistag's paper.
        district = self.snapshot.district
        return self.snapshot.council_of(district.pk) if district else None

    def _meeting_stamps(self, info: MeetingInfo) -> dict:
        if info.conference is not None:
            return self._stamps(info.conference.created_at, info.conference.updated_at)
        return self._stamps(REFERENCE_DATA_SINCE, info.council.updated_at)

    def meeting(self, info: MeetingInfo) -> dict:
        return {
            "id": self.url("oparl_meeting", key=info.key),
            "type": SCHEMA + "Meeting",
            "name": f"{info.organization_name}, Sitzung am {info.day:%d.%m.%Y}",
            "meetingState": "durchgeführt" if info.day <= timezone.localdate() else "terminiert",
            "cancelled": False,
            "start": date_start(info.day),
            "organization": [self.url("oparl_organization", key=info.organization_key)],
            "agendaItem": [self.agenda_item(info)],
            **self._meeting_stamps(info),
        }

    def agenda_item(self, info: MeetingInfo) -> dict:
        process = self.snapshot.publication.process
        item = {
            "id": self.url("oparl_agenda_item", key=info.key),
            "type": SCHEMA + "AgendaItem",
            "meeting": self.url("oparl_meeting", key=info.key),
            "order": 1,
            "name": f"Digitalisierungsstrategie „{process.title}“",
            "public": True,
            "consultation": self.url("oparl_consultation", key=info.key),
            **self._meeting_stamps(info),
        }
        if info.conference is not None:
            item["result"] = str(info.conference.get_outcome_display())
            if info.conference.remarks:
                item["resolutionText"] = info.conference.remarks
        elif info.authoritative and info.council.result != Council.Result.PENDING:
            council = info.council
            item["result"] = str(council.get_result_display())
            if council.resolution_text:
                item["resolutionText"] = council.resolution_text
            if council.resolution_file:
                item["resolutionFile"] = self.resolution_file(council)
        return item

    def consultation(self, info: MeetingInfo) -> dict:
        council = self._paper_of(info)
        result = {
            "id": self.url("oparl_consultation", key=info.key),
            "type": SCHEMA + "Consultation",
            "agendaItem": self.url("oparl_agenda_item", key=info.key),
            "meeting": self.url("oparl_meeting", key=info.key),
            "organization": [self.url("oparl_organization", key=info.organization_key)],
            "authoritative": info.authoritative,
            "role": info.role,
            **self._meeting_stamps(info),
        }
        if council is not None:
            result["paper"] = self.url("oparl_paper", pk=council.pk)
        return result

    # Papers and files ------------------------------------------------------------------------

    def papers_of(self, municipality: Municipality) -> list[dict]:
        council = self.snapshot.council_of(municipality.pk)
        return [self.paper(council)] if council is not None else []

    def paper(self, council: Council) -> dict:
        process = self.snapshot.publication.process
        consultations = [self.consultation(m) for m in self.meetings_info_of(council.municipality)]
        days = [step.meeting_date for step in council.steps.all()]
        result = {
            "id": self.url("oparl_paper", pk=council.pk),
            "type": SCHEMA + "Paper",
            "body": self.url("oparl_body", pk=council.municipality_id),
            "name": f"Digitalisierungsstrategie „{process.title}“ – Beschlussvorlage für "
            f"{council.name}",
            "paperType": "Beschlussvorlage",
            "relatedPaper": [
                self.url("oparl_paper", pk=other.pk)
                for other in self.snapshot.councils
                if other.pk != council.pk
            ],
            "auxiliaryFile": [self.strategy_file(d) for d in self.snapshot.strategy_documents],
            "consultation": consultations,
            "underDirectionOf": [self.url("oparl_organization", key=f"rat-{council.pk}")],
            "web": self._web(),
            **self._stamps(REFERENCE_DATA_SINCE, council.updated_at),
        }
        if council.paper_reference:
            result["reference"] = council.paper_reference
        if days:
            result["date"] = iso(min(days))
        if council.finished_papers:
            result["mainFile"] = self.paper_file(council.finished_papers[0], council)
        return result

    def _file(self, key, *, name, file_name, size, sha512, day, created, modified, **extra):
        result = {
            "id": self.url("oparl_file", key=key),
            "type": SCHEMA + "File",
            "name": name,
            "fileName": file_name,
            "mimeType": "application/pdf",
            "accessUrl": self.url("oparl_file_download", key=key),
            "downloadUrl": self.url("oparl_file_download", key=key),
            **self._stamps(created, modified),
            **extra,
        }
        if size is not None:
            result["size"] = size
        if sha512:
            result["sha512Checksum"] = sha512
        if day:
            result["date"] = iso(day)
        return result

    def strategy_file(self, document: StrategyDocument) -> dict:
        return self._file(
            f"strategie-{document.pk}",
            name=f"Digitalisierungsstrategie, {document.version.label} "
            f"({document.get_purpose_display()})",
            file_name=f"digitalisierungsstrategie-{document.version.number}.pdf",
            size=document.size,
            sha512=document.sha512,
            day=timezone.localdate(document.finished_at) if document.finished_at else None,
            created=document.requested_at,
            modified=document.finished_at or document.requested_at,
            paper=[self.url("oparl_paper", pk=c.pk) for c in self.snapshot.councils],
        )

    def paper_file(self, render: CouncilPaperRender, council: Council) -> dict:
        return self._file(
            f"vorlage-{render.pk}",
            name=f"Beschlussvorlage für {council.name}",
            file_name=f"beschlussvorlage-{council.pk}.pdf",
            size=render.size,
            sha512=render.sha512,
            day=timezone.localdate(render.finished_at) if render.finished_at else None,
            created=render.requested_at,
            modified=render.finished_at or render.requested_at,
            paper=[self.url("oparl_paper", pk=council.pk)],
        )

    def resolution_file(self, council: Council) -> dict:
        return self._file(
            f"beschluss-{council.pk}",
            name=f"Beschluss: {council.name}",
            file_name=f"beschluss-{council.pk}.pdf",
            size=council.resolution_size,
            sha512=council.resolution_sha512,
            day=council.decided_on,
            created=council.updated_at,
            modified=council.updated_at,
            paper=[self.url("oparl_paper", pk=council.pk)],
        )

    def files_of(self, municipality: Municipality) -> list[dict]:
        council = self.snapshot.council_of(municipality.pk)
        files = []
        if municipality.is_district:
            files += [self.strategy_file(d) for d in self.snapshot.strategy_documents]
        if council is not None:
            if council.finished_papers:
                files.append(self.paper_file(council.finished_papers[0], council))
            if council.resolution_file:
                files.append(self.resolution_file(council))
        return files

    def find_file(self, key: str):
        """``(object dict, FieldFile)`` of a public file, or None."""
        kind, _sep, number = key.partition("-")
        pk = id_or_none(number)
        if pk is None:
            return None
        if kind == "strategie":
            for document in self.snapshot.strategy_documents:
                if document.pk == pk:
                    return self.strategy_file(document), document.file
        for council in self.snapshot.councils:
            newest = council.finished_papers[0] if council.finished_papers else None
            if kind == "vorlage" and newest is not None and newest.pk == pk:
                return self.paper_file(newest, council), newest.file
            if kind == "beschluss" and council.pk == pk and council.resolution_file:
                return self.resolution_file(council), council.resolution_file
        return None

    # Lists -----------------------------------------------------------------------------------

    def objects_of(self, municipality: Municipality, kind: str) -> list[dict] | None:
        if kind == "people":
            return []
        if not self.snapshot.published:
            return [] if kind in BODY_LISTS else None
        meetings = self.meetings_info_of(municipality) if kind in MEETING_LISTS else []
        if kind == "organizations":
            return self.organizations_of(municipality)
        if kind == "meetings":
            return [self.meeting(m) for m in meetings]
        if kind == "agendaitems":
            return [self.agenda_item(m) for m in meetings]
        if kind == "consultations":
            return [self.consultation(m) for m in meetings]
        if kind == "papers":
            return self.papers_of(municipality)
        if kind == "files":
            return self.files_of(municipality)
        return None

    def page(self, items: list[dict], *, page: int, list_url: str) -> dict:
        """OParl pagination: ``data``, ``pagination`` and ``links``."""
        total_pages = max(ceil(len(items) / PAGE_SIZE), 1)
        start = (page - 1) * PAGE_SIZE
        links = {
            "first": f"{list_url}?page=1",
            "last": f"{list_url}?page={total_pages}",
            "self": f"{list_url}?page={page}",
        }
        if page > 1:
            links["prev"] = f"{list_url}?page={page - 1}"
        if page < total_pages:
            links["next"] = f"{list_url}?page={page + 1}"
        return {
            "data": items[start : start + PAGE_SIZE],
            "pagination": {
                "totalElements": len(items),
                "elementsPerPage": PAGE_SIZE,
                "currentPage": page,
                "totalPages": total_pages,
            },
            "links": links,
        }


MEETING_LISTS = {"meetings", "agendaitems", "consultations"}
BODY_LISTS = {
    "organizations", "people", "meetings", "agendaitems", "consultations", "papers", "files",
}  # fmt: skip

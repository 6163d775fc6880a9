"""Permission table: every URL of the portal × every role → the expected outcome.

"login" means the request is sent to the login page; a number is the expected status code.
A URL pattern that is not in the table makes the completeness test fail.

Besides the account roles the table has two workshop guests (no account, joined a live
workshop with its join code): "guest" joined the workshop whose objects the table uses,
"guest_elsewhere" joined another workshop. A guest is anonymous to Django, so both columns
default to the anonymous outcome; the live-workshop rows say explicitly what a guest gets.
"""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Invitation, Role
from inventory.models import ExistingStrategy, InventoryCompletion, Project, SynergyCandidate
from roadmaps.models import (
    FieldPlan,
    Goal,
    Measure,
    Measurement,
    SectionComment,
    StrategyVersion,
    TargetValue,
    TextSection,
)
from strategy.models import ActorGroup, Step, StepTransition, ThemeField
from strategy.rules import edits_municipality_content
from tests.factories import ProjectFactory, UserFactory
from tests.upload_samples import pdf_bytes

# fresh_cache (autouse): join rate limits start empty in every test.
from tests.workshops.test_live_factories import fresh_cache, guest_join  # noqa: F401
from workshops.models import (
    Activity,
    AgendaItem,
    Card,
    Cluster,
    Dot,
    MinutesRender,
    Participant,
    Rating,
    SessionPhoto,
    Workshop,
    WorkshopInvitation,
    WorkshopSession,
)

ROLES = [
    "anonymous",
    "district_staff",
    "consultant",
    "rep_duelmen",
    "rep_nottuln",
    "working_group",
    "councillor",
    "admin",
]
# Workshop guests; kept out of ROLES because they are no personas (no account).
GUEST_ROLES = ["guest", "guest_elsewhere"]
MATRIX_ROLES = ROLES + GUEST_ROLES
L = "login"
ANONYMOUS = object()


def row(
    anon,
    staff,
    consultant,
    rep,
    rep_other,
    wg,
    councillor,
    admin,
    *,
    guest=ANONYMOUS,
    guest_elsewhere=ANONYMOUS,
):
    """Expected outcome per role; the guests get the anonymous outcome unless given."""
    expected = dict(
        zip(ROLES, [anon, staff, consultant, rep, rep_other, wg, councillor, admin], strict=True)
    )
    expected["guest"] = anon if guest is ANONYMOUS else guest
    expected["guest_elsewhere"] = anon if guest_elsewhere is ANONYMOUS else guest_elsewhere
    return expected


READ = row(L, 200, 200, 200, 200, 200, 200, 200)
RUN = row(L, 200, 200, 403, 403, 403, 403, 200)
USERS = row(L, 200, 403, 403, 403, 403, 403, 200)
POST_RUN = row(L, 302, 302, 403, 403, 403, 403, 302)
POST_USERS = row(L, 302, 403, 403, 403, 403, 403, 302)
PUBLIC = row(200, 200, 200, 200, 200, 200, 200, 200)
# Inventory: representatives write their own municipality's entries (the objects below
# belong to Dülmen); everybody logged in reads.
ADD_ENTRY = row(L, 200, 200, 200, 200, 403, 403, 200)
EDIT_OWN = row(L, 200, 200, 200, 403, 403, 403, 200)
POST_OWN = row(L, 302, 302, 302, 403, 403, 403, 302)
POST_ANY = row(L, 302, 302, 302, 302, 302, 302, 302)
NOT_PUBLISHED = row(404, 404, 404, 404, 404, 404, 404, 404)
# Live workshop, participant side: every account, and the guest of this very workshop; the
# guest of another workshop is sent to the login page like anybody without an account.
LIVE_READ = row(L, 200, 200, 200, 200, 200, 200, 200, guest=200, guest_elsewhere=L)
LIVE_POST = row(L, 302, 302, 302, 302, 302, 302, 302, guest=302, guest_elsewhere=L)
# Facilitator and projector: no guest gets in, not even the one of this workshop.
LIVE_RUN = row(L, 200, 200, 403, 403, 403, 403, 200, guest=L, guest_elsewhere=L)
LIVE_POST_RUN = row(L, 302, 302, 403, 403, 403, 403, 302, guest=L, guest_elsewhere=L)

# name -> (kwargs builder key, method, expectations)
TABLE = {
    "strategy:dashboard": (None, "get", READ),
    "strategy:process_list": (None, "get", READ),
    "strategy:process_new": (None, "get", RUN),
    "strategy:process_detail": ("process", "get", READ),
    "strategy:process_advance": ("process", "post", POST_RUN),
    "strategy:process_back": ("process", "post", POST_RUN),
    "strategy:step_schedule": ("step", "get", RUN),
    "strategy:phase_schedule": ("phase", "get", RUN),
    "strategy:municipality_list": (None, "get", READ),
    "strategy:themefield_list": (None, "get", READ),
    "strategy:themefield_new": (None, "get", RUN),
    "strategy:themefield_edit": ("themefield", "get", RUN),
    "strategy:actorgroup_list": (None, "get", READ),
    "strategy:actorgroup_new": (None, "get", RUN),
    "strategy:actorgroup_edit": ("actorgroup", "get", RUN),
    "accounts:login": (None, "get", row(200, 302, 302, 302, 302, 302, 302, 302)),
    # Logging out always ends on the login page.
    "accounts:logout": (None, "post", row(L, L, L, L, L, L, L, L)),
    "accounts:password_change": (None, "get", READ),
    "accounts:password_change_done": (None, "get", READ),
    "accounts:password_reset": (None, "get", PUBLIC),
    "accounts:password_reset_done": (None, "get", PUBLIC),
    "accounts:password_reset_confirm": ("reset", "get", PUBLIC),
    "accounts:password_reset_complete": (None, "get", PUBLIC),
    "accounts:user_list": (None, "get", USERS),
    "accounts:invitation_new": (None, "get", USERS),
    "accounts:invitation_resend": ("invitation", "post", POST_USERS),
    "accounts:invitation_revoke": ("invitation", "post", POST_USERS),
    "accounts:invitation_accept": ("token", "get", row(404, 404, 404, 404, 404, 404, 404, 404)),
    "set_language": (None, "post", row(302, 302, 302, 302, 302, 302, 302, 302)),
    "health_live": (None, "get", PUBLIC),
    "health_ready": (None, "get", PUBLIC),
    "strategy:audit_log": (None, "get", USERS),
    "strategy:content_page": ("content_page", "get", PUBLIC),
    "strategy:content_page_edit": ("content_page", "get", USERS),
    "strategy:my_data": (None, "get", READ),
    "strategy:person_data_export": ("person", "get", USERS),
    "strategy:person_data_erase": ("person", "get", USERS),
    "inventory:project_list": (None, "get", READ),
    "inventory:project_new": (None, "get", ADD_ENTRY),
    "inventory:project_detail": ("project", "get", READ),
    "inventory:project_edit": ("project", "get", EDIT_OWN),
    "inventory:project_retire": ("project", "post", POST_OWN),
    "inventory:project_reactivate": ("project", "post", POST_OWN),
    "inventory:project_history": ("project", "get", READ),
    "inventory:strategy_list": (None, "get", READ),
    "inventory:strategy_new": (None, "get", ADD_ENTRY),
    "inventory:strategy_detail": ("strategy", "get", READ),
    "inventory:strategy_edit": ("strategy", "get", EDIT_OWN),
    "inventory:strategy_retire": ("strategy", "post", POST_OWN),
    "inventory:strategy_reactivate": ("strategy", "post", POST_OWN),
    "inventory:strategy_history": ("strategy", "get", READ),
    "inventory:strategy_document": ("strategy", "get", READ),
    "inventory:municipality_inventory": ("municipality", "get", READ),
    "inventory:inventory_complete": ("municipality", "post", POST_OWN),
    "inventory:inventory_reopen": ("municipality", "post", POST_OWN),
    "inventory:completeness": (None, "get", RUN),
    "inventory:matrix": (None, "get", READ),
    "inventory:synergy_list": (None, "get", READ),
    "inventory:synergy_decide": ("synergy", "post", POST_RUN),
    "inventory:import_template": (None, "get", ADD_ENTRY),
    "inventory:import_upload": (None, "get", ADD_ENTRY),
    # Without an uploaded file the preview sends allowed users back to the upload form.
    "inventory:import_preview": (None, "get", row(L, 302, 302, 302, 302, 403, 403, 302)),
    "inventory:import_confirm": (None, "post", ADD_ENTRY),
    # A file being read belongs to the person who uploaded it (Dülmen's representative).
    "inventory:import_job": ("import_job", "get", row(L, 404, 404, 200, 404, 403, 403, 404)),
    "inventory:import_job_status": (
        "import_job",
        "get",
        row(L, 404, 404, 200, 404, 403, 403, 404),
    ),
    "inventory:export_xlsx": (None, "get", READ),
    "inventory:export_csv": (None, "get", READ),
    "workshops:workshop_list": (None, "get", READ),
    "workshops:workshop_new": (None, "get", RUN),
    "workshops:workshop_detail": ("workshop", "get", READ),
    "workshops:workshop_edit": ("workshop", "get", RUN),
    "workshops:workshop_cancel": ("workshop", "get", RUN),
    "workshops:session_new": ("workshop", "get", RUN),
    "workshops:session_edit": ("session", "get", RUN),
    "workshops:session_delete": ("session", "post", POST_RUN),
    "workshops:agenda_item_new": ("session", "get", RUN),
    "workshops:agenda_item_edit": ("agenda_item", "get", RUN),
    "workshops:agenda_item_delete": ("agenda_item", "post", POST_RUN),
    "workshops:agenda_item_move": ("agenda_item", "post", POST_RUN),
    "workshops:invitations": ("workshop", "get", RUN),
    "workshops:invitations_send": ("workshop", "post", POST_RUN),
    "workshops:invitee_remove": ("invitee", "post", POST_RUN),
    "workshops:attendance": ("session", "get", RUN),
    # The RSVP token is the guest's credential; an unknown one is not found for anybody.
    "workshops:rsvp": ("token", "get", row(404, 404, 404, 404, 404, 404, 404, 404)),
    "roadmaps:measure_list": (None, "get", READ),
    "roadmaps:measure_detail": ("measure", "get", READ),
    "roadmaps:measure_new": (None, "get", RUN),
    "roadmaps:measure_edit": ("measure", "get", RUN),
    "roadmaps:measure_delete": ("measure", "post", POST_RUN),
    "roadmaps:roadmap": (None, "get", READ),
    "roadmaps:funding_overview": (None, "get", READ),
    "roadmaps:field_list": (None, "get", READ),
    "roadmaps:field_priorities": (None, "get", RUN),
    "roadmaps:field_priorities_vote": (None, "get", RUN),
    "roadmaps:field_detail": ("field_plan", "get", READ),
    "roadmaps:field_vision": ("field_plan", "get", RUN),
    "roadmaps:goal_new": ("field_plan", "get", RUN),
    "roadmaps:goal_edit": ("goal", "get", RUN),
    "roadmaps:goal_delete": ("goal", "get", RUN),
    "roadmaps:target_new": ("goal", "get", RUN),
    "roadmaps:target_edit": ("target", "get", RUN),
    "roadmaps:target_delete": ("target", "get", RUN),
    "roadmaps:measurement_new": ("target", "get", RUN),
    "roadmaps:measurement_delete": ("measurement", "get", RUN),
    "roadmaps:section_overview": (None, "get", READ),
    "roadmaps:section_new": (None, "get", RUN),
    "roadmaps:section_detail": ("section", "get", READ),
    "roadmaps:section_edit": ("section", "get", RUN),
    # An empty status or comment form is shown again with its errors (200).
    "roadmaps:section_status": ("section", "post", row(L, 200, 200, 403, 403, 403, 403, 200)),
    "roadmaps:section_comment": ("section", "post", row(L, 200, 200, 200, 200, 200, 403, 200)),
    "roadmaps:section_move": ("section", "post", POST_RUN),
    "roadmaps:section_statement_append": ("section", "post", POST_RUN),
    "roadmaps:section_history": ("section", "get", READ),
    "roadmaps:section_compare": ("section", "get", READ),
    "roadmaps:strategy_draft": (None, "get", READ),
    "roadmaps:version_list": (None, "get", READ),
    "roadmaps:version_freeze": (None, "get", USERS),
    "roadmaps:version_detail": ("version", "get", READ),
    # Live session: everyone logged in takes part, and the guest who joined this workshop;
    # facilitator and projector pages stay closed to guests (anonymous outcome).
    "workshops:live_join": (None, "get", row(*[200] * 8, guest=200, guest_elsewhere=200)),
    "workshops:live_participate": ("session", "get", LIVE_READ),
    "workshops:live_participant_panel": ("session", "get", LIVE_READ),
    "workshops:live_card_post": ("session", "post", LIVE_POST),
    "workshops:live_dot": ("session", "post", LIVE_POST),
    "workshops:live_rating": ("session", "post", LIVE_POST),
    "workshops:live_facilitate": ("session", "get", LIVE_RUN),
    "workshops:live_facilitator_status": ("session", "get", LIVE_RUN),
    "workshops:live_facilitator_board": ("session", "get", LIVE_RUN),
    "workshops:live_projector": ("session", "get", LIVE_RUN),
    "workshops:live_projector_panel": ("session", "get", LIVE_RUN),
    "workshops:live_activity_add": ("session", "post", LIVE_POST_RUN),
    "workshops:live_cluster_add": ("session", "post", LIVE_POST_RUN),
    "workshops:live_card_merge": ("session", "post", LIVE_POST_RUN),
    "workshops:live_activity_start": ("activity", "post", LIVE_POST_RUN),
    "workshops:live_activity_timer": ("activity", "post", LIVE_POST_RUN),
    "workshops:live_activity_lock": ("activity", "post", LIVE_POST_RUN),
    "workshops:live_activity_unlock": ("activity", "post", LIVE_POST_RUN),
    "workshops:live_activity_close": ("activity", "post", LIVE_POST_RUN),
    "workshops:live_activity_reveal": ("activity", "post", LIVE_POST_RUN),
    "workshops:live_activity_promote": ("activity", "get", LIVE_RUN),
    "workshops:live_cluster_rename": ("cluster", "post", LIVE_POST_RUN),
    "workshops:live_card_move": ("card", "post", LIVE_POST_RUN),
    "workshops:live_card_edit": ("card", "get", LIVE_RUN),
    "workshops:minutes_detail": ("session", "get", READ),
    "workshops:minutes_edit": ("session", "get", RUN),
    "workshops:minutes_finalise": ("session", "post", POST_RUN),
    "workshops:minutes_reopen": ("session", "post", POST_RUN),
    "workshops:minutes_photos": ("session", "get", RUN),
    "workshops:minutes_photo_image": ("photo", "get", READ),
    "workshops:minutes_photo_delete": ("photo", "post", POST_RUN),
    "workshops:minutes_render": ("session", "post", POST_RUN),
    "workshops:minutes_render_detail": ("render", "get", READ),
    "workshops:minutes_render_status": ("render", "get", READ),
    # Only a finished PDF can be downloaded.
    "workshops:minutes_render_download": (
        "render",
        "get",
        row(L, 404, 404, 404, 404, 404, 404, 404),
    ),
    # The fixture's edition is not adopted: the page explains that instead of the form (200).
    "roadmaps:edition_start": ("process", "get", RUN),
    "roadmaps:edition_compare": (None, "get", READ),
    # Adoption decisions: everybody logged in reads; district staff, consultants and admins
    # record (representatives do not, see adoption/decision_rules.py); only district staff
    # and admins publish. Public page and OParl objects are 404 until published.
    "adoption:decision_overview": (None, "get", READ),
    "adoption:councils_create": (None, "post", POST_RUN),
    "adoption:conference_edit": (None, "get", RUN),
    "adoption:council_detail": ("council", "get", READ),
    "adoption:council_decide": ("council", "get", RUN),
    "adoption:council_steps": ("council", "get", RUN),
    "adoption:council_resolution_file": ("council", "get", READ),
    "adoption:council_paper_edit": ("council", "get", RUN),
    "adoption:council_paper_reset": ("council", "post", POST_RUN),
    "adoption:council_paper_docx": ("council", "get", READ),
    "adoption:council_paper_render": ("council", "post", POST_RUN),
    "adoption:paper_render_detail": ("paper_render", "get", READ),
    "adoption:paper_render_status": ("paper_render", "get", READ),
    # Only a finished PDF can be downloaded.
    "adoption:paper_render_download": (
        "paper_render",
        "get",
        row(L, 404, 404, 404, 404, 404, 404, 404),
    ),
    "adoption:publish": (None, "get", USERS),
    "adoption:unpublish": (None, "post", POST_USERS),
    "adoption:public_strategy": (None, "get", NOT_PUBLISHED),
    "adoption:public_pdf": (None, "get", NOT_PUBLISHED),
    "adoption:oparl_system": (None, "get", PUBLIC),
    "adoption:oparl_body_list": (None, "get", PUBLIC),
    "adoption:oparl_body": ("oparl_body", "get", PUBLIC),
    "adoption:oparl_body_objects": ("oparl_body_objects", "get", PUBLIC),
    "adoption:oparl_organization": ("oparl_key", "get", NOT_PUBLISHED),
    "adoption:oparl_meeting": ("oparl_key", "get", NOT_PUBLISHED),
    "adoption:oparl_agenda_item": ("oparl_key", "get", NOT_PUBLISHED),
    "adoption:oparl_consultation": ("oparl_key", "get", NOT_PUBLISHED),
    "adoption:oparl_paper": ("council", "get", NOT_PUBLISHED),
    "adoption:oparl_file": ("oparl_key", "get", NOT_PUBLISHED),
    "adoption:oparl_file_download": ("oparl_key", "get", NOT_PUBLISHED),
    # Strategy documents: everybody logged in reads and downloads; district staff,
    # consultants and admins have PDFs rendered; drafts are deleted by district staff/admins.
    # The navigation's "Strategy PDF": to the documents of the current edition.
    "adoption:document_list_current": (None, "get", row(L, 302, 302, 302, 302, 302, 302, 302)),
    "adoption:document_list": ("process", "get", READ),
    "adoption:document_new": ("process", "get", RUN),
    "adoption:document_detail": ("document", "get", READ),
    "adoption:document_status": ("document", "get", READ),
    "adoption:document_download": ("document_done", "get", READ),
    "adoption:document_retry": ("document", "post", POST_RUN),
    "adoption:document_delete": (
        "document_done",
        "post",
        row(L, 302, 403, 403, 403, 403, 403, 302),
    ),
}
# Erasing a person (the table above erases a working group member) also depends on whose
# account it is: nobody erases an account with more rights than their own, nor their own,
# nor the last active superuser. The personas' "admin" is the only superuser until
# "second_superuser" exists; "portal_admin" has the administrator role without superuser
# rights; "colleague" is another district staff member. A GET that is allowed shows the
# confirmation (200), a POST that is allowed erases (302).
ERASE_TARGETS = {
    "working_group": USERS,
    "colleague": USERS,
    "district_staff": row(L, 403, 403, 403, 403, 403, 403, 200),
    "portal_admin": row(L, 403, 403, 403, 403, 403, 403, 200),
    "second_superuser": row(L, 403, 403, 403, 403, 403, 403, 200),
    "admin": row(L, 403, 403, 403, 403, 403, 403, 403),
}
# The Django admin has its own login; only administrators get in.
ADMIN_EXPECTED = row(302, 302, 302, 302, 302, 302, 302, 200)


def _all_url_names(patterns=None, namespace=""):
    names = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _all_url_names(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_pattern_has_an_entry_in_the_table():
    missing = _all_url_names() - set(TABLE)
    assert not missing, f"URL patterns without permission expectations: {sorted(missing)}"


def _jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return buffer.getvalue()


OTHER_WORKSHOP = "Themenworkshop Bildung"


@pytest.fixture
def objects(process, reference, settings, tmp_path, personas):
    from inventory.models import ProjectImport

    settings.MEDIA_ROOT = tmp_path / "media"
    import_job = ProjectImport.objects.create(
        requested_by=personas["rep_duelmen"], file_name="projekte.csv"
    )
    step = Step.objects.filter(phase__process=process).first()
    invitation = Invitation.objects.create(email="neu@example.org", role=Role.COUNCILLOR)
    dülmen = reference["Dülmen"]
    project = ProjectFactory(municipality=dülmen)
    strategy = ExistingStrategy.objects.create(
        municipality=dülmen,
        title="Medienentwicklungsplan",
        kind="school_media",
        document=SimpleUploadedFile("plan.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    workshop = Workshop.objects.create(
        process=process, step=step, kind="kickoff", title="Auftakt", location="Kreishaus"
    )
    session = WorkshopSession.objects.create(
        workshop=workshop, starts_at=timezone.now() + timedelta(days=7), duration_minutes=180
    )
    # The workshop the guest of "guest_elsewhere" joined.
    other_workshop = Workshop.objects.create(
        process=process, step=step, kind="thematic", title=OTHER_WORKSHOP, location="Kreishaus"
    )
    WorkshopSession.objects.create(
        workshop=other_workshop, starts_at=timezone.now() + timedelta(days=7), duration_minutes=90
    )
    agenda_item = AgendaItem.objects.create(
        session=session, position=1, title="Begrüßung", duration_minutes=15
    )
    invitee = WorkshopInvitation.objects.create(workshop=workshop, email="gast@example.org")
    photo = SessionPhoto.objects.create(
        session=session,
        image=SimpleUploadedFile("flipchart.jpg", _jpeg(), content_type="image/jpeg"),
        caption="Flipchart",
    )
    render = MinutesRender.objects.create(session=session)
    activity = Activity.objects.create(session=session, kind="ideas", title="Ideen")
    cluster = Cluster.objects.create(session=session, name="Mobilität")
    card = Card.objects.create(session=session, activity=activity, text="Bürgerbus-App")
    field_plan = FieldPlan.objects.create(process=process, theme_field=ThemeField.objects.first())
    goal = Goal.objects.create(field_plan=field_plan, kind="strategic", title="Glasfaser für alle")
    target = TargetValue.objects.create(
        goal=goal,
        indicator="Anschlussquote",
        unit="%",
        baseline_value=40,
        baseline_year=2024,
        target_value=90,
        target_year=2030,
    )
    measurement = Measurement.objects.create(
        target_value=target, measured_on="2026-01-01", value=55
    )
    section = TextSection.objects.create(process=process, kind="vision", title="Leitbild")
    version = StrategyVersion.objects.create(
        process=process, number=1, label="Entwurf v1", content={"chapters": []}
    )
    measure = Measure.objects.create(process=process, number="M-01", title="Glasfaser")
    measure.theme_fields.add(ThemeField.objects.first())
    synergy = SynergyCandidate.objects.create(key=f"{project.pk}", score=0.5)
    synergy.projects.add(project)
    return {
        "project": {"pk": project.pk},
        "workshop": {"pk": workshop.pk},
        "measure": {"pk": measure.pk},
        "field_plan": {"pk": field_plan.pk},
        "goal": {"pk": goal.pk},
        "target": {"pk": target.pk},
        "measurement": {"pk": measurement.pk},
        "section": {"pk": section.pk},
        "version": {"pk": version.pk},
        "session": {"pk": session.pk},
        "agenda_item": {"pk": agenda_item.pk},
        "invitee": {"pk": invitee.pk},
        "photo": {"pk": session.pk, "photo_pk": photo.pk},
        "render": {"pk": render.pk},
        "activity": {"pk": session.pk, "activity_pk": activity.pk},
        "cluster": {"pk": session.pk, "cluster_pk": cluster.pk},
        "card": {"pk": session.pk, "card_pk": card.pk},
        "content_page": {"slug": "datenschutz"},
        "person": {"pk": UserFactory(role=Role.WORKING_GROUP).pk},
        "strategy": {"pk": strategy.pk},
        "municipality": {"pk": dülmen.pk},
        "synergy": {"pk": synergy.pk},
        "import_job": {"pk": import_job.pk},
        "process": {"pk": process.pk},
        "step": {"pk": process.pk, "step_pk": step.pk},
        "phase": {"pk": process.pk, "phase_pk": step.phase_id},
        "themefield": {"pk": ThemeField.objects.first().pk},
        "actorgroup": {"pk": ActorGroup.objects.first().pk},
        "invitation": {"pk": invitation.pk},
        "reset": {"uidb64": "MQ", "token": "falsch"},
        "token": {"token": "kein-gueltiger-token"},
        **_adoption_objects(process, dülmen),
        **_document_objects(version),
    }


def _adoption_objects(process, dülmen) -> dict:
    """Builders of the adoption decision URLs: Dülmen's council with a resolution PDF and an
    unfinished paper PDF job; nothing is published."""
    from adoption.decision_services import councils_ensure
    from adoption.models import CouncilPaperRender

    council = next(c for c in councils_ensure(process=process) if c.municipality == dülmen)
    council.resolution_file = SimpleUploadedFile("beschluss.pdf", pdf_bytes())
    council.save()
    paper_render = CouncilPaperRender.objects.create(council=council)
    return {
        "council": {"pk": council.pk},
        "paper_render": {"pk": paper_render.pk},
        "oparl_body": {"pk": dülmen.pk},
        "oparl_body_objects": {"pk": dülmen.pk, "kind": "papers"},
        "oparl_key": {"key": f"rat-{council.pk}"},
    }


CASES = [(name, role) for name in TABLE for role in MATRIX_ROLES]


def _become(client, personas, role):
    """Log ``client`` in as ``role``: a persona, or a guest joining with the join code."""
    if role == "anonymous":
        return
    if role in GUEST_ROLES:
        title = OTHER_WORKSHOP if role == "guest_elsewhere" else "Auftakt"
        guest_join(WorkshopSession.objects.get(workshop__title=title), name="Gast", client=client)
        return
    client.force_login(personas[role])


def _db_state() -> dict:
    """What a refused write must leave as it was."""
    return {
        "transitions": StepTransition.objects.count(),
        "revoked invitations": Invitation.objects.filter(revoked_at__isnull=False).count(),
        "retired projects": Project.objects.filter(retired_at__isnull=False).count(),
        "completions": InventoryCompletion.objects.count(),
        "decided synergies": SynergyCandidate.objects.exclude(decision="open").count(),
        "sessions": WorkshopSession.objects.count(),
        "agenda items": AgendaItem.objects.count(),
        "workshop invitations": WorkshopInvitation.objects.count(),
        "sent workshop invitations": WorkshopInvitation.objects.filter(
            sent_at__isnull=False
        ).count(),
        "photos": SessionPhoto.objects.count(),
        "renders": MinutesRender.objects.count(),
        "activities": list(Activity.objects.values_list("pk", "status", "results_revealed")),
        "cards": list(Card.objects.values_list("pk", "text", "cluster_id")),
        "clusters": list(Cluster.objects.values_list("pk", "name")),
        "participants": Participant.objects.count(),
        "dots": Dot.objects.count(),
        "ratings": Rating.objects.count(),
        "finalised minutes": WorkshopSession.objects.filter(
            minutes_finalised_at__isnull=False
        ).count(),
        "measures": Measure.objects.count(),
        "sections": list(TextSection.objects.values_list("pk", "version")),
        "section comments": SectionComment.objects.count(),
        "versions": StrategyVersion.objects.count(),
    }


def _document_objects(version) -> dict:
    from django.core.files.base import ContentFile

    from adoption.models import StrategyDocument

    queued = StrategyDocument.objects.create(version=version)
    done = StrategyDocument(version=version, purpose="adopted", status="done", pages=1)
    done.file.save("strategie.pdf", ContentFile(pdf_bytes()), save=False)
    done.save()
    return {"document": {"pk": queued.pk}, "document_done": {"pk": done.pk}}


CASES = [(name, role) for name in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_url_role_matrix(client, personas, objects, name, role):
    kwargs_key, method, expectations = TABLE[name]
    expected = expectations[role]
    _become(client, personas, role)
    url = reverse(name, kwargs=objects[kwargs_key] if kwargs_key else None)
    before = _db_state()
    response = getattr(client, method)(url, {"language": "de"} if name == "set_language" else {})
    if expected == L:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected
        if expected == 302:
            assert not response["Location"].startswith(reverse("accounts:login"))
    if expected in (403, L) and method == "post":
        # A refused write changes nothing.
        assert _db_state() == before
        assert Activity.objects.get().status == "draft" and Card.objects.get().cluster is None
        assert Cluster.objects.get().name == "Mobilität" and Dot.objects.count() == 0
        assert TextSection.objects.get().version == 1 and not SectionComment.objects.exists()
        assert StrategyVersion.objects.count() == 1
        assert not WorkshopInvitation.objects.filter(sent_at__isnull=False).exists()
        _assert_adoption_unchanged()


def _assert_adoption_unchanged():
    from adoption.models import AdoptionPublication, Council, CouncilPaperRender

    assert Council.objects.count() == 12 and CouncilPaperRender.objects.count() == 1
    assert not Council.objects.filter(paper_text_edited_at__isnull=False).exists()
    assert not AdoptionPublication.objects.exists()


def _running(session, kind):
    from workshops import live_services

    activity = live_services.activity_create(session=session, kind=kind, title=str(kind))
    return live_services.activity_start(activity=activity)


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_only_the_guest_of_the_workshop_writes_into_its_live_session(
    client, personas, objects, role
):
    """Valid cards, dots and ratings, one after the other in running activities: they count
    for the accounts and the workshop's own guest; everybody else changes nothing."""
    session = WorkshopSession.objects.get(pk=objects["session"]["pk"])
    card = Card.objects.get()
    _become(client, personas, role)
    allowed = TABLE["workshops:live_card_post"][2][role] == 302
    posts = [
        ("live_card_post", Activity.Kind.IDEAS, {"text": "Radwege"}),
        ("live_dot", Activity.Kind.DOT_VOTE, {"place": f"card:{card.pk}"}),
        (
            "live_rating",
            Activity.Kind.RATING,
            {"item": f"card:{card.pk}", "benefit": 4, "effort": 2},
        ),
    ]
    for name, kind, data in posts:
        activity = _running(session, kind)
        before = _db_state()
        response = client.post(
            reverse(f"workshops:{name}", args=[session.pk]), {"activity": activity.pk, **data}
        )
        assert response.status_code == 302
        if allowed:
            assert response["Location"] == reverse("workshops:live_participate", args=[session.pk])
        else:
            assert response["Location"].startswith(reverse("accounts:login"))
            assert _db_state() == before
    if allowed:
        participant = Participant.objects.get(session=session)
        assert participant.cards.get().text == "Radwege"
        assert Dot.objects.get().participant == participant
        assert Rating.objects.get().participant == participant
        assert (participant.user is None) == (role == "guest")
    else:
        assert Card.objects.count() == 1 and not Dot.objects.exists()
        assert not Rating.objects.exists()


ERASE_CASES = [
    (target, role, method)
    for target in ERASE_TARGETS
    for role in ROLES
    for method in ("get", "post")
]


@pytest.mark.parametrize(
    ("target", "role", "method"), ERASE_CASES, ids=["-".join(case) for case in ERASE_CASES]
)
def test_erasing_a_person_depends_on_whose_account(client, personas, target, role, method):
    extra = {
        "working_group": lambda: personas["working_group"],
        "colleague": lambda: UserFactory(role=Role.DISTRICT_STAFF),
        "portal_admin": lambda: UserFactory(role=Role.ADMIN, is_staff=True),
        "second_superuser": lambda: UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True),
    }
    person = extra[target]() if target in extra else personas[target]
    expected = ERASE_TARGETS[target][role]
    if method == "post" and expected == 200:
        expected = 302
    _become(client, personas, role)
    before = _db_state()
    response = getattr(client, method)(reverse("strategy:person_data_erase", args=[person.pk]))
    if expected == L:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected
    person.refresh_from_db()
    erased = method == "post" and expected == 302
    assert person.is_active is not erased and (person.email == "") is erased
    if not erased:
        assert _db_state() == before


@pytest.mark.parametrize("role", ROLES)
def test_admin_site_only_for_administrators(client, personas, role):
    if role != "anonymous":
        client.force_login(personas[role])
    response = client.get("/admin/")
    assert response.status_code == ADMIN_EXPECTED[role]


@pytest.mark.parametrize(
    ("role", "municipality", "allowed"),
    [
        ("district_staff", "Dülmen", True),
        ("consultant", "Dülmen", True),
        ("rep_duelmen", "Dülmen", True),
        ("rep_nottuln", "Dülmen", False),
        ("working_group", "Dülmen", False),
        ("councillor", "Coesfeld", False),
        ("admin", "Dülmen", True),
    ],
)
def test_municipal_content_is_writable_by_own_representatives_only(
    personas, reference, role, municipality, allowed
):
    user = personas[role]
    target = reference[municipality]
    assert edits_municipality_content(user, target) is allowed
    assert user.has_perm("strategy.edit_municipality_content", target) is allowed


POSTS = [name for name, (_key, method, _expected) in TABLE.items() if method == "post"]


@pytest.mark.parametrize("name", POSTS)
def test_every_state_changing_request_needs_a_csrf_token(personas, objects, name):
    """With CSRF checks on (as in a browser), a POST without token is refused for everyone."""
    from django.test import Client

    kwargs_key = TABLE[name][0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["admin"])
    transitions_before = StepTransition.objects.count()
    response = client.post(reverse(name, kwargs=objects[kwargs_key] if kwargs_key else None))
    assert response.status_code == 403
    assert StepTransition.objects.count() == transitions_before
    assert not Project.objects.filter(retired_at__isnull=False).exists()


GUEST_POSTS = [name for name in POSTS if TABLE[name][2]["guest"] not in (L, 403)]


@pytest.mark.parametrize("name", GUEST_POSTS)
def test_every_guest_post_needs_a_csrf_token(objects, name):
    """The workshop's guest, with a valid payload in a running activity, but without the
    CSRF token: refused, and nothing is written."""
    from django.test import Client

    session = WorkshopSession.objects.get(pk=objects["session"]["pk"])
    card = Card.objects.get()
    joined, _participant = guest_join(session)
    client = Client(enforce_csrf_checks=True)
    client.cookies = joined.cookies
    kind, data = {
        "workshops:live_card_post": (Activity.Kind.IDEAS, {"text": "Radwege"}),
        "workshops:live_dot": (Activity.Kind.DOT_VOTE, {"place": f"card:{card.pk}"}),
        "workshops:live_rating": (
            Activity.Kind.RATING,
            {"item": f"card:{card.pk}", "benefit": 4, "effort": 2},
        ),
    }.get(name, (None, {"language": "en"}))
    if kind:
        data["activity"] = _running(session, kind).pk
    url = reverse(name, kwargs=objects[TABLE[name][0]] if TABLE[name][0] else None)
    before = _db_state()
    response = client.post(url, data)
    assert response.status_code == 403
    assert _db_state() == before
    # The same post with the token goes through: the 403 above was the missing token.
    # Read the token from the page as a browser does: the polled fragments are shared renders
    # whose context holds a slot for the token, filled in per request.
    page = client.get(reverse("workshops:live_participate", args=[session.pk]))
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert tokens and all("\ue000" not in token for token in tokens)
    data["csrfmiddlewaretoken"] = tokens[-1]
    assert client.post(url, data).status_code == 302


def test_joining_needs_a_csrf_token(objects):
    from django.test import Client

    workshop = Workshop.objects.get(title="Auftakt")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("workshops:live_join"), {"code": workshop.join_code, "display_name": "Gast"}
    )
    assert response.status_code == 403
    assert not Participant.objects.exists() and "live_guest" not in client.session


# Every view that sends a stored file (upload or PDF made by the worker): who gets it, and
# that it always comes as a download with its verified type and nosniff, never as a page of
# the portal. The adoption is published here, so the public files are public.
DOWNLOADS = {
    "inventory:strategy_document": ("strategy", READ, "application/pdf"),
    "adoption:council_resolution_file": ("council", READ, "application/pdf"),
    "adoption:document_download": ("document_done", READ, "application/pdf"),
    "adoption:paper_render_download": ("paper_render_done", READ, "application/pdf"),
    "workshops:minutes_photo_image": ("photo", READ, "image/jpeg"),
    "workshops:minutes_render_download": ("render_done", READ, "application/pdf"),
    "adoption:public_pdf": (None, PUBLIC, "application/pdf"),
    "adoption:oparl_file_download": ("oparl_resolution", PUBLIC, "application/pdf"),
}
DOWNLOAD_CASES = [(name, role) for name in DOWNLOADS for role in ROLES]


@pytest.fixture
def published(objects, process, personas):
    """The table's objects with finished PDFs of the paper and the minutes, and the adoption
    published with the finished strategy PDF."""
    from django.core.files.base import ContentFile

    from adoption.models import AdoptionPublication, Council, CouncilPaperRender, StrategyDocument

    council = Council.objects.get(pk=objects["council"]["pk"])
    paper = CouncilPaperRender(council=council, status="done", pages=1)
    paper.file.save("vorlage.pdf", ContentFile(pdf_bytes()), save=False)
    paper.save()
    session = WorkshopSession.objects.get(pk=objects["session"]["pk"])
    minutes = MinutesRender(session=session, status="done", pages=1)
    minutes.file.save("protokoll.pdf", ContentFile(pdf_bytes()), save=False)
    minutes.save()
    AdoptionPublication.objects.create(
        process=process,
        document=StrategyDocument.objects.get(pk=objects["document_done"]["pk"]),
        published_by=personas["district_staff"],
    )
    return objects | {
        "paper_render_done": {"pk": paper.pk},
        "render_done": {"pk": minutes.pk},
        "oparl_resolution": {"key": f"beschluss-{council.pk}"},
    }


@pytest.mark.parametrize(
    ("name", "role"), DOWNLOAD_CASES, ids=[f"{n}-{r}" for n, r in DOWNLOAD_CASES]
)
def test_stored_files_are_sent_as_downloads_to_those_allowed(
    client, personas, published, name, role
):
    kwargs_key, expectations, content_type = DOWNLOADS[name]
    _become(client, personas, role)
    response = client.get(reverse(name, kwargs=published[kwargs_key] if kwargs_key else None))
    if expectations[role] == L:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        return
    assert response.status_code == expectations[role] == 200
    assert response["Content-Type"] == content_type
    assert re.fullmatch(
        r'attachment; filename="[a-z0-9-]+\.(pdf|jpg)"', response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF-" if content_type == "application/pdf" else b"\xff\xd8")


def test_every_view_that_sends_a_file_is_in_the_download_table(client, personas, published):
    """A new view that sends a stored file must be added to ``DOWNLOADS`` (and so be checked
    for attachment and nosniff)."""
    from django.http import FileResponse

    client.force_login(personas["admin"])
    for name, (kwargs_key, method, _expected) in TABLE.items():
        if method != "get" or name in DOWNLOADS:
            continue
        response = client.get(reverse(name, kwargs=published[kwargs_key] if kwargs_key else None))
        assert not isinstance(response, FileResponse), f"{name} sends a file"

"""Vision, values, guiding principles and chapters: versioned editing with an optimistic lock,
readable diffs, status flow, comments, draft statements from workshops, sanitised Markdown,
permissions per role and query counts."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from roadmaps.diff import text_diff
from roadmaps.models import (
    SectionComment,
    SectionStatus,
    SectionVersion,
    StrategyVersion,
    TextSection,
)
from roadmaps.section_services import (
    SectionConflict,
    SectionError,
    section_create,
    section_status_set,
    section_update,
)
from strategy.models import Step, StrategyProcess
from strategy.services import process_create
from tests.factories import UserFactory
from tests.test_permissions import POST_RUN, READ, ROLES, RUN, USERS, L, row
from workshops.models import Activity, PromotedResult, Workshop, WorkshopSession

pytestmark = pytest.mark.django_db
Kind = TextSection.Kind


def make_section(
    process, user, *, kind=Kind.VISION, title="Leitbild", body="Der Kreis ist digital."
):
    return section_create(process=process, kind=kind, title=title, body=body, user=user)


def make_workshop(process, title="Werte- und Leitbild-Workshop"):
    step = Step.objects.filter(phase__process=process).first()
    return Workshop.objects.create(process=process, step=step, kind="vision", title=title)


def make_statement(workshop, text="Wir vernetzen die Kommunen.", dots=7):
    session = WorkshopSession.objects.create(
        workshop=workshop, starts_at=timezone.now(), duration_minutes=90
    )
    activity = Activity.objects.create(session=session, kind="ideas", title="Leitsätze sammeln")
    return PromotedResult.objects.create(
        activity=activity, kind=PromotedResult.Kind.VISION_STATEMENT, text=text, dots=dots
    )


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def staff(client, personas):
    client.force_login(personas["district_staff"])
    return english(client)


@pytest.fixture
def vision(process, personas):
    return make_section(process, personas["district_staff"])


def _edit(client, section, *, body, version, title=None):
    return client.post(
        reverse("roadmaps:section_edit", args=[section.pk]),
        {"title": title or section.title, "body": body, "version": version},
    )


# --- creating, ordering, overview ---------------------------------------------------------


def test_create_section_records_the_first_version(staff, process):
    response = staff.post(
        reverse("roadmaps:section_new"),
        {"kind": Kind.PRINCIPLE, "title": "Digital zuerst", "body": "Online vor Papier."},
    )
    section = TextSection.objects.get()
    assert response.status_code == 302 and response["Location"] == section.get_absolute_url()
    assert (section.process, section.kind, section.version) == (process, Kind.PRINCIPLE, 1)
    assert list(section.versions.values_list("number", "body")) == [(1, "Online vor Papier.")]
    html = staff.get(reverse("roadmaps:section_overview")).content.decode()
    assert "Digital zuerst" in html and "Draft" in html


@pytest.mark.parametrize("title", ["", "   "])
def test_empty_title_is_refused_with_a_message(staff, process, title):
    response = staff.post(reverse("roadmaps:section_new"), {"kind": Kind.VALUES, "title": title})
    assert response.status_code == 200
    assert "Please enter a title." in response.content.decode()
    assert not TextSection.objects.exists()


def test_empty_title_when_editing_saves_nothing(staff, vision):
    response = _edit(staff, vision, body="Neu", version=1, title=" ")
    assert response.status_code == 200
    assert "Please enter a title." in response.content.decode()
    vision.refresh_from_db()
    assert (vision.version, vision.body) == (1, "Der Kreis ist digital.")


def test_a_second_vision_is_refused(process, personas, vision):
    with pytest.raises(SectionError):
        make_section(process, personas["district_staff"])


def test_sections_are_ordered_within_their_kind(staff, process, personas):
    user = personas["district_staff"]
    first, second, third = (
        make_section(process, user, kind=Kind.PRINCIPLE, title=t) for t in ("A", "B", "C")
    )
    response = staff.post(reverse("roadmaps:section_move", args=[third.pk]), {"direction": "up"})
    assert response.status_code == 302
    order = list(
        TextSection.objects.filter(kind=Kind.PRINCIPLE).order_by("position").values_list("title")
    )
    assert order == [("A",), ("C",), ("B",)]
    staff.post(reverse("roadmaps:section_move", args=[first.pk]), {"direction": "up"})
    assert TextSection.objects.get(pk=first.pk).position == 0
    html = staff.get(reverse("roadmaps:section_overview")).content.decode()
    assert html.index(">A<") < html.index(">C<") < html.index(">B<")
    assert second.pk


# --- editing and versions -----------------------------------------------------------------


def test_every_save_creates_a_version(staff, vision, personas):
    response = _edit(staff, vision, body="Der Kreis wird digitaler.", version=1)
    assert response.status_code == 302
    vision.refresh_from_db()
    assert vision.version == 2 and vision.body == "Der Kreis wird digitaler."
    assert vision.updated_by == personas["district_staff"]
    latest = vision.versions.get(number=2)
    assert (latest.body, latest.author, latest.title) == (
        vision.body,
        vision.updated_by,
        "Leitbild",
    )
    # Saving the same text again records nothing new.
    _edit(staff, vision, body="Der Kreis wird digitaler.", version=2)
    assert SectionVersion.objects.filter(section=vision).count() == 2


def test_text_diff_shows_removed_and_added_words():
    diff = text_diff(
        "Der Kreis ist digital.\nZweite Zeile.", "Der Kreis wird digitaler.\nZweite Zeile."
    )
    changed = [row for row in diff.rows if row.kind == "changed"]
    assert len(changed) == 1
    segments = changed[0].segments
    assert ("removed", "ist") in segments and ("added", "wird") in segments
    assert ("removed", "digital") in segments and ("added", "digitaler") in segments
    assert diff.removed_words == 2 and diff.added_words == 2
    assert not text_diff("gleich", "gleich").changed


def test_history_and_comparison_of_two_versions(staff, vision):
    _edit(staff, vision, body="Der Kreis wird digitaler.\n\n<script>alert(1)</script>", version=1)
    history = staff.get(reverse("roadmaps:section_history", args=[vision.pk]))
    assert history.status_code == 200
    html = history.content.decode()
    assert "Compare version 2 with the one before" in html
    compare = staff.get(reverse("roadmaps:section_compare", args=[vision.pk]) + "?a=1&b=2")
    html = compare.content.decode()
    assert compare.status_code == 200
    assert '<span class="visually-hidden">[removed: </span>ist<' in html
    assert '<span class="visually-hidden">[added: </span>wird<' in html
    assert "<table" in html and "Changes from version 1 to version 2" in html
    # Escaped, never executed.
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_compare_with_unknown_versions_shows_an_error(staff, vision):
    response = staff.get(reverse("roadmaps:section_compare", args=[vision.pk]) + "?a=1&b=9")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


# --- optimistic locking -------------------------------------------------------------------


def test_conflicting_saves_lose_nothing_and_merging_works(process, personas, vision):
    alice, bob = english(Client()), english(Client())
    alice.force_login(personas["district_staff"])
    bob.force_login(personas["consultant"])
    url = reverse("roadmaps:section_edit", args=[vision.pk])
    # Both load version 1.
    for client in (alice, bob):
        assert 'name="version" value="1"' in client.get(url).content.decode()

    assert _edit(alice, vision, body="Alice: Der Kreis wird digital.", version=1).status_code == 302
    response = _edit(bob, vision, body="Bob: Der Kreis ist <b>vernetzt</b>.", version=1)

    assert response.status_code == 409
    vision.refresh_from_db()
    assert vision.body == "Alice: Der Kreis wird digital." and vision.version == 2
    html = response.content.decode()
    assert "someone else saved this section in the meantime" in html
    # Bob's text stays in the form; Alice's current text and the diff are shown.
    assert "Bob: Der Kreis ist &lt;b&gt;vernetzt&lt;/b&gt;." in html
    assert "Alice: Der Kreis wird digital." in html
    assert "[removed: </span>Alice" in html and "[added: </span>Bob" in html
    # The form now carries the current version, so saving the merged text works.
    assert 'name="version" value="2"' in html
    merged = "Alice und Bob: Der Kreis wird digital und vernetzt."
    assert _edit(bob, vision, body=merged, version=2).status_code == 302
    vision.refresh_from_db()
    assert vision.body == merged and vision.version == 3
    assert list(vision.versions.order_by("number").values_list("number", "author")) == [
        (1, personas["district_staff"].pk),
        (2, personas["district_staff"].pk),
        (3, personas["consultant"].pk),
    ]


def test_service_refuses_a_stale_version(personas, vision):
    section_update(section=vision, loaded_version=1, title="Leitbild", body="A", user=None)
    with pytest.raises(SectionConflict) as caught:
        section_update(section=vision, loaded_version=1, title="Leitbild", body="B", user=None)
    assert caught.value.current.body == "A" and caught.value.current.version == 2
    assert SectionVersion.objects.filter(section=vision).count() == 2


def test_editing_an_agreed_section_sends_it_back_to_draft(staff, vision, personas):
    section_status_set(section=vision, status=SectionStatus.AGREED, user=personas["consultant"])
    page = staff.get(reverse("roadmaps:section_edit", args=[vision.pk])).content.decode()
    assert "it goes back to draft" in page
    response = _edit(staff, vision, body="Geändert", version=1)
    vision.refresh_from_db()
    assert vision.status == SectionStatus.DRAFT and vision.agreed_at is None
    assert vision.agreed_by is None
    followed = staff.get(response["Location"]).content.decode()
    assert "is now a draft again" in followed


def test_editing_is_refused_when_the_process_is_archived(staff, vision):
    StrategyProcess.objects.filter(pk=vision.process_id).update(
        status=StrategyProcess.Status.ARCHIVED
    )
    response = _edit(staff, vision, body="Zu spät", version=1)
    # Refused by the permission rules (the edition is read-only), with the reason.
    assert response.status_code == 403
    vision.refresh_from_db()
    assert vision.body == "Der Kreis ist digital." and vision.version == 1
    assert "archived and can no longer be changed" in response.content.decode()
    with pytest.raises(SectionError):
        section_update(section=vision, loaded_version=1, title="x", body="y", user=None)


# --- status flow --------------------------------------------------------------------------


def test_status_flow_with_workshop_and_agreement(staff, vision, process, personas):
    workshop = make_workshop(process)
    url = reverse("roadmaps:section_status", args=[vision.pk])

    response = staff.post(url, {"status": SectionStatus.DISCUSSED})
    assert response.status_code == 200
    assert "Please choose the workshop in which the section was discussed." in (
        response.content.decode()
    )
    vision.refresh_from_db()
    assert vision.status == SectionStatus.DRAFT

    response = staff.post(url, {"status": SectionStatus.DISCUSSED, "workshop": workshop.pk})
    assert response.status_code == 302
    vision.refresh_from_db()
    assert (vision.status, vision.discussed_in) == (SectionStatus.DISCUSSED, workshop)
    html = staff.get(vision.get_absolute_url()).content.decode()
    assert "Discussed in workshop" in html and "Werte- und Leitbild-Workshop" in html

    response = staff.post(url, {"status": SectionStatus.AGREED})
    vision.refresh_from_db()
    assert vision.status == SectionStatus.AGREED
    assert vision.agreed_by == personas["district_staff"]
    assert timezone.now() - vision.agreed_at < timedelta(minutes=1)
    html = staff.get(vision.get_absolute_url()).content.decode()
    assert f"by {personas['district_staff']}" in html
    overview = staff.get(reverse("roadmaps:section_overview")).content.decode()
    assert "Agreed" in overview and "Werte- und Leitbild-Workshop" in overview


def test_a_workshop_of_another_edition_is_refused(vision, personas, reference):
    other = process_create(title="Fortschreibung", year=2031)
    with pytest.raises(SectionError):
        section_status_set(
            section=vision,
            status=SectionStatus.DISCUSSED,
            workshop=make_workshop(other),
            user=personas["district_staff"],
        )
    vision.refresh_from_db()
    assert vision.status == SectionStatus.DRAFT and vision.discussed_in is None


def test_status_change_keeps_a_text_saved_meanwhile(vision, personas):
    stale = TextSection.objects.get(pk=vision.pk)
    section_update(section=vision, loaded_version=1, title="Leitbild", body="Neu", user=None)
    section_status_set(section=stale, status=SectionStatus.AGREED, user=personas["consultant"])
    vision.refresh_from_db()
    assert vision.body == "Neu" and vision.status == SectionStatus.AGREED


# --- comments -----------------------------------------------------------------------------


def test_participants_comment_and_comments_are_text(client, vision, personas):
    client.force_login(personas["rep_duelmen"])
    english(client)
    url = reverse("roadmaps:section_comment", args=[vision.pk])
    response = client.post(url, {"text": "Bitte <script>alert(1)</script> ergänzen."})
    assert response.status_code == 302
    comment = SectionComment.objects.get()
    assert comment.author == personas["rep_duelmen"]
    html = client.get(vision.get_absolute_url()).content.decode()
    assert "Bitte &lt;script&gt;alert(1)&lt;/script&gt; ergänzen." in html
    assert str(personas["rep_duelmen"]) in html
    assert f'datetime="{timezone.localtime(comment.created_at).isoformat()[:19]}' in html


def test_too_long_or_empty_comments_are_refused(client, vision, personas):
    client.force_login(personas["working_group"])
    english(client)
    url = reverse("roadmaps:section_comment", args=[vision.pk])
    response = client.post(url, {"text": "x" * 5001})
    assert response.status_code == 200
    html = response.content.decode()
    assert "at most 5000 characters" in html and "x" * 5001 in html  # the text is kept
    assert client.post(url, {"text": "   "}).status_code == 200
    assert not SectionComment.objects.exists()


def test_councillors_read_but_do_not_comment(client, vision, personas):
    client.force_login(personas["councillor"])
    assert client.get(vision.get_absolute_url()).status_code == 200
    response = client.post(reverse("roadmaps:section_comment", args=[vision.pk]), {"text": "Hallo"})
    assert response.status_code == 403
    assert not SectionComment.objects.exists()


# --- draft statements from workshops ------------------------------------------------------


def test_vision_shows_promoted_statements_and_appends_one(staff, vision, process):
    statement = make_statement(make_workshop(process))
    other_process = process_create(title="Andere", year=2031)
    foreign = make_statement(make_workshop(other_process), text="Fremder Satz.")
    html = staff.get(vision.get_absolute_url()).content.decode()
    assert "Wir vernetzen die Kommunen." in html and "Fremder Satz." not in html
    assert "Append to the text" in html

    url = reverse("roadmaps:section_statement_append", args=[vision.pk])
    assert staff.post(url, {"result": statement.pk}).status_code == 302
    vision.refresh_from_db()
    assert vision.body == "Der Kreis ist digital.\n\nWir vernetzen die Kommunen."
    assert vision.version == 2 and vision.versions.count() == 2
    statement.refresh_from_db()
    assert statement.adopted_at is not None

    staff.post(url, {"result": foreign.pk})
    staff.post(url, {"result": "nichts"})
    vision.refresh_from_db()
    assert vision.version == 2


def test_statements_are_only_shown_beside_the_vision(staff, process, personas):
    make_statement(make_workshop(process))
    chapter = make_section(process, personas["district_staff"], kind=Kind.CHAPTER, title="Kap")
    assert "Wir vernetzen" not in staff.get(chapter.get_absolute_url()).content.decode()


# --- Markdown -----------------------------------------------------------------------------

EVIL = (
    "## Leitbild\n\n<script>alert('x')</script>\n\n"
    '<img src="x" onerror="alert(1)">\n\n'
    '<a href="javascript:alert(2)" onclick="alert(3)">Klick</a>\n\n'
    "[Link](javascript:alert(4)) und [gut](https://www.kreis-coesfeld.de)\n\n**fett**"
)


def test_markdown_is_stored_as_typed_and_rendered_sanitised(staff, vision):
    assert _edit(staff, vision, body=EVIL, version=1).status_code == 302
    vision.refresh_from_db()
    assert vision.body == EVIL
    html = staff.get(vision.get_absolute_url()).content.decode()
    article = html.split('<article class="strategy-text', 1)[1].split("</article>", 1)[0]
    assert "<script" not in article and "onerror" not in article and "onclick" not in article
    assert "javascript:" not in article
    assert "<h2>Leitbild</h2>" in article and "<strong>fett</strong>" in article
    assert 'href="https://www.kreis-coesfeld.de"' in article


# --- permissions --------------------------------------------------------------------------

# Empty POSTs: an invalid form is shown again (200), a refused move or append redirects (302).
POST_RUN_FORM = RUN
POST_RUN_REDIRECT = POST_RUN
POST_COMMENT_FORM = row(L, 200, 200, 200, 200, 200, 403, 200)
FREEZE = USERS
POST_FREEZE = row(L, 302, 403, 403, 403, 403, 403, 302)

TABLE = {
    "roadmaps:section_overview": (None, "get", READ),
    "roadmaps:section_new": (None, "get", RUN),
    "roadmaps:section_detail": ("section", "get", READ),
    "roadmaps:section_edit": ("section", "get", RUN),
    "roadmaps:section_status": ("section", "post", POST_RUN_FORM),
    "roadmaps:section_comment": ("section", "post", POST_COMMENT_FORM),
    "roadmaps:section_move": ("section", "post", POST_RUN_REDIRECT),
    "roadmaps:section_statement_append": ("section", "post", POST_RUN_REDIRECT),
    "roadmaps:section_history": ("section", "get", READ),
    "roadmaps:section_compare": ("section", "get", READ),
    "roadmaps:strategy_draft": (None, "get", READ),
    "roadmaps:version_list": (None, "get", READ),
    "roadmaps:version_freeze": (None, "get", FREEZE),
    "roadmaps:version_freeze#post": (None, "post", POST_FREEZE),
    "roadmaps:version_detail": ("version", "get", READ),
}
CASES = [(name, role) for name in TABLE for role in ROLES]


def _state():
    return (
        list(TextSection.objects.values_list("pk", "version", "status", "position", "body")),
        SectionComment.objects.count(),
        SectionVersion.objects.count(),
        StrategyVersion.objects.count(),
    )


def test_the_table_covers_every_section_url():
    from roadmaps.section_urls import urlpatterns

    names = {f"roadmaps:{p.name}" for p in urlpatterns}
    assert names == {name.split("#")[0] for name in TABLE}


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_url_role_matrix(client, personas, process, name, role):
    staff = personas["district_staff"]
    section = make_section(process, staff)
    make_section(process, staff, kind=Kind.PRINCIPLE, title="Zweiter")
    from roadmaps.section_services import strategy_version_freeze

    version = strategy_version_freeze(process=process, user=staff)
    objects = {"section": {"pk": section.pk}, "version": {"pk": version.pk}}
    key, method, expectations = TABLE[name]
    expected = expectations[role]
    if role != "anonymous":
        client.force_login(personas[role])
    url = reverse(name.split("#")[0], kwargs=objects[key] if key else None)
    before = _state()
    response = getattr(client, method)(url, {})
    if expected == L:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected
    if method == "post" and expected in (403, L):
        assert _state() == before


def test_the_working_group_cannot_change_the_status(client, personas, vision):
    client.force_login(personas["working_group"])
    response = client.post(
        reverse("roadmaps:section_status", args=[vision.pk]), {"status": SectionStatus.AGREED}
    )
    assert response.status_code == 403
    vision.refresh_from_db()
    assert vision.status == SectionStatus.DRAFT


# --- queries ------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def _grow(process, vision, users, workshop, n):
    for i in range(n):
        section = make_section(process, users[i % len(users)], kind=Kind.PRINCIPLE, title=f"L{i}")
        section_status_set(
            section=section, status=SectionStatus.DISCUSSED, workshop=workshop, user=users[0]
        )
        SectionComment.objects.create(section=section, author=users[i % len(users)], text="ok")
        SectionComment.objects.create(section=vision, author=users[i % len(users)], text=f"K{i}")
        make_statement(workshop, text=f"Aussage {i}")


def test_query_counts_do_not_grow_with_the_data(staff, process, personas, vision):
    workshop = make_workshop(process)
    users = [personas["district_staff"], personas["consultant"]]
    _grow(process, vision, users, workshop, 2)
    urls = [reverse("roadmaps:section_overview"), vision.get_absolute_url()]
    small = {url: _queries(staff, url) for url in urls}
    users += [UserFactory() for _ in range(5)]
    _grow(process, vision, users, workshop, 25)
    large = {url: _queries(staff, url) for url in urls}
    assert large == small
    assert max(large.values()) <= 15

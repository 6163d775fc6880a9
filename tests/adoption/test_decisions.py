# ruff: noqa: F811 - the fixtures are imported from decisions_helpers
"""Recording the decisions of the mayors' conference and the twelve bodies, the overview, the
completion of the adoption phase and its message on the dashboard."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from adoption.decision_selectors import adoption_overview
from adoption.decision_services import council_name
from adoption.models import ConferenceRecommendation, ConsultationStep, Council
from strategy.models import AuditEvent, Municipality
from tests.adoption.decisions_helpers import (  # noqa: F401 - fixtures
    PDF_BYTES,
    councils,
    count_queries,
    decide,
    local_day,
    media,
    version,
)


def _decision_data(**overrides):
    data = {
        "paper_reference": "DS 123/2027",
        "ris_url": "https://ris.duelmen.de/vorlage/123",
        "result": "adopted",
        "decided_on": local_day(-1).isoformat(),
        "votes_yes": "30",
        "votes_no": "4",
        "votes_abstain": "2",
        "resolution_text": "Der Rat beschließt die Strategie.",
    }
    # A value may be a callable, so that a date is taken when the test runs.
    data.update({key: value() if callable(value) else value for key, value in overrides.items()})
    return data


def _snapshot(council: Council) -> tuple:
    council.refresh_from_db()
    return (
        council.paper_reference,
        council.ris_url,
        council.result,
        council.decided_on,
        council.votes_yes,
        council.votes_no,
        council.votes_abstain,
        council.resolution_text,
        council.resolution_file.name,
    )


def test_the_kreistag_and_eleven_councils_are_set_up_once(process, councils):
    assert len(councils) == 12
    assert councils["Kreis Coesfeld"].name == "Kreistag des Kreises Coesfeld"
    assert councils["Dülmen"].name == "Rat der Stadt Dülmen"
    assert councils["Nottuln"].name == "Rat der Gemeinde Nottuln"
    assert council_name(Municipality.objects.get(name="Olfen")) == "Rat der Stadt Olfen"
    from adoption.decision_services import councils_ensure

    councils_ensure(process=process)
    assert Council.objects.filter(process=process).count() == 12


def test_staff_records_a_decision_with_file(client, personas, councils, media):
    client.force_login(personas["district_staff"])
    council = councils["Dülmen"]
    upload = SimpleUploadedFile("beschluss.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(
        reverse("adoption:council_decide", args=[council.pk]),
        _decision_data(resolution_file=upload),
    )
    assert response.status_code == 302
    council.refresh_from_db()
    assert council.result == "adopted" and council.votes_yes == 30
    assert council.paper_reference == "DS 123/2027"
    assert council.resolution_file.name.startswith("adoption/resolutions/")
    event = AuditEvent.objects.get(action="decision")
    assert event.target_id == str(council.pk) and event.actor == personas["district_staff"]
    download = client.get(reverse("adoption:council_resolution_file", args=[council.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES


BAD_INPUTS = [
    ({"ris_url": "javascript:alert(1)"}, "ris_url"),
    ({"ris_url": "ftp://ris.example.org/1"}, "ris_url"),
    ({"votes_yes": "-1"}, "votes_yes"),
    ({"votes_no": ""}, None),  # partly filled vote
    ({"votes_yes": "2", "votes_no": "30"}, None),  # adopted against the majority
    ({"result": "rejected"}, None),  # rejected with a yes majority
    ({"votes_yes": "50", "votes_no": "20", "votes_abstain": "5"}, None),  # more than 59 seats
    ({"votes_yes": "0", "votes_no": "0", "votes_abstain": "0"}, None),
    ({"decided_on": ""}, "decided_on"),
    ({"decided_on": lambda: local_day(3).isoformat()}, "decided_on"),
    ({"result": "maybe"}, "result"),
    ({"resolution_text": "x" * 20001}, "resolution_text"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUTS)
def test_bad_decisions_are_refused_with_a_message_and_change_nothing(
    client, personas, councils, media, overrides, field
):
    client.force_login(personas["consultant"])
    council = councils["Kreis Coesfeld"]
    before = _snapshot(council)
    response = client.post(
        reverse("adoption:council_decide", args=[council.pk]), _decision_data(**overrides)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_valid() or form.non_field_errors()
    if field:
        assert form.errors[field]
    else:
        assert form.non_field_errors()
    assert _snapshot(council) == before
    assert not AuditEvent.objects.filter(action="decision").exists()


@pytest.mark.clock
def test_a_decision_may_be_dated_today_in_berlin_but_not_tomorrow(client, personas, councils):
    """ "Today" is the date in Europe/Berlin, also just before and after midnight (when the UTC
    date differs) and at a DST change."""
    client.force_login(personas["district_staff"])
    council = councils["Dülmen"]
    url = reverse("adoption:council_decide", args=[council.pk])
    tomorrow = local_day(1).isoformat()
    response = client.post(url, _decision_data(decided_on=tomorrow))
    assert response.status_code == 200 and response.context["form"].errors["decided_on"]
    response = client.post(url, _decision_data(decided_on=local_day().isoformat()))
    assert response.status_code == 302
    council.refresh_from_db()
    assert council.decided_on == local_day()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a not a pdf", "Die Datei ist kein PDF-Dokument."),
        (b"%PDF-" + b"x" * (20 * 1024 * 1024), "erlaubt sind höchstens 20,0"),
    ],
)
def test_a_resolution_file_is_checked_by_content_and_size(
    client, personas, councils, media, content, message
):
    client.force_login(personas["district_staff"])
    council = councils["Senden"]
    before = _snapshot(council)
    upload = SimpleUploadedFile("beschluss.pdf", content, content_type="application/pdf")
    response = client.post(
        reverse("adoption:council_decide", args=[council.pk]),
        _decision_data(resolution_file=upload),
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["resolution_file"])
    assert _snapshot(council) == before
    assert not list((media / "adoption").rglob("*.pdf")) if (media / "adoption").exists() else True


def test_the_form_messages_are_translated_to_german(client, personas, councils):
    client.force_login(personas["district_staff"])
    council = councils["Dülmen"]
    response = client.post(
        reverse("adoption:council_decide", args=[council.pk]),
        _decision_data(ris_url="javascript:alert(1)"),
    )
    # Django's own message for an invalid URL is German already; ours follow with the merge.
    assert response.context["form"].errors["ris_url"]
    assert response["Content-Language"] == "de"


@pytest.mark.clock
def test_conference_recommendation_and_its_bad_inputs(client, personas, process, version):
    client.force_login(personas["district_staff"])
    url = reverse("adoption:conference_edit")
    future, yesterday = local_day(1).isoformat(), local_day(-1)
    data = {"version": version.pk, "meeting_date": future, "outcome": "recommended"}
    assert client.post(url, data).status_code == 200
    assert client.post(url, data | {"meeting_date": yesterday, "outcome": "x"}).status_code == 200
    assert client.post(url, data | {"meeting_date": yesterday, "version": 999}).status_code == 200
    assert not ConferenceRecommendation.objects.exists()
    response = client.post(url, data | {"meeting_date": yesterday, "remarks": "Einstimmig."})
    assert response.status_code == 302
    recommendation = ConferenceRecommendation.objects.get()
    assert recommendation.version == version and recommendation.outcome == "recommended"
    assert AuditEvent.objects.filter(action="decision", target_id=str(recommendation.pk)).exists()


def test_consultation_steps_are_saved_and_checked(client, personas, councils):
    client.force_login(personas["district_staff"])
    council = councils["Coesfeld"]
    url = reverse("adoption:council_steps", args=[council.pk])
    management = {
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "10",
    }
    earlier, later = (local_day(-1) - timedelta(days=20)).isoformat(), local_day(-1).isoformat()
    wrong_order = management | {
        "steps-0-organization_name": "Ausschuss für Digitalisierung",
        "steps-0-role": "preliminary",
        "steps-0-meeting_date": later,
        "steps-1-organization_name": council.name,
        "steps-1-role": "decision",
        "steps-1-meeting_date": earlier,
    }
    response = client.post(url, wrong_order)
    assert response.status_code == 200
    assert not ConsultationStep.objects.exists()
    two_decisions = wrong_order | {"steps-0-role": "decision"}
    assert client.post(url, two_decisions).status_code == 200
    assert not ConsultationStep.objects.exists()
    right = wrong_order | {"steps-0-meeting_date": earlier, "steps-1-meeting_date": later}
    assert client.post(url, right).status_code == 302
    steps = list(ConsultationStep.objects.filter(council=council))
    assert [s.role for s in steps] == ["preliminary", "decision"]
    assert steps[1].authoritative and not steps[0].authoritative


def test_overview_shows_the_map_and_the_table_with_completion(client, personas, councils):
    for name, council in councils.items():
        decide(council, Council.Result.ADOPTED if name != "Olfen" else Council.Result.POSTPONED)
    client.force_login(personas["councillor"])
    response = client.get(reverse("adoption:decision_overview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-complete="false"' in html  # postponed is not decided
    assert html.count('class="adoption-tile') == 12
    assert 'data-municipality="Olfen"' in html and 'data-result="postponed"' in html
    assert "<title" in html and "<desc" in html  # text alternative of the map
    assert not adoption_overview(process=councils["Olfen"].process).complete

    decide(councils["Olfen"], Council.Result.REJECTED, votes_yes=5, votes_no=20, votes_abstain=0)
    overview = adoption_overview(process=councils["Olfen"].process)
    assert overview.complete and overview.decided == 12 and overview.adopted == 11
    response = client.get(reverse("adoption:decision_overview"))
    assert 'data-complete="true"' in response.content.decode()


def test_overview_queries_do_not_grow_with_the_data(client, personas, councils):
    client.force_login(personas["working_group"])
    url = reverse("adoption:decision_overview")
    client.get(url)
    few, _context, _response = count_queries(client, url)
    for index, council in enumerate(councils.values()):
        decide(council)
        for step in range(3):
            ConsultationStep.objects.create(
                council=council,
                organization_name=f"Ausschuss {step}",
                role="preliminary",
                meeting_date=local_day(-1) - timedelta(days=index + step),
            )
    many, _context, _response = count_queries(client, url)
    assert few == many and few > 0


def test_dashboard_says_when_the_adoption_phase_is_complete(client, personas, councils):
    client.force_login(personas["rep_nottuln"])
    dashboard = reverse("strategy:dashboard")
    html = client.get(dashboard).content.decode()
    assert 'id="adoption-status"' in html and 'data-complete="false"' in html
    for council in councils.values():
        decide(council)
    _count, queries, response = count_queries(client, dashboard)
    assert 'data-complete="true"' in response.content.decode()
    with translation.override("en"):
        html = client.get(dashboard, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The adoption phase is complete: all 12 bodies have decided" in html
    adoption_queries = [q for q in queries if "adoption_" in q["sql"]]
    assert len(adoption_queries) == 2


def test_representatives_and_councillors_cannot_record(client, personas, councils):
    council = councils["Dülmen"]
    before = _snapshot(council)
    for role in ("rep_duelmen", "rep_nottuln", "councillor", "working_group"):
        client.force_login(personas[role])
        response = client.post(
            reverse("adoption:council_decide", args=[council.pk]), _decision_data()
        )
        assert response.status_code == 403
    assert _snapshot(council) == before


@pytest.mark.clock
def test_demo_decisions_are_a_plausible_mix_and_created_once(process):
    from adoption.demo_decisions import demo_decisions_create

    assert demo_decisions_create(process=process) == 4
    assert demo_decisions_create(process=process) == 0
    overview = adoption_overview(process=process)
    assert len(overview.councils) == 12 and not overview.complete
    assert overview.counts["postponed"] == 1 and overview.counts["pending"] == 7
    assert overview.conference.outcome == "recommended"
    for council in overview.councils:
        council.full_clean()  # references, links and votes pass the model checks


def test_the_service_checks_the_resolution_file_too(councils, personas, media):
    from adoption.decision_services import DecisionError, council_decision_record

    council = councils["Havixbeck"]
    before = _snapshot(council)
    upload = SimpleUploadedFile("beschluss.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(DecisionError):
        council_decision_record(
            council=council,
            user=personas["district_staff"],
            paper_reference="DS 1",
            ris_url="",
            result="adopted",
            decided_on=local_day(-1),
            votes_yes=None,
            votes_no=None,
            votes_abstain=None,
            resolution_text="",
            resolution_file=upload,
        )
    assert _snapshot(council) == before

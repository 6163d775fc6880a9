"""Numbers and names from requests (issue 11, items 7 and 8): the attacks the outside probe
found, each with the answer it must get now. Unicode digits ("²", "٣"), NUL and other
control characters and overlong values in query parameters, form values and path parameters
are a bad request (400) or an unknown object (404, or the view's own German refusal), never
a server error, and change nothing."""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from roadmaps.models import TextSection
from strategy.http import BadParameter, int_param
from tests.test_permissions import _become, _db_state, objects  # noqa: F401
from tests.workshops.test_live_factories import fresh_cache  # noqa: F401
from workshops.models import Activity, Card, Dot, PromotedResult, Rating, WorkshopSession

SUPERSCRIPT_TWO = quote("²")
ARABIC_THREE = quote("٣")
FULLWIDTH_ONE = quote("１")
TOO_MANY_DIGITS = "9" * 5000
OPARL_FILE = "/beschluss/oparl/v1/file/"


def _session(objects):  # noqa: F811
    return WorkshopSession.objects.get(pk=objects["session"]["pk"])


def _live(name, objects, *args):  # noqa: F811
    return reverse(f"workshops:{name}", args=[objects["session"]["pk"], *args])


def _running_vote(objects, kind=Activity.Kind.DOT_VOTE):  # noqa: F811
    from workshops import live_services

    session = _session(objects)
    activity = live_services.activity_create(session=session, kind=kind, title="Punkte")
    return live_services.activity_start(activity=activity)


def _oparl_lists(objects):  # noqa: F811
    pk = objects["oparl_body"]["pk"]
    return [
        reverse("adoption:oparl_body_list"),
        *(
            reverse("adoption:oparl_body_objects", kwargs={"pk": pk, "kind": kind})
            for kind in ("organizations", "meetings", "papers", "files")
        ),
    ]


# (label, role, url builder, expected status) of GET requests.
QUERY_ATTACKS = [
    *[
        (f"oparl list ?page={label}", "anonymous", "oparl", value, 400)
        for label, value in [
            ("²", SUPERSCRIPT_TWO),
            ("٣", ARABIC_THREE),
            ("１", FULLWIDTH_ONE),
            ("9×5000", TOO_MANY_DIGITS),
            ("-1", "-1"),
            ("0", "0"),
            ("x", "x"),
            ("NUL", "%00"),
        ]
    ],
    *[
        (f"{view} ?page={label}", role, view, value, 400)
        for view in ("live_participate", "live_participant_panel")
        for role in ("guest", "rep_nottuln")
        for label, value in [("²", SUPERSCRIPT_TWO), ("9×5000", TOO_MANY_DIGITS)]
    ],
]


def _query_url(kind, objects):  # noqa: F811
    if kind == "oparl":
        return _oparl_lists(objects)
    return [_live(kind, objects)]


@pytest.mark.parametrize(
    ("label", "role", "kind", "value", "expected"),
    QUERY_ATTACKS,
    ids=[attack[0] for attack in QUERY_ATTACKS],
)
def test_query_parameters(personas, objects, label, role, kind, value, expected):  # noqa: F811
    client = Client(raise_request_exception=False)
    _become(client, personas, role)
    for url in _query_url(kind, objects):
        response = client.get(f"{url}?page={value}")
        assert response.status_code == expected, (url, response.status_code)
        if expected == 400:
            assert "Ungültige Anfrage" in response.content.decode()


def test_valid_page_numbers_still_work(client, personas, objects):  # noqa: F811
    """ASCII digits within range: answered as before (one page of bodies, page 1 of the
    participant view)."""
    assert client.get(reverse("adoption:oparl_body_list") + "?page=1").status_code == 200
    assert client.get(reverse("adoption:oparl_body_list") + "?page=2").status_code == 404
    _become(client, personas, "guest")
    assert client.get(_live("live_participate", objects) + "?page=1").status_code == 200
    # More pages than the vote has: the last one there is (the items change while voting).
    assert client.get(_live("live_participant_panel", objects) + "?page=99").status_code == 200


# (label, role, url name, data builder, expected status) of form posts.
def _vote(objects, **data):  # noqa: F811
    return {"activity": _running_vote(objects).pk, **data}


def _rating(objects, **data):  # noqa: F811
    activity = _running_vote(objects, Activity.Kind.RATING)
    return {"activity": activity.pk, "benefit": "3", "effort": "2", **data}


def _card(objects, **data):  # noqa: F811
    activity = Activity.objects.get(title="Ideen")
    from workshops import live_services

    live_services.activity_start(activity=activity)
    return {"activity": activity.pk, "text": "Radwege", **data}


POST_ATTACKS = [
    ("dot place=card:²", "live_dot", lambda o: _vote(o, place="card:²"), 302),
    ("dot place=card:٣", "live_dot", lambda o: _vote(o, place="card:٣"), 302),
    ("dot remove=card:²", "live_dot", lambda o: _vote(o, remove="card:²"), 302),
    ("dot place=card:9×5000", "live_dot", lambda o: _vote(o, place="card:" + "9" * 5000), 302),
    ("dot activity=²", "live_dot", lambda o: _vote(o, activity="²", place="card:1"), 302),
    ("dot page=²", "live_dot", lambda o: _vote(o, place="card:1", page="²"), 400),
    ("rating item=card:²", "live_rating", lambda o: _rating(o, item="card:²"), 302),
    ("rating benefit=²", "live_rating", lambda o: _rating(o, item="card:1", benefit="²"), 302),
    ("rating page=²", "live_rating", lambda o: _rating(o, item="card:1", page="²"), 400),
    ("card page=²", "live_card_post", lambda o: _card(o, page="²"), 400),
    ("card page=NUL", "live_card_post", lambda o: _card(o, page="\x00"), 400),
    ("card text=NUL", "live_card_post", lambda o: _card(o, text="a\x00b"), 400),
]


@pytest.mark.parametrize(
    ("label", "name", "data", "expected"), POST_ATTACKS, ids=[a[0] for a in POST_ATTACKS]
)
@pytest.mark.parametrize("role", ["guest", "rep_nottuln"])
def test_live_form_values(personas, objects, role, label, name, data, expected):  # noqa: F811
    client = Client(raise_request_exception=False)
    _become(client, personas, role)
    payload = data(objects)
    before = _db_state()
    response = client.post(_live(name, objects), payload)
    assert response.status_code == expected, response.status_code
    assert Dot.objects.count() == 0 and Rating.objects.count() == 0
    assert Card.objects.count() == 1
    after = _db_state()
    # Joining the session may add the account as a participant; nothing else changes.
    before.pop("participants"), after.pop("participants")
    assert after == before


@pytest.mark.parametrize(
    "value", ["²", "٣", "9" * 5000, "-1", "0", "\x00", "1\x00", " 1", "１", "abc", ""]
)
def test_statement_result_id(client, personas, objects, value):  # noqa: F811
    """``result=²`` on a section's draft statements: refused with the German message."""
    from tests.roadmaps.test_sections import make_statement

    statement = make_statement(_session(objects).workshop)
    section = TextSection.objects.get()
    client = Client(raise_request_exception=False)
    client.force_login(personas["district_staff"])
    url = reverse("roadmaps:section_statement_append", args=[section.pk])
    response = client.post(url, {"result": value})
    assert response.status_code in (302, 400), response.status_code
    section.refresh_from_db()
    assert section.version == 1
    assert PromotedResult.objects.get(pk=statement.pk).adopted_at is None
    if response.status_code == 302:
        page = client.get(response["Location"]).content.decode()
        assert "Diese Entwurfsaussage gibt es nicht." in page
    # The valid id still works.
    assert client.post(url, {"result": str(statement.pk)}).status_code == 302
    section.refresh_from_db()
    assert section.version == 2


PATH_ATTACKS = [
    # (label, role, method, path, expected)
    ("RSVP NUL", "anonymous", "get", "/workshops/antwort/%00/", 400),
    ("RSVP NUL post", "anonymous", "post", "/workshops/antwort/%00/", 400),
    ("RSVP NUL suffix", "anonymous", "get", "/workshops/antwort/abc%00def/", 400),
    ("RSVP ²", "anonymous", "get", f"/workshops/antwort/{SUPERSCRIPT_TWO}/", 404),
    ("RSVP LF", "anonymous", "get", "/workshops/antwort/%0A/", 400),
    ("RSVP ESC", "anonymous", "get", "/workshops/antwort/%1B/", 400),
    ("RSVP overlong", "anonymous", "get", "/workshops/antwort/" + "x" * 5000 + "/", 400),
    ("RSVP 65 chars", "anonymous", "get", "/workshops/antwort/" + "x" * 65 + "/", 404),
    ("media overlong", "district_staff", "get", "/media/" + "x" * 300, 400),
    ("invitation NUL", "anonymous", "get", "/konto/einladung/%00/", 400),
    ("invitation overlong", "anonymous", "get", "/konto/einladung/" + "x" * 5000 + "/", 400),
    ("password reset NUL", "anonymous", "get", "/konto/passwort-neu/%00/%00/", 400),
    ("content page NUL", "anonymous", "get", "/seiten/%00/", 400),
    ("OParl file NUL", "anonymous", "get", f"{OPARL_FILE}beschluss-%00/", 400),
    ("OParl file ²", "anonymous", "get", f"{OPARL_FILE}vorlage-{SUPERSCRIPT_TWO}/", 404),
    ("workshop ²", "district_staff", "get", f"/workshops/{SUPERSCRIPT_TWO}/", 404),
    ("workshop 9×40", "district_staff", "get", "/workshops/" + "9" * 40 + "/", 404),
    ("admin change NUL", "admin", "get", "/admin/workshops/workshop/%00/change/", 400),
    ("query NUL", "district_staff", "get", "/bestandsaufnahme/?q=%00", 400),
    ("query NUL measures", "district_staff", "get", "/strategie/massnahmen/?q=%00", 400),
]


@pytest.mark.parametrize(
    ("label", "role", "method", "path", "expected"),
    PATH_ATTACKS,
    ids=[attack[0] for attack in PATH_ATTACKS],
)
def test_path_parameters(personas, objects, label, role, method, path, expected):  # noqa: F811
    client = Client(raise_request_exception=False)
    _become(client, personas, role)
    before = _db_state()
    response = getattr(client, method)(path)
    assert response.status_code == expected, response.status_code
    assert _db_state() == before
    if expected == 400:
        assert "Ungültige Anfrage" in response.content.decode()


def test_nul_in_a_posted_value_is_a_bad_request(personas, objects):  # noqa: F811
    """A browser never sends NUL: whatever the form, the post is refused before any view."""
    client = Client(raise_request_exception=False)
    client.force_login(personas["district_staff"])
    before = _db_state()
    response = client.post(reverse("workshops:workshop_new"), {"title": "Auftakt\x00"})
    assert response.status_code == 400
    assert _db_state() == before


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", 1), ("42", 42), ("100000", 100_000), ("007", 7)],
)
def test_int_param_accepts_ascii_digits_in_range(value, expected):
    assert int_param(value, minimum=1, maximum=100_000, name="page") == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "0",
        "100001",
        "²",
        "٣",
        "１",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1\n",
        "1_000",
        "0x1",
        "1.0",
        "9" * 5000,
        "\x00",
        None,
    ],
)
def test_int_param_refuses_everything_else(value):
    with pytest.raises(BadParameter):
        int_param(value, minimum=1, maximum=100_000, name="page")

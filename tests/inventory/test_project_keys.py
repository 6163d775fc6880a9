"""Project keys: one municipality cannot break another's numbering. Importing ``DUEL016-²`` or
``ASC004-`` and 33 nines as Nottuln once made every new project of Dülmen or Ascheberg a 500
(``int("²")``, a number too long for the column); such keys are refused on every path that sets
a key, and numbering copes with any key already stored."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from inventory.importing import import_apply, parse_upload, validate_rows
from inventory.keys import key_prefixes, project_key_check
from inventory.models import Project
from strategy.models import Municipality
from tests.factories import ProjectFactory

from .test_import import csv_bytes, project_row

pytestmark = pytest.mark.django_db

SUPERSCRIPT = "DUEL016-²"
NINES = "ASC004-" + "9" * 33
CHARACTERS = (
    "Ein Schlüssel besteht aus 1 bis 40 Zeichen: Buchstaben A–Z ohne Umlaute, Ziffern und "
    "- _ . /; er beginnt mit einem Buchstaben oder einer Ziffer."
)
ASCHEBERGS = (
    "Schlüssel, die mit ASC004- beginnen, sind die Projektnummern von Ascheberg; bitte wählen "
    "Sie einen anderen Schlüssel."
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _rows(*keys, municipality="Nottuln"):
    return csv_bytes(
        [project_row(Schlüssel=key, Kommune=municipality, Titel=f"Projekt {key}") for key in keys]
    )


def _key_errors(data, user) -> dict[str, list[str]]:
    """The problems in the key column, by key."""
    preview = validate_rows(rows=parse_upload(name="x.csv", data=data), user=user)
    return {
        row.key: [error.message for error in row.errors if error.column == "Schlüssel"]
        for row in preview.rows
    }


def test_importing_keys_that_break_another_municipalitys_numbering_is_refused(client, personas):
    assert len(NINES) == 40  # fits the column, and once broke Ascheberg's numbering
    nottuln = personas["rep_nottuln"]
    errors = _key_errors(_rows(SUPERSCRIPT, NINES, "NOT-0001"), nottuln)
    assert errors == {SUPERSCRIPT: [CHARACTERS], NINES: [ASCHEBERGS], "NOT-0001": []}

    # Through the pages: the preview lists the problems, confirming imports nothing.
    client.force_login(nottuln)
    upload = io.BytesIO(_rows(SUPERSCRIPT, NINES))
    upload.name = "projekte.csv"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("inventory:import_upload"), {"file": upload})
    client.get(response["Location"])
    html = client.get(reverse("inventory:import_preview")).content.decode()
    assert CHARACTERS in html and ASCHEBERGS in html
    assert reverse("inventory:import_confirm") not in html
    client.post(reverse("inventory:import_confirm"))
    assert not Project.objects.exists()


def test_district_staff_cannot_import_such_keys_either(personas):
    staff = personas["district_staff"]
    preview = validate_rows(
        rows=parse_upload(name="x.csv", data=_rows(SUPERSCRIPT, NINES)), user=staff
    )
    assert not preview.is_valid
    with pytest.raises(Exception, match="Die Datei enthält Fehler"):
        import_apply(preview=preview, user=staff)
    assert not Project.objects.exists()


def test_a_municipality_numbers_its_own_keys_with_ascii_digits_only(personas):
    duelmen = personas["rep_duelmen"]
    errors = _key_errors(
        _rows(
            "DUEL016-0042",
            "duel016-7",
            "DUEL016-1234567",
            "DUEL016-",
            "DUEL016-4a",
            municipality="Dülmen",
        ),
        duelmen,
    )
    number = (
        "Ein Schlüssel, der mit DUEL016- beginnt, endet mit einer Zahl aus 1 bis 6 Ziffern "
        "(0–9), z. B. DUEL016-0007."
    )
    assert errors == {
        "DUEL016-0042": [],
        "duel016-7": [],
        "DUEL016-1234567": [number],
        "DUEL016-": [number],
        "DUEL016-4a": [number],
    }


def _new_project(client, user, municipality: Municipality, title: str):
    client.force_login(user)
    return client.post(
        reverse("inventory:project_new"),
        {"municipality": municipality.pk, "title": title, "status": "planned", "links": ""},
    )


def test_numbering_ignores_any_key_stored_already(client, reference, personas):
    nottuln, duelmen, ascheberg = (reference[n] for n in ("Nottuln", "Dülmen", "Ascheberg"))
    # Written past every check, as they were before the fix (or by hand in the database).
    for key in (SUPERSCRIPT, NINES, "DUEL016-12345678", "DUEL016-0041-x", "duel016-0099"):
        ProjectFactory(key=key, municipality=nottuln)
    ProjectFactory(key="DUEL016-0041", municipality=duelmen)

    response = _new_project(client, personas["rep_duelmen"], duelmen, "Digitale Bauakte")
    assert response.status_code == 302
    assert Project.objects.get(title="Digitale Bauakte").key == "DUEL016-0042"

    response = _new_project(client, personas["district_staff"], ascheberg, "Smarte Leuchten")
    assert response.status_code == 302
    assert Project.objects.get(title="Smarte Leuchten").key == "ASC004-0001"


def test_a_numbering_that_is_used_up_says_so(client, reference, personas):
    duelmen = reference["Dülmen"]
    ProjectFactory(key="DUEL016-999999", municipality=duelmen)
    response = _new_project(client, personas["rep_duelmen"], duelmen, "Noch eins")
    assert response.status_code == 200
    assert "Für Dülmen sind keine Projektnummern mehr frei" in response.content.decode()
    assert not Project.objects.filter(title="Noch eins").exists()


def test_the_admin_refuses_such_keys(client, reference, personas):
    client.force_login(personas["admin"])
    url = reverse("admin:inventory_project_add")
    data = {"municipality": reference["Nottuln"].pk, "title": "Admin", "status": "planned"}
    for key, message in ((SUPERSCRIPT, CHARACTERS), (NINES, ASCHEBERGS)):
        response = client.post(url, data | {"key": key})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Project.objects.exists()
    response = client.post(url, data | {"key": "NOT-0001"})
    assert response.status_code == 302
    project = Project.objects.get(key="NOT-0001")

    # A stored key that breaks today's rules stays editable as long as it is not changed.
    Project.objects.filter(pk=project.pk).update(key="Alt Ü 1")
    change = reverse("admin:inventory_project_change", args=[project.pk])
    response = client.post(change, data | {"key": "Alt Ü 1", "title": "Geändert"})
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).title == "Geändert"


def test_a_project_with_a_key_stored_before_the_rules_can_still_be_reimported(reference, personas):
    ProjectFactory(key="Alt Ü 1", municipality=reference["Dülmen"], title="Alt")
    staff = personas["district_staff"]
    preview = validate_rows(
        rows=parse_upload(name="x.csv", data=_rows("Alt Ü 1", municipality="Dülmen")),
        user=staff,
    )
    assert preview.is_valid, preview.errors
    import_apply(preview=preview, user=staff)
    assert Project.objects.get(key="Alt Ü 1").title == "Projekt Alt Ü 1"


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("DUE-0007", True),
        ("x", True),
        ("1-2", True),
        ("A_b.c/d-9", True),
        ("K" * 40, True),
        ("DUEL016-000001", True),
        ("", False),
        ("K" * 41, False),
        (" DUE-1", False),
        ("DUE 1", False),
        ("DÜL-1", False),
        ("-DUE", False),
        ("DUE-1\n", False),
        ("DUE-١٢", False),  # Arabic-Indic digits
        ("DUEL016-²", False),
        ("DUEL016-1234567", False),
    ],
)
def test_key_rules(reference, key, valid):
    prefixes = key_prefixes(Municipality.objects.all())
    duelmen = reference["Dülmen"]
    try:
        project_key_check(key=key, municipality_id=duelmen.pk, prefixes=prefixes)
    except ValidationError:
        assert not valid
    else:
        assert valid

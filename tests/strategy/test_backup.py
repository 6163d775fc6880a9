"""export_all writes every record and file into one archive; import_all restores it into an
empty database without losing anything."""

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from inventory.models import ExistingStrategy, Project
from strategy.backup import data_dump, model_counts
from strategy.models import ThemeField
from strategy.services import process_advance
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_round_trip_loses_nothing(settings, tmp_path, process, personas, reference, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    process_advance(process=process, by=personas["district_staff"], note="Auftakt")
    mobility = ThemeField.objects.get(name="Mobilität")
    project = ProjectFactory(municipality=reference["Dülmen"], theme_fields=[mobility])
    project.partners.add(reference["Nottuln"])
    client.force_login(personas["rep_duelmen"])  # creates a session and an audit entry
    ExistingStrategy.objects.create(
        municipality=reference["Dülmen"],
        title="Medienentwicklungsplan",
        kind="school_media",
        document=SimpleUploadedFile("plan.pdf", b"%PDF-1.7 Inhalt", content_type="application/pdf"),
    )
    before_data, before_counts = data_dump(), model_counts()
    before_files = _files(settings.MEDIA_ROOT)
    assert before_files and before_counts["inventory.HistoricalProject"] > 0

    archive = tmp_path / "portal.zip"
    call_command("export_all", output=str(archive), stdout=io.StringIO())

    call_command("flush", interactive=False, verbosity=0)
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()
    assert sum(model_counts().values()) == 0

    call_command("import_all", str(archive), stdout=io.StringIO())
    assert model_counts() == before_counts
    assert data_dump() == before_data
    assert _files(settings.MEDIA_ROOT) == before_files
    # New records get fresh primary keys after the restore (sequences were reset).
    new = ProjectFactory(municipality=project.municipality)
    assert new.pk > project.pk
    assert Project.objects.get(pk=project.pk).partners.get() == reference["Nottuln"]


def test_import_refuses_a_database_that_is_not_empty(tmp_path, reference):
    archive = tmp_path / "portal.zip"
    call_command("export_all", output=str(archive), stdout=io.StringIO())
    with pytest.raises(CommandError, match="nicht leer"):
        call_command("import_all", str(archive))


def test_import_refuses_a_damaged_archive(tmp_path, reference):
    archive = tmp_path / "portal.zip"
    archive.write_bytes(b"kein Archiv")
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="nicht gelesen"):
        call_command("import_all", str(archive))

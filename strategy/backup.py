"""Export every record and uploaded file of the portal into one archive, and restore it into
an empty database (``manage.py export_all`` / ``manage.py import_all``)."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from .loading import bulk_loading

# Rebuilt by `migrate` or worthless in another installation.
EXCLUDED = ["contenttypes", "auth.permission", "sessions"]
FORMAT_VERSION = 1


class BackupError(Exception):
    """The archive cannot be written or restored; the message says why."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _portal_models():
    excluded_apps = {"contenttypes", "sessions"}
    for model in apps.get_models():
        if model._meta.app_label in excluded_apps or model._meta.label == "auth.Permission":
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        yield model


def model_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in _portal_models()}


def data_dump() -> str:
    """All records as Django JSON fixtures with natural foreign keys, in a stable order."""
    out = io.StringIO()
    call_command(
        "dumpdata", exclude=EXCLUDED, natural_foreign=True, stdout=out, verbosity=0, indent=None
    )
    return out.getvalue()


def export_all(*, output: Path) -> dict:
    """Write the archive to ``output``; returns the manifest."""
    media_root = Path(settings.MEDIA_ROOT)
    data = data_dump().encode("utf-8")
    files = {}
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", data)
        if media_root.exists():
            for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                relative = path.relative_to(media_root).as_posix()
                content = path.read_bytes()
                files[relative] = _sha256(content)
                archive.writestr(f"media/{relative}", content)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "data_sha256": _sha256(data),
            "models": model_counts(),
            "files": files,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def _database_is_empty() -> bool:
    return all(count == 0 for count in model_counts().values())


def import_all(*, archive_path: Path) -> dict:
    """Restore an archive into an empty database and media folder; returns the manifest."""
    if not _database_is_empty():
        raise BackupError("Die Datenbank ist nicht leer; import_all stellt nur in eine leere her.")
    try:
        archive = zipfile.ZipFile(archive_path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"Das Archiv kann nicht gelesen werden: {error}") from error
    with archive:
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError("Unbekanntes Archivformat.")
        data = archive.read("data.json")
        if _sha256(data) != manifest["data_sha256"]:
            raise BackupError("Die Daten im Archiv sind beschädigt (Prüfsumme).")
        media = {}
        for relative, checksum in manifest["files"].items():
            if relative.startswith("/") or ".." in Path(relative).parts:
                raise BackupError(f"Unzulässiger Dateipfad im Archiv: {relative}")
            content = archive.read(f"media/{relative}")
            if _sha256(content) != checksum:
                raise BackupError(f"Datei beschädigt (Prüfsumme): {relative}")
            media[relative] = content
    fixture = Path(settings.MEDIA_ROOT).parent / "import-all-data.json"
    fixture.parent.mkdir(parents=True, exist_ok=True)
    fixture.write_bytes(data)
    try:
        # History is part of the data: loading must not write history of its own.
        with (
            bulk_loading(),
            override_settings(SIMPLE_HISTORY_ENABLED=False),
            transaction.atomic(),
        ):
            call_command("loaddata", str(fixture), verbosity=0)
            _reset_sequences()
    finally:
        fixture.unlink(missing_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    for relative, content in media.items():
        target = media_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    counts = model_counts()
    if counts != manifest["models"]:
        differing = sorted(
            label
            for label in counts.keys() | manifest["models"].keys()
            if counts.get(label) != manifest["models"].get(label)
        )
        raise BackupError(
            "Nach dem Import stimmen die Anzahlen nicht mit dem Archiv überein: "
            + ", ".join(differing)
        )
    return manifest


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(_portal_models()))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

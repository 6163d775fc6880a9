"""Flipchart photos of the minutes: adding (web request), preparing (worker), listing and
deleting.

A photo is stored as it was uploaded once ``photos.photo_check`` accepted its header, and the
worker (``minutes_tasks.prepare_photo``) re-encodes it: decoding a picture costs memory by its
pixels, which a web worker must not spend. Until then the photo is ``PROCESSING``; the
original, which may carry a GPS position in its EXIF data, is deleted as soon as the JPEG is
there or the photo has failed."""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from .minutes import _lock_open
from .models import SessionPhoto, WorkshopSession, photo_path
from .photos import MAX_PHOTO_BYTES, CheckedPhoto, photo_reencode

logger = logging.getLogger(__name__)

# A photo still being prepared after this long lost its worker.
STALE_PHOTO_AFTER = timedelta(minutes=15)

# Stored as message ids, translated when a page shows them.
ERROR_PHOTO_DAMAGED = gettext_noop(
    "The photo could not be read; the file may be damaged or incomplete."
)
ERROR_PHOTO_FAILED = gettext_noop("The photo could not be prepared. Please upload it again.")
ERROR_PHOTO_NOT_QUEUED = gettext_noop(
    "The photo could not be handed to the worker. Please upload it again later."
)
ERROR_PHOTO_STALE = gettext_noop(
    "The photo was not prepared within 15 minutes. Please upload it again."
)


@transaction.atomic
def photo_add(*, session: WorkshopSession, photo: CheckedPhoto, caption: str, user) -> SessionPhoto:
    """Store a photo that ``photos.photo_check`` accepted and have the worker prepare it once
    the row is committed. Refused when the minutes are finalised."""
    locked = _lock_open(session)
    row = SessionPhoto(
        session=locked, caption=caption, uploaded_by=user, status=SessionPhoto.Status.PROCESSING
    )
    # The name is generated (``photo_path``); the extension is that of the verified format.
    row.image.save(f"original.{photo.extension}", ContentFile(photo.data), save=False)
    try:
        row.save()
    except Exception:
        # Do not leave the file behind when the row cannot be written.
        row.image.storage.delete(row.image.name)
        raise
    transaction.on_commit(lambda: _enqueue(row.pk))
    return row


def _enqueue(photo_id: int) -> None:
    from .minutes_tasks import prepare_photo

    try:
        prepare_photo.delay(photo_id)
    except Exception:
        logger.exception("could not enqueue photo %s", photo_id)
        photo_fail(photo_id=photo_id, error=ERROR_PHOTO_NOT_QUEUED)


def photo_fail(*, photo_id: int, error: str) -> bool:
    """A photo still being prepared → failed with ``error`` (a message id); its original is
    deleted. False if it was not being prepared (any more)."""
    photo = SessionPhoto.objects.filter(pk=photo_id, status=SessionPhoto.Status.PROCESSING).first()
    if photo is None:
        return False
    failed = SessionPhoto.objects.filter(
        pk=photo_id, status=SessionPhoto.Status.PROCESSING, image=photo.image.name
    ).update(status=SessionPhoto.Status.FAILED, error=error, image="")
    if failed and photo.image.name:
        photo.image.storage.delete(photo.image.name)
    return bool(failed)


def photo_prepare(*, photo_id: int) -> None:
    """Re-encode a photo that is being prepared (run by the worker).

    Idempotent: a photo that is ready, failed or deleted is left alone, so a task delivered
    twice does nothing the second time. The row is switched to the JPEG with one conditional
    update; a photo deleted meanwhile leaves no file behind."""
    photo = SessionPhoto.objects.filter(pk=photo_id, status=SessionPhoto.Status.PROCESSING).first()
    if photo is None or not photo.image:
        return
    original = photo.image.name
    storage = photo.image.storage
    try:
        with storage.open(original, "rb") as stored:
            data = stored.read(MAX_PHOTO_BYTES + 1)
        jpeg = photo_reencode(data)
    except ValidationError:
        photo_fail(photo_id=photo_id, error=ERROR_PHOTO_DAMAGED)
        return
    except Exception:
        logger.exception("photo %s could not be prepared", photo_id)
        photo_fail(photo_id=photo_id, error=ERROR_PHOTO_FAILED)
        return
    name = storage.save(photo_path(photo, "photo.jpg"), ContentFile(jpeg))
    switched = SessionPhoto.objects.filter(
        pk=photo_id, status=SessionPhoto.Status.PROCESSING, image=original
    ).update(image=name, status=SessionPhoto.Status.READY, error="")
    storage.delete(original if switched else name)


def photos_of(*, session: WorkshopSession) -> list[SessionPhoto]:
    """The photos of a session in upload order, as a page shows them: a photo that has been
    being prepared for longer than 15 minutes is failed first (its worker was lost)."""
    stale = SessionPhoto.objects.filter(
        session=session,
        status=SessionPhoto.Status.PROCESSING,
        uploaded_at__lt=timezone.now() - STALE_PHOTO_AFTER,
    ).values_list("pk", flat=True)
    for photo_id in list(stale):
        photo_fail(photo_id=photo_id, error=ERROR_PHOTO_STALE)
    return list(SessionPhoto.objects.filter(session=session).order_by("uploaded_at", "pk"))


@transaction.atomic
def photo_delete(*, session: WorkshopSession, photo: SessionPhoto) -> None:
    """Delete a photo of open minutes and, once that is committed, its file."""
    _lock_open(session)
    storage, name = photo.image.storage, photo.image.name
    photo.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))

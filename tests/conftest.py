"""Shared fixtures: personas for every role (as in healthchecks' tests), reference data."""

import pytest
from django.utils import translation

from accounts.models import Role
from coesfeld_strategy.celery import app as celery_app
from strategy.models import Municipality
from strategy.services import process_create, reference_data_load
from tests.factories import UserFactory

# Unit tests run tasks in-process; tests marked `worker` start a real worker instead.
celery_app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _german(settings):
    """Every test starts in German: a request with another language must not leak into the
    next test that runs in the same worker."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test gets its own empty cache (rate limits), even when Redis is configured.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def reference(db):
    reference_data_load()
    return {m.name: m for m in Municipality.objects.all()}


@pytest.fixture
def process(reference):
    return process_create(title="Digitalstrategie Kreis Coesfeld", year=2027)


@pytest.fixture
def personas(reference):
    """One account per role; two municipal representatives of different municipalities."""
    return {
        "district_staff": UserFactory(
            role=Role.DISTRICT_STAFF, municipality=reference["Kreis Coesfeld"]
        ),
        "consultant": UserFactory(role=Role.CONSULTANT),
        "rep_duelmen": UserFactory(role=Role.MUNICIPAL_REP, municipality=reference["Dülmen"]),
        "rep_nottuln": UserFactory(role=Role.MUNICIPAL_REP, municipality=reference["Nottuln"]),
        "working_group": UserFactory(role=Role.WORKING_GROUP),
        "councillor": UserFactory(role=Role.COUNCILLOR, municipality=reference["Coesfeld"]),
        "admin": UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True),
    }

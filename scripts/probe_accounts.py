"""Probe of issue 11, items 3, 11 and 12: replays each attack against the portal and prints
the status codes it gets, so the figures before and after a fix can be compared.

It creates a throwaway test database next to ``DATABASE_URL`` (``test_<name>``, dropped at
the end) and uses a per-process memory cache, so it neither touches real data nor the shared
Redis. Run it from the repository root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_accounts .venv/bin/python \\
        scripts/probe_accounts.py

1. District staff erase the superuser (POST /personen/<id>/loeschen/).
2. Join code: 60 guests behind one address while one of them types wrong codes; one browser
   hammering wrong codes; a cookieless flood from one address.
3. Password spraying: one password over 40 user names from one address.
"""

import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coesfeld_strategy.settings")
    sys.path.insert(0, str(BASE))
    import django
    from django.conf import settings

    django.setup()
    # Only the figures: no request or lockout logging.
    logging.disable(logging.CRITICAL)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    from coesfeld_strategy.celery import app

    app.conf.task_always_eager = True


def _summary(codes) -> str:
    return ", ".join(f"{code}×{count}" for code, count in Counter(codes).items())


def probe_erase():
    from django.test import Client

    from accounts.models import Role, User

    admin = User.objects.create_user(
        "probe-admin", password="x", role=Role.ADMIN, is_staff=True, is_superuser=True
    )
    staff = User.objects.create_user("probe-kreis", password="x", role=Role.DISTRICT_STAFF)
    client = Client()
    client.force_login(staff)
    url = f"/personen/{admin.pk}/loeschen/"
    get = client.get(url).status_code
    post = client.post(url).status_code
    admin.refresh_from_db()
    print(
        f"[3] district staff -> superuser: GET {get}, POST {post}; "
        f"superuser still active: {admin.is_active}"
    )
    # A second administrator without superuser rights erases the only superuser.
    helper = User.objects.create_user("probe-admin2", password="x", role=Role.ADMIN)
    User.objects.filter(pk=admin.pk).update(is_active=True, username="probe-admin")
    client.force_login(helper)
    post = client.post(url).status_code
    admin.refresh_from_db()
    print(f"[3] role admin -> last superuser: POST {post}; still active: {admin.is_active}")
    # The Django admin, as a staff member with the user permissions but no superuser rights.
    from django.contrib.auth.models import Permission

    helper.is_staff = True
    helper.save()
    helper.user_permissions.set(
        Permission.objects.filter(codename__in=["view_user", "change_user", "delete_user"])
    )
    councillor = User.objects.create_user("probe-rat", password="x", role=Role.COUNCILLOR)
    joined = councillor.date_joined
    form = {
        "username": "probe-rat",
        "role": Role.COUNCILLOR,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "date_joined_0": joined.strftime("%d.%m.%Y"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
    }
    grant = client.post(f"/admin/accounts/user/{councillor.pk}/change/", form).status_code
    councillor.refresh_from_db()
    password = client.post(
        f"/admin/accounts/user/{admin.pk}/password/",
        {"password1": "Uebernommen-2026!", "password2": "Uebernommen-2026!"},
    ).status_code
    admin.refresh_from_db()
    print(
        f"[3] admin site, staff without superuser rights: grant superuser POST {grant} "
        f"(granted: {councillor.is_superuser}); set the superuser's password POST {password} "
        f"(taken over: {admin.check_password('Uebernommen-2026!')})"
    )


def probe_join():
    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from strategy.services import process_create
    from workshops.models import Participant, Workshop, WorkshopSession

    cache.clear()
    process = process_create(title="Probe", year=2027)
    workshop = Workshop.objects.create(
        process=process, step=process.phases.first().steps.first(), kind="kickoff", title="P"
    )
    WorkshopSession.objects.create(
        workshop=workshop, starts_at=timezone.now(), duration_minutes=180
    )
    code = workshop.join_code

    def post(client, join_code, name):
        return client.post("/workshops/teilnehmen/", {"code": join_code, "display_name": name})

    typo = Client()
    others = []
    for i in range(59):
        if i % 4 == 0:
            post(typo, "WRONG234", "Tippfehler")
        others.append(post(Client(), code, f"Gast {i}").status_code)
    print(
        f"[11] 59 guests joining while one types wrong codes: {_summary(others)}; "
        f"joined: {Participant.objects.count()}"
    )
    cache.clear()
    hammer = Client(REMOTE_ADDR="10.1.1.1")
    codes = []
    for _ in range(12):
        codes.append(post(hammer, "WRONG234", "Hammer").status_code)
    print(f"[11] one browser, 12 wrong codes at once: {codes}")
    cache.clear()
    flood = []
    for _ in range(150):
        flood.append(post(Client(REMOTE_ADDR="10.2.2.2"), "WRONG234", "Flut").status_code)
    first_refusal = flood.index(429) + 1 if 429 in flood else None
    correct = post(Client(REMOTE_ADDR="10.2.2.2"), code, "Nach Flut").status_code
    print(
        f"[11] cookieless flood, 150 wrong codes from one address: {_summary(flood)}; first "
        f"429 at attempt {first_refusal}; a correct code afterwards: {correct}"
    )


def probe_spray():
    from django.test import Client

    from accounts.models import Role, User

    for i in range(40):
        User.objects.create_user(f"spray{i}", password=f"Richtig-{i}-2026", role=Role.COUNCILLOR)
    client = Client(REMOTE_ADDR="10.3.3.3")
    codes = [
        client.post(
            "/konto/anmelden/", {"username": f"spray{i}", "password": "Sommer2026!"}
        ).status_code
        for i in range(40)
    ]
    first = codes.index(429) + 1 if 429 in codes else None
    print(f"[12] spraying 40 user names from one address: {_summary(codes)}; first 429 at {first}")
    right = client.post(
        "/konto/anmelden/", {"username": "spray39", "password": "Richtig-39-2026"}
    ).status_code
    elsewhere = (
        Client(REMOTE_ADDR="10.4.4.4")
        .post("/konto/anmelden/", {"username": "spray38", "password": "Richtig-38-2026"})
        .status_code
    )
    print(f"[12] right password afterwards, same address: {right}; other address: {elsewhere}")
    # The attacker logs into an account of his own after every ten sprayed names.
    User.objects.create_user("spray-own", password="Eigenes-2026!", role=Role.COUNCILLOR)
    attacker = Client(REMOTE_ADDR="10.5.5.5")
    codes = []
    for i in range(40):
        if i % 10 == 9:
            attacker.post(
                "/konto/anmelden/", {"username": "spray-own", "password": "Eigenes-2026!"}
            )
            attacker.post("/konto/abmelden/")
        codes.append(
            attacker.post(
                "/konto/anmelden/", {"username": f"spray{i}", "password": "Sommer2026!"}
            ).status_code
        )
    print(f"[12] spraying 40 names with an own login after every 9: {_summary(codes)}")


def main():
    _setup()
    from django.test.utils import setup_test_environment, teardown_test_environment

    from strategy.services import reference_data_load

    setup_test_environment()
    from django.conf import settings
    from django.test.runner import DiscoverRunner

    # A test database of its own (pytest-django's is test_<name>).
    test = settings.DATABASES["default"].setdefault("TEST", {})
    test["NAME"] = f"test_{settings.DATABASES['default']['NAME']}_probe"
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old = runner.setup_databases()
    started = time.monotonic()
    try:
        reference_data_load()
        probe_erase()
        probe_join()
        probe_spray()
    finally:
        runner.teardown_databases(old)
        teardown_test_environment()
    print(f"probe took {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()

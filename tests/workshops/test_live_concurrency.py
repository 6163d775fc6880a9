"""Many participants voting at the same moment: every accepted vote is stored exactly once, and
nobody exceeds the dot budget or the per-item cap.

Each request runs in its own thread with its own database connection, through the full view
stack. On PostgreSQL (the CI database) 60 participants fire their budget + 3 attempts at once;
SQLite serialises writers, so the same test runs there with fewer threads – the invariants
must hold on both."""

import random
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from tests.workshops.test_live_factories import (
    cards_create,
    fresh_cache,  # noqa: F401
    guest_join,
    session_create,
    started,
    workshop_create,
)
from workshops.models import Activity, Dot

BUDGET, CAP = 5, 3
CARDS = 4


def _scale() -> tuple[int, int]:
    """(participants, threads): all 60 on PostgreSQL within its free connections."""
    if connection.vendor != "postgresql":
        return 12, 6
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting::int FROM pg_settings WHERE name = 'max_connections'")
        limit = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_stat_activity")
        used = cursor.fetchone()[0]
    return 60, max(8, min(60, limit - used - 15))


@pytest.mark.django_db(transaction=True)
def test_simultaneous_votes_are_counted_once_within_budget_and_cap(process):
    participants, threads = _scale()
    session = session_create(workshop_create(process))
    ideas = started(session, Activity.Kind.IDEAS)
    cards = cards_create(session, ideas, CARDS)
    vote = started(session, Activity.Kind.DOT_VOTE, dots_per_participant=BUDGET, cap_per_item=CAP)
    people = [guest_join(session, name=f"Gast {i:02d}") for i in range(participants)]
    sessions = {p.pk: c.cookies[settings.SESSION_COOKIE_NAME].value for c, p in people}
    # Even participants spread their attempts over all cards (the budget binds), odd ones
    # put every attempt on the same card (the cap binds).
    attempts = []
    for index, (_client, participant) in enumerate(people):
        for n in range(BUDGET + 3):
            card = cards[n % CARDS] if index % 2 == 0 else cards[0]
            attempts.append((participant.pk, card.pk))
    random.Random(4).shuffle(attempts)

    url = reverse("workshops:live_dot", args=[session.pk])
    start = threading.Barrier(threads)
    results = []  # (participant, card, final status)
    retries = []
    lock = threading.Lock()

    def vote_once(participant_id, card_id):
        client = Client(HTTP_HX_REQUEST="true")
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[participant_id]
        for _retry in range(50):
            response = client.post(url, {"activity": vote.pk, "place": f"card:{card_id}"})
            if response.status_code != 503:  # 503 = "please try again" after a conflict
                return response.status_code
            with lock:
                retries.append(participant_id)
            time.sleep(random.uniform(0.01, 0.05))
        return 503

    def worker(chunk):
        try:
            start.wait(timeout=60)
            for participant_id, card_id in chunk:
                status = vote_once(participant_id, card_id)
                with lock:
                    results.append((participant_id, card_id, status))
        finally:
            connections.close_all()

    chunks = [attempts[i::threads] for i in range(threads)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(worker, chunk) for chunk in chunks]:
            future.result()

    assert len(results) == len(attempts)
    statuses = Counter(status for _p, _c, status in results)
    assert set(statuses) <= {200, 409}, statuses
    accepted = Counter(p for p, _c, status in results if status == 200)
    dots = list(Dot.objects.filter(activity=vote).values_list("participant_id", "slot", "card_id"))
    stored = Counter(p for p, _slot, _card in dots)
    # Every accepted vote is stored once, and nothing else is.
    assert stored == accepted
    assert len(dots) == statuses[200]
    per_item = Counter((p, card) for p, _slot, card in dots)
    assert max(per_item.values()) <= CAP
    slots = defaultdict(set)
    for p, slot, _card in dots:
        slots[p].add(slot)
    if connection.vendor == "postgresql":
        # The participant's row lock queues their concurrent requests: none even needs the
        # database's slot constraint (which would answer "please try again").
        assert not retries
    for index, (_client, participant) in enumerate(people):
        expected = BUDGET if index % 2 == 0 else CAP
        assert stored[participant.pk] == expected, (participant, stored[participant.pk])
        assert slots[participant.pk] == set(range(1, expected + 1))

"""Load benchmark of the live workshop session, against an already running gunicorn.

``run()`` lets simulated guests join with the code (each with its own cookie jar), measures
the server time of the polling endpoint (``Server-Timing: app;dur=…``) as p50/p95, then for
``seconds`` seconds lets everybody post cards (first half: an idea collection) and place and
remove dots (second half: a dot vote that starts with all participants voting at the same
moment) while polling like the browser does (every 1.5 s and right after each accepted
post, which answers with ``HX-Trigger: live-refresh``; with the headers htmx sends), and
finally checks in the database that nothing was lost: every vote answered with 2xx exists,
nobody exceeds the budget or the per-item cap.

The server time comes from the ``Server-Timing`` header, which the portal sends only with
``DEBUG`` or ``SERVER_TIMING=1``: start the gunicorn under test with ``SERVER_TIMING=1``
(``scripts/bench.py`` does so for the one it starts).

This process switches the phases through the services and reads the database, so it needs
the same ``DATABASE_URL`` (and ``REDIS_URL``, for the revision tokens) as the server: pass
them as arguments or set them in the environment. ``seed()`` creates a session with 60
participants and 500 cards to run against.

    python scripts/bench_live.py seed --database-url postgres://…/coesfeld_bench
    python scripts/bench_live.py run --base-url http://127.0.0.1:8765 --session-id 7 \\
        --join-code ABCD2345 --database-url postgres://…/coesfeld_bench

Join attempts are rate-limited per address (300 per ten minutes by default): more than five
runs of 60 guests within ten minutes from one address are refused with 429.
"""

import argparse
import concurrent.futures
import http.cookiejar
import json
import os
import random
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
TIMING = re.compile(r"app;dur=([\d.]+)")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REV = re.compile(r'\?rev=([\w-]+)(?:"|&amp;)')
NO_TIMING = (
    "The server sends no Server-Timing header: start its gunicorn with SERVER_TIMING=1 "
    "(or DEBUG=1)."
)
POLL_SECONDS = 1.5
# Polls per participant in the measurement at the htmx rhythm (30 s).
RHYTHM_POLLS = 20


def _django(database_url: str | None = None, redis_url: str | None = None) -> None:
    """Configure Django in this process for the same database and cache as the server."""
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coesfeld_strategy.settings")
    if str(BASE) not in sys.path:
        sys.path.insert(0, str(BASE))
    import django

    django.setup()


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def _summary(values) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.5), 1) if values else None,
        "p95_ms": round(percentile(values, 0.95), 1) if values else None,
        "mean_ms": round(statistics.fmean(values), 1) if values else None,
    }


class Guest:
    """One simulated participant with its own cookie jar."""

    def __init__(self, base_url: str, name: str):
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""
        self.rev = ""
        self.participant_id = None

    def request(self, path, data=None, headers=None):
        """(status, body, server ms, wall ms) of one request; errors are answers, too."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers or {})
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=30) as response:
                status, text, header = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, text, header = error.code, error.read(), error.headers
        wall = (time.perf_counter() - started) * 1000
        match = TIMING.search(header.get("Server-Timing", "") if header else "")
        return status, text.decode("utf-8", "replace"), float(match[1]) if match else None, wall

    def login(self, username: str, password: str) -> int:
        status, html, server, _wall = self.request("/konto/anmelden/")
        if server is None:
            raise SystemExit(NO_TIMING)
        match = CSRF_INPUT.search(html)
        status, html, _server, _wall = self.request(
            "/konto/anmelden/",
            {
                "csrfmiddlewaretoken": match[1] if match else "",
                "username": username,
                "password": password,
            },
        )
        return status

    def join(self, code: str) -> int:
        status, html, _server, _wall = self.request("/workshops/teilnehmen/")
        match = CSRF_INPUT.search(html)
        self.csrf = match[1] if match else ""
        status, html, _server, _wall = self.request(
            "/workshops/teilnehmen/",
            {"csrfmiddlewaretoken": self.csrf, "code": code, "display_name": self.name},
        )
        # After the redirect to the participant view, its forms carry the (new) token.
        match = CSRF_INPUT.search(html)
        self.csrf = match[1] if match else self.csrf
        return status

    def htmx_headers(self, page: str, target: str, trigger: str | None = None) -> dict:
        """The headers htmx sends with a request from ``page`` for the element ``target``."""
        headers = {
            "HX-Request": "true",
            "HX-Current-URL": self.base_url + page,
            "HX-Target": target,
        }
        if trigger:
            headers["HX-Trigger"] = trigger
        return headers

    def poll(self, session_id: int, *, with_rev=True):
        """The participant view's polling request, as htmx sends it."""
        query = f"?rev={self.rev}" if with_rev and self.rev else ""
        status, html, server, wall = self.request(
            f"/workshops/sitzungen/{session_id}/live/stand/{query}",
            headers=self.htmx_headers(
                f"/workshops/sitzungen/{session_id}/live/", "live-panel", "live-panel"
            ),
        )
        if status == 200:
            found = REV.search(html)
            self.rev = found[1] if found else ""
        return status, server, wall

    def post(self, path, data):
        session_page = path.split("/live/")[0] + "/live/"
        return self.request(
            path,
            {"csrfmiddlewaretoken": self.csrf, **data},
            headers={
                **self.htmx_headers(session_page, "live-messages"),
                "X-CSRFToken": self.csrf,
            },
        )


def seed(
    *,
    participants: int = 60,
    cards: int = 500,
    clusters: int = 12,
    database_url: str | None = None,
    redis_url: str | None = None,
) -> dict:
    """A live session of today with ``participants`` participants and ``cards`` cards (in a
    finished idea collection, sorted into ``clusters`` clusters) for ``run()``."""
    _django(database_url, redis_url)
    from datetime import timedelta

    from django.utils import timezone

    from strategy.models import Step, StrategyProcess, ThemeField
    from strategy.services import process_create, reference_data_load
    from workshops.models import (
        Activity,
        Card,
        Cluster,
        Participant,
        Workshop,
        WorkshopSession,
    )

    reference_data_load()
    process = StrategyProcess.objects.order_by("pk").first() or process_create(
        title="Benchmark", year=2027
    )
    step = Step.objects.filter(phase__process=process).order_by("phase__position", "position")[0]
    workshop = Workshop.objects.create(
        process=process, step=step, kind=Workshop.Kind.THEMATIC, title="Benchmark: Live-Workshop"
    )
    session = WorkshopSession.objects.create(
        workshop=workshop, starts_at=timezone.now() - timedelta(minutes=10), duration_minutes=240
    )
    people = Participant.objects.bulk_create(
        Participant(session=session, display_name=f"Teilnehmende {i:02d}")
        for i in range(participants)
    )
    ideas = Activity.objects.create(
        session=session,
        kind=Activity.Kind.IDEAS,
        title="Ideensammlung (Vorlauf)",
        status=Activity.Status.CLOSED,
        closed_at=timezone.now(),
    )
    groups = Cluster.objects.bulk_create(
        Cluster(session=session, name=f"Cluster {i + 1}", position=i) for i in range(clusters)
    )
    fields = list(ThemeField.objects.all())
    Card.objects.bulk_create(
        Card(
            session=session,
            activity=ideas,
            author=people[i % len(people)] if people else None,
            text=f"Idee {i + 1}: digitale Bürgerdienste für Ort {i % 11 + 1}",
            theme_field=fields[i % len(fields)] if fields else None,
            cluster=groups[i % len(groups)] if groups and i % 3 else None,
        )
        for i in range(cards)
    )
    return {
        "session_id": session.pk,
        "join_code": workshop.join_code,
        "participants": participants,
        "cards": cards,
    }


def _facilitator_polls(base_url, session_id, facilitator, repeat=8, pause=0.0) -> dict:
    """Server time of the facilitator's two fragments and the projector's, one client that
    waits ``pause`` seconds between polls."""
    client = Guest(base_url, "facilitator")
    client.login(*facilitator)
    found = {}
    for name, path in [
        ("facilitator_status", "live/moderation/stand/"),
        ("facilitator_board", "live/moderation/pinnwand/"),
        ("projector", "live/beamer/stand/"),
    ]:
        url = f"/workshops/sitzungen/{session_id}/{path}"
        full, same = [], []
        for _ in range(repeat):
            headers = {"HX-Request": "true", "HX-Current-URL": base_url + url}
            status, html, server, _wall = client.request(url, headers=headers)
            if status != 200:
                found[name] = {"status": status}
                break
            full.append(server)
            rev = REV.search(html)[1]
            time.sleep(pause)
            status, _html, server, _wall = client.request(f"{url}?rev={rev}", headers=headers)
            same.append(server)
            time.sleep(pause)
        else:
            found[name] = {
                "full": _summary(full),
                "unchanged": _summary(same),
                "kb": len(html) // 1024,
            }
    return found


def _parallel(function, items, workers):
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, items))


def run(
    base_url: str,
    *,
    session_id: int,
    join_code: str,
    participants: int = 60,
    seconds: int = 60,
    database_url: str | None = None,
    redis_url: str | None = None,
    dots_per_participant: int = 5,
    cap_per_item: int = 3,
    facilitator: tuple[str, str] | None = None,
) -> dict:
    """Join, measure polling, run ideas and a dot vote under load, check the database.

    With ``facilitator`` (user name, password of an account that may facilitate the
    session) the facilitator's and the projector's polling endpoints are measured, too."""
    _django(database_url, redis_url)
    from django.db import connections

    from workshops import live_services as services
    from workshops.models import Activity, Card, Dot, Participant, WorkshopSession

    session = WorkshopSession.objects.select_related("workshop").get(pk=session_id)
    run_id = f"{int(time.time()) % 100000:05d}"
    guests = [Guest(base_url, f"Bench {run_id}-{i:02d}") for i in range(participants)]

    # 1. Join (ten at a time, as people scanning the QR code would).
    started = time.perf_counter()
    statuses = _parallel(lambda guest: guest.join(join_code), guests, 10)
    join_seconds = time.perf_counter() - started
    joined = [g for g, status in zip(guests, statuses, strict=True) if status == 200]
    ids = dict(
        Participant.objects.filter(
            session=session, display_name__in=[g.name for g in joined]
        ).values_list("display_name", "pk")
    )
    for guest in joined:
        guest.participant_id = ids.get(guest.name)
    joined = [g for g in joined if g.participant_id]

    ideas = services.activity_create(
        session=session, kind=Activity.Kind.IDEAS, title=f"Bench {run_id}: Ideen"
    )
    vote = services.activity_create(
        session=session,
        kind=Activity.Kind.DOT_VOTE,
        title=f"Bench {run_id}: Punkte",
        target=Activity.Target.CARDS,
        dots_per_participant=dots_per_participant,
        cap_per_item=cap_per_item,
    )
    services.activity_start(activity=ideas)

    # 2. Polling as in the session: every participant polls at the htmx rhythm (1.5 s, each
    #    starting at a random moment), alternately for a changed state (full fragment) and
    #    for an unchanged one (204); meanwhile the facilitator's screen and the projector poll.
    def poll_rhythm(guest):
        rng = random.Random(guest.participant_id)
        next_poll = time.monotonic() + rng.uniform(0, POLL_SECONDS)
        answers = []
        for index in range(RHYTHM_POLLS):
            time.sleep(max(0.0, next_poll - time.monotonic()))
            next_poll += POLL_SECONDS
            answers.append((index % 2 == 0, guest.poll(session_id, with_rev=index % 2 == 1)))
        return answers

    facilitator_thread_result = {}
    if facilitator:
        facilitator_thread = threading.Thread(
            target=lambda: facilitator_thread_result.update(
                _facilitator_polls(base_url, session_id, facilitator, repeat=20, pause=0.25)
            )
        )
        facilitator_thread.start()
    polls = _parallel(poll_rhythm, joined, len(joined))
    if facilitator:
        facilitator_thread.join()
    other_polls = facilitator_thread_result
    answers = [answer for guest_answers in polls for answer in guest_answers]
    poll_full = [s for full, (status, s, _w) in answers if full and status == 200 and s]
    poll_same = [s for full, (_status, s, _w) in answers if not full and s]

    # 2b. The same fragments with 20 clients polling back to back without a pause (a stress
    #     figure: far more requests than 60 participants make).
    def poll_burst(guest):
        return [guest.poll(session_id, with_rev=False) for _ in range(3)]

    burst = _parallel(poll_burst, joined, 20)
    poll_burst_full = [s for answers in burst for status, s, _w in answers if status == 200 and s]

    # 3. Load: ideas for the first half, then a dot vote that everybody starts at once.
    log = []  # (participant, kind, item, status, wall ms, server ms)
    log_lock = threading.Lock()
    deadline = time.monotonic() + seconds
    switch_at = time.monotonic() + seconds / 2
    phase = {"activity": ideas, "vote_started": threading.Event()}
    barrier = threading.Barrier(len(joined) + 1)
    card_ids = []

    def record(guest, kind, item, answer):
        status, _body, server, wall = answer
        with log_lock:
            log.append((guest.participant_id, kind, item, status, wall, server))
        if kind != "poll" and status == 200:
            # The answer carries "HX-Trigger: live-refresh": the browser fetches the
            # participant view at once.
            status, server, wall = guest.poll(session_id)
            with log_lock:
                log.append((guest.participant_id, "poll", None, status, wall, server))

    def participant_loop(guest):
        rng = random.Random(guest.participant_id)
        next_poll = time.monotonic()
        try:
            while time.monotonic() < switch_at:
                if time.monotonic() >= next_poll:
                    status, server, wall = guest.poll(session_id)
                    record(guest, "poll", None, (status, "", server, wall))
                    next_poll = time.monotonic() + POLL_SECONDS
                answer = guest.post(
                    f"/workshops/sitzungen/{session_id}/live/karten/",
                    {"activity": ideas.pk, "text": f"{guest.name}: Idee {rng.randint(1, 10**6)}"},
                )
                record(guest, "card", None, answer)
                time.sleep(rng.uniform(1.0, 3.0))
            barrier.wait(timeout=120)  # the vote is running now
            phase["vote_started"].wait(timeout=120)
            mine = Counter()
            # Everybody at the same moment: the budget plus three attempts each.
            for _ in range(vote.dots_per_participant + 3):
                card = rng.choice(card_ids)
                answer = guest.post(
                    f"/workshops/sitzungen/{session_id}/live/punkte/",
                    {"activity": vote.pk, "place": f"card:{card}"},
                )
                record(guest, "place", card, answer)
                if answer[0] == 200:
                    mine[card] += 1
            while time.monotonic() < deadline:
                if time.monotonic() >= next_poll:
                    status, server, wall = guest.poll(session_id)
                    record(guest, "poll", None, (status, "", server, wall))
                    next_poll = time.monotonic() + POLL_SECONDS
                if mine and rng.random() < 0.5:
                    card = rng.choice(sorted(mine))
                    answer = guest.post(
                        f"/workshops/sitzungen/{session_id}/live/punkte/",
                        {"activity": vote.pk, "remove": f"card:{card}"},
                    )
                    record(guest, "remove", card, answer)
                    if answer[0] == 200:
                        mine[card] -= 1
                        if not mine[card]:
                            del mine[card]
                else:
                    card = rng.choice(card_ids)
                    answer = guest.post(
                        f"/workshops/sitzungen/{session_id}/live/punkte/",
                        {"activity": vote.pk, "place": f"card:{card}"},
                    )
                    record(guest, "place", card, answer)
                    if answer[0] == 200:
                        mine[card] += 1
                time.sleep(rng.uniform(0.5, 2.0))
        except threading.BrokenBarrierError:
            pass

    threads = [threading.Thread(target=participant_loop, args=(g,)) for g in joined]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=seconds + 120)
    services.activity_start(activity=vote)  # finishes the idea collection
    card_ids.extend(
        Card.objects.filter(session=session, merged_into__isnull=True).values_list("pk", flat=True)
    )
    phase["vote_started"].set()
    for thread in threads:
        thread.join()
    services.activity_close(activity=vote)

    # 4. Nothing lost: compare the 2xx answers with the database.
    from django.db.models import Count, Max

    expected_dots, expected_cards = Counter(), Counter()
    for participant, kind, _item, status, _wall, _server in log:
        if status == 200 and kind == "place":
            expected_dots[participant] += 1
        elif status == 200 and kind == "remove":
            expected_dots[participant] -= 1
        elif status == 200 and kind == "card":
            expected_cards[participant] += 1
    dots = Dot.objects.filter(activity=vote)
    stored_dots = Counter(
        dict(
            dots.values("participant_id").annotate(n=Count("pk")).values_list("participant_id", "n")
        )
    )
    stored_cards = Counter(
        dict(
            Card.objects.filter(activity=ideas)
            .values("author_id")
            .annotate(n=Count("pk"))
            .values_list("author_id", "n")
        )
    )
    max_per_item = (
        dots.values("participant_id", "card_id").annotate(n=Count("pk")).aggregate(m=Max("n"))["m"]
        or 0
    )
    lost_votes = {
        p: (expected_dots[p], stored_dots[p])
        for p in set(expected_dots) | set(stored_dots)
        if expected_dots[p] != stored_dots[p]
    }
    lost_cards = {
        p: (expected_cards[p], stored_cards[p])
        for p in set(expected_cards) | set(stored_cards)
        if expected_cards[p] != stored_cards[p]
    }
    over_budget = sorted(p for p, n in stored_dots.items() if n > vote.dots_per_participant)
    connections.close_all()

    def entries(*kinds):
        return [entry for entry in log if entry[1] in kinds]

    votes = entries("place", "remove")
    load_polls = entries("poll")
    result = {
        "participants_joined": len(joined),
        "join_statuses": dict(Counter(statuses)),
        "join_seconds": round(join_seconds, 2),
        "poll_full_server": _summary(poll_full),
        "poll_unchanged_server": _summary(poll_same),
        "poll_burst_full_server": _summary(poll_burst_full),
        "facilitator_and_projector_polls": other_polls,
        "load_seconds": seconds,
        "polls_under_load": {
            "statuses": dict(Counter(e[3] for e in load_polls)),
            "server": _summary([e[5] for e in load_polls if e[5] is not None]),
            "wall": _summary([e[4] for e in load_polls]),
        },
        "cards": {
            "attempts": len(entries("card")),
            "statuses": dict(Counter(e[3] for e in entries("card"))),
            "wall": _summary([e[4] for e in entries("card")]),
        },
        "votes": {
            "attempts": len(votes),
            "statuses": dict(Counter(e[3] for e in votes)),
            "wall": _summary([e[4] for e in votes]),
            "server": _summary([e[5] for e in votes if e[5] is not None]),
            "dots_stored": sum(stored_dots.values()),
        },
        "check": {
            "lost_or_extra_votes": lost_votes,
            "lost_or_extra_cards": lost_cards,
            "over_budget": over_budget,
            "max_dots_per_item": max_per_item,
            "cap_per_item": vote.cap_per_item,
        },
    }
    result["ok"] = (
        not lost_votes
        and not lost_cards
        and not over_budget
        and max_per_item <= vote.cap_per_item
        and len(joined) == participants
    )
    return result


def _main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Load benchmark of the live workshop session (against a running server)."
    )
    parser.add_argument("--database-url", help="the server's DATABASE_URL (default: environment)")
    parser.add_argument("--redis-url", help="the server's REDIS_URL (default: environment)")
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed", help="create a live session with participants and cards")
    seeding.add_argument("--participants", type=int, default=60)
    seeding.add_argument("--cards", type=int, default=500)
    running = commands.add_parser("run", help="join guests, measure, vote, check the database")
    running.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8765")
    running.add_argument("--session-id", type=int, required=True)
    running.add_argument("--join-code", required=True)
    running.add_argument("--participants", type=int, default=60)
    running.add_argument("--seconds", type=int, default=60)
    running.add_argument(
        "--facilitator", help="USER:PASSWORD of a facilitator, to measure their fragments too"
    )
    args = parser.parse_args(argv)
    urls = {"database_url": args.database_url, "redis_url": args.redis_url}
    if args.command == "seed":
        result = seed(participants=args.participants, cards=args.cards, **urls)
    else:
        result = run(
            args.base_url,
            session_id=args.session_id,
            join_code=args.join_code,
            participants=args.participants,
            seconds=args.seconds,
            facilitator=tuple(args.facilitator.split(":", 1)) if args.facilitator else None,
            **urls,
        )
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if result.get("ok", True) else 1


if __name__ == "__main__":
    sys.exit(_main())

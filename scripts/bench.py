"""Benchmark of the portal on the large demo data set (``make bench``).

Runs against PostgreSQL (``BENCH_DATABASE_URL``, default a database ``coesfeld_bench`` on
127.0.0.1) and Redis (``BENCH_REDIS_URL``), with gunicorn and a real Celery worker, and prints
one table: per key page the SQL queries, p50/p95 server time (from the ``Server-Timing``
header) and requests per second with 20 concurrent clients, next to a minimal view as the
ceiling; plus the similarity recomputation in the worker. Results also go to
``var/bench/results.md``.
"""

import concurrent.futures
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coesfeld_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
SEQUENTIAL = int(os.environ.get("BENCH_REQUESTS", "60"))
CONCURRENT_CLIENTS = 20
CONCURRENT_REQUESTS = int(os.environ.get("BENCH_CONCURRENT_REQUESTS", "200"))
LIVE_SECONDS = int(os.environ.get("BENCH_LIVE_SECONDS", "60"))

ENV = os.environ | {
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "BEHIND_TLS_PROXY": "0",
    "LOG_LEVEL": "WARNING",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "VAR_DIR": str(BASE / "var" / "bench"),
    "DJANGO_SETTINGS_MODULE": "coesfeld_strategy.settings",
}


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE, env=ENV, check=True)


def ensure_database():
    import psycopg2

    parsed = urllib.parse.urlparse(DATABASE_URL)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or None,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class Browser:
    """A logged-in HTTP client with its own cookie jar."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        started = time.perf_counter()
        with self.opener.open(self.base + path, timeout=30) as response:
            body = response.read()
            timing = response.headers.get("Server-Timing", "")
        client_ms = (time.perf_counter() - started) * 1000
        match = re.search(r"dur=([\d.]+)", timing)
        return body, float(match.group(1)) if match else client_ms

    def login(self, username, password):
        body, _ = self.get("/konto/anmelden/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            self.base + "/konto/anmelden/", data=data, headers={"Referer": self.base + "/"}
        )
        with self.opener.open(request, timeout=30) as response:
            if "/konto/anmelden/" in response.geturl():
                raise SystemExit("Benchmark login failed")


def measure(browser, path):
    for _ in range(3):
        browser.get(path)
    server_ms = [browser.get(path)[1] for _ in range(SEQUENTIAL)]
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(CONCURRENT_CLIENTS) as pool:
        list(pool.map(lambda _: browser.get(path), range(CONCURRENT_REQUESTS)))
    rps = CONCURRENT_REQUESTS / (time.perf_counter() - started)
    return {
        "p50": statistics.median(server_ms),
        "p95": percentile(server_ms, 0.95),
        "rps": rps,
    }


def count_queries(paths):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="kreis"))
    counts = {}
    for path in paths:
        client.get(path)
        with CaptureQueriesContext(connection) as context:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[path] = len(context.captured_queries)
    return counts


def similarity_in_worker():
    """Recompute all similarities through a real worker and return the run."""
    from inventory.models import Project, SimilarityRun
    from inventory.tasks import recompute_similarities

    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coesfeld_strategy", "worker", "--pool=solo"]
        + ["--loglevel=WARNING", "-Q", "bench-similarity"],
        cwd=BASE,
        env=ENV,
    )
    try:
        run = SimilarityRun.objects.create()
        recompute_similarities.apply_async(args=[run.pk], queue="bench-similarity")
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status in (SimilarityRun.Status.DONE, SimilarityRun.Status.FAILED):
                break
            time.sleep(0.5)
        return run, Project.objects.active().count()
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def live_benchmark(base):
    """60 simulated participants in a live workshop session (scripts/bench_live.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_live", BASE / "scripts" / "bench_live.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    seeded = module.seed(database_url=DATABASE_URL, redis_url=REDIS_URL)
    return module.run(
        base,
        session_id=seeded["session_id"],
        join_code=seeded["join_code"],
        participants=60,
        seconds=LIVE_SECONDS,
        database_url=DATABASE_URL,
        redis_url=REDIS_URL,
        facilitator=("kreis", "Coesfeld-Demo-2026"),
    )


def main():
    started = time.monotonic()
    ensure_database()
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    manage("seed_demo", "--scale", "large", "--force")

    os.environ.update(ENV)
    sys.path.insert(0, str(BASE))
    import django

    django.setup()
    from django.urls import reverse

    from inventory.models import Project
    from roadmaps.models import FieldPlan
    from strategy.models import Municipality

    run, projects = similarity_in_worker()
    dülmen = Municipality.objects.get(name="Dülmen")
    field_plan = FieldPlan.objects.order_by("rank", "pk").first()
    detail = Project.objects.filter(similarities__isnull=False).order_by("pk").first()
    detail = detail or Project.objects.order_by("pk").first()
    pages = {
        "Minimale View (Obergrenze)": reverse("health_live"),
        "Übersicht (Dashboard)": reverse("strategy:dashboard"),
        "Projektliste ungefiltert": reverse("inventory:project_list"),
        "Projektliste gefiltert": reverse("inventory:project_list")
        + f"?municipality={dülmen.pk}&status=running&q=App&sort=title",
        "Matrix Kommunen × Handlungsfelder": reverse("inventory:matrix"),
        "Projekt mit ähnlichen Projekten": detail.get_absolute_url(),
        "Vollständigkeitsübersicht": reverse("inventory:completeness"),
        "Synergie-Kandidaten": reverse("inventory:synergy_list"),
        "Roadmap gesamt": reverse("roadmaps:roadmap"),
        "Handlungsfeld-Seite": field_plan.get_absolute_url(),
        "Förderübersicht": reverse("roadmaps:funding_overview"),
        "Maßnahmenliste": reverse("roadmaps:measure_list"),
    }
    queries = count_queries(list(pages.values()))

    server = subprocess.Popen(
        [
            str(BASE / ".venv" / "bin" / "gunicorn"),
            "coesfeld_strategy.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--threads",
            "8",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=BASE,
        env=ENV,
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        for _ in range(50):
            try:
                urllib.request.urlopen(base + "/health/live/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        browser = Browser(base)
        browser.login("kreis", "Coesfeld-Demo-2026")
        results = {name: measure(browser, path) for name, path in pages.items()}
        live = live_benchmark(base)
    finally:
        server.terminate()
        server.wait(timeout=30)

    ceiling = results["Minimale View (Obergrenze)"]["rps"]
    lines = [
        f"Benchmark {time.strftime('%Y-%m-%d %H:%M')}, {projects} aktive Projekte, "
        f"PostgreSQL, gunicorn (2 Worker × 8 Threads), {os.cpu_count()} Kerne",
        "",
        "| Seite | SQL-Abfragen | p50 Server (ms) | p95 Server (ms) | Anfragen/s (20 parallel) "
        "| Anteil an Obergrenze |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, path in pages.items():
        r = results[name]
        lines.append(
            f"| {name} | {queries[path]} | {r['p50']:.1f} | {r['p95']:.1f} | {r['rps']:.0f} "
            f"| {r['rps'] / ceiling:.2f} |"
        )
    polls = live["polls_under_load"]
    votes = live["votes"]
    lines += [
        "",
        f"Live-Workshop: {live['participants_joined']} Gäste, 500 Karten, {LIVE_SECONDS} s "
        "Karten und Punkte gleichzeitig:",
        f"- Abfrage der Teilnehmeransicht (Server): p50 {live['poll_full_server']['p50_ms']} ms, "
        f"p95 {live['poll_full_server']['p95_ms']} ms; unverändert p95 "
        f"{live['poll_unchanged_server']['p95_ms']} ms",
        f"- unter Last: Abfragen p95 Server {polls['server']['p95_ms']} ms / Client "
        f"{polls['wall']['p95_ms']} ms",
        f"- Stimmen: {votes['attempts']} Versuche, p95 Server {votes['server']['p95_ms']} ms / "
        f"Client {votes['wall']['p95_ms']} ms, Status {votes['statuses']}",
        "- Prüfung: "
        + (
            "nichts verloren, Budget und Obergrenze eingehalten"
            if live["ok"]
            else str(live["check"])
        ),
        f"- Moderation/Beamer: {live['facilitator_and_projector_polls']}",
    ]
    lines += [
        "",
        f"Ähnlichkeiten im Celery-Worker neu berechnet: {run.projects} Projekte, "
        f"{run.pairs} gespeicherte Paare, {run.seconds or 0:.2f} s (Status: {run.status}).",
        f"Gesamtdauer des Benchmarks: {time.monotonic() - started:.0f} s.",
    ]
    report = "\n".join(lines)
    print(report)
    out = BASE / "var" / "bench" / "results.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Benchmark of the portal on the large demo data set (``make bench``).

Runs against PostgreSQL (``BENCH_DATABASE_URL``, default a database ``coesfeld_bench`` on
127.0.0.1) and Redis (``BENCH_REDIS_URL``), with gunicorn and a real Celery worker, and prints
one table: per key page the SQL queries, p50/p95 server time (from the ``Server-Timing``
header) and requests per second with 20 concurrent clients, next to a minimal view as the
ceiling; plus the similarity recomputation in the worker and the strategy PDF of the large
demo strategy rendered by a real worker (time, pages, bytes, the worker's peak memory, and the
p95 of web pages while it renders). Results also go to ``var/bench/results.md``.

``python scripts/bench.py documents`` runs only the strategy PDF part (after the same setup).
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
    # The server time is read from the Server-Timing header, which production does not send.
    "SERVER_TIMING": "1",
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


def _tree_rss(process) -> tuple[int, int, float]:
    """(sum, largest) resident memory of ``process`` and its children in bytes, and the CPU
    seconds its children used (the rendering child is fresh: that is the render's CPU time,
    which, unlike the wall time, does not depend on what else the shared machine runs)."""
    import psutil

    total = largest = 0
    cpu = 0.0
    try:
        children = process.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0, 0, 0.0
    for member in [process, *children]:
        try:
            rss = member.memory_info().rss
            if member is not process:
                times = member.cpu_times()
                cpu += times.user + times.system
        except psutil.NoSuchProcess:
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest, cpu


def _p95_while(browser, paths, keep_going, minimum=20):
    """Server times (ms) of ``paths`` requested in turn while ``keep_going()`` (at least
    ``minimum`` requests); returns the p95."""
    times = []
    while keep_going() or len(times) < minimum:
        for path in paths:
            times.append(browser.get(path)[1])
    return percentile(times, 0.95), len(times)


def strategy_pdf_in_worker(browser):
    """Render the full demo strategy of the large data set through a real worker (prefork
    with one child, as in production: the time limits need it) while web pages are requested.

    Memory is measured two ways: psutil samples the worker's process tree every 0.2 s (the
    sum over-counts pages the fork shares with its parent; the largest single process is the
    rendering child), and the task stores the child's ``ru_maxrss`` on the job, which is the
    per-render peak because the child is fresh (``--max-tasks-per-child 1``)."""
    import psutil
    from django.urls import reverse

    from accounts.models import User
    from adoption.models import StrategyDocument
    from adoption.tasks import render_strategy_document
    from roadmaps.section_services import strategy_version_freeze
    from strategy.selectors import process_current

    process = process_current()
    staff = User.objects.get(username="kreis")
    version = strategy_version_freeze(process=process, note="Benchmark", user=staff)
    paths = [
        reverse("strategy:dashboard"),
        reverse("adoption:document_list", args=[process.pk]),
        reverse("inventory:project_list"),
    ]
    for path in paths:
        browser.get(path)
    idle_p95, idle_requests = _p95_while(browser, paths, lambda: False, minimum=60)

    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coesfeld_strategy", "worker", "--pool=prefork"]
        + ["--concurrency=1", "--max-tasks-per-child=1", "--loglevel=WARNING"]
        + ["-Q", "bench-documents", "--without-gossip", "--without-mingle"],
        cwd=BASE,
        env=ENV,
    )
    try:
        tree = psutil.Process(worker.pid)
        time.sleep(8)  # the worker is up and its child forked
        baseline, _, _ = _tree_rss(tree)
        job = StrategyDocument.objects.create(version=version, purpose="draft", requested_by=staff)
        started = time.monotonic()
        render_strategy_document.apply_async(args=[job.pk], queue="bench-documents")
        peak = {"sum": 0, "largest": 0, "cpu": 0.0}
        active = {"running": True}

        def sample():
            while active["running"]:
                total, largest, cpu = _tree_rss(tree)
                peak["cpu"] = max(peak["cpu"], cpu)
                peak["sum"] = max(peak["sum"], total)
                peak["largest"] = max(peak["largest"], largest)
                time.sleep(0.2)

        def still_rendering():
            job.refresh_from_db()
            return job.is_active and time.monotonic() - started < 900

        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            sampler = pool.submit(sample)
            busy_p95, busy_requests = _p95_while(browser, paths, still_rendering)
            while still_rendering():
                time.sleep(0.5)
            active["running"] = False
            sampler.result()
        wall = time.monotonic() - started
        job.refresh_from_db()
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    return {
        "job": job,
        "wall": wall,
        "baseline": baseline,
        "peak_sum": peak["sum"],
        "peak_largest": peak["largest"],
        "cpu": peak["cpu"],
        "load": os.getloadavg(),
        "idle_p95": idle_p95,
        "busy_p95": busy_p95,
        "requests": (idle_requests, busy_requests),
    }


def strategy_pdf_lines(result) -> list[str]:
    job, mib = result["job"], 1024 * 1024
    ratio = result["busy_p95"] / result["idle_p95"] if result["idle_p95"] else float("nan")
    return [
        "",
        f"Strategie-PDF der großen Demo-Strategie im Celery-Worker (Status: {job.status}"
        f"{', ' + job.error if job.error else ''}):",
        f"- {job.pages} Seiten, {(job.size or 0) / mib:.1f} MiB; WeasyPrint im Task "
        f"{job.render_seconds or 0:.1f} s, vom Einreihen bis fertig {result['wall']:.1f} s "
        f"(Ziel < 60 s); CPU-Zeit des Render-Prozesses {result['cpu']:.1f} s (Last des "
        f"Rechners danach: {' / '.join(f'{x:.1f}' for x in result['load'])})",
        f"- Spitzen-Speicher: Render-Prozess {(job.peak_memory or 0) / mib:.0f} MiB (ru_maxrss), "
        f"größter Prozess {result['peak_largest'] / mib:.0f} MiB, Prozessbaum "
        f"{result['peak_sum'] / mib:.0f} MiB (Summe RSS, vorher {result['baseline'] / mib:.0f} "
        "MiB; Ziel < 1,5 GB)",
        f"- p95 Server von Übersicht, Dokumentenliste, Projektliste: ohne Rendern "
        f"{result['idle_p95']:.1f} ms, während des Renderns {result['busy_p95']:.1f} ms "
        f"(Faktor {ratio:.2f}, Ziel ≤ 1,5; {result['requests'][0]}/{result['requests'][1]} "
        f"Anfragen; {os.cpu_count()} Kerne, Rechner mit anderen geteilt)",
    ]


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
    only_documents = sys.argv[1:] == ["documents"]
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

    if only_documents:
        return documents_only(started)
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
        documents = strategy_pdf_in_worker(browser)
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
    LIVE_VIEWS = {
        "facilitator_status": "Moderation, Stand",
        "facilitator_board": "Moderation, Pinnwand",
        "projector": "Beamer",
    }
    lines += [
        "",
        f"Live-Workshop: {live['participants_joined']} Gäste, 500 Karten, {LIVE_SECONDS} s "
        "Karten und Punkte gleichzeitig:",
        f"- Abfrage der Teilnehmeransicht, alle {live['participants_joined']} im Takt von 1,5 s "
        f"(Server): p50 {live['poll_full_server']['p50_ms']} ms, "
        f"p95 {live['poll_full_server']['p95_ms']} ms; unverändert (204) p50 "
        f"{live['poll_unchanged_server']['p50_ms']} ms, p95 "
        f"{live['poll_unchanged_server']['p95_ms']} ms (Ziel p95 < 50 ms)",
        *(
            f"- {label} währenddessen (Server): p50 {fragment['full']['p50_ms']} ms, p95 "
            f"{fragment['full']['p95_ms']} ms; unverändert p95 "
            f"{fragment['unchanged']['p95_ms']} ms; {fragment['kb']} KB"
            for label, fragment in (
                (LIVE_VIEWS[key], value)
                for key, value in live["facilitator_and_projector_polls"].items()
            )
            if "full" in fragment
        ),
        f"- Belastungsprobe: 20 Teilnehmende fragen ohne Pause ab: p95 Server "
        f"{live['poll_burst_full_server']['p95_ms']} ms",
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
    ]
    lines += [
        "",
        f"Ähnlichkeiten im Celery-Worker neu berechnet: {run.projects} Projekte, "
        f"{run.pairs} gespeicherte Paare, {run.seconds or 0:.2f} s (Status: {run.status}).",
        *strategy_pdf_lines(documents),
        f"Gesamtdauer des Benchmarks: {time.monotonic() - started:.0f} s.",
    ]
    report = "\n".join(lines)
    print(report)
    out = BASE / "var" / "bench" / "results.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report + "\n", encoding="utf-8")


def _gunicorn():
    return subprocess.Popen(
        [str(BASE / ".venv" / "bin" / "gunicorn"), "coesfeld_strategy.wsgi"]
        + ["--bind", f"127.0.0.1:{PORT}", "--workers", "2", "--threads", "8"]
        + ["--worker-class", "gthread", "--log-level", "warning"],
        cwd=BASE,
        env=ENV,
    )


def documents_only(started):
    """``bench.py documents``: only the strategy PDF part."""
    server = _gunicorn()
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
        lines = strategy_pdf_lines(strategy_pdf_in_worker(browser))
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines.append(f"Gesamtdauer: {time.monotonic() - started:.0f} s.")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

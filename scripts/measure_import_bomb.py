"""Measure what a hostile .xlsx costs the import (issue 11, item 1).

``python scripts/measure_import_bomb.py inprocess [probe]``
    Builds the shared-strings bomb (5.5 million tiny strings, ~94 MB unpacked, ~230 KB) and one
    within the size limits (2 million strings; left out with ``probe``) and, each in a fresh
    process, runs what the web request does with an upload (the form's checks) and what reading
    the file does (``parse_upload``, which the worker runs): CPU seconds and the increase of the
    peak resident memory.

``python scripts/measure_import_bomb.py gunicorn``
    Starts gunicorn (2 workers, ``--timeout 30``, DEBUG off) and a Celery worker on the
    database of ``DATABASE_URL`` (migrated, with ``load_reference`` and ``seed_demo`` run), logs
    in as the demo user ``kreis``, uploads the bomb twice in parallel and polls
    ``/health/live/`` meanwhile: status codes and times of the uploads, the health latency,
    the CPU seconds of the web workers, and whether gunicorn killed a worker.
"""

import concurrent.futures
import http.cookiejar
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))


def _child(kind: str, path: str) -> None:
    """Run one measurement in this (fresh) process and print it as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coesfeld_strategy.settings")
    django.setup()
    import psutil
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from inventory.importing import ImportFileError, parse_upload

    translation.activate("de")
    data = Path(path).read_bytes()
    outcome = "accepted"

    def web():
        from inventory.import_views import ImportUploadForm

        form = ImportUploadForm(data={}, files={"file": SimpleUploadedFile("bombe.xlsx", data)})
        if not form.is_valid():
            return "refused: " + " ".join(form.errors["file"])
        try:
            # What import_request checks before it keeps the file (the fixed code only).
            from inventory.import_files import upload_check
        except ImportError:
            return "accepted"
        try:
            upload_check(data=form.content)
        except ImportFileError as error:
            return "refused: " + error.message
        return "accepted"

    def read():
        try:
            parse_upload(name="bombe.xlsx", data=data)
        except ImportFileError as error:
            return "refused: " + error.message
        return "accepted"

    process = psutil.Process()
    rss_before = process.memory_info().rss
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    usage = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    outcome = {"web": web, "read": read}[kind]()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    peak_increase = max(after.ru_maxrss * 1024 - max(peak_before, rss_before), 0)
    print(
        json.dumps(
            {
                "kind": kind,
                "outcome": outcome,
                "cpu_s": round(cpu, 3),
                "wall_s": round(wall, 3),
                "peak_rss_increase_mb": round(peak_increase / 2**20, 1),
            },
            ensure_ascii=False,
        )
    )


def inprocess() -> None:
    from tests.inventory.import_bombs import shared_strings_bomb

    bombs = {
        "the probe's bomb (5.5 million strings, 94 MB)": shared_strings_bomb(),
        "a bomb within the size limits (2 million strings, 34 MB)": shared_strings_bomb(
            strings=2_000_000
        ),
    }
    if len(sys.argv) > 2 and sys.argv[2] == "probe":
        bombs = dict(list(bombs.items())[:1])
    for title, data in bombs.items():
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as bomb:
            bomb.write(data)
            bomb.flush()
            print(f"{title}: {len(data) / 1024:.0f} KB")
            for kind in ("web", "read"):
                result = subprocess.run(
                    [sys.executable, __file__, "child", kind, bomb.name],
                    cwd=BASE,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                print("  " + result.stdout.strip().splitlines()[-1])


# --- Against gunicorn ------------------------------------------------------------------------


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, path, data=None, headers=None, timeout=120):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.geturl(), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read()

    def token(self, path):
        _status, _url, body = self.open(path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if match is None:
            raise SystemExit(f"no form at {path}: HTTP {_status} {body[:300]!r}")
        return match.group(1).decode()

    def login(self, username, password):
        token = self.token("/konto/anmelden/")
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        _status, url, _body = self.open("/konto/anmelden/", data, {"Referer": self.base + "/"})
        if "/konto/anmelden/" in url:
            raise SystemExit("login failed")

    def upload(self, path, name, content):
        token = self.token(path)
        boundary = uuid.uuid4().hex
        body = b"".join(
            [
                f"--{boundary}\r\n".encode(),
                b'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n',
                f"{token}\r\n--{boundary}\r\n".encode(),
                f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'.encode(),
                b"Content-Type: application/octet-stream\r\n\r\n",
                content,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": self.base + path,
        }
        started = time.perf_counter()
        status, url, body = self.open(path, body, headers)
        return status, url, time.perf_counter() - started, body


def _worker_cpu(pids):
    import psutil

    total = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
            total[pid] = times.user + times.system
        except psutil.NoSuchProcess:
            total[pid] = None
    return total


def gunicorn() -> None:
    import psutil

    from strategy.demo import DEMO_PASSWORD
    from tests.inventory.import_bombs import shared_strings_bomb

    port = int(os.environ.get("MEASURE_PORT", "8791"))
    env = os.environ | {
        "DEBUG": "0",
        "SECRET_KEY": "measure-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "BEHIND_TLS_PROXY": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "coesfeld_strategy.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE,
        env=env,
        check=True,
    )
    web = subprocess.Popen(
        [str(BASE / ".venv/bin/gunicorn"), "coesfeld_strategy.wsgi", "-w", "2"]
        + ["--timeout", "30", "-b", f"127.0.0.1:{port}", "--no-control-socket"],
        cwd=BASE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coesfeld_strategy", "worker"]
        + ["--pool=prefork", "--concurrency=1", "--loglevel=WARNING"],
        cwd=BASE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        browser = Browser(base)
        for _ in range(100):
            try:
                browser.open("/health/live/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        browser.login("kreis", DEMO_PASSWORD)
        second = Browser(base)
        second.login("kreis", DEMO_PASSWORD)
        pids = [child.pid for child in psutil.Process(web.pid).children()]
        cpu_before = _worker_cpu(pids)
        rss_before = {pid: psutil.Process(pid).memory_info().rss for pid in pids}
        bomb = shared_strings_bomb()
        health = []
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            uploads = [
                pool.submit(client.upload, "/bestandsaufnahme/import/", "bombe.xlsx", bomb)
                for client in (browser, second)
            ]
            probe = Browser(base)
            samples = dict.fromkeys(pids, (0.0, 0))

            def sample():
                while not all(upload.done() for upload in uploads):
                    for pid in pids:
                        try:
                            member = psutil.Process(pid)
                            times, rss = member.cpu_times(), member.memory_info().rss
                        except psutil.NoSuchProcess:
                            continue
                        samples[pid] = (
                            times.user + times.system - cpu_before[pid],
                            max(samples[pid][1], rss - rss_before[pid]),
                        )
                    time.sleep(0.1)

            sampler = threading.Thread(target=sample)
            sampler.start()
            while not all(upload.done() for upload in uploads) or len(health) < 10:
                started = time.perf_counter()
                try:
                    status = probe.open("/health/live/", timeout=90)[0]
                except OSError as error:
                    status = type(error).__name__
                health.append((status, time.perf_counter() - started))
                time.sleep(0.2)
            results = [upload.result() for upload in uploads]
            sampler.join()
        after_pids = [child.pid for child in psutil.Process(web.pid).children()]
        for status, url, seconds, body in results:
            text = body.decode(errors="replace")
            message = re.search(r'id="error_1_id_file"><strong>(.*?)</strong>', text, re.S)
            print(
                f"upload: HTTP {status} in {seconds:.2f} s → {url.replace(base, '')}"
                + (f" — {message.group(1).strip()}" if message else "")
            )
        latencies = [seconds for _status, seconds in health]
        print(
            f"/health/live/ during the uploads: {len(health)} probes, statuses "
            f"{sorted({str(status) for status, _ in health})}, median "
            f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )
        for pid in pids:
            cpu, rss = samples[pid]
            print(
                f"web worker {pid} (sampled every 0.1 s until the uploads ended or it died): "
                f"CPU {cpu:.2f} s, peak RSS increase {rss / 2**20:.0f} MB"
            )
        print(f"web workers replaced: {sorted(set(pids) - set(after_pids)) or 'none'}")
    finally:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
        try:
            output = web.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            web.kill()
            output = web.communicate()[0]
        print(f"'WORKER TIMEOUT' in the gunicorn log: {output.count('WORKER TIMEOUT')}")
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


if __name__ == "__main__":
    if sys.argv[1] == "child":
        _child(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "inprocess":
        inprocess()
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coesfeld_strategy.settings")
        import django

        django.setup()
        gunicorn()

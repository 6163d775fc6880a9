"""Probe of the upload faults of issue 11 (items 5, 13 and 15), as an attacker would try them:
against gunicorn with DEBUG on, PostgreSQL, Redis and a real Celery worker.

Prints, per attack, the status code of the upload (and the message of a refusal), what was
stored (file name), how the file is served (status, content type, disposition from ``/media/``
and from the portal's download view), the web worker's CPU and memory for a 2 MB PDF whose
cross-reference stream inflates to 2 GB, the OParl ``File`` of a council resolution, and the
peak memory and CPU seconds of the web worker and of the Celery worker for the photo bomb (a
160 KB PNG of 6320×6320 pixels) and for a JPEG of 40 megapixels. The attack files are those of
the tests (``tests/upload_samples.py``); peaks are measured from Linux' VmHWM, reset before
each upload.

    .venv/bin/python scripts/probe_uploads.py

``PROBE_DATABASE_URL`` (default: a database ``cs_uploads`` on 127.0.0.1, dropped and created
anew), ``PROBE_REDIS_URL`` (default Redis database 6) and ``PROBE_PORT`` (8771).
"""

import http.cookiejar
import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("PROBE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cs_uploads")
REDIS_URL = os.environ.get("PROBE_REDIS_URL", "redis://127.0.0.1:6379/6")
PORT = int(os.environ.get("PROBE_PORT", "8771"))
VAR_DIR = BASE / "var" / "probe-uploads"
QUEUE = "probe-uploads"
PLANTED = "inventory/strategies/2025/alt.html"

ENV = os.environ | {
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "DEBUG": "1",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "LOG_LEVEL": "WARNING",
    "AXES_ENABLED": "0",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "VAR_DIR": str(VAR_DIR),
    "MEDIA_ROOT": str(VAR_DIR / "media"),
    "CELERY_TASK_ALWAYS_EAGER": "0",
    "DJANGO_SETTINGS_MODULE": "coesfeld_strategy.settings",
}


# --- HTTP ----------------------------------------------------------------------------------


class Browser:
    """A logged-in HTTP client with its own cookie jar; never follows redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect
        )

    def request(self, path, data=None, headers=None):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def token(self, path) -> str:
        _status, _headers, body = self.request(path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        return match.group(1).decode()

    def login(self, username, password):
        token = self.token("/konto/anmelden/")
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        status, _headers, _body = self.request(
            "/konto/anmelden/", data, {"Referer": self.base + "/"}
        )
        if status != 302:
            raise SystemExit(f"login failed ({status})")

    def post_multipart(self, path, fields: dict, files: dict):
        """POST ``fields`` and ``files`` ({name: (filename, bytes, content type)})."""
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        fields = {"csrfmiddlewaretoken": self.token(path), **fields}
        for name, value in fields.items():
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, (filename, content, content_type) in files.items():
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            )
            body.write(content + b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        return self.request(
            path,
            body.getvalue(),
            {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": self.base + path,
            },
        )


def served(browser, path) -> str:
    status, headers, body = browser.request(path)
    if status != 200:
        return f"{status}"
    return (
        f"200 {headers.get('Content-Type')}; disposition={headers.get('Content-Disposition')}; "
        f"nosniff={headers.get('X-Content-Type-Options')}; {len(body)} bytes"
    )


# --- processes -------------------------------------------------------------------------------


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE, env=ENV, check=True)


def recreate_database():
    import psycopg2

    parsed = urllib.parse.urlparse(DATABASE_URL)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username or "postgres",
        dbname="postgres",
    )  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def memory_and_cpu(pid: int) -> tuple[int, float]:
    """Peak resident memory (VmHWM, bytes) and CPU seconds of process ``pid``."""
    import psutil

    status = Path(f"/proc/{pid}/status").read_text()
    peak = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) * 1024
    times = psutil.Process(pid).cpu_times()
    return peak, times.user + times.system


def refusal(status: int, body: bytes) -> str:
    """The message of the form's error summary for the file field, if the upload was refused."""
    import html

    match = re.search(rb'<li><a href="#id_(?:image|document|resolution_file)">([^<]+)</a>', body)
    return f" ({html.unescape(match.group(1).decode())})" if status == 200 and match else ""


def peak_reset(pid: int) -> None:
    """Start the peak resident memory (VmHWM) of ``pid`` anew from its current size."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def web_worker(server) -> int:
    import psutil

    return psutil.Process(server.pid).children()[0].pid


def mb(value: int) -> str:
    return f"{max(value, 0) / 1024 / 1024:.0f} MB"


# --- the probe -------------------------------------------------------------------------------


def setup_objects() -> dict:
    """The published adoption the OParl part needs, and the objects the uploads go to."""
    import hashlib

    from django.core.files.base import ContentFile

    from accounts.models import User
    from adoption.models import AdoptionPublication, Council, StrategyDocument
    from roadmaps.models import StrategyVersion
    from workshops.models import WorkshopSession

    version = StrategyVersion.objects.order_by("-number").first()
    from tests.upload_samples import pdf_bytes

    pdf = pdf_bytes()
    document = StrategyDocument(
        version=version, purpose="adopted", status="done", pages=1, size=len(pdf),
        sha512=hashlib.sha512(pdf).hexdigest(), sha256=hashlib.sha256(pdf).hexdigest(),
    )  # fmt: skip
    document.file.save("strategie.pdf", ContentFile(pdf), save=False)
    document.save()
    AdoptionPublication.objects.create(
        process=version.process, document=document, published_by=User.objects.get(username="kreis")
    )
    council = Council.objects.get(process=version.process, municipality__name="Dülmen")
    return {
        "council": council,
        "session": WorkshopSession.objects.order_by("starts_at").first(),
        "kreis": User.objects.get(username="kreis").municipality_id,
    }


def decision_fields(council) -> dict:
    return {
        "paper_reference": "DS 1/2027",
        "ris_url": "https://ris.example.org/1",
        "result": "adopted",
        "decided_on": str(council.decided_on),
        "votes_yes": "30",
        "votes_no": "2",
        "votes_abstain": "1",
        "resolution_text": "Beschlossen.",
    }


def main():
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    recreate_database()
    manage("migrate", "--noinput", "-v", "0")
    manage("seed_demo")
    os.environ.update(ENV)
    sys.path.insert(0, str(BASE))
    import django

    django.setup()
    from django.urls import reverse

    from adoption.models import Council
    from inventory.models import ExistingStrategy
    from tests.upload_samples import (
        jpeg_of,
        marker_exe,
        pdf_bytes,
        png_bomb,
        polyglot_html,
        xref_stream_bomb,
    )
    from workshops.models import SessionPhoto

    objects = setup_objects()
    planted = VAR_DIR / "media" / PLANTED
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(polyglot_html())
    council = objects["council"]
    server = subprocess.Popen(
        [str(BASE / ".venv" / "bin" / "gunicorn"), "coesfeld_strategy.wsgi", "--bind",
         f"127.0.0.1:{PORT}", "--workers", "1", "--timeout", "120", "--log-level", "warning"],
        cwd=BASE, env=ENV,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coesfeld_strategy", "worker", "--pool=solo",
         "--loglevel=WARNING", "-Q", f"celery,{QUEUE}", "--without-gossip", "--without-mingle"],
        cwd=BASE, env=ENV,
    )  # fmt: skip
    lines = []
    try:
        time.sleep(3)
        browser = Browser(f"http://127.0.0.1:{PORT}")
        browser.login("kreis", "Coesfeld-Demo-2026")

        # 5a: the polyglot HTML as an existing strategy's PDF.
        status, _h, body = browser.post_multipart(
            reverse("inventory:strategy_new"),
            {"municipality": objects["kreis"], "title": "Polyglott", "kind": "other"},
            {"document": ("poly.html", polyglot_html(), "text/html")},
        )
        entry = ExistingStrategy.objects.filter(title="Polyglott").first()
        stored = entry.document.name if entry else ""
        lines.append(
            f"5a poly.html as strategy PDF: upload {status}{refusal(status, body)}, "
            f"stored: {stored or 'nothing'}"
        )
        if entry:
            download = reverse("inventory:strategy_document", args=[entry.pk])
            lines.append(f"   /media/{stored}: {served(browser, '/media/' + stored)}")
            lines.append(f"   portal download: {served(browser, download)}")
        lines.append(f"   /media/ (a file put there): {served(browser, '/media/' + PLANTED)}")

        # 5b: the executable with the marker as a council resolution.
        status, _h, body = browser.post_multipart(
            reverse("adoption:council_decide", args=[council.pk]),
            decision_fields(council),
            {"resolution_file": ("beschluss.exe", marker_exe(), "application/x-msdownload")},
        )
        council = Council.objects.get(pk=council.pk)
        name = council.resolution_file.name
        lines.append(
            f"5b beschluss.exe as resolution: upload {status}{refusal(status, body)}, "
            f"stored: {name or '-'}"
        )
        if name:
            lines.append(f"   /media/{name}: {served(browser, '/media/' + name)}")
            download = reverse("adoption:council_resolution_file", args=[council.pk])
            lines.append(f"   portal download: {served(browser, download)}")
        # 5c: the PDF whose cross-reference stream inflates to 2 GB.
        peak_reset(web_worker(server))
        rss_before, cpu_before = memory_and_cpu(web_worker(server))
        started = time.monotonic()
        status, _h, body = browser.post_multipart(
            reverse("adoption:council_decide", args=[council.pk]),
            decision_fields(council),
            {"resolution_file": ("bombe.pdf", xref_stream_bomb(), "application/pdf")},
        )
        seconds = time.monotonic() - started
        peak, cpu_after = memory_and_cpu(web_worker(server))
        council = Council.objects.get(pk=council.pk)
        new_name = council.resolution_file.name if council.resolution_file.name != name else "-"
        lines.append(
            f"5c 2 MB PDF, xref stream inflating to 2 GB: upload {status}{refusal(status, body)} "
            f"in {seconds:.2f} s, "
            f"web worker CPU {cpu_after - cpu_before:.2f} s, peak +{mb(peak - rss_before)}; "
            f"stored: {new_name}"
        )
        # 15: the OParl File of a council resolution (a real PDF uploaded through the form).
        status, _h, _b = browser.post_multipart(
            reverse("adoption:council_decide", args=[council.pk]),
            decision_fields(council),
            {"resolution_file": ("beschluss.pdf", pdf_bytes(), "application/pdf")},
        )
        anonymous = Browser(f"http://127.0.0.1:{PORT}")
        _s, _h, body = anonymous.request(
            reverse("adoption:oparl_file", args=[f"beschluss-{council.pk}"])
        )
        file = json.loads(body) if _s == 200 else {}
        lines.append(
            f"15 OParl File of a real resolution PDF (upload {status}): mimeType="
            f"{file.get('mimeType')}, size={file.get('size')}, "
            f"sha512Checksum={'yes' if file.get('sha512Checksum') else 'missing'}"
        )
        if file:
            download = urllib.parse.urlsplit(file["downloadUrl"]).path
            lines.append(f"   OParl download (anonymous): {served(anonymous, download)}")

        # 13: the photo bomb.
        web = web_worker(server)
        bomb = png_bomb()
        worker_pid = worker.pid
        peak_reset(web)
        peak_reset(worker_pid)
        peak_before, cpu_before = memory_and_cpu(web)
        w_peak_before, w_cpu_before = memory_and_cpu(worker_pid)
        started = time.monotonic()
        status, _h, body = browser.post_multipart(
            reverse("workshops:minutes_photos", args=[objects["session"].pk]),
            {"caption": "Bombe"},
            {"image": ("flipchart.png", bomb, "image/png")},
        )
        seconds = time.monotonic() - started
        peak_after, cpu_after = memory_and_cpu(web)
        time.sleep(5)  # let the worker pick it up, if it was deferred
        w_peak_after, w_cpu_after = memory_and_cpu(worker_pid)
        photo = SessionPhoto.objects.filter(caption="Bombe").first()
        lines.append(
            f"13 PNG {len(bomb) // 1024} KB 6320x6320: upload {status}{refusal(status, body)} "
            f"in {seconds:.2f} s, "
            f"web worker peak +{mb(peak_after - peak_before)} (VmHWM {mb(peak_after)}), "
            f"CPU {cpu_after - cpu_before:.2f} s; stored: "
            f"{photo.image.name if photo else 'nothing'}"
        )
        lines.append(
            f"   Celery worker: peak +{mb(w_peak_after - w_peak_before)} "
            f"(VmHWM {mb(w_peak_after)}), CPU {w_cpu_after - w_cpu_before:.2f} s"
        )

        # 13b: a photo of 40 megapixels (a progressive JPEG of 230 KB): accepted.
        photo_bytes = jpeg_of(7000, 5700, progressive=True)
        peak_reset(web)
        peak_reset(worker_pid)
        peak_before, cpu_before = memory_and_cpu(web)
        w_peak_before, w_cpu_before = memory_and_cpu(worker_pid)
        status, _h, body = browser.post_multipart(
            reverse("workshops:minutes_photos", args=[objects["session"].pk]),
            {"caption": "Kamera"},
            {"image": ("kamera.jpg", photo_bytes, "image/jpeg")},
        )
        peak_after, cpu_after = memory_and_cpu(web)
        deadline = time.monotonic() + 60
        photo = SessionPhoto.objects.filter(caption="Kamera").first()
        while photo and time.monotonic() < deadline:
            if getattr(photo, "status", "ready") != "processing":
                break
            time.sleep(0.5)
            photo.refresh_from_db()
        w_peak_after, w_cpu_after = memory_and_cpu(worker_pid)
        lines.append(
            f"13b JPEG {len(photo_bytes) // 1024} KB 7000x5700: upload {status}, "
            f"web worker peak +{mb(peak_after - peak_before)}, CPU {cpu_after - cpu_before:.2f} s"
            f"; Celery worker peak +{mb(w_peak_after - w_peak_before)}, "
            f"CPU {w_cpu_after - w_cpu_before:.2f} s; stored: "
            f"{photo.image.name if photo else 'nothing'} ({getattr(photo, 'status', '-')})"
        )
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=30)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

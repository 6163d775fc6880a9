"""The probe's attack against real gunicorn workers: two parallel uploads of the Excel bomb
(230 KB, 94 MB of shared strings). Before, each upload cost its web worker 73 s of CPU and
+505 MB, gunicorn killed both workers (WORKER TIMEOUT) and ``/health/live/`` took 38 s; now both
uploads are refused at once with the German message, the workers stay up and nothing is stored.

gunicorn runs with DEBUG on: with DEBUG off it needs collected static files (20 s here), and the
web workers' handling of an upload does not depend on DEBUG."""

import http.cookiejar
import re
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from accounts.models import Role
from inventory.models import Project, ProjectImport
from tests.factories import UserFactory
from tests.real_services import gunicorn_server

from .import_bombs import shared_strings_bomb

pytestmark = [pytest.mark.gunicorn, pytest.mark.django_db(transaction=True)]

PASSWORD = "Bombe-im-Bestand-2027"
MESSAGE = "Die Arbeitsmappe ist entpackt zu groß (höchstens 60,0\xa0MB)."
TIMEOUT = 10  # gunicorn's worker timeout: without the fix the test fails after it


class Browser:
    """A client with its own cookies, talking HTTP to the server."""

    def __init__(self, base: str):
        self.base = base
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)

    def open(self, path, data=None, headers=None, timeout=60):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode(errors="replace")

    def _token(self, path) -> str:
        body = self.open(path)[2]
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)

    def login(self, username: str) -> None:
        data = urllib.parse.urlencode(
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self._token("/konto/anmelden/"),
            }
        ).encode()
        url = self.open("/konto/anmelden/", data, {"Referer": self.base + "/"})[1]
        assert "/konto/anmelden/" not in url, "login failed"

    def upload(self, path: str, name: str, content: bytes):
        boundary = uuid.uuid4().hex
        body = b"".join(
            [
                f"--{boundary}\r\n".encode(),
                b'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n',
                f"{self._token(path)}\r\n--{boundary}\r\n".encode(),
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
        return self.open(path, body, headers)


@pytest.fixture
def server(reference, tmp_path):
    """gunicorn with two workers on the test database."""
    media = tmp_path / "media"
    with gunicorn_server(timeout=TIMEOUT, env={"DEBUG": "1", "MEDIA_ROOT": str(media)}) as (
        base,
        process,
    ):
        yield {"base": base, "process": process, "media": media}


def _user(username: str):
    user = UserFactory(username=username, role=Role.DISTRICT_STAFF)
    # The test settings hash with MD5, which gunicorn's settings do not accept.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, f"salt{username}", iterations=1000)
    user.save(update_fields=["password"])
    return user


def test_two_parallel_bomb_uploads_leave_the_web_workers_alive_and_fast(server):
    base = server["base"]
    clients = []
    for username in ("kreis-a", "kreis-b"):
        _user(username)
        client = Browser(base)
        client.login(username)
        clients.append(client)
    workers = psutil.Process(server["process"].pid).children()
    cpu_before = {w.pid: sum(w.cpu_times()[:2]) for w in workers}
    bomb = shared_strings_bomb()

    latencies = []
    with ThreadPoolExecutor(2) as pool:
        started = time.monotonic()
        uploads = [
            pool.submit(client.upload, "/bestandsaufnahme/import/", "bombe.xlsx", bomb)
            for client in clients
        ]
        probe = Browser(base)
        while not all(upload.done() for upload in uploads) or len(latencies) < 5:
            sent = time.monotonic()
            status = probe.open("/health/live/", timeout=2 * TIMEOUT)[0]
            latencies.append(time.monotonic() - sent)
            assert status == 200
            time.sleep(0.05)
        results = [upload.result() for upload in uploads]
        elapsed = time.monotonic() - started

    for status, _url, body in results:
        assert status == 200
        assert MESSAGE in body
    print(
        f"uploads answered in {elapsed:.2f} s; /health/live/: median "
        f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    assert elapsed < TIMEOUT / 2
    assert max(latencies) < 2.0
    for worker in workers:
        assert worker.is_running(), "gunicorn replaced a web worker"
        used = sum(worker.cpu_times()[:2]) - cpu_before[worker.pid]
        assert used < 1.0, f"a web worker spent {used:.2f} s of CPU"
    assert psutil.Process(server["process"].pid).children() == workers
    assert not ProjectImport.objects.exists() and not Project.objects.exists()
    assert not (server["media"] / "imports").exists() or not any(
        (server["media"] / "imports").iterdir()
    )

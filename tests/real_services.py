"""Real services that outage tests start, stop, hang and kill themselves: a private
redis-server (never the shared one), a Celery worker against it, and a small SMTP server.

The shared Redis must never be stopped or flushed; a test that needs "Redis is down" starts
its own server on a free port (or uses a port where nothing listens)."""

import contextlib
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

from coesfeld_strategy.celery import app as celery_app


def free_port() -> int:
    """A TCP port on 127.0.0.1 where nothing listens (at the moment of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def fail_soft_cache(url: str, **options) -> dict:
    """``CACHES`` as production has them, on the Redis at ``url``."""
    return {
        "default": {
            "BACKEND": "coesfeld_strategy.cache.FailSoftRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "portal",
            "OPTIONS": options,
        }
    }


class RedisServer:
    """A redis-server of the test's own on ``port``, without persistence."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        assert wait_for(self.answers, 10), "redis-server did not start"
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def client(self):
        import redis

        return redis.Redis(port=self.port)

    def kill(self) -> None:
        """SIGKILL: gone at once, as after a crash."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def freeze(self) -> None:
        """SIGSTOP: connections are accepted by the kernel but never answered."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@contextlib.contextmanager
def redis_server(port: int | None = None):
    server = RedisServer(port).start()
    try:
        yield server
    finally:
        if server.process and server.process.poll() is None:
            server.thaw()
        server.kill()


def _forget_broker_connections() -> None:
    # What Celery itself does after a fork: the next publish connects to the broker the
    # configuration names now.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextlib.contextmanager
def broker(url: str):
    """Publish this process's tasks to the broker at ``url`` (not eagerly)."""
    conf = celery_app.conf
    previous = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = url, False
    _forget_broker_connections()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = previous
        _forget_broker_connections()


def database_url() -> str:
    """The test database as a URL, for the worker process."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _environment(env: dict | None) -> dict:
    return os.environ | {
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "coesfeld_strategy.settings",
        **(env or {}),
    }


def worker_process(*, queue: str | None = None, pool: str = "solo", env: dict | None = None):
    """Start a real Celery worker on the test database (consuming ``queue``, else the default
    queue), in a session of its own so that its pool processes can be killed with it."""
    command = [sys.executable, "-m", "celery", "-A", "coesfeld_strategy", "worker"]
    command += ["-Q", queue] if queue else []
    command += [f"--pool={pool}", "--concurrency=1", "--loglevel=INFO"]
    command += ["--without-gossip", "--without-mingle"]
    return subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=_environment(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def process_stop(process, *, tail: int = 5000) -> None:
    """Stop a process started here (and its children), and print the end of its output."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    print((output or "")[-tail:])


@contextlib.contextmanager
def celery_worker(*, broker_url: str, mail_dir: Path, **env):
    """A real worker consuming the default queue of the private broker ``broker_url``; its
    e-mails are written as files to ``mail_dir``."""
    process = worker_process(
        env={
            "REDIS_URL": broker_url,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            **env,
        }
    )
    try:
        yield process
    finally:
        process_stop(process)


@contextlib.contextmanager
def gunicorn_server(*, workers: int = 2, timeout: int = 30, env: dict | None = None):
    """gunicorn serving the portal on the test database, as deployed (sync workers); yields
    its base URL and process once every worker has booted."""
    import psutil

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "coesfeld_strategy.wsgi", "-w", str(workers)]
        + ["--timeout", str(timeout), "-b", f"127.0.0.1:{port}", "--no-control-socket"]
        + ["--log-level", "warning"],
        cwd=settings.BASE_DIR,
        env=_environment({"LOG_LEVEL": "WARNING", **(env or {})}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.poll() is None, "gunicorn stopped"
        try:
            urllib.request.urlopen(base + "/health/live/", timeout=5).read()
        except OSError:
            return False
        return True

    try:
        assert wait_for(answers, 60), "gunicorn did not start"
        assert wait_for(lambda: len(psutil.Process(process.pid).children()) >= workers, 30)
        yield base, process
    finally:
        process_stop(process, tail=3000)


def mails(mail_dir: Path) -> str:
    """Everything the file e-mail backend wrote to ``mail_dir``."""
    return "".join(f.read_text(encoding="utf-8") for f in sorted(mail_dir.glob("*.log")))


class _SmtpHandler(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        server = self.server
        self._reply("220 localhost test SMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self._reply("250 localhost")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self._reply("250 OK")
            elif command == "DATA":
                self._reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                time.sleep(server.delay)  # a relay that takes its time, as over a network
                server.messages.append(data.decode(errors="replace"))
                self._reply("250 queued")
            elif command == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")


class SmtpServer(socketserver.ThreadingTCPServer):
    """A mail server on 127.0.0.1 that accepts everything, ``delay`` seconds per message."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int | None = None, delay: float = 0.0):
        super().__init__(("127.0.0.1", port or free_port()), _SmtpHandler)
        self.port = self.server_address[1]
        self.delay = delay
        self.messages: list[str] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()

#!/usr/bin/env bash
# Start the Celery worker in the background and the web server in the foreground.
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

$BIN/celery -A coesfeld_strategy worker --loglevel=INFO --concurrency=2 \
  --max-tasks-per-child=50 &
worker=$!
cleanup() {
  kill "$worker" 2>/dev/null || true
  wait "$worker" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

echo
echo "Strategieportal: http://127.0.0.1:8000  (Anmeldung mit den oben genannten Demo-Zugängen)"
echo "Beenden mit Strg+C."
echo
$BIN/python manage.py runserver 127.0.0.1:8000

"""WSGI entry point for gunicorn: ``gunicorn coesfeld_strategy.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coesfeld_strategy.settings")
application = get_wsgi_application()

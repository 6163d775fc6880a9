"""WSGI entry point for gunicorn: ``gunicorn coesfeld_strategy.wsgi``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coesfeld_strategy.settings")
application = get_wsgi_application()

# The objects made while starting (modules, URL patterns, templates) live as long as the
# process: moving them out of the garbage collector's reach keeps full collections, which
# otherwise walk all of them, from adding tens of milliseconds to random requests.
gc.freeze()

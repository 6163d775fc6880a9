from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

# Registers the path converters "token" and "signed" the apps' URLs use (once per process).
import strategy.http  # noqa: F401

from .views import health_live, health_ready

handler400 = "strategy.http.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/live/", health_live, name="health_live"),
    path("health/", health_ready, name="health_ready"),
    path("konto/", include("accounts.urls")),
    path("bestandsaufnahme/", include("inventory.urls")),
    path("workshops/", include("workshops.urls")),
    path("strategie/", include("roadmaps.urls")),
    path("beschluss/", include("adoption.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("strategy.urls")),
]

# Uploaded files are never served from MEDIA_ROOT, not even in development: only the views
# that check permissions send them, as downloads (``strategy.uploads.download_response``).

from . import live_urls, minutes_urls, planning_urls

app_name = "workshops"

urlpatterns = planning_urls.urlpatterns + live_urls.urlpatterns + minutes_urls.urlpatterns

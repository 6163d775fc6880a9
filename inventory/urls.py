from django.urls import path

from . import import_urls, views

app_name = "inventory"

urlpatterns = [
    path("", views.project_list, name="project_list"),
]
urlpatterns += import_urls.urlpatterns

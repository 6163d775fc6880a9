from django.urls import include, path

app_name = "adoption"

urlpatterns = [
    path("", include("adoption.document_urls")),
    path("", include("adoption.decision_urls")),
]

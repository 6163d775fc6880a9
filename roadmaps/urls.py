from . import edition_urls, field_urls, measure_urls, section_urls

app_name = "roadmaps"

urlpatterns = (
    section_urls.urlpatterns
    + field_urls.urlpatterns
    + measure_urls.urlpatterns
    + edition_urls.urlpatterns
)

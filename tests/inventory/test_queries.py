"""Lists and dashboards run a fixed number of SQL queries, whatever the data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.demo import large_inventory_create
from inventory.models import InventoryCompletion, InventoryReminder, Project, ProjectSimilarity
from strategy.models import Municipality
from tests.factories import ProjectFactory

MAX_QUERIES = 20


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def _urls(project):
    municipality = Municipality.objects.get(name="Dülmen")
    return [
        reverse("inventory:project_list"),
        reverse("inventory:project_list") + f"?municipality={municipality.pk}&status=running&q=App",
        reverse("inventory:project_list") + "?sort=-updated&page=2",
        reverse("inventory:matrix"),
        reverse("inventory:completeness"),
        reverse("inventory:municipality_inventory", args=[municipality.pk]),
        project.get_absolute_url(),
        reverse("inventory:synergy_list"),
        reverse("strategy:dashboard"),
    ]


def _add_similarities(projects):
    ProjectSimilarity.objects.bulk_create(
        ProjectSimilarity(project=a, other=b, score=0.5, text_score=0.5, shared_fields="Mobilität")
        for a in projects[:1]
        for b in projects[1:11]
    )


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_data(client, personas, process, reference):
    client.force_login(personas["district_staff"])
    # Every measured list shows at least one row, so its prefetches run with little data too.
    ProjectFactory(municipality=reference["Dülmen"], title="Parken-App", status="running")
    large_inventory_create(per_municipality=3)
    projects = list(Project.objects.order_by("pk"))
    _add_similarities(projects)
    small = {url: _queries(client, url) for url in _urls(projects[0])}

    large_inventory_create(per_municipality=60)
    for municipality in Municipality.objects.all()[:6]:
        InventoryCompletion.objects.create(
            process=process, municipality=municipality, completed_at="2026-11-01T10:00:00Z"
        )
        InventoryReminder.objects.create(municipality=municipality)
    large = {url: _queries(client, url) for url in _urls(projects[0])}

    assert small == large
    assert max(large.values()) <= MAX_QUERIES, large

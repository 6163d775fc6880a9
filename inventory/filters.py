"""The filters of the project list; every filter is a URL parameter, so lists are linkable."""

import django_filters
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from strategy.models import FundingProgramme, Municipality, ThemeField

from .models import Project

SORTS = {
    "title": ("title", _("Title")),
    "municipality": ("municipality__name", _("Municipality")),
    "status": ("status", _("Status")),
    "start": ("start_date", _("Start")),
    "-updated": ("-updated_at", _("Last changed")),
}


def search_projects(queryset, text: str):
    """Full-text search: PostgreSQL's German text search where available, plus substrings so
    that parts of compounds ("Breitband" in "Breitbandausbau") are found too."""
    text = text.strip()[:200]
    if not text:
        return queryset
    substring = Q(title__icontains=text) | Q(tags__icontains=text) | Q(key__iexact=text)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("title", "description", "tags", config="german")
        query = SearchQuery(text, config="german", search_type="websearch")
        return queryset.annotate(search=vector).filter(Q(search=query) | substring)
    return queryset.filter(substring | Q(description__icontains=text))


class ProjectFilter(django_filters.FilterSet):
    """Filters for the project list."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"),
        queryset=Municipality.objects.all(),
        method="filter_municipality",
        empty_label=_("All municipalities"),
    )
    theme_field = django_filters.ModelChoiceFilter(
        label=_("Theme field"),
        queryset=ThemeField.objects.all(),
        field_name="theme_fields",
        empty_label=_("All theme fields"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Project.Status.choices, empty_label=_("All statuses")
    )
    funding_programme = django_filters.ModelChoiceFilter(
        label=_("Funding programme"),
        queryset=FundingProgramme.objects.all(),
        field_name="funding_programmes",
        empty_label=_("All funding programmes"),
    )
    retired = django_filters.BooleanFilter(
        label=_("Show retired entries"),
        method="filter_retired",
        widget=django_filters.widgets.BooleanWidget(),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(key, label) for key, (_field, label) in SORTS.items()],
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Project
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            if name not in ("q", "retired"):
                field.widget.attrs["class"] = "form-select"

    def filter_q(self, queryset, name, value):
        return search_projects(queryset, value)

    def filter_municipality(self, queryset, name, value):
        # Owner or partner: "what does the inventory hold for Dülmen?"
        return queryset.filter(Q(municipality=value) | Q(partners=value)).distinct()

    def filter_retired(self, queryset, name, value):
        return queryset if value else queryset.filter(retired_at__isnull=True)

    def filter_sort(self, queryset, name, value):
        field = SORTS.get(value, SORTS["title"])[0]
        return queryset.order_by(field, "pk")

    @property
    def qs(self):
        queryset = super().qs
        cleaned = getattr(self.form, "cleaned_data", {})
        if not cleaned.get("retired"):
            queryset = queryset.filter(retired_at__isnull=True)
        if not cleaned.get("sort"):
            queryset = queryset.order_by("municipality__name", "title", "pk")
        return queryset

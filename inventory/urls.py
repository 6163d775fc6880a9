from django.urls import path

from . import import_urls, views

app_name = "inventory"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("projekte/neu/", views.project_new, name="project_new"),
    path("projekte/<int:pk>/", views.project_detail_view, name="project_detail"),
    path("projekte/<int:pk>/bearbeiten/", views.project_edit, name="project_edit"),
    path("projekte/<int:pk>/ausscheiden/", views.project_retire, name="project_retire"),
    path("projekte/<int:pk>/reaktivieren/", views.project_reactivate, name="project_reactivate"),
    path("projekte/<int:pk>/verlauf/", views.project_history, name="project_history"),
    path("strategien/", views.strategy_list, name="strategy_list"),
    path("strategien/neu/", views.strategy_new, name="strategy_new"),
    path("strategien/<int:pk>/", views.strategy_detail, name="strategy_detail"),
    path("strategien/<int:pk>/bearbeiten/", views.strategy_edit, name="strategy_edit"),
    path("strategien/<int:pk>/ausscheiden/", views.strategy_retire, name="strategy_retire"),
    path(
        "strategien/<int:pk>/reaktivieren/",
        views.strategy_reactivate,
        name="strategy_reactivate",
    ),
    path("strategien/<int:pk>/verlauf/", views.strategy_history, name="strategy_history"),
    path("strategien/<int:pk>/dokument/", views.strategy_document, name="strategy_document"),
    path("kommunen/<int:pk>/", views.municipality_inventory_view, name="municipality_inventory"),
    path(
        "kommunen/<int:pk>/abschliessen/",
        views.inventory_complete_view,
        name="inventory_complete",
    ),
    path("kommunen/<int:pk>/wieder-oeffnen/", views.inventory_reopen_view, name="inventory_reopen"),
    path("vollstaendigkeit/", views.completeness, name="completeness"),
    path("matrix/", views.matrix, name="matrix"),
    path("synergien/", views.synergy_list, name="synergy_list"),
    path("synergien/<int:pk>/entscheiden/", views.synergy_decide_view, name="synergy_decide"),
]
urlpatterns += import_urls.urlpatterns

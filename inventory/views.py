"""Pages of the inventory."""

from django.shortcuts import render

from strategy.permissions import permission_required


@permission_required("inventory.view_inventory")
def project_list(request):
    return render(request, "inventory/project_list.html", {})

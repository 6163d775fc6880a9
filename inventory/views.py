"""Pages of the inventory: projects, existing strategies, completeness, matrix, synergies."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from strategy.http import page_param
from strategy.models import Municipality
from strategy.permissions import permission_required
from strategy.selectors import process_current
from strategy.uploads import download_response

from .filters import ProjectFilter
from .forms import ExistingStrategyForm, ProjectForm, ReminderForm, SynergyDecisionForm
from .history import entry_history
from .models import ExistingStrategy, Project, SynergyCandidate
from .selectors import (
    completeness_overview,
    field_matrix,
    municipality_inventory,
    project_detail,
    project_list_queryset,
    synergy_candidates,
)
from .services import (
    InventoryError,
    entry_reactivate,
    entry_retire,
    inventory_complete,
    inventory_reopen,
    project_save,
    reminders_send,
    strategy_save,
    synergy_decide,
)
from .similarity import similar_projects

PAGE_SIZE = 25


def _get_project(request, pk, **kwargs):
    return get_object_or_404(Project, pk=pk)


def _get_strategy(request, pk, **kwargs):
    return get_object_or_404(ExistingStrategy, pk=pk)


def _get_municipality(request, pk, **kwargs):
    return get_object_or_404(Municipality, pk=pk)


@permission_required("inventory.view_inventory")
def project_list(request):
    project_filter = ProjectFilter(request.GET, queryset=project_list_queryset())
    page = Paginator(project_filter.qs, PAGE_SIZE).get_page(page_param(request.GET.get("page")))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inventory/project_list.html",
        {
            "filter": project_filter,
            "page": page,
            "query": query.urlencode(),
            "can_add": request.user.has_perm("inventory.add_entry"),
            "can_import": request.user.has_perm("inventory.import_projects"),
        },
    )


@permission_required("inventory.view_inventory", get_object=_get_project)
def project_detail_view(request, pk, obj):
    project = project_detail(pk=pk)
    return render(
        request,
        "inventory/project_detail.html",
        {
            "project": project,
            "similar": similar_projects(project),
            "can_edit": request.user.has_perm("inventory.change_entry", project),
        },
    )


def _edit(request, *, form_class, instance, save, title):
    form = form_class(
        request.POST or None, request.FILES or None, instance=instance, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        if not request.user.has_perm("inventory.change_entry", form.instance):
            # A representative cannot move an entry to another municipality.
            raise PermissionDenied
        try:
            entry = save(form=form, user=request.user)
        except InventoryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(title)s” was saved.") % {"title": entry.title})
            return redirect(entry)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "submit_label": _("Save"),
            "cancel_url": instance.get_absolute_url() if instance else "",
            "multipart": True,
        },
    )


@permission_required("inventory.add_entry")
def project_new(request):
    return _edit(
        request, form_class=ProjectForm, instance=None, save=project_save, title=_("New project")
    )


@permission_required("inventory.change_entry", get_object=_get_project)
def project_edit(request, pk, obj):
    return _edit(
        request,
        form_class=ProjectForm,
        instance=obj,
        save=project_save,
        title=_("Edit project “%(title)s”") % {"title": obj.title},
    )


def _retire_toggle(request, obj, service, message):
    try:
        service(entry=obj, user=request.user)
    except InventoryError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, message % {"title": obj.title})
    return redirect(obj)


@require_POST
@permission_required("inventory.change_entry", get_object=_get_project)
def project_retire(request, pk, obj):
    return _retire_toggle(request, obj, entry_retire, _("“%(title)s” was retired."))


@require_POST
@permission_required("inventory.change_entry", get_object=_get_project)
def project_reactivate(request, pk, obj):
    return _retire_toggle(request, obj, entry_reactivate, _("“%(title)s” is active again."))


@permission_required("inventory.view_inventory", get_object=_get_project)
def project_history(request, pk, obj):
    return render(
        request, "inventory/history.html", {"entry": obj, "changes": entry_history(entry=obj)}
    )


@permission_required("inventory.view_inventory")
def strategy_list(request):
    strategies = ExistingStrategy.objects.filter(retired_at__isnull=True).select_related(
        "municipality"
    )
    return render(
        request,
        "inventory/strategy_list.html",
        {"strategies": strategies, "can_add": request.user.has_perm("inventory.add_entry")},
    )


@permission_required("inventory.view_inventory", get_object=_get_strategy)
def strategy_detail(request, pk, obj):
    return render(
        request,
        "inventory/strategy_detail.html",
        {"strategy": obj, "can_edit": request.user.has_perm("inventory.change_entry", obj)},
    )


@permission_required("inventory.add_entry")
def strategy_new(request):
    return _edit(
        request,
        form_class=ExistingStrategyForm,
        instance=None,
        save=strategy_save,
        title=_("New existing strategy"),
    )


@permission_required("inventory.change_entry", get_object=_get_strategy)
def strategy_edit(request, pk, obj):
    return _edit(
        request,
        form_class=ExistingStrategyForm,
        instance=obj,
        save=strategy_save,
        title=_("Edit strategy “%(title)s”") % {"title": obj.title},
    )


@require_POST
@permission_required("inventory.change_entry", get_object=_get_strategy)
def strategy_retire(request, pk, obj):
    return _retire_toggle(request, obj, entry_retire, _("“%(title)s” was retired."))


@require_POST
@permission_required("inventory.change_entry", get_object=_get_strategy)
def strategy_reactivate(request, pk, obj):
    return _retire_toggle(request, obj, entry_reactivate, _("“%(title)s” is active again."))


@permission_required("inventory.view_inventory", get_object=_get_strategy)
def strategy_history(request, pk, obj):
    return render(
        request, "inventory/history.html", {"entry": obj, "changes": entry_history(entry=obj)}
    )


@permission_required("inventory.view_inventory", get_object=_get_strategy)
def strategy_document(request, pk, obj):
    if not obj.document:
        raise Http404
    return download_response(
        obj.document, filename=f"strategie-{obj.pk}.pdf", content_type="application/pdf"
    )


@permission_required("inventory.view_inventory", get_object=_get_municipality)
def municipality_inventory_view(request, pk, obj):
    process = process_current()
    completion = (
        obj.inventory_completions.filter(process=process).select_related("completed_by").first()
        if process
        else None
    )
    return render(
        request,
        "inventory/municipality_inventory.html",
        {
            "municipality": obj,
            "process": process,
            "completion": completion,
            "can_complete": request.user.has_perm("inventory.complete_inventory", obj),
            **municipality_inventory(municipality=obj),
        },
    )


def _completion_toggle(request, obj, complete: bool):
    process = process_current()
    if process is None:
        messages.error(request, _("There is no running strategy process."))
        return redirect("inventory:municipality_inventory", pk=obj.pk)
    try:
        if complete:
            inventory_complete(process=process, municipality=obj, user=request.user)
        else:
            inventory_reopen(process=process, municipality=obj)
    except InventoryError as error:
        messages.error(request, str(error))
    else:
        message = (
            _("The inventory of %(name)s is marked complete.")
            if complete
            else _("The inventory of %(name)s is open again.")
        )
        messages.success(request, message % {"name": obj.name})
    return redirect("inventory:municipality_inventory", pk=obj.pk)


@require_POST
@permission_required("inventory.complete_inventory", get_object=_get_municipality)
def inventory_complete_view(request, pk, obj):
    return _completion_toggle(request, obj, complete=True)


@require_POST
@permission_required("inventory.complete_inventory", get_object=_get_municipality)
def inventory_reopen_view(request, pk, obj):
    return _completion_toggle(request, obj, complete=False)


@permission_required("inventory.view_completeness")
def completeness(request):
    process = process_current()
    form = ReminderForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not request.user.has_perm("inventory.send_reminders"):
            raise PermissionDenied
        if form.is_valid() and process is not None:
            try:
                reminders = reminders_send(
                    process=process,
                    municipality_ids=[m.pk for m in form.cleaned_data["municipalities"]],
                    user=request.user,
                )
            except InventoryError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("Reminders to %(count)s municipalities are being sent.")
                    % {"count": len(reminders)},
                )
                return redirect("inventory:completeness")
    participants = completeness_overview(process=process)
    return render(
        request,
        "inventory/completeness.html",
        {
            "process": process,
            "participants": participants,
            "form": form,
            "complete_count": sum(1 for p in participants if p.completion),
        },
    )


@permission_required("inventory.view_inventory")
def matrix(request):
    return render(request, "inventory/matrix.html", field_matrix())


@permission_required("inventory.view_inventory")
def synergy_list(request):
    decision = request.GET.get("decision", "")
    if decision not in SynergyCandidate.Decision.values:
        decision = ""
    page = Paginator(synergy_candidates(decision=decision or None), PAGE_SIZE).get_page(
        page_param(request.GET.get("page"))
    )
    return render(
        request,
        "inventory/synergy_list.html",
        {
            "page": page,
            "decision": decision,
            "decisions": SynergyCandidate.Decision.choices,
            "can_decide": request.user.has_perm("inventory.decide_synergy"),
        },
    )


@require_POST
@permission_required("inventory.decide_synergy")
def synergy_decide_view(request, pk):
    candidate = get_object_or_404(SynergyCandidate, pk=pk)
    form = SynergyDecisionForm(request.POST)
    if form.is_valid():
        synergy_decide(candidate=candidate, user=request.user, **form.cleaned_data)
        messages.success(request, _("The decision was saved."))
    else:
        messages.error(request, _("The decision could not be saved; please check your input."))
    shown = request.POST.get("shown_decision", "")
    query = f"?decision={shown}" if shown in SynergyCandidate.Decision.values else ""
    return redirect(reverse("inventory:synergy_list") + query)

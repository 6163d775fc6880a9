"""Pages of the measures (Maßnahmensteckbriefe), the roadmap and the funding overview."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from strategy.http import page_param
from strategy.permissions import permission_required
from strategy.selectors import process_current

from .measure_forms import MeasureFilter, MeasureForm, MilestoneFormSet, RoadmapFilter
from .measure_selectors import (
    funding_overview,
    measure_detail,
    measure_number_suggest,
    measure_origin,
    measure_queryset,
    roadmap_build,
)
from .measure_services import MeasureError, measure_delete, measure_save
from .models import Measure

PAGE_SIZE = 50


def _get_measure(request, pk, **kwargs):
    return get_object_or_404(Measure, pk=pk)


def _process_or_404():
    process = process_current()
    if process is None:
        raise Http404(_("There is no strategy process yet."))
    return process


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@permission_required("roadmaps.view")
def measure_list(request):
    process = process_current()
    queryset = measure_queryset(process=process) if process else Measure.objects.none()
    measure_filter = MeasureFilter(request.GET, queryset=queryset)
    page = Paginator(measure_filter.qs, PAGE_SIZE).get_page(page_param(request.GET.get("page")))
    return render(
        request,
        "roadmaps/measures/measure_list.html",
        {
            "process": process,
            "filter": measure_filter,
            "page": page,
            "query": _query_without_page(request),
            "can_edit": request.user.has_perm("roadmaps.edit_measure"),
        },
    )


@permission_required("roadmaps.view", get_object=_get_measure)
def measure_detail_view(request, pk, obj):
    measure = measure_detail(pk=pk)
    return render(
        request,
        "roadmaps/measures/measure_detail.html",
        {
            "measure": measure,
            "origin": measure_origin(measure=measure),
            "can_edit": request.user.has_perm("roadmaps.edit_measure", measure),
        },
    )


def _edit(request, *, process, instance: Measure | None):
    initial = {} if instance else {"number": measure_number_suggest(process=process)}
    form = MeasureForm(request.POST or None, instance=instance, process=process, initial=initial)
    formset = MilestoneFormSet(request.POST or None, instance=instance, prefix="milestones")
    if request.method == "POST":
        form_ok = form.is_valid()
        if form_ok:
            data = form.cleaned_data
            formset.period = (data.get("start_date"), data.get("end_date"))
        formset_ok = formset.is_valid()
        if form_ok and formset_ok:
            data = form.cleaned_data
            measure = form.save(commit=False)
            try:
                measure = measure_save(
                    measure=measure,
                    theme_fields=data["theme_fields"],
                    goals=data.get("goals") or [],
                    target_values=data.get("target_values") or [],
                    municipalities=data.get("municipalities") or [],
                    depends_on=data.get("depends_on") or [],
                    milestones=formset.milestones(),
                )
            except MeasureError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, _("“%(title)s” was saved.") % {"title": measure})
                return redirect(measure)
    if instance:
        title = _("Edit measure %(number)s") % {"number": instance.number}
    else:
        title = _("New measure")
    return render(
        request,
        "roadmaps/measures/measure_form.html",
        {
            "form": form,
            "formset": formset,
            "title": title,
            "measure": instance,
            "cancel_url": instance.get_absolute_url() if instance else "",
        },
    )


@permission_required("roadmaps.edit_measure")
def measure_new(request):
    return _edit(request, process=_process_or_404(), instance=None)


@permission_required("roadmaps.edit_measure", get_object=_get_measure)
def measure_edit(request, pk, obj):
    return _edit(request, process=obj.process, instance=obj)


@permission_required("roadmaps.edit_measure", get_object=_get_measure)
def measure_delete_view(request, pk, obj):
    if request.method == "POST":
        measure_delete(measure=obj)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": obj})
        return redirect("roadmaps:measure_list")
    return render(
        request,
        "roadmaps/measures/measure_confirm_delete.html",
        {"measure": obj, "dependents": obj.dependents.order_by("number")},
    )


@permission_required("roadmaps.view")
def roadmap(request):
    process = process_current()
    queryset = Measure.objects.filter(process=process) if process else Measure.objects.none()
    roadmap_filter = RoadmapFilter(request.GET, queryset=queryset)
    theme_field = None
    if roadmap_filter.is_valid():
        theme_field = roadmap_filter.form.cleaned_data.get("field")
    data = roadmap_build(measures=roadmap_filter.qs, theme_field=theme_field)
    return render(
        request,
        "roadmaps/measures/roadmap.html",
        {
            "process": process,
            "filter": roadmap_filter,
            "roadmap": data,
            "theme_field": theme_field,
        },
    )


@permission_required("roadmaps.view")
def funding(request):
    process = process_current()
    return render(
        request,
        "roadmaps/measures/funding.html",
        {"process": process, "overview": funding_overview(process=process) if process else None},
    )

"""Pages of the strategy spine: dashboard, process, participants, theme fields."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .editions import edition_is_adopted, edition_successor
from .forms import ActorGroupForm, ProcessCreateForm, ScheduleForm, ThemeFieldForm, TransitionForm
from .models import ActorGroup, Phase, Step, StrategyProcess, ThemeField
from .permissions import permission_required
from .selectors import (
    municipality_participation,
    process_current,
    process_overview,
    process_transitions,
)
from .services import (
    ProcessError,
    phase_schedule,
    process_advance,
    process_create,
    process_move_back,
    step_schedule,
)


def _get_process(request, pk, **kwargs):
    return get_object_or_404(StrategyProcess, pk=pk)


@permission_required("strategy.view_process")
def dashboard(request):
    process = process_current()
    context = {
        "process": process,
        "overview": process_overview(process=process) if process else None,
        "participants": municipality_participation(process=process),
    }
    return render(request, "strategy/dashboard.html", context)


@permission_required("strategy.view_process")
def process_list(request):
    processes = StrategyProcess.objects.select_related("previous_edition")
    return render(request, "strategy/process_list.html", {"processes": processes})


@permission_required("strategy.add_process")
def process_new(request):
    form = ProcessCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        process = process_create(**form.cleaned_data)
        messages.success(request, _("The edition “%(title)s” was created.") % {"title": process})
        return redirect("strategy:process_detail", pk=process.pk)
    return render(
        request,
        "form_page.html",
        {"form": form, "title": _("New edition of the strategy"), "submit_label": _("Create")},
    )


@permission_required("strategy.view_process", get_object=_get_process)
def process_detail(request, pk, obj):
    context = {
        "process": obj,
        "overview": process_overview(process=obj),
        "transitions": process_transitions(process=obj),
        "transition_form": TransitionForm(),
        "can_move": request.user.has_perm("strategy.move_process", obj),
        "is_adopted": edition_is_adopted(obj),
        "successor": edition_successor(obj),
    }
    return render(request, "strategy/process_detail.html", context)


def _move(request, obj, service, success_message):
    form = TransitionForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("note", []):
            messages.error(request, error)
        return redirect("strategy:process_detail", pk=obj.pk)
    try:
        service(process=obj, by=request.user, note=form.cleaned_data["note"])
    except ProcessError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success_message)
    return redirect("strategy:process_detail", pk=obj.pk)


@require_POST
@permission_required("strategy.move_process", get_object=_get_process)
def process_advance_view(request, pk, obj):
    return _move(request, obj, process_advance, _("The process was moved one step forward."))


@require_POST
@permission_required("strategy.move_process", get_object=_get_process)
def process_back_view(request, pk, obj):
    return _move(request, obj, process_move_back, _("The process was moved one step back."))


def _schedule(request, process, target, service, kind_label):
    form = ScheduleForm(
        request.POST or None,
        initial={"planned_start": target.planned_start, "planned_end": target.planned_end},
    )
    if request.method == "POST" and form.is_valid():
        try:
            service(**{kind_label: target}, **form.cleaned_data)
        except ProcessError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The planned dates were saved."))
            return redirect("strategy:process_detail", pk=process.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Planned dates: %(name)s") % {"name": target},
            "submit_label": _("Save"),
            "cancel_url": process.get_absolute_url(),
        },
    )


@permission_required("strategy.change_process", get_object=_get_process)
def step_schedule_view(request, pk, step_pk, obj):
    step = get_object_or_404(Step.objects.select_related("phase"), pk=step_pk, phase__process=obj)
    return _schedule(request, obj, step, step_schedule, "step")


@permission_required("strategy.change_process", get_object=_get_process)
def phase_schedule_view(request, pk, phase_pk, obj):
    phase = get_object_or_404(Phase, pk=phase_pk, process=obj)
    return _schedule(request, obj, phase, phase_schedule, "phase")


@permission_required("strategy.view_reference")
def municipality_list(request):
    return render(
        request, "strategy/municipality_list.html", {"participants": municipality_participation()}
    )


REFERENCE_KINDS = {
    "themefield": {
        "model": ThemeField,
        "form": ThemeFieldForm,
        "perm": "strategy.change_themefield",
        "list_url": "strategy:themefield_list",
    },
    "actorgroup": {
        "model": ActorGroup,
        "form": ActorGroupForm,
        "perm": "strategy.change_actorgroup",
        "list_url": "strategy:actorgroup_list",
    },
}


@permission_required("strategy.view_reference")
def themefield_list(request):
    return render(
        request,
        "strategy/themefield_list.html",
        {
            "theme_fields": ThemeField.objects.all(),
            "can_edit": request.user.has_perm("strategy.change_themefield"),
        },
    )


@permission_required("strategy.view_reference")
def actorgroup_list(request):
    return render(
        request,
        "strategy/actorgroup_list.html",
        {
            "actor_groups": ActorGroup.objects.all(),
            "can_edit": request.user.has_perm("strategy.change_actorgroup"),
        },
    )


def reference_edit(request, kind, pk=None):
    """Create or edit a theme field or an actor group (district staff and consultants)."""
    spec = REFERENCE_KINDS.get(kind)
    if spec is None:
        raise Http404
    instance = get_object_or_404(spec["model"], pk=pk) if pk else None
    form = spec["form"](request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("“%(name)s” was saved.") % {"name": saved})
        return redirect(spec["list_url"])
    verbose = spec["model"]._meta.verbose_name
    title = _("Edit %(kind)s") if instance else _("New %(kind)s")
    return render(
        request,
        "form_page.html",
        {"form": form, "title": title % {"kind": verbose}, "submit_label": _("Save")},
    )


def _reference_view(kind):
    view = permission_required(REFERENCE_KINDS[kind]["perm"])(reference_edit)

    def wrapped(request, pk=None):
        return view(request, kind=kind, pk=pk)

    wrapped.__name__ = f"{kind}_edit"
    return wrapped


themefield_edit = _reference_view("themefield")
actorgroup_edit = _reference_view("actorgroup")

"""Pages of the theme field plans: overview, priorities (directly or from a dot vote), the
field page with vision, goals and target values, and measurements after adoption."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from strategy.permissions import permission_required
from strategy.selectors import process_current

from .field_forms import (
    GoalForm,
    MeasurementForm,
    PrioritiesForm,
    TargetValueForm,
    VisionForm,
    VoteChoiceForm,
    add_service_error,
)
from .field_selectors import (
    field_overview,
    field_plan_detail,
    priority_votes,
    vote_priority_proposal,
)
from .field_services import (
    TARGET_FIELDS,
    FieldPlanError,
    field_plans_ensure,
    field_priorities_from_vote,
    field_priorities_set,
    field_vision_save,
    goal_delete,
    goal_save,
    measurement_delete,
    measurement_record,
    no_results_message,
    target_value_delete,
    target_value_save,
)
from .models import FieldPlan, Goal, Measurement, TargetValue


def _get_plan(request, pk, **kwargs):
    return get_object_or_404(FieldPlan.objects.select_related("theme_field", "process"), pk=pk)


def _get_goal(request, pk, **kwargs):
    return get_object_or_404(Goal.objects.select_related("field_plan__theme_field"), pk=pk)


def _get_target(request, pk, **kwargs):
    return get_object_or_404(
        TargetValue.objects.select_related("goal__field_plan__theme_field"), pk=pk
    )


def _get_measurement(request, pk, **kwargs):
    return get_object_or_404(
        Measurement.objects.select_related("target_value__goal__field_plan__theme_field"), pk=pk
    )


def _at(plan: FieldPlan, anchor: str = "") -> str:
    return plan.get_absolute_url() + (f"#{anchor}" if anchor else "")


def _form_page(request, form, *, title, cancel_url, submit_label=None, lead=""):
    return render(
        request,
        "roadmaps/fields/form.html",
        {
            "form": form,
            "title": title,
            "lead": lead,
            "submit_label": submit_label or _("Save"),
            "cancel_url": cancel_url,
        },
    )


def _confirm_page(request, *, title, text, cancel_url):
    return render(
        request,
        "roadmaps/fields/confirm_delete.html",
        {"title": title, "text": text, "cancel_url": cancel_url},
    )


@permission_required("roadmaps.view")
def field_list(request):
    process = process_current()
    plans = []
    if process is not None:
        field_plans_ensure(process=process)
        plans = field_overview(process=process)
    return render(
        request,
        "roadmaps/fields/field_list.html",
        {
            "process": process,
            "plans": plans,
            "can_edit": request.user.has_perm("roadmaps.edit_fields"),
        },
    )


@permission_required("roadmaps.edit_fields")
def field_priorities(request):
    process = process_current()
    if process is None:
        messages.error(request, _("There is no strategy process yet."))
        return redirect("roadmaps:field_list")
    field_plans_ensure(process=process)
    form = PrioritiesForm(request.POST or None, plans=field_overview(process=process))
    if request.method == "POST" and form.is_valid():
        try:
            field_priorities_set(process=process, priorities=form.priorities())
        except FieldPlanError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The priorities of the theme fields were saved."))
            return redirect("roadmaps:field_list")
    return render(
        request, "roadmaps/fields/priorities_form.html", {"form": form, "process": process}
    )


@permission_required("roadmaps.edit_fields")
def field_priorities_vote(request):
    process = process_current()
    if process is None:
        messages.error(request, _("There is no strategy process yet."))
        return redirect("roadmaps:field_list")
    votes = priority_votes(process=process)
    data = request.POST if request.method == "POST" else request.GET
    form = VoteChoiceForm(data if "activity" in data else None, process=process, votes=votes)
    proposal = []
    if form.is_bound and form.is_valid():
        activity = form.cleaned_data["activity"]
        if request.method == "POST":
            try:
                field_priorities_from_vote(process=process, activity=activity)
            except FieldPlanError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("The priorities were taken from the dot vote “%(title)s”.")
                    % {"title": activity.title},
                )
                return redirect("roadmaps:field_list")
        else:
            proposal = vote_priority_proposal(activity=activity)
            if not proposal:
                form.add_error("activity", no_results_message(activity))
    return render(
        request,
        "roadmaps/fields/priorities_vote.html",
        {
            "form": form,
            "votes": votes,
            "proposal": proposal,
            "activity": form.cleaned_data.get("activity") if proposal else None,
            "process": process,
        },
    )


@permission_required("roadmaps.view", get_object=_get_plan)
def field_detail(request, pk, obj):
    detail = field_plan_detail(pk=pk)
    return render(
        request,
        "roadmaps/fields/field_detail.html",
        {
            "detail": detail,
            "plan": detail.plan,
            "can_edit": request.user.has_perm("roadmaps.edit_fields", detail.plan),
            "can_measure": request.user.has_perm("roadmaps.record_measurement", detail.plan),
        },
    )


@permission_required("roadmaps.edit_fields", get_object=_get_plan)
def field_vision(request, pk, obj):
    form = VisionForm(request.POST or None, initial={"vision": obj.vision})
    if request.method == "POST" and form.is_valid():
        field_vision_save(field_plan=obj, vision=form.cleaned_data["vision"])
        messages.success(request, _("The field vision was saved."))
        return redirect(_at(obj, "vision"))
    return _form_page(
        request,
        form,
        title=_("Field vision of “%(field)s”") % {"field": obj.theme_field.name},
        cancel_url=_at(obj, "vision"),
    )


def _goal_form(request, *, plan, goal, title):
    form = GoalForm(request.POST or None, field_plan=plan, goal=goal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            goal = goal_save(
                field_plan=plan,
                goal=goal,
                kind=data["kind"],
                parent=data["parent"],
                title=data["title"],
                description=data["description"],
                position=data["position"],
            )
        except FieldPlanError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The goal “%(title)s” was saved.") % {"title": goal.title})
            return redirect(_at(plan, f"goal-{goal.pk}"))
    return _form_page(request, form, title=title, cancel_url=_at(plan, "goals"))


@permission_required("roadmaps.edit_fields", get_object=_get_plan)
def goal_new(request, pk, obj):
    return _goal_form(
        request,
        plan=obj,
        goal=None,
        title=_("New goal in “%(field)s”") % {"field": obj.theme_field.name},
    )


@permission_required("roadmaps.edit_fields", get_object=_get_goal)
def goal_edit(request, pk, obj):
    return _goal_form(
        request,
        plan=obj.field_plan,
        goal=obj,
        title=_("Edit goal “%(title)s”") % {"title": obj.title},
    )


@permission_required("roadmaps.edit_fields", get_object=_get_goal)
def goal_delete_view(request, pk, obj):
    plan = obj.field_plan
    if request.method == "POST":
        goal_delete(goal=obj)
        messages.success(request, _("The goal “%(title)s” was deleted.") % {"title": obj.title})
        return redirect(_at(plan, "goals"))
    return _confirm_page(
        request,
        title=_("Delete goal “%(title)s”?") % {"title": obj.title},
        text=_(
            "Its target values and measurements are deleted with it, and so are its operative "
            "goals if it is a strategic goal."
        ),
        cancel_url=_at(plan, f"goal-{obj.pk}"),
    )


def _target_form(request, *, goal, target_value, title):
    form = TargetValueForm(request.POST or None, instance=target_value or TargetValue(goal=goal))
    if request.method == "POST" and form.is_valid():
        try:
            saved = target_value_save(
                goal=goal,
                instance=target_value,
                values={name: form.cleaned_data[name] for name in TARGET_FIELDS},
            )
        except FieldPlanError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The target value “%(indicator)s” was saved.") % {"indicator": saved.indicator},
            )
            return redirect(_at(goal.field_plan, f"target-{saved.pk}"))
    return _form_page(
        request,
        form,
        title=title,
        lead=_("Goal: %(goal)s") % {"goal": goal.title},
        cancel_url=_at(goal.field_plan, f"goal-{goal.pk}"),
    )


@permission_required("roadmaps.edit_fields", get_object=_get_goal)
def target_new(request, pk, obj):
    return _target_form(request, goal=obj, target_value=None, title=_("New target value"))


@permission_required("roadmaps.edit_fields", get_object=_get_target)
def target_edit(request, pk, obj):
    return _target_form(
        request,
        goal=obj.goal,
        target_value=obj,
        title=_("Edit target value “%(indicator)s”") % {"indicator": obj.indicator},
    )


@permission_required("roadmaps.edit_fields", get_object=_get_target)
def target_delete(request, pk, obj):
    plan = obj.goal.field_plan
    if request.method == "POST":
        target_value_delete(target_value=obj)
        messages.success(
            request,
            _("The target value “%(indicator)s” was deleted.") % {"indicator": obj.indicator},
        )
        return redirect(_at(plan, f"goal-{obj.goal_id}"))
    return _confirm_page(
        request,
        title=_("Delete target value “%(indicator)s”?") % {"indicator": obj.indicator},
        text=_("Its measurements are deleted with it."),
        cancel_url=_at(plan, f"target-{obj.pk}"),
    )


@permission_required("roadmaps.record_measurement", get_object=_get_target)
def measurement_new(request, pk, obj):
    form = MeasurementForm(request.POST or None)
    plan = obj.goal.field_plan
    if request.method == "POST" and form.is_valid():
        try:
            measurement_record(
                target_value=obj,
                measured_on=form.cleaned_data["measured_on"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                user=request.user,
            )
        except FieldPlanError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The measurement was recorded."))
            return redirect(_at(plan, f"target-{obj.pk}"))
    return _form_page(
        request,
        form,
        title=_("Record a measurement"),
        lead=_("Target value: %(target)s") % {"target": obj},
        cancel_url=_at(plan, f"target-{obj.pk}"),
    )


@permission_required("roadmaps.record_measurement", get_object=_get_measurement)
def measurement_delete_view(request, pk, obj):
    target = obj.target_value
    if request.method == "POST":
        measurement_delete(measurement=obj)
        messages.success(request, _("The measurement was deleted."))
        return redirect(_at(target.goal.field_plan, f"target-{target.pk}"))
    return _confirm_page(
        request,
        title=_("Delete the measurement of %(date)s?")
        % {"date": date_format(obj.measured_on, "SHORT_DATE_FORMAT")},
        text=_("Target value: %(target)s") % {"target": target},
        cancel_url=_at(target.goal.field_plan, f"target-{target.pk}"),
    )

"""Pages of the adoption decisions: the overview of the twelve bodies, a body's page, the
forms that record the mayors' conference and the councils' decisions, the draft council paper
(text, .docx and the PDF made by the worker) and publishing the adopted strategy."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from strategy.permissions import permission_required
from strategy.selectors import process_current
from strategy.uploads import download_response

from .decision_forms import (
    ConferenceForm,
    ConsultationStepFormSet,
    CouncilDecisionForm,
    CouncilPaperForm,
    PublishForm,
)
from .decision_papers import (
    council_paper_docx,
    council_paper_filename,
    council_paper_render_checked,
    council_paper_render_current,
    council_paper_render_request,
)
from .decision_selectors import adoption_overview, council_paper_latest
from .decision_services import (
    DecisionError,
    adoption_publish,
    adoption_unpublish,
    conference_record,
    consultation_steps_replace,
    council_decision_record,
    council_paper_reset,
    council_paper_save,
    councils_ensure,
)
from .models import ConferenceRecommendation, ConsultationStep, Council, CouncilPaperRender


def _process_or_404():
    process = process_current()
    if process is None:
        raise Http404
    return process


def _get_council(request, pk, **kwargs):
    return get_object_or_404(Council.objects.select_related("municipality", "process"), pk=pk)


def _get_render(request, pk, **kwargs):
    return get_object_or_404(CouncilPaperRender.objects.select_related("council"), pk=pk)


@permission_required("adoption.view_decisions")
def decision_overview(request):
    process = _process_or_404()
    overview = adoption_overview(process=process)
    return render(
        request,
        "adoption/decisions/overview.html",
        {
            "process": process,
            "overview": overview,
            "can_record": request.user.has_perm("adoption.record_decision"),
            "can_publish": request.user.has_perm("adoption.publish"),
        },
    )


@require_POST
@permission_required("adoption.record_decision")
def councils_create(request):
    process = _process_or_404()
    councils_ensure(process=process)
    messages.success(request, _("The Kreistag and the eleven councils are set up."))
    return redirect("adoption:decision_overview")


@permission_required("adoption.record_decision")
def conference_edit(request):
    process = _process_or_404()
    instance = ConferenceRecommendation.objects.filter(process=process).first()
    form = ConferenceForm(request.POST or None, instance=instance, process=process)
    if request.method == "POST" and form.is_valid():
        try:
            conference_record(
                process=process, user=request.user, request=request, **form.cleaned_data
            )
        except DecisionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The recommendation of the mayors' conference was saved."))
            return redirect("adoption:decision_overview")
    return render(
        request,
        "adoption/decisions/form.html",
        {
            "form": form,
            "title": _("Recommendation of the mayors' conference"),
            "cancel_url": "adoption:decision_overview",
        },
    )


@permission_required("adoption.view_decisions", get_object=_get_council)
def council_detail(request, pk, obj):
    return render(
        request,
        "adoption/decisions/council_detail.html",
        {
            "council": obj,
            "steps": obj.steps.all(),
            "current": council_paper_render_current(council=obj),
            "latest": council_paper_latest(council=obj),
            "can_record": request.user.has_perm("adoption.record_decision", obj),
            "can_edit_paper": request.user.has_perm("adoption.edit_council_paper", obj),
        },
    )


@permission_required("adoption.record_decision", get_object=_get_council)
def council_decide(request, pk, obj):
    form = CouncilDecisionForm(request.POST or None, request.FILES or None, instance=obj)
    if request.method == "POST":
        # The form must not change the instance the page shows when the service refuses.
        if form.is_valid():
            data = form.cleaned_data
            try:
                council_decision_record(
                    council=obj,
                    user=request.user,
                    request=request,
                    paper_reference=data["paper_reference"],
                    ris_url=data["ris_url"],
                    result=data["result"],
                    decided_on=data["decided_on"],
                    votes_yes=data["votes_yes"],
                    votes_no=data["votes_no"],
                    votes_abstain=data["votes_abstain"],
                    resolution_text=data["resolution_text"],
                    resolution_file=form.new_file,
                    remove_resolution_file=data["remove_resolution_file"],
                )
            except DecisionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("The decision of %(body)s was saved.") % {"body": obj.name}
                )
                return redirect("adoption:council_detail", pk=obj.pk)
        obj.refresh_from_db()
    return render(
        request,
        "adoption/decisions/form.html",
        {
            "form": form,
            "council": obj,
            "title": _("Decision of %(body)s") % {"body": obj.name},
            "multipart": True,
            "cancel_url": "adoption:council_detail",
            "cancel_pk": obj.pk,
        },
    )


@permission_required("adoption.record_decision", get_object=_get_council)
def council_steps(request, pk, obj):
    formset = ConsultationStepFormSet(
        request.POST or None,
        queryset=ConsultationStep.objects.filter(council=obj),
        prefix="steps",
    )
    if request.method == "POST" and formset.is_valid():
        steps = [
            {
                "organization_name": form.cleaned_data["organization_name"],
                "role": form.cleaned_data["role"],
                "meeting_date": form.cleaned_data["meeting_date"],
            }
            for form in formset.forms
            if form.has_changed() or form.instance.pk
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            consultation_steps_replace(council=obj, steps=steps, user=request.user, request=request)
        except DecisionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The consultation sequence was saved."))
            return redirect("adoption:council_detail", pk=obj.pk)
    return render(request, "adoption/decisions/steps.html", {"council": obj, "formset": formset})


@permission_required("adoption.view_decisions", get_object=_get_council)
def council_resolution_file(request, pk, obj):
    if not obj.resolution_file:
        raise Http404
    return download_response(
        obj.resolution_file,
        filename=council_paper_filename(obj, "pdf").replace("beschlussvorlage", "beschluss"),
        content_type="application/pdf",
    )


@permission_required("adoption.edit_council_paper", get_object=_get_council)
def council_paper_edit(request, pk, obj):
    form = CouncilPaperForm(request.POST or None, initial={"paper_text": obj.paper_text})
    if request.method == "POST" and form.is_valid():
        try:
            council_paper_save(council=obj, text=form.cleaned_data["paper_text"], user=request.user)
        except DecisionError as error:
            form.add_error("paper_text", str(error))
        else:
            messages.success(request, _("The draft council paper was saved."))
            return redirect("adoption:council_detail", pk=obj.pk)
    return render(
        request,
        "adoption/decisions/form.html",
        {
            "form": form,
            "council": obj,
            "title": _("Draft council paper for %(body)s") % {"body": obj.name},
            "cancel_url": "adoption:council_detail",
            "cancel_pk": obj.pk,
        },
    )


@require_POST
@permission_required("adoption.edit_council_paper", get_object=_get_council)
def council_paper_reset_view(request, pk, obj):
    council_paper_reset(council=obj, user=request.user)
    messages.success(request, _("The draft council paper was made anew from the template."))
    return redirect("adoption:council_detail", pk=obj.pk)


@permission_required("adoption.view_decisions", get_object=_get_council)
def council_paper_docx_view(request, pk, obj):
    response = HttpResponse(
        council_paper_docx(obj),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{council_paper_filename(obj, "docx")}"'
    )
    return response


@require_POST
@permission_required("adoption.edit_council_paper", get_object=_get_council)
def council_paper_render_view(request, pk, obj):
    job, created = council_paper_render_request(council=obj, user=request.user)
    if not created:
        messages.info(request, _("The PDF is already being created; this page shows its progress."))
    return redirect("adoption:paper_render_detail", pk=job.pk)


def _can_retry(request, job: CouncilPaperRender) -> bool:
    return job.status == CouncilPaperRender.Status.FAILED and request.user.has_perm(
        "adoption.edit_council_paper", job.council
    )


@permission_required("adoption.view_decisions", get_object=_get_render)
def paper_render_detail(request, pk, obj):
    job = council_paper_render_checked(obj)
    return render(
        request,
        "adoption/decisions/render.html",
        {"job": job, "council": job.council, "can_retry": _can_retry(request, job)},
    )


@never_cache
@permission_required("adoption.view_decisions", get_object=_get_render)
def paper_render_status(request, pk, obj):
    """The progress partial the job page polls (htmx); 204 while nothing changed."""
    job = council_paper_render_checked(obj)
    if job.unchanged_for(request):
        return HttpResponse(status=204)
    return render(
        request,
        "adoption/decisions/_render_status.html",
        {"job": job, "can_retry": _can_retry(request, job)},
    )


@permission_required("adoption.view_decisions", get_object=_get_render)
def paper_render_download(request, pk, obj):
    if obj.status != CouncilPaperRender.Status.DONE or not obj.file:
        raise Http404
    return download_response(
        obj.file,
        filename=council_paper_filename(obj.council, "pdf"),
        content_type="application/pdf",
    )


@permission_required("adoption.publish")
def publish(request):
    process = _process_or_404()
    form = PublishForm(request.POST or None, process=process)
    if request.method == "POST" and form.is_valid():
        try:
            adoption_publish(
                process=process,
                document=form.cleaned_data["document"],
                user=request.user,
                request=request,
            )
        except DecisionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The adopted strategy is now public."))
            return redirect("adoption:decision_overview")
    return render(
        request,
        "adoption/decisions/form.html",
        {
            "form": form,
            "title": _("Publish the adopted strategy"),
            "submit_label": _("Publish"),
            "cancel_url": "adoption:decision_overview",
        },
    )


@require_POST
@permission_required("adoption.publish")
def unpublish(request):
    process = _process_or_404()
    try:
        adoption_unpublish(process=process, user=request.user, request=request)
    except DecisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The public page of the adopted strategy was taken down."))
    return redirect("adoption:decision_overview")

"""Pages of the strategy texts (vision, values, guiding principles, chapters), their version
history, the assembled draft and the frozen strategy versions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from strategy.http import id_or_none
from strategy.models import StrategyProcess
from strategy.permissions import permission_required
from strategy.selectors import process_current
from workshops.models import PromotedResult

from .consolidation import strategy_assemble
from .diff import text_diff
from .models import SectionStatus, StrategyVersion, TextSection
from .section_forms import (
    SectionCommentForm,
    SectionCreateForm,
    SectionEditForm,
    SectionStatusForm,
    StrategyFreezeForm,
    VersionCompareForm,
)
from .section_selectors import (
    section_get,
    section_page,
    section_versions,
    sections_overview,
    strategy_versions,
)
from .section_services import (
    SectionConflict,
    SectionError,
    section_comment_add,
    section_create,
    section_move,
    section_statement_append,
    section_status_set,
    section_update,
    strategy_version_freeze,
)


def _get_section(request, pk, **kwargs):
    return section_get(pk=pk)


def _get_version(request, pk, **kwargs):
    return get_object_or_404(StrategyVersion.objects.select_related("process", "created_by"), pk=pk)


def _archived(section: TextSection) -> bool:
    return section.process.status == StrategyProcess.Status.ARCHIVED


@permission_required("roadmaps.view")
def section_overview(request):
    process = process_current()
    return render(
        request,
        "roadmaps/sections/overview.html",
        {
            "process": process,
            "groups": sections_overview(process=process) if process else [],
            "can_edit": request.user.has_perm("roadmaps.edit_text"),
        },
    )


@permission_required("roadmaps.edit_text")
def section_new(request):
    process = process_current()
    if process is None:
        messages.error(request, _("There is no current edition of the strategy."))
        return redirect("roadmaps:section_overview")
    form = SectionCreateForm(
        request.POST if request.method == "POST" else None,
        initial={"kind": request.GET.get("kind")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            section = section_create(process=process, user=request.user, **form.cleaned_data)
        except SectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(title)s” was created.") % {"title": section.title})
            return redirect(section)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("New text of the strategy"),
            "submit_label": _("Create"),
            "cancel_url": reverse("roadmaps:section_overview"),
        },
    )


def _detail(request, section, *, comment_form=None, status_form=None, status=200):
    user = request.user
    can_edit = user.has_perm("roadmaps.edit_text", section) and not _archived(section)
    context = {
        "section": section,
        **section_page(section=section),
        "can_edit": can_edit,
        "can_agree": user.has_perm("roadmaps.agree", section),
        "can_comment": user.has_perm("roadmaps.comment", section) and not _archived(section),
        "archived": _archived(section),
        "comment_form": comment_form or SectionCommentForm(),
        "status_form": status_form
        or SectionStatusForm(
            process=section.process,
            initial={"status": section.status, "workshop": section.discussed_in_id},
        ),
    }
    return render(request, "roadmaps/sections/detail.html", context, status=status)


@permission_required("roadmaps.view", get_object=_get_section)
def section_detail(request, pk, obj):
    return _detail(request, obj)


@permission_required("roadmaps.edit_text", get_object=_get_section)
def section_edit(request, pk, obj):
    section = obj
    if _archived(section):
        messages.error(request, _("This edition is archived and can no longer be changed."))
        return redirect(section)
    conflict, status = None, 200
    if request.method == "POST":
        form = SectionEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved, changed = section_update(
                    section=section,
                    loaded_version=data["version"],
                    title=data["title"],
                    body=data["body"],
                    user=request.user,
                )
            except SectionConflict as error:
                # Nothing is lost: the form keeps the person's text and now carries the
                # current version, so saving after merging is accepted.
                current = error.current
                mine = request.POST.copy()
                mine["version"] = current.version
                form = SectionEditForm(mine)
                conflict = {
                    "current": current,
                    "diff": text_diff(current.body, data["body"]),
                    "title_differs": current.title != data["title"],
                    "my_title": data["title"],
                }
                status = 409
            except SectionError as error:
                form.add_error(None, str(error))
            else:
                if not changed:
                    messages.info(request, _("Nothing was changed."))
                elif section.status == SectionStatus.AGREED:
                    messages.warning(
                        request,
                        _(
                            "Saved as version %(number)s. The section was agreed and is now a "
                            "draft again."
                        )
                        % {"number": saved.version},
                    )
                else:
                    messages.success(
                        request, _("Saved as version %(number)s.") % {"number": saved.version}
                    )
                return redirect(saved)
    else:
        form = SectionEditForm(
            initial={"title": section.title, "body": section.body, "version": section.version}
        )
    return render(
        request,
        "roadmaps/sections/edit.html",
        {"section": section, "form": form, "conflict": conflict},
        status=status,
    )


@require_POST
@permission_required("roadmaps.edit_text", get_object=_get_section)
def section_status(request, pk, obj):
    form = SectionStatusForm(request.POST, process=obj.process)
    if not form.is_valid():
        return _detail(request, obj, status_form=form)
    new_status = form.cleaned_data["status"]
    if new_status == SectionStatus.AGREED and not request.user.has_perm("roadmaps.agree", obj):
        raise PermissionDenied
    try:
        section_status_set(
            section=obj,
            status=new_status,
            workshop=form.cleaned_data["workshop"],
            user=request.user,
        )
    except SectionError as error:
        form.add_error(None, str(error))
        return _detail(request, obj, status_form=form)
    messages.success(
        request,
        _("The status is now “%(status)s”.") % {"status": SectionStatus(new_status).label},
    )
    return redirect(obj)


@require_POST
@permission_required("roadmaps.comment", get_object=_get_section)
def section_comment(request, pk, obj):
    form = SectionCommentForm(request.POST)
    if form.is_valid():
        try:
            section_comment_add(section=obj, text=form.cleaned_data["text"], user=request.user)
        except SectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your comment was added."))
            return redirect(reverse("roadmaps:section_detail", args=[obj.pk]) + "#comments")
    return _detail(request, obj, comment_form=form)


@require_POST
@permission_required("roadmaps.edit_text", get_object=_get_section)
def section_move_view(request, pk, obj):
    try:
        section_move(section=obj, direction=request.POST.get("direction", ""), user=request.user)
    except SectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(title)s” was moved.") % {"title": obj.title})
    return redirect(reverse("roadmaps:section_overview") + f"#kind-{obj.kind}")


@require_POST
@permission_required("roadmaps.edit_text", get_object=_get_section)
def section_statement_append_view(request, pk, obj):
    result_id = id_or_none(request.POST.get("result"))
    result = PromotedResult.objects.filter(pk=result_id).first() if result_id else None
    try:
        if result is None:
            raise SectionError(_("This draft statement does not exist."))
        saved = section_statement_append(section=obj, result=result, user=request.user)
    except SectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The draft statement was appended to the text (version %(number)s).")
            % {"number": saved.version},
        )
    return redirect(obj)


@permission_required("roadmaps.view", get_object=_get_section)
def section_history(request, pk, obj):
    versions = section_versions(section=obj)
    numbers = [v.number for v in versions]
    form = VersionCompareForm(
        initial={
            "a": numbers[1] if len(numbers) > 1 else None,
            "b": numbers[0] if numbers else None,
        },
        numbers=sorted(numbers),
    )
    return render(
        request,
        "roadmaps/sections/history.html",
        {"section": obj, "versions": versions, "compare_form": form},
    )


@permission_required("roadmaps.view", get_object=_get_section)
def section_compare(request, pk, obj):
    versions = {v.number: v for v in section_versions(section=obj)}
    form = VersionCompareForm(request.GET or None, numbers=sorted(versions))
    context = {"section": obj, "compare_form": form, "versions": versions}
    if form.is_valid():
        old, new = versions[form.cleaned_data["a"]], versions[form.cleaned_data["b"]]
        context.update(old=old, new=new, diff=text_diff(old.body, new.body))
    return render(request, "roadmaps/sections/compare.html", context)


@permission_required("roadmaps.view")
def strategy_draft(request):
    process = process_current()
    return render(
        request,
        "roadmaps/versions/draft.html",
        {
            "process": process,
            "content": strategy_assemble(process) if process else None,
            "can_freeze": request.user.has_perm("roadmaps.freeze"),
        },
    )


@permission_required("roadmaps.view")
def version_list(request):
    process = process_current()
    return render(
        request,
        "roadmaps/versions/list.html",
        {
            "process": process,
            "versions": strategy_versions(process=process),
            "can_freeze": request.user.has_perm("roadmaps.freeze"),
        },
    )


def _next_number(process) -> int:
    versions = strategy_versions(process=process)
    return versions[0].number + 1 if versions else 1


@permission_required("roadmaps.freeze")
def version_freeze(request):
    process = process_current()
    if process is None:
        messages.error(request, _("There is no current edition of the strategy."))
        return redirect("roadmaps:version_list")
    form = StrategyFreezeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            version = strategy_version_freeze(
                process=process, note=form.cleaned_data["note"], user=request.user, request=request
            )
        except SectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("“%(label)s” was frozen. It will not change.") % {"label": version.label}
            )
            return redirect(version)
    return render(
        request,
        "roadmaps/versions/freeze.html",
        {"form": form, "process": process, "next_number": _next_number(process)},
    )


@require_safe
@permission_required("roadmaps.view", get_object=_get_version)
def version_detail(request, pk, obj):
    return render(
        request, "roadmaps/versions/detail.html", {"version": obj, "content": obj.content}
    )

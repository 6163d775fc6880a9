"""Pages of the update (Fortschreibung): start a new edition from an adopted one, and compare
two editions."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from strategy.editions import EditionError, edition_start_check
from strategy.models import StrategyProcess
from strategy.permissions import permission_required

from .edition_diff import edition_compare
from .edition_forms import EditionCompareForm, EditionStartForm
from .editions import edition_start


def _get_process(request, pk, **kwargs):
    return get_object_or_404(StrategyProcess, pk=pk)


@permission_required("roadmaps.start_edition", get_object=_get_process)
def edition_start_view(request, pk, obj):
    try:
        edition_start_check(source=obj)
        refusal = ""
    except EditionError as error:
        refusal = error.message
    form = EditionStartForm(
        request.POST or None,
        source=obj,
        initial={"title": obj.title, "year": obj.year + 1},
    )
    if request.method == "POST":
        if refusal:
            form.is_valid()
            form.add_error(None, refusal)
        elif form.is_valid():
            try:
                edition = edition_start(
                    source=obj, user=request.user, request=request, **form.cleaned_data
                )
            except EditionError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    _(
                        "The new edition “%(edition)s” was started. The edition “%(source)s” is "
                        "now archived and can no longer be changed."
                    )
                    % {"edition": edition, "source": obj},
                )
                return redirect(edition)
    return render(
        request,
        "roadmaps/editions/start.html",
        {"process": obj, "form": form, "refusal": refusal},
    )


@permission_required("roadmaps.view")
def edition_compare_view(request):
    data = request.GET if {"old", "new"} & set(request.GET) else None
    if data is None:
        # Without a choice: the newest update compared with the edition it continues.
        newest = (
            StrategyProcess.objects.filter(previous_edition__isnull=False)
            .order_by("-year", "-created_at")
            .first()
        )
        if newest is not None:
            data = {"old": newest.previous_edition_id, "new": newest.pk}
    form = EditionCompareForm(data)
    comparison = edition_compare(**form.cleaned_data) if data and form.is_valid() else None
    if data is None:
        form = EditionCompareForm()
    return render(
        request,
        "roadmaps/editions/compare.html",
        {"form": form, "comparison": comparison},
    )

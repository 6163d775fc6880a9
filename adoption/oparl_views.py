"""OParl 1.1 endpoints (read-only JSON, no login). What they show: ``adoption.oparl``."""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, JsonResponse
from django.utils import translation
from django.views.decorators.http import require_safe

from strategy.http import page_param
from strategy.uploads import download_response

from .oparl import Builder, oparl_snapshot

JSON_OPTIONS = {"ensure_ascii": False}


def _german(view):
    """OParl objects carry the Kreis' data in German, whatever language the client asks for."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override("de"):
            return view(request, *args, **kwargs)

    return wrapped


def _json(data) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params=JSON_OPTIONS)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _builder(request) -> Builder:
    return Builder(request, oparl_snapshot())


def _page_number(request) -> int:
    return page_param(request.GET.get("page"))


def _municipality(builder: Builder, pk: int):
    found = next((m for m in builder.snapshot.municipalities if m.pk == pk), None)
    if found is None:
        raise Http404
    return found


@login_not_required
@require_safe
@_german
def system(request):
    return _json(_builder(request).system())


@login_not_required
@require_safe
@_german
def body_list(request):
    builder = _builder(request)
    page = _page_number(request)
    items = [builder.body(m) for m in builder.snapshot.municipalities]
    result = builder.page(items, page=page, list_url=builder.url("oparl_body_list"))
    if page > result["pagination"]["totalPages"]:
        raise Http404
    return _json(result)


@login_not_required
@require_safe
@_german
def body(request, pk):
    builder = _builder(request)
    return _json(builder.body(_municipality(builder, pk)))


@login_not_required
@require_safe
@_german
def body_objects(request, pk, kind):
    builder = _builder(request)
    page = _page_number(request)
    items = builder.objects_of(_municipality(builder, pk), kind)
    if items is None:
        raise Http404
    result = builder.page(
        items, page=page, list_url=builder.url("oparl_body_objects", pk=pk, kind=kind)
    )
    if page > result["pagination"]["totalPages"]:
        raise Http404
    return _json(result)


def _published_builder(request) -> Builder:
    builder = _builder(request)
    if not builder.snapshot.published:
        raise Http404
    return builder


@login_not_required
@require_safe
@_german
def organization(request, key):
    result = _published_builder(request).organization(key)
    if result is None:
        raise Http404
    return _json(result)


def _meeting_info(builder: Builder, key: str):
    info = builder.find_meeting(key)
    if info is None:
        raise Http404
    return info


@login_not_required
@require_safe
@_german
def meeting(request, key):
    builder = _published_builder(request)
    return _json(builder.meeting(_meeting_info(builder, key)))


@login_not_required
@require_safe
@_german
def agenda_item(request, key):
    builder = _published_builder(request)
    return _json(builder.agenda_item(_meeting_info(builder, key)))


@login_not_required
@require_safe
@_german
def consultation(request, key):
    builder = _published_builder(request)
    return _json(builder.consultation(_meeting_info(builder, key)))


@login_not_required
@require_safe
@_german
def paper(request, pk):
    builder = _published_builder(request)
    council = next((c for c in builder.snapshot.councils if c.pk == pk), None)
    if council is None:
        raise Http404
    return _json(builder.paper(council))


@login_not_required
@require_safe
@_german
def file(request, key):
    found = _published_builder(request).find_file(key)
    if found is None:
        raise Http404
    return _json(found[0])


@login_not_required
@require_safe
@_german
def file_download(request, key):
    found = _published_builder(request).find_file(key)
    if found is None:
        raise Http404
    data, stored = found
    return download_response(stored, filename=data["fileName"], content_type=data["mimeType"])

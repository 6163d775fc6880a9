"""The public page of the adopted strategy (no login). Before district staff publish it,
every public address answers 404 and shows nothing."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from strategy.uploads import download_response

from .public_selectors import public_strategy_content


def _content_or_404():
    content = public_strategy_content()
    if content is None:
        raise Http404
    return content


@login_not_required
@require_safe
def public_strategy(request):
    return render(request, "adoption/public/strategy.html", {"content": _content_or_404()})


@login_not_required
@require_safe
def public_pdf(request):
    document = _content_or_404().publication.document
    if not document.file:
        raise Http404
    return download_response(
        document.file,
        filename=f"digitalisierungsstrategie-kreis-coesfeld-{document.version.number}.pdf",
        content_type="application/pdf",
    )

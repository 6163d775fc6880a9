"""Pages of trust: the audit log, the accessibility and privacy statements, personal data."""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.authority import AccountProtectedError, erase_refusal

from .audit import AuditAction, audit_record
from .forms_trust import ContentPageForm
from .http import page_param
from .models import AuditEvent, ContentPage
from .permissions import permission_required
from .privacy import personal_data_erase, personal_data_export

DEFAULT_PAGES = {
    ContentPage.Slug.ACCESSIBILITY: "content/default_accessibility.txt",
    ContentPage.Slug.PRIVACY: "content/default_privacy.txt",
}


@permission_required("strategy.view_audit")
def audit_log(request):
    action = request.GET.get("action", "")
    events = AuditEvent.objects.all()
    if action in AuditAction.values:
        events = events.filter(action=action)
    else:
        action = ""
    page = Paginator(events, 50).get_page(page_param(request.GET.get("page")))
    return render(
        request,
        "strategy/audit_log.html",
        {
            "page": page,
            "action": action,
            "actions": AuditAction.choices,
            "query": f"action={action}" if action else "",
        },
    )


def _content_page(slug):
    if slug not in ContentPage.Slug.values:
        raise Http404
    from django.template.loader import render_to_string

    page = ContentPage.objects.filter(slug=slug).first()
    if page is None:
        page = ContentPage(
            slug=slug,
            title=ContentPage.Slug(slug).label,
            body=render_to_string(DEFAULT_PAGES[slug]).strip(),
        )
    return page


@login_not_required
def content_page(request, slug):
    page = _content_page(slug)
    return render(
        request,
        "strategy/content_page.html",
        {"page": page, "can_edit": request.user.has_perm("strategy.change_contentpage")},
    )


@permission_required("strategy.change_contentpage")
def content_page_edit(request, slug):
    page = _content_page(slug)
    form = ContentPageForm(request.POST or None, instance=page)
    if request.method == "POST" and form.is_valid():
        page = form.save(commit=False)
        page.updated_by = request.user
        page.save()
        audit_record(action=AuditAction.CONTENT_PAGE, request=request, target=page)
        messages.success(request, _("The page was saved."))
        return redirect(page)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Edit: %(title)s") % {"title": page.title},
            "submit_label": _("Save"),
            "cancel_url": page.get_absolute_url(),
        },
    )


def _person(request, pk, **kwargs):
    return get_object_or_404(get_user_model(), pk=pk)


def _download(request, person):
    data = personal_data_export(user=person)
    audit_record(
        action=AuditAction.PERSONAL_DATA, request=request, target=person, summary="exported"
    )
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="personendaten-{person.pk}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


def my_data(request):
    """A person downloads what the portal stores about them (Art. 15 DSGVO)."""
    return _download(request, request.user)


@permission_required("accounts.manage_personal_data", get_object=_person)
def person_data_export(request, pk, obj):
    return _download(request, obj)


@permission_required("accounts.manage_personal_data", get_object=_person)
def person_data_erase(request, pk, obj):
    # The rule behind "accounts.erase_person", asked here for its reason: the 403 page says
    # why (own account, more rights than one's own, last administrator).
    refusal = erase_refusal(actor=request.user, target=obj)
    if refusal:
        raise PermissionDenied(refusal)
    if request.method == "POST":
        try:
            pseudonym = personal_data_erase(user=obj, by=request.user, request=request)
        except AccountProtectedError as error:
            # Another request changed the accounts since the check above.
            messages.error(request, error.message)
            return redirect("accounts:user_list")
        messages.success(
            request,
            _("The personal data was erased; contributions remain as “%(name)s”.")
            % {"name": pseudonym},
        )
        return redirect("accounts:user_list")
    return render(request, "strategy/person_erase_confirm.html", {"person": obj})

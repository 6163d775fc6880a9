"""Pages of the live session: the facilitator's control view, the participant view (accounts
and guests) and the projector view, with the small fragments htmx polls and the forms they
post to.

Forms work without JavaScript (post, redirect, message). With htmx they post in the
background: the answer is a short message for ``#live-messages`` and an ``HX-Trigger:
live-refresh`` that makes the polled fragments fetch the new state at once."""

from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from strategy.http import page_param
from strategy.permissions import permission_required

from . import live_fragments as fragments
from . import live_selectors as selectors
from . import live_services as services
from .guests import (
    guest_key,
    guest_participant,
    guest_remember,
    join_attempt_record,
    join_block,
)
from .live_forms import (
    ActivityForm,
    CardEditForm,
    CardForm,
    CardMergeForm,
    CardMoveForm,
    ClusterForm,
    ItemForm,
    JoinForm,
    PromoteForm,
    RatingForm,
    TimerForm,
)
from .live_services import LiveError
from .models import Activity, Card, Cluster, WorkshopSession

POLL_INTERVAL = "1500ms"


def _get_session(request, pk, **kwargs):
    try:
        return selectors.live_session(pk)
    except WorkshopSession.DoesNotExist:
        raise Http404 from None


facilitator_view = permission_required("workshops.facilitate", get_object=_get_session)
projector_view = permission_required("workshops.project", get_object=_get_session)


def participant_view(view):
    """Accounts that may see workshops, and the guest who joined this very session.

    Everybody else is sent to the login page, as by every other page of the portal."""

    @login_not_required
    @wraps(view)
    def wrapped(request, pk, **kwargs):
        if request.user.is_authenticated:
            session = _get_session(request, pk)
            if not request.user.has_perm("workshops.view_workshop", session):
                raise PermissionDenied
            participant = selectors.account_participant(session, request.user)
            if participant is None:
                participant = services.participant_join_user(session=session, user=request.user)
        else:
            participant = guest_participant(request, pk)
            if participant is None:
                return redirect_to_login(request.get_full_path())
            session = participant.session
            if not selectors.guests_may_use(session):
                messages.error(request, _("This session has ended."))
                return redirect("workshops:live_join")
        return view(request, session=session, participant=participant, **kwargs)

    return wrapped


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _answer(request, *, redirect_to: str, ok: str = "", error: str = "", status: int = 200):
    """The answer to a form post: a message fragment for htmx, else message and redirect."""
    if _is_htmx(request):
        response = render(
            request,
            "workshops/live/_message.html",
            {"message": error or ok, "error": bool(error)},
            status=status if error else 200,
        )
        if not error:
            response["HX-Trigger"] = "live-refresh"
        elif status == 503:
            response["Retry-After"] = "1"
        return response
    (messages.error if error else messages.success)(request, error or ok)
    return redirect(redirect_to)


def _refused(request, error: LiveError, *, redirect_to: str):
    status = 503 if error.code == "retry" else 409
    return _answer(request, redirect_to=redirect_to, error=str(error.message), status=status)


def _invalid(request, form, *, redirect_to: str):
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    text = _("Please check your input.") + (" " + " ".join(errors) if errors else "")
    return _answer(request, redirect_to=redirect_to, error=text, status=422)


def _poll(request, *, session, parts, render):
    """A polled fragment: 204 while the revision the browser has is current, else
    ``render(rev)`` (the fragment's HTML)."""
    rev = selectors.revision(session.pk, parts)
    if request.GET.get("rev") == rev:
        return HttpResponse(status=204)
    return HttpResponse(render(rev))


def _shared_poll(request, *, session, parts, name, template, build_context):
    """A polled fragment that is the same for everybody allowed to poll it: rendered once per
    state (see live_fragments), only the CSRF token and the countdown are filled in."""
    activity = session.live_activity

    def render(rev):
        shared = fragments.shared_parts(
            f"{name}:{session.pk}:{rev}:{fragments.activity_state(activity)}",
            template,
            lambda slots: {"session": session, "rev": rev, **build_context(slots)},
        )
        values = fragments.request_values(request, activity)
        return fragments.fill(shared, values, lambda slot: "")

    return _poll(request, session=session, parts=parts, render=render)


# --- Joining --------------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def join(request):
    """Join a live session with the code from the projector (guests also give a name)."""
    account = request.user if request.user.is_authenticated else None
    form = JoinForm(
        request.POST or None, initial={"code": request.GET.get("code", "")[:40]}, account=account
    )
    if request.method == "POST":
        block = join_block(request)
        if block:
            response = render(
                request,
                "workshops/live/join.html",
                {"form": form, "blocked": block.message},
                status=429,
            )
            response["Retry-After"] = str(block.seconds)
            return response
        if form.is_valid():
            try:
                session = services.join_session_for_code(code=form.cleaned_data["code"])
                if account:
                    participant = services.participant_join_user(session=session, user=account)
                else:
                    participant = services.participant_join_guest(
                        session=session,
                        display_name=form.cleaned_data["display_name"],
                        guest_key=guest_key(request, session.pk),
                    )
            except LiveError as error:
                join_attempt_record(request, wrong_code=error.code == "wrong_code")
                form.add_error("code", str(error.message))
            else:
                join_attempt_record(request, joined=True)
                if not account:
                    guest_remember(request, participant)
                return redirect("workshops:live_participate", pk=session.pk)
        else:
            join_attempt_record(request)
    return render(request, "workshops/live/join.html", {"form": form})


# --- Participant ----------------------------------------------------------------------------


def _participant_parts(session, participant) -> list[str]:
    """Revision parts of the participant's fragment: the shared ones, then their own."""
    parts = ["content"]
    if session.live_activity and session.live_activity.results_revealed:
        parts.append("votes")
    return [*parts, f"p{participant.pk}"]


def _scale_options(selected) -> str:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        [("", "", "–")]
        + [(v, mark_safe(" selected") if v == selected else "", v) for v in range(1, 6)],
    )


# The rating lists of a participant: built once per value instead of two option loops per
# item in the template (a rating over hundreds of cards is otherwise slow to render).
SCALE_OPTIONS = {value: _scale_options(value) for value in (None, 1, 2, 3, 4, 5)}


def _budget_text(left: int) -> str:
    return ngettext("You have %(left)s dot left.", "You have %(left)s dots left.", left) % {
        "left": left
    }


def _rated_text(n: int) -> str:
    return ngettext("You have rated %(n)s item.", "You have rated %(n)s items.", n) % {"n": n}


def _participant_shared_context(session, slots, *, page: int) -> dict:
    """The participant fragment's context with slots for everything personal."""
    panel = selectors.participant_shared(session, page=page)
    panel["timer"] = fragments.slot_timer(panel["timer"], slots)
    activity = panel["activity"]
    if activity and activity.kind == Activity.Kind.DOT_VOTE:
        panel["budget_text"] = slots("budget")
        for item in panel["items"]:
            item.mine = slots(f"m:{item.key}")
    elif activity and activity.kind == Activity.Kind.RATING:
        panel["rated_text"] = slots("rated")
        for item in panel["items"]:
            item.benefit_options = slots(f"b:{item.key}")
            item.effort_options = slots(f"e:{item.key}")
    return {"session": session, "rev": slots("rev"), "panel": panel}


def _participant_default(slot: str) -> str:
    if slot.startswith("m:"):
        return "0"
    if slot.startswith(("b:", "e:")):
        return SCALE_OPTIONS[None]
    return ""


def _page_number(request) -> int:
    """The page of a vote's or rating's items the participant is on (query or form)."""
    return page_param(request.GET.get("page") or request.POST.get("page"))


def _participant_back(request, session) -> str:
    """Where a participant's form post leads back to without JavaScript: the same page."""
    back = reverse("workshops:live_participate", args=[session.pk])
    page = _page_number(request)
    return f"{back}?page={page}" if page > 1 else back


def _participant_html(request, session, participant, rev: str) -> str:
    """The participant's fragment: the part all participants share is rendered once per state
    and cached; their own dots, ratings and budget are filled in (one query)."""
    activity = session.live_activity
    shared_rev = rev.rsplit("-", 1)[0]
    page = _page_number(request)
    parts = fragments.shared_parts(
        f"p:{session.pk}:{shared_rev}:{fragments.activity_state(activity)}:{page}",
        "workshops/live/_participant_panel.html",
        lambda slots: _participant_shared_context(session, slots, page=page),
    )
    values = {"rev": rev, **fragments.request_values(request, activity)}
    own = selectors.participant_own(activity, participant)
    if "dots" in own:
        used = sum(own["dots"].values())
        values["budget"] = escape(_budget_text(max(0, activity.dots_per_participant - used)))
        values.update({f"m:{key}": str(n) for key, n in own["dots"].items()})
    elif "ratings" in own:
        values["rated"] = escape(_rated_text(len(own["ratings"])))
        for key, (benefit, effort) in own["ratings"].items():
            values[f"b:{key}"] = SCALE_OPTIONS.get(benefit, SCALE_OPTIONS[None])
            values[f"e:{key}"] = SCALE_OPTIONS.get(effort, SCALE_OPTIONS[None])
    return fragments.fill(parts, values, _participant_default)


@participant_view
@require_GET
def participate(request, session, participant):
    """The participant view (phone-friendly): cards, dots and ratings of the current
    activity."""
    rev = selectors.revision(session.pk, _participant_parts(session, participant))
    return render(
        request,
        "workshops/live/participate.html",
        {
            "session": session,
            "participant": participant,
            "panel_html": mark_safe(_participant_html(request, session, participant, rev)),
        },
    )


@participant_view
@require_GET
def participant_panel(request, session, participant):
    return _poll(
        request,
        session=session,
        parts=_participant_parts(session, participant),
        render=lambda rev: _participant_html(request, session, participant, rev),
    )


def _activity_ref(pk) -> Activity:
    """A reference to the activity a vote or rating names: the service reads it (and checks
    that it runs in the participant's session) inside its transaction, in one query."""
    if not pk:
        raise LiveError(_("This activity is not running in your session."))
    return Activity(pk=pk)


def _activity_of(session, pk) -> Activity:
    activity = Activity.objects.filter(pk=pk, session=session).first() if pk else None
    if activity is None:
        raise LiveError(_("This activity is not running in your session."))
    return activity


@participant_view
@require_POST
def card_post(request, session, participant):
    back = _participant_back(request, session)
    form = CardForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, redirect_to=back)
    try:
        services.card_post(
            activity=_activity_of(session, form.cleaned_data["activity"]),
            participant=participant,
            text=form.cleaned_data["text"],
            theme_field=form.cleaned_data["theme_field"],
        )
    except LiveError as error:
        return _refused(request, error, redirect_to=back)
    return _answer(request, redirect_to=back, ok=_("Your card has been posted."))


@participant_view
@require_POST
def dot_vote(request, session, participant):
    """Place (button "place") or remove (button "remove") one dot."""
    back = _participant_back(request, session)
    removing = "remove" in request.POST
    data = {
        "activity": request.POST.get("activity"),
        "item": request.POST.get("remove" if removing else "place"),
    }
    form = ItemForm(data)
    if not form.is_valid():
        return _refused(request, LiveError(services.UNKNOWN_ITEM), redirect_to=back)
    try:
        activity = _activity_ref(form.cleaned_data["activity"])
        if removing:
            services.dot_remove(
                activity=activity, participant=participant, item=form.cleaned_data["item"]
            )
            ok = _("Your dot has been removed.")
        else:
            services.dot_place(
                activity=activity, participant=participant, item=form.cleaned_data["item"]
            )
            ok = _("Your dot has been placed.")
    except LiveError as error:
        return _refused(request, error, redirect_to=back)
    return _answer(request, redirect_to=back, ok=ok)


@participant_view
@require_POST
def rating(request, session, participant):
    back = _participant_back(request, session)
    form = RatingForm(request.POST)
    if not form.is_valid():
        if "item" in form.errors or "activity" in form.errors:
            return _refused(request, LiveError(services.UNKNOWN_ITEM), redirect_to=back)
        return _refused(
            request, LiveError(_("Please rate benefit and effort from 1 to 5.")), redirect_to=back
        )
    try:
        services.rating_save(
            activity=_activity_ref(form.cleaned_data["activity"]),
            participant=participant,
            item=form.cleaned_data["item"],
            benefit=form.cleaned_data["benefit"],
            effort=form.cleaned_data["effort"],
        )
    except LiveError as error:
        return _refused(request, error, redirect_to=back)
    return _answer(request, redirect_to=back, ok=_("Your rating has been saved."))


# --- Projector ------------------------------------------------------------------------------


def _join_url(request, session) -> str:
    return request.build_absolute_uri(
        reverse("workshops:live_join") + f"?code={session.workshop.join_code}"
    )


def _qr_svg(url: str, label: str) -> str:
    """The join link as an inline SVG QR code (no style attributes: the CSP forbids them)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, svgclass="live-qr", lineclass="live-qr-modules"
    )
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))


@projector_view
@require_GET
def projector(request, pk, obj):
    """The projector: large type, no controls; join code and QR code, current activity,
    cards, and revealed results."""
    session = obj
    join_url = _join_url(request, session)
    return render(
        request,
        "workshops/live/projector.html",
        {
            "session": session,
            "join_url": join_url,
            "qr_svg": _qr_svg(
                join_url, _("QR code with the link to join: %(url)s") % {"url": join_url}
            ),
            "rev": selectors.revision(session.pk, ["content", "votes"]),
            "panel": selectors.projector_panel(session),
        },
    )


def _projector_context(session, slots) -> dict:
    panel = selectors.projector_panel(session)
    panel["timer"] = fragments.slot_timer(panel["timer"], slots)
    return {"panel": panel}


@projector_view
@require_GET
def projector_panel(request, pk, obj):
    return _shared_poll(
        request,
        session=obj,
        parts=["content", "votes"],
        name="projector",
        template="workshops/live/_projector_panel.html",
        build_context=lambda slots: _projector_context(obj, slots),
    )


# --- Facilitator ----------------------------------------------------------------------------


def _cluster_options(clusters, selected_id) -> str:
    return format_html('<option value="">{}</option>', _("– no cluster –")) + format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((c.pk, mark_safe(" selected") if c.pk == selected_id else "", c.name) for c in clusters),
    )


def _board_context(session) -> dict:
    board = selectors.board(session)
    # Each card has a labelled list of clusters (the keyboard alternative to drag and drop).
    # With hundreds of cards, rendering those lists in the template dominates the time, so
    # each variant (which cluster is selected) is built once here.
    clusters = [group.cluster for group in board["clusters"]]
    variants = {None: _cluster_options(clusters, None)}
    variants.update({c.pk: _cluster_options(clusters, c.pk) for c in clusters})
    # Reversing two URLs per card costs more than the rest of a card; build them from one.
    move_url = reverse("workshops:live_card_move", args=[session.pk, 0]).replace("/0/", "/{}/")
    edit_url = reverse("workshops:live_card_edit", args=[session.pk, 0]).replace("/0/", "/{}/")
    for card in board["cards"]:
        card.move_options = variants.get(card.cluster_id, variants[None])
        card.move_url = move_url.format(card.pk)
        card.edit_url = edit_url.format(card.pk)
    return {"board": board}


@facilitator_view
@require_GET
def facilitate(request, pk, obj):
    """The facilitator's control view."""
    session = obj
    return render(
        request,
        "workshops/live/facilitate.html",
        {
            "session": session,
            "status_rev": selectors.revision(session.pk, ["content", "votes"]),
            "board_rev": selectors.revision(session.pk, ["content"]),
            "status": selectors.facilitator_status(session),
            **_board_context(session),
            "activity_form": ActivityForm(auto_id="new-activity-%s"),
            "cluster_form": ClusterForm(auto_id="new-cluster-%s"),
            "promoted": selectors.promoted_results(session),
            "join_url": _join_url(request, session),
        },
    )


def _status_context(session, slots) -> dict:
    status = selectors.facilitator_status(session)
    status["timer"] = fragments.slot_timer(status["timer"], slots)
    return {"status": status}


@facilitator_view
@require_GET
def facilitator_status(request, pk, obj):
    # Facilitators only (checked above); every facilitator of the session sees the same.
    return _shared_poll(
        request,
        session=obj,
        parts=["content", "votes"],
        name="status",
        template="workshops/live/_facilitator_status.html",
        build_context=lambda slots: _status_context(obj, slots),
    )


@facilitator_view
@require_GET
def facilitator_board(request, pk, obj):
    return _shared_poll(
        request,
        session=obj,
        parts=["content"],
        name="board",
        template="workshops/live/_facilitator_board.html",
        build_context=lambda slots: _board_context(obj),
    )


def _facilitator_back(session) -> str:
    return reverse("workshops:live_facilitate", args=[session.pk])


def _session_activity(session, activity_pk) -> Activity:
    activity = Activity.objects.filter(pk=activity_pk, session=session).first()
    if activity is None:
        raise Http404
    return activity


@facilitator_view
@require_POST
def activity_add(request, pk, obj):
    back = _facilitator_back(obj)
    form = ActivityForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, redirect_to=back)
    try:
        activity = services.activity_create(session=obj, **form.cleaned_data)
    except LiveError as error:
        return _refused(request, error, redirect_to=back)
    return _answer(
        request, redirect_to=back, ok=_("“%(title)s” has been prepared.") % {"title": activity}
    )


def _activity_view(action, ok, *, minutes=False):
    """A facilitator's button on an activity: ``action(activity, request, minutes)`` calls a
    service and ``ok(request, minutes)`` is the message; with ``minutes`` the post carries a
    timer (TimerForm), else ``minutes`` is None."""

    @facilitator_view
    @require_POST
    def view(request, pk, obj, activity_pk):
        back = _facilitator_back(obj)
        activity = _session_activity(obj, activity_pk)
        value = None
        if minutes:
            form = TimerForm(request.POST)
            if not form.is_valid():
                return _invalid(request, form, redirect_to=back)
            value = form.cleaned_data["minutes"]
        try:
            action(activity, request, value)
        except LiveError as error:
            return _refused(request, error, redirect_to=back)
        message = ok(request, value) % {"title": activity.title}
        return _answer(request, redirect_to=back, ok=message)

    return view


def _revealed(request) -> bool:
    return request.POST.get("revealed") == "1"


activity_start = _activity_view(
    lambda a, r, m: services.activity_start(activity=a, timer_minutes=m),
    lambda r, m: _("“%(title)s” is running."),
    minutes=True,
)
activity_timer = _activity_view(
    lambda a, r, m: services.activity_set_timer(activity=a, minutes=m),
    lambda r, m: (
        _("The timer of “%(title)s” has been set.")
        if m
        else _("The timer of “%(title)s” has been removed.")
    ),
    minutes=True,
)
activity_lock = _activity_view(
    lambda a, r, m: services.activity_lock(activity=a), lambda r, m: _("“%(title)s” is locked.")
)
activity_unlock = _activity_view(
    lambda a, r, m: services.activity_unlock(activity=a),
    lambda r, m: _("“%(title)s” is running again."),
)
activity_close = _activity_view(
    lambda a, r, m: services.activity_close(activity=a), lambda r, m: _("“%(title)s” is finished.")
)
activity_reveal = _activity_view(
    lambda a, r, m: services.activity_reveal(activity=a, revealed=_revealed(r)),
    lambda r, m: (
        _("The results of “%(title)s” are shown.")
        if _revealed(r)
        else _("The results of “%(title)s” are hidden.")
    ),
)


@facilitator_view
@require_http_methods(["GET", "POST"])
def activity_promote(request, pk, obj, activity_pk):
    """Take results of a finished activity over into the strategy."""
    session = obj
    activity = _session_activity(session, activity_pk)
    candidates = selectors.promotion_candidates(activity)
    rows = candidates.get("vote_rows", [])
    card_ids = [c.pk for c in candidates.get("cards", [])] + [r.card_id for r in rows if r.card_id]
    cluster_ids = [c.pk for c in candidates.get("clusters", [])] + [
        r.cluster_id for r in rows if r.cluster_id
    ]
    form = PromoteForm(request.POST or None, card_ids=card_ids, cluster_ids=cluster_ids)
    if request.method == "POST":
        back = _facilitator_back(session)
        if form.is_valid():
            try:
                created = services.results_promote(
                    activity=activity,
                    kind=form.cleaned_data["kind"],
                    user=request.user,
                    card_ids=form.cleaned_data["cards"],
                    cluster_ids=form.cleaned_data["clusters"],
                )
            except LiveError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, _("%(n)d results have been taken over.") % {"n": len(created)}
                )
                return redirect(back)
        else:
            messages.error(request, _("Please check your input."))
    return render(
        request,
        "workshops/live/promote.html",
        {"session": session, "activity": activity, "candidates": candidates, "form": form},
    )


@facilitator_view
@require_POST
def cluster_add(request, pk, obj):
    back = _facilitator_back(obj)
    form = ClusterForm(request.POST)
    form.is_valid()
    try:
        cluster = services.cluster_create(session=obj, name=form.cleaned_data.get("name", ""))
    except LiveError as error:
        return _refused(request, error, redirect_to=back)
    return _answer(
        request,
        redirect_to=back,
        ok=_("The cluster “%(name)s” has been created.") % {"name": cluster.name},
    )


def _session_object(model, session, pk):
    found = model.objects.filter(pk=pk, session=session).first()
    if found is None:
        raise Http404
    return found


@facilitator_view
@require_POST
def cluster_rename(request, pk, obj, cluster_pk):
    back = _facilitator_back(obj)
    cluster = _session_object(Cluster, obj, cluster_pk)
    form = ClusterForm(request.POST)
    form.is_valid()
    try:
        services.cluster_rename(cluster=cluster, name=form.cleaned_data.get("name", ""))
    except LiveError as error:
        return _refused(request, error, redirect_to=back)
    return _answer(
        request, redirect_to=back, ok=_("The cluster is now called “%(name)s”.") % {"name": cluster}
    )


@facilitator_view
@require_POST
def card_move(request, pk, obj, card_pk):
    back = _facilitator_back(obj)
    card = _session_object(Card, obj, card_pk)
    form = CardMoveForm(request.POST, session=obj)
    if not form.is_valid():
        return _invalid(request, form, redirect_to=back)
    cluster = form.cleaned_data["cluster"]
    try:
        services.card_move(card=card, cluster=cluster)
    except LiveError as error:
        return _refused(request, error, redirect_to=back)
    if cluster:
        ok = _("The card has been moved to “%(name)s”.") % {"name": cluster.name}
    else:
        ok = _("The card has been taken out of its cluster.")
    return _answer(request, redirect_to=back, ok=ok)


@facilitator_view
@require_http_methods(["GET", "POST"])
def card_edit(request, pk, obj, card_pk):
    """Correct a card's text (a page of its own: the board stays light with many cards)."""
    back = _facilitator_back(obj)
    card = _session_object(Card, obj, card_pk)
    text = card.text
    if request.method == "POST":
        form = CardEditForm(request.POST)
        if not form.is_valid():
            # Control characters: the text comes back as typed, with the form's message.
            if _is_htmx(request):
                return _invalid(request, form, redirect_to=back)
            text = request.POST.get("text", "")
            messages.error(request, " ".join(form.errors.get("text", [])))
        else:
            text = form.cleaned_data["text"]
            try:
                services.card_edit(card=card, text=text)
            except LiveError as error:
                if _is_htmx(request):
                    return _refused(request, error, redirect_to=back)
                messages.error(request, error.message)
            else:
                return _answer(request, redirect_to=back, ok=_("The card text has been saved."))
    return render(
        request, "workshops/live/card_edit.html", {"session": obj, "card": card, "text": text}
    )


@facilitator_view
@require_POST
def card_merge(request, pk, obj):
    back = _facilitator_back(obj)
    form = CardMergeForm(request.POST, session=obj)
    if not form.is_valid():
        return _invalid(request, form, redirect_to=back)
    try:
        services.card_merge(card=form.cleaned_data["card"], into=form.cleaned_data["into"])
    except LiveError as error:
        return _refused(request, error, redirect_to=back)
    return _answer(request, redirect_to=back, ok=_("The cards have been merged."))

"""The one mechanism through which views check permissions."""

from functools import wraps

import rules
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .editions import edition_read_only_reason


def permission_required(perm: str, *, get_object=None):
    """Let the view run only if the user has ``perm`` (on the object ``get_object`` returns).

    Anonymous users are sent to the login page; logged-in users without the permission get
    403. ``get_object(request, **kwargs)`` may raise Http404 for objects that do not exist.
    A refusal because the object's edition is archived says so on the 403 page.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            obj = get_object(request, **kwargs) if get_object else None
            # The rules decide, for superusers too: ``User.has_perm`` would let a superuser
            # past every rule, including the one that keeps archived editions read-only.
            if rules.perm_exists(perm):
                allowed = rules.has_perm(perm, request.user, obj)
            else:
                allowed = request.user.has_perm(perm, obj)
            if not allowed:
                raise PermissionDenied(edition_read_only_reason(obj))
            if obj is not None:
                kwargs["obj"] = obj
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

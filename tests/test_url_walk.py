"""Every URL pattern of the portal (``get_resolver()``, the admin included) with hostile
values in its path parameters, its query string and its form data, as every role: never a
server error (issue 11, items 7 and 8). A NUL anywhere is a bad request (400), and a hostile
path parameter changes nothing.

The values: Unicode digits ("²" passes ``str.isdigit()`` but not ``int()``; "٣" and "１" pass
both), NUL and other control characters, overlong numbers (``int()`` of more than 4,300
digits raises) and strings, signs, zero, invalid UTF-8, path tricks.

New URL patterns, parameters and forms are picked up by themselves: the patterns from the
resolver, the parameter names from the views' source and from every form and filter."""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.test_permissions import (  # noqa: F401
    MATRIX_ROLES,
    TABLE,
    _become,
    _db_state,
    objects,
)
from tests.workshops.test_live_factories import fresh_cache  # noqa: F401

# Substituted, already percent-encoded, into one path parameter at a time.
PATH_VALUES = {
    "nul": "%00",
    "nul-inside": "ab%00cd",
    "superscript-two": quote("²"),
    "arabic-three": quote("٣"),
    "fullwidth-one": quote("１"),
    "digits-40": "9" * 40,
    "digits-5000": "9" * 5000,
    "long-text": "x" * 3000,
    "crlf": "%0D%0A",
    "escape": "%1B",
    "minus-one": "-1",
    "zero": "0",
    "invalid-utf8": "%FF%FE",
    "dot-dot": "..",
    "encoded-slash": "a%2Fb",
    "space": "%20",
    "emoji": quote("😀"),
}
# Put into every query parameter and form value at once (each request costs: the values that
# tell something new).
FORM_VALUES = {
    "superscript-two": "²",
    "arabic-three": "٣",
    "digits-5000": "9" * 5000,
    "item-superscript": "card:²",
    "crlf": "a\r\nb",
    "nul": "a\x00b",
}
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)|\([^)]*\)")
# Roles the admin tells apart: only administrators get past its login (the others are
# anonymous to it, see test_permissions.ADMIN_EXPECTED).
ADMIN_ROLES = ["admin", "anonymous"]
# Logging out would end the walk's session.
NOT_WALKED = {"accounts:logout"}


def _endpoints(patterns=None, namespace="", prefix=()):
    """(qualified name or None, tuple of pattern parts) of every URL pattern."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        parts = (*prefix, entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _endpoints(entry.url_patterns, ns, parts)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else None, parts)


def _parameters(parts) -> list[str]:
    names = []
    for part in parts:
        text = str(part)
        if type(part).__name__ == "RoutePattern":
            names += [m["name"] for m in PARAMETER.finditer(text)]
        else:
            names += [m["name"] or f"_group{i}" for i, m in enumerate(REGEX_GROUP.finditer(text))]
    return names


def _build(parts, values: dict[str, str]) -> str:
    """The path of the pattern with ``values`` (already URL-encoded) for its parameters."""
    path = ""
    for part in parts:
        text = str(part)
        if type(part).__name__ == "RoutePattern":
            path += PARAMETER.sub(lambda m: values[m["name"]], text)
        else:
            names = iter(_parameters([part]))
            text = text.removeprefix("^").removesuffix("$")
            path += REGEX_GROUP.sub(lambda _m, names=names: values[next(names)], text)
            path = path.replace("\\", "")
    return "/" + path


_ADMIN_DEFAULTS = {"app_label": "workshops", "url": "x", "content_type_id": "1"}


def _valid_values(name, params, objects) -> dict[str, str]:  # noqa: F811
    """Values that reach the view: the permission table's objects where it names the
    pattern, else something plausible."""
    known = {}
    if name in TABLE and TABLE[name][0]:
        known = {key: quote(str(value)) for key, value in objects[TABLE[name][0]].items()}
    return {p: known.get(p) or _ADMIN_DEFAULTS.get(p, "1") for p in params}


def _is_admin(parts) -> bool:
    return str(parts[0]).startswith("admin/")


def _values_for(parts, param) -> dict[str, str]:
    """All hostile values; for a number parameter (``<int:…>``), whose converter refuses
    anything but ASCII digits before a view runs, the digits and a few of the rest."""
    converters = {}
    for part in parts:
        converters |= getattr(part, "converters", {})
    if type(converters.get(param)).__name__ == "IntConverter":
        return {k: v for k, v in PATH_VALUES.items() if k in INT_VALUES}
    if _is_admin(parts):
        return {k: v for k, v in PATH_VALUES.items() if k in ADMIN_VALUES}
    return PATH_VALUES


INT_VALUES = {"nul", "superscript-two", "digits-40", "digits-5000"}
# The admin's object ids (``<path:object_id>``) go through the same code for every model:
# fewer values, every model.
ADMIN_VALUES = {
    "nul",
    "superscript-two",
    "digits-5000",
    "long-text",
    "crlf",
    "invalid-utf8",
    "encoded-slash",
    "space",
}


def _path_cases(objects, *, admin: bool):  # noqa: F811
    for name, parts in _endpoints():
        if _is_admin(parts) != admin or name in NOT_WALKED:
            continue
        params = _parameters(parts)
        valid = _valid_values(name, params, objects)
        method = TABLE[name][1] if name in TABLE else "get"
        for param in params:
            for label, value in _values_for(parts, param).items():
                yield (
                    f"{name or str(parts[-1])} {param}={label}",
                    method,
                    _build(parts, valid | {param: value}),
                )


def _walk_paths(client, personas, objects, role, *, admin):  # noqa: F811
    _become(client, personas, role)
    failures = []
    before = _db_state()
    count = 0
    for label, method, path in _path_cases(objects, admin=admin):
        response = getattr(client, method)(path)
        count += 1
        if response.status_code >= 500 or ("%00" in path and response.status_code != 400):
            failures.append((label, response.status_code))
    assert not failures, "\n".join(map(str, failures))
    # A hostile path parameter never reaches a write.
    assert _db_state() == before
    return count


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_hostile_path_parameters(personas, objects, role):  # noqa: F811
    client = Client(raise_request_exception=False)
    assert _walk_paths(client, personas, objects, role, admin=False) > 500


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_hostile_path_parameters_in_the_admin(personas, objects, role):  # noqa: F811
    client = Client(raise_request_exception=False)
    assert _walk_paths(client, personas, objects, role, admin=True) > 1000


def _source_parameter_names() -> set[str]:
    """Names the views read straight from ``request.GET``/``request.POST``."""
    reads = re.compile(r'request\.(?:GET|POST)(?:\.get|\.getlist)?\(([^)]*)\)|("\w+") in request\.')
    names = set()
    for config in _project_apps():
        for path in Path(config.path).rglob("*.py"):
            for match in reads.finditer(path.read_text(encoding="utf-8")):
                names |= set(re.findall(r'"([a-z_]+)"', match[1] or match[2]))
    return names


def _project_apps():
    return [
        config
        for config in apps.get_app_configs()
        if config.path.startswith(str(settings.BASE_DIR)) and ".venv" not in config.path
    ]


def _form_parameter_names() -> set[str]:
    """The fields of every form and filter of the portal."""
    import django_filters
    from django import forms

    names = set()
    for config in _project_apps():
        for info in pkgutil.iter_modules([config.path]):
            if not any(word in info.name for word in ("forms", "filters")):
                continue
            module = importlib.import_module(f"{config.name}.{info.name}")
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and hasattr(cls, "base_fields"):
                    names |= set(cls.base_fields)
                elif issubclass(cls, django_filters.FilterSet):
                    names |= set(cls.base_filters)
    return names


def parameter_names() -> set[str]:
    return {"page", "q"} | _source_parameter_names() | _form_parameter_names()


def test_the_walk_knows_the_parameters_of_the_issue():
    """The names the outside probe attacked are among the walked ones."""
    assert {"page", "place", "item", "remove", "result", "activity", "title"} <= (parameter_names())


# Representative roles for the query and form walks (every role for the paths): somebody
# outside, a guest of the live workshop, and the administrator, who reaches every view.
FORM_ROLES = ["anonymous", "guest", "admin"]


def _walk_values(client, personas, objects, role, method):  # noqa: F811
    _become(client, personas, role)
    names = sorted(parameter_names())
    failures = []
    for name, (key, table_method, _expected) in TABLE.items():
        if name in NOT_WALKED or (method == "get" and table_method != "get"):
            continue
        from django.urls import reverse

        url = reverse(name, kwargs=objects[key] if key else None)
        for label, value in FORM_VALUES.items():
            response = getattr(client, method)(url, dict.fromkeys(names, value))
            nul = "\x00" in value
            if response.status_code >= 500 or (nul and response.status_code != 400):
                failures.append((name, label, response.status_code))
        if role != "anonymous" and not _still_logged_in(client):
            _become(client, personas, role)
    assert not failures, "\n".join(map(str, failures))


def _still_logged_in(client) -> bool:
    return bool(client.session.get("_auth_user_id") or client.session.get("live_guest"))


@pytest.mark.parametrize("role", FORM_ROLES)
def test_hostile_query_parameters(personas, objects, role):  # noqa: F811
    _walk_values(Client(raise_request_exception=False), personas, objects, role, "get")


@pytest.mark.parametrize("role", FORM_ROLES)
def test_hostile_form_values(personas, objects, role):  # noqa: F811
    _walk_values(Client(raise_request_exception=False), personas, objects, role, "post")

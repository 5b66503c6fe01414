"""Deny by default (ASVS 8.1.1): every named route is either public on purpose or in the access matrix,
and nothing that is not public answers an anonymous visitor with anything but the way to log in.

The Django admin's own routes are covered by the `admin:` prefix: the admin site checks staff login on
every view itself (`AdminSite.admin_view`), and the walk below still asks each of them anonymously.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from tests.test_access_matrix import COVERED
from tqr.urls import PUBLIC_URL_NAMES

# The admin's own login and logout pages are how one gets in and out; they are public by nature.
ADMIN_OWN_DOORS = {"admin:login", "admin:logout"}
# Ninja's root exists only so it can build paths; it answers 404 to everyone (see the matrix).
ALWAYS_404 = {"api:api-root"}
# Values for named groups of regex routes (the admin's app index).
REGEX_KWARGS = {"app_label": "accounts"}


def named_routes(resolver=None, namespace=""):
    """(full name, pattern) for every named URL pattern, descending into included URLconfs."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from named_routes(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), p


ROUTES = sorted({name: p for name, p in named_routes()}.items())


def test_the_walk_finds_the_admin_and_the_api_routes():
    names = {name for name, _ in ROUTES}
    assert {"home", "round_detail", "api:me", "api:token_revoke", "admin:index", "admin:accounts_user_changelist"} <= names


def test_it_has_no_route_that_is_neither_public_nor_in_the_matrix():
    unaccounted = sorted(
        name for name, _ in ROUTES
        if name not in PUBLIC_URL_NAMES and name not in COVERED and not name.startswith("admin:")
    )
    assert unaccounted == [], f"add these routes to tests/test_access_matrix.py or to PUBLIC_URL_NAMES: {unaccounted}"


def test_every_public_name_is_a_real_route():
    assert PUBLIC_URL_NAMES <= {name for name, _ in ROUTES}


def _kwargs_for(pattern: URLPattern) -> dict:
    """Fill every argument: 1 for each converter-typed parameter, a known value for regex groups."""
    if isinstance(pattern.pattern, RoutePattern):
        samples = {"IntConverter": 1, "UUIDConverter": "00000000-0000-4000-8000-000000000001"}
        return {key: samples.get(type(conv).__name__, "1") for key, conv in pattern.pattern.converters.items()}
    return {key: REGEX_KWARGS[key] for key in pattern.pattern.regex.groupindex}


NON_PUBLIC = [(name, p) for name, p in ROUTES if name not in PUBLIC_URL_NAMES | ADMIN_OWN_DOORS]


@pytest.mark.parametrize(("name", "pattern"), NON_PUBLIC, ids=[name for name, _ in NON_PUBLIC])
def test_it_sends_an_anonymous_visitor_to_the_login(db, name, pattern):
    client = Client()
    path = reverse(name, kwargs=_kwargs_for(pattern))
    response = client.get(path)
    if response.status_code == 405:  # a POST-only route (logout, revoke): ask the way it is meant
        response = client.post(path, data=json.dumps({}), content_type="application/json")
    if response.status_code == 405:  # a PUT-only API route
        response = client.put(path, data=json.dumps({}), content_type="application/json")

    if name in ALWAYS_404:
        assert response.status_code == 404
    elif name.startswith("api:"):
        assert response.status_code == 401, path
    elif name.startswith("admin:"):
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("admin:login")), response["Location"]
    else:
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("login")), response["Location"]


def test_it_redirects_an_anonymous_visitor_of_the_admin_index_to_the_admin_login(db):
    response = Client().get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={reverse('admin:index')}"


PUBLIC = [(name, p) for name, p in ROUTES if name in PUBLIC_URL_NAMES]


@pytest.mark.parametrize(("name", "pattern"), PUBLIC, ids=[name for name, _ in PUBLIC])
def test_it_serves_public_routes_to_anyone(db, name, pattern):
    # Reachable without login: never the login page, 401 or 403 (an unknown slug is a plain 404,
    # a POST-only route a 405).
    response = Client().get(reverse(name, kwargs=_kwargs_for(pattern)))
    assert response.status_code in (200, 404, 405, 410), response.status_code
    assert not (response.status_code == 302 and response["Location"].startswith(reverse("login")))

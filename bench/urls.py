"""The product's URLs plus the floor: a trivial view behind the same middleware stack."""

from django.http import HttpResponse
from django.urls import include, path

from tqr.urls import handler403, handler404, handler500  # noqa: F401 - the same error pages


def floor(request):
    """Does nothing but answer: what the server, WSGI and the middleware stack cost on their own."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("__bench__/floor", floor, name="bench_floor"),
    path("", include("tqr.urls")),
]

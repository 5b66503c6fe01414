"""The language switch (界面语言) on every page: Django's set_language, POST only, back to the same page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

SWITCH = re.compile(r'<form class="langswitch" method="post" action="/i18n/setlang/"')


@pytest.fixture(autouse=True)
def _back_to_chinese():
    yield
    translation.activate("zh-hans")


def _lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def test_the_login_page_has_the_switch_with_chinese_marked_current(db):
    response = Client().get(reverse("login"))
    html = response.content.decode()
    assert SWITCH.search(html)
    assert _lang(response) == "zh-hans"
    assert '<input type="hidden" name="next" value="/login/">' in html
    assert 'value="zh-hans" lang="zh-hans" aria-current="true"' in html
    assert 'value="en" lang="en">English</button>' in html
    assert 'aria-labelledby="langswitch-label"' in html


def test_switching_to_english_and_back_returns_to_the_same_page(db):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    token = client.cookies["csrftoken"].value

    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/login/"
    english = client.get("/login/")
    assert _lang(english) == "en"
    assert 'value="en" lang="en" aria-current="true"' in english.content.decode()

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/login/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert _lang(client.get("/login/")) == "zh-hans"
    assert page.status_code == 200


def test_english_strings_show_once_translated(db, settings):
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    with translation.override("en"):
        expected = translation.gettext("登录")
    assert f"<title>{expected} · TQR</title>" in client.get("/login/").content.decode()


def test_it_refuses_a_get_and_a_foreign_next(db):
    client = Client()
    assert client.get(reverse("set_language")).status_code == 405
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_public_notice_pages_and_the_error_pages_have_the_switch(db, world, client_for):
    assert SWITCH.search(Client().get("/notices/no-such-notice/").content.decode())
    assert SWITCH.search(Client().get("/no-such-page/").content.decode())


def test_the_500_page_has_the_switch_without_touching_the_database(rf):
    from tqr.core.views import server_error

    response = server_error(rf.get("/somewhere/?a=1"))
    html = response.content.decode()
    assert response.status_code == 500
    assert SWITCH.search(html)
    assert 'name="next" value="/somewhere/?a=1"' in html


def test_a_logged_in_page_has_the_switch(db, world, client_for):
    html = client_for("t_a1").get(reverse("home"), follow=True).content.decode()
    assert SWITCH.search(html)


def test_the_browser_language_alone_does_not_switch_to_english(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get(reverse("login"))
    assert _lang(response) == "zh-hans"
    assert response["Content-Language"] == "zh-hans"


def test_an_unknown_language_in_the_cookie_falls_back_to_chinese(db):
    client = Client()
    client.cookies["django_language"] = "fr"
    assert _lang(client.get(reverse("login"))) == "zh-hans"

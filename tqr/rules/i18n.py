"""Marking the rules' texts for translation, without Django (docs/i18n.md).

The rules speak Chinese: ``gettext_noop`` returns its argument unchanged, and exists so that ``make messages``
(xgettext looks for calls named ``gettext_noop``) puts every label and message template into the catalogue.

A message with values is a ``Text``: a template with named placeholders and its params. ``Text.render()``
gives the Chinese message (byte for byte what the rules always said); the display edge
(``tqr.core.rules_text``) renders the same ``Text`` with Django's ``gettext`` and a date format, so that a
reader who chose English reads it in English. A param is rendered by its type:

- ``str``: a label or a fixed text, translated (a value that is not a msgid, e.g. digits, comes back as is);
- ``date``: written with the date format (Chinese: ``2023年11月6日``);
- ``Text``: rendered the same way, recursively;
- ``Join``: its items rendered and joined with its (translated) separator, ``、`` by default;
- anything else (``int``): ``str()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["Join", "Text", "gettext_noop", "render", "zh_day"]


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the catalogue; return it unchanged (the rules never translate themselves)."""
    return message


def _same(message: str) -> str:
    return message


def zh_day(day: date) -> str:
    """2023年11月6日: the Chinese date of the rules' messages."""
    return f"{day.year}年{day.month}月{day.day}日"  # i18n: data (the Chinese date; the display edge formats dates itself)


# Separators of listed values: "2018、2019" in Chinese, "2018, 2019" in English.
LIST_SEPARATOR = gettext_noop("、")
CLAUSE_SEPARATOR = gettext_noop("；")


@dataclass(frozen=True)
class Join:
    """A list of values shown as one: ``Join([2018, 2019])`` renders "2018、2019"."""

    items: Sequence[Any]
    separator: str = LIST_SEPARATOR


@dataclass(frozen=True)
class Text:
    """A message template (a msgid with ``%(name)s`` placeholders) and the values that fill it."""

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = _same, day: Callable[[date], str] = zh_day) -> str:
        return render(self.template, self.params, translate, day)

    def __str__(self) -> str:
        return self.render()


def _value(value: Any, translate: Callable[[str], str], day: Callable[[date], str]) -> Any:
    if isinstance(value, str):
        return translate(value) if value else value
    if isinstance(value, Text):
        return value.render(translate, day)
    if isinstance(value, Join):
        return translate(value.separator).join(str(_value(item, translate, day)) for item in value.items)
    if isinstance(value, date):
        return day(value)
    return value


def render(
    template: str,
    params: Mapping[str, Any] | None = None,
    translate: Callable[[str], str] = _same,
    day: Callable[[date], str] = zh_day,
) -> str:
    """``translate(template) % params``, each param rendered by its type (see the module's docstring).

    A template without params is returned translated as it is (no ``%`` formatting, so a literal ``%`` is safe).
    """
    text = translate(template)
    if not params:
        return text
    return text % {key: _value(value, translate, day) for key, value in params.items()}

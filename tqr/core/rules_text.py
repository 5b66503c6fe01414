"""The rules' texts in the reader's language: the display edge of ``tqr.rules`` (docs/i18n.md).

``tqr.rules`` is Django-free and speaks Chinese. Its labels are msgids marked with ``gettext_noop``; its messages
with values carry a ``Text`` (template + params, ``tqr.rules.i18n``): ``Issue``, ``Refusal``, ``PhaseStatus`` and
``UnknownCalendarYear`` have ``.text``, a reason is rebuilt from its code and evidence (``reason_text``), also
when it comes back from the database as a dict (``Reason.as_dict``). In Chinese a message is shown exactly as the
rules wrote it; in another language its template and its label params are translated and dates follow the
catalogue's date format.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language, gettext

from tqr.rules.codes import REASONS
from tqr.rules.engine import reason_text
from tqr.rules.i18n import Text

__all__ = ["label", "rule_text", "text_of"]


def label(text: str | None) -> str:
    """A rules label (PHASE_LABELS, STATE_LABELS, …) in the active language; "" and None stay empty."""
    return gettext(text) if text else (text or "")


def _default_language() -> bool:
    active = (get_language() or settings.LANGUAGE_CODE).lower()
    return active == settings.LANGUAGE_CODE.lower()


def text_of(obj: Any) -> Text | None:
    """The ``Text`` behind a rules message: a Text, anything with ``.text``, a reason or issue dict, a string."""
    if obj is None:
        return None
    if isinstance(obj, Text):
        return obj
    if isinstance(obj, str):
        return Text(obj)
    if isinstance(obj, dict):
        code, evidence = obj.get("code"), obj.get("evidence")
        if code in REASONS and isinstance(evidence, dict):
            try:
                return reason_text(code, evidence)
            except (KeyError, TypeError, IndexError):
                pass  # evidence of another shape (an older engine): its message as written
        return Text(obj.get("message") or "")
    text = getattr(obj, "text", None)
    if isinstance(text, Text):
        return text
    message = getattr(obj, "message", None)
    return Text(message) if isinstance(message, str) else Text(str(obj))


def _day(day: date) -> str:
    return formats.date_format(day, gettext("Y年n月j日"))


def rule_text(obj: Any) -> str:
    """What a rules message says in the active language.

    In the default language (Chinese) the message exactly as the rules wrote it (a stored reason's ``message``,
    an issue's or refusal's ``message``, a phase status's ``label``); otherwise its template translated and
    filled with its params, labels among them translated too.
    """
    if obj is None:
        return ""
    if _default_language():
        if isinstance(obj, dict) and isinstance(obj.get("message"), str):
            return obj["message"]
        message = getattr(obj, "message", None)
        if isinstance(message, str):
            return message
        text = text_of(obj)
        return text.render() if text is not None else ""
    text = text_of(obj)
    if text is None:
        return ""
    try:
        return text.render(gettext, _day)
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder must not break the page: the Chinese message instead.
        return text.render()

"""``{% load rules_text %}``: the rules' labels and messages in the reader's language (tqr.core.rules_text).

``{{ reason|rule_text }}`` for a reason (object or stored dict), an issue, a refusal, a phase status;
``{{ label|tr }}`` for a rules label (phase, state, kind, outcome, material …).
"""

from django import template

from tqr.core.rules_text import label, rule_text

register = template.Library()

register.filter("rule_text", rule_text)
register.filter("tr", label)

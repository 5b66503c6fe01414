"""Bench-only settings: the product's settings, plus a URL conf that adds the floor view.

Selected with DJANGO_SETTINGS_MODULE=bench.settings by bench/run.py only; the product's routes are unchanged.
"""

from tqr.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

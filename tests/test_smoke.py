import pytest
from django.utils import timezone

from tests.factories import windows_around
from tqr.rules.phases import Phase, Window, phase_status


@pytest.mark.parametrize("phase", list(Phase))
def test_windows_around_puts_today_in_the_phase(phase):
    day = timezone.localdate()
    windows = [Window(s.phase, s.start, s.end) for s in windows_around(day, phase)]
    assert phase in phase_status(windows, day).open_phases

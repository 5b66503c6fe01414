"""The round's current phase, derived from its windows, at and around every boundary (2023 seed dates)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tqr.rules.phases import PHASE_ORDER, Phase, Window, check_order, is_open, phase_status

P = Phase
SEED_2023 = [
    Window(P.TRAINING, date(2023, 11, 6), date(2023, 11, 6)),
    Window(P.APPLICATION, date(2023, 11, 6), date(2023, 11, 16)),
    Window(P.CONFIRMATION, date(2023, 11, 17), date(2023, 11, 20)),
    Window(P.INITIAL_REVIEW, date(2023, 11, 21), date(2023, 11, 24)),
    Window(P.NOTICE, date(2023, 11, 27), date(2023, 12, 1)),
    Window(P.SECONDARY_REVIEW, date(2023, 12, 4), date(2023, 12, 6)),
    Window(P.FINAL_REVIEW, date(2023, 12, 7), date(2023, 12, 8)),
    Window(P.RECORDING, date(2023, 12, 11), None),
    Window(P.ARCHIVING, date(2023, 12, 18), None),
]


@pytest.mark.parametrize(("day", "current", "label"), [
    (date(2023, 11, 5), None, "尚未开始"),
    (date(2023, 11, 6), P.APPLICATION, "网上报名"),   # training and the application open on the same day
    (date(2023, 11, 16), P.APPLICATION, "网上报名"),  # the last day of the window still counts
    (date(2023, 11, 17), P.CONFIRMATION, "现场确认"),
    (date(2023, 11, 20), P.CONFIRMATION, "现场确认"),
    (date(2023, 11, 21), P.INITIAL_REVIEW, "初审"),
    (date(2023, 11, 25), None, "初审已结束，等待公示"),  # the weekend between two windows
    (date(2023, 11, 27), P.NOTICE, "公示"),
    (date(2023, 12, 1), P.NOTICE, "公示"),
    (date(2023, 12, 2), None, "公示已结束，等待复审（随机抽查）"),
    (date(2023, 12, 8), P.FINAL_REVIEW, "终审"),
    (date(2023, 12, 11), P.RECORDING, "登记注册结论"),
    (date(2023, 12, 18), P.ARCHIVING, "资料归档"),  # recording stays open; archiving is the later phase
    (date(2025, 1, 1), P.ARCHIVING, "资料归档"),
])
def test_the_current_phase_at_each_boundary(day, current, label):
    status = phase_status(SEED_2023, day)
    assert status.current == current
    assert status.label == label


def test_both_phases_of_a_shared_day_are_open():
    status = phase_status(SEED_2023, date(2023, 11, 6))
    assert status.open_phases == (P.TRAINING, P.APPLICATION)
    assert is_open(SEED_2023, P.TRAINING, date(2023, 11, 6))
    assert not is_open(SEED_2023, P.TRAINING, date(2023, 11, 7))


def test_the_upcoming_phase_is_the_next_to_start():
    assert phase_status(SEED_2023, date(2023, 11, 5)).upcoming == P.TRAINING
    assert phase_status(SEED_2023, date(2023, 11, 20)).upcoming == P.INITIAL_REVIEW
    assert phase_status(SEED_2023, date(2023, 12, 18)).upcoming is None


def test_a_round_without_windows_has_not_started():
    status = phase_status([], date(2023, 11, 6))
    assert status.before_start and status.current is None


def test_a_window_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="ends"):
        Window(P.NOTICE, date(2023, 12, 1), date(2023, 11, 27))


def test_check_order_names_a_phase_that_starts_before_the_previous_one():
    shuffled = [*SEED_2023[:4], Window(P.NOTICE, date(2023, 11, 20), date(2023, 11, 30))]
    assert check_order(SEED_2023) == []
    [problem] = check_order(shuffled)
    assert "公示" in problem and "初审" in problem


@given(st.dates(min_value=date(2023, 10, 1), max_value=date(2024, 3, 1)))
def test_the_current_phase_is_always_one_of_the_open_ones(day):
    status = phase_status(SEED_2023, day)
    if status.current is None:
        assert status.open_phases == ()
    else:
        assert status.current == status.open_phases[-1]
        assert all(w.contains(day) for w in SEED_2023 if w.phase in status.open_phases)
    assert not (status.before_start and status.finished)


@given(st.dates(min_value=date(2023, 11, 6), max_value=date(2024, 3, 1)), st.integers(1, 30))
def test_time_only_moves_the_phase_forward(day, days):
    later = phase_status(SEED_2023, day + timedelta(days=days)).current
    now = phase_status(SEED_2023, day).current
    if now is not None and later is not None:
        assert PHASE_ORDER.index(later) >= PHASE_ORDER.index(now)

"""Pure rules of TQR (教师资格定期注册): identifiers, eligibility and conclusions, working days.

Nothing in this package imports Django or reads the clock: dates come in as arguments and every
function returns plain values with the reasons behind them. ``tests/rules/test_purity.py`` keeps it so.
"""

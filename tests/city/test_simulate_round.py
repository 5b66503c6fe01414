import json

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_a_simulated_round_goes_through_every_phase_and_the_statistics_agree(capsys):
    call_command("simulate_round", "--teachers", "150", "--seed", "1", "--json")
    out = json.loads(capsys.readouterr().out)
    assert set(out["states"]) <= {"final", "abandoned"} and out["states"]["final"] > 0
    assert sum(out["conclusions"].values()) == out["states"]["final"]
    assert out["notice"]["entries"] == out["states"]["final"] and out["notice"]["workdays"] == 5
    assert out["sample"]["drawn"] >= 1 and out["sample"]["discrepancies"] == 1
    # The district's statistics (附件3) count what the applications say.
    from tqr.applications.statistics import total_statistics, unit_statistics
    from tqr.campaigns.models import Round
    from tqr.campaigns.selectors import units_for_administrators

    round_ = Round.objects.filter(district__code="500114").order_by("-year").first()
    units = [u for u, _ in units_for_administrators(round_)]
    total = total_statistics(list(unit_statistics(round_, units).values()))
    assert total["confirmed"] == out["states"]["final"]
    assert {k: v for k, v in total["by_conclusion"].items() if v} == out["conclusions"]


def test_fifty_thousand_teachers_are_spread_over_the_units_the_demo_district_has():
    from tqr.city.management.commands.simulate_round import units

    # load_demo refuses more than 163 units of 黔江区; the bench's 50,000 teachers asked for 1,428.
    assert units(50_000) == 160 and units(5_000) == 142 and units(100) == 15

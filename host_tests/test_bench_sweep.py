"""tools/bench/sweep.py: one config value changed on bench runs, bad input named."""

import pytest

from tools.bench import sweep


def test_a_value_the_firmware_refuses_is_named_before_anything_runs(capsys):
    assert sweep.main(["aux_pause_dK=5,99", "winter-humid"]) == 2
    err = capsys.readouterr().err
    assert "aux_pause_dK=99" in err and "3..50" in err


@pytest.mark.parametrize(
    "spec, words",
    [("aux_pause_dK", "key=value"), ("aux_pause_dK=a", "integers"), ("nokey=3", "nokey")],
)
def test_a_malformed_spec_says_what_is_wrong(spec, words):
    with pytest.raises(ValueError, match=words):
        sweep.parse_values(spec)


def test_an_unknown_run_lists_the_runs(capsys):
    assert sweep.main(["aux_pause_dK=7", "nosuch"]) == 2
    assert "no run 'nosuch'" in capsys.readouterr().err


def test_each_value_changes_the_firmware_run():
    # The room starts 2 C below the setpoint: the power-up rule runs aux heat in the
    # restart wait at aux_droop_dK 1 C, not at 3 C.
    out = sweep.sweep("aux_droop_dK", [10, 30], ["B winter-humid"], hours=0.1, procs=1)
    assert set(out) == {("B winter-humid", "10"), ("B winter-humid", "30")}
    assert out[("B winter-humid", "10")]["aux_kwh"] > out[("B winter-humid", "30")]["aux_kwh"]

"""The installer's thermistor fit: a datasheet's R-T table in, the board file's "sh",
the fit's and the whole chain's error per sensor and the divider to use out."""

import json
import math
import os
import re
import subprocess
import sys

import pytest
from heatpump.board import load_board

from tools.install import thermistor as fit_tool

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MURATA = os.path.join(REPO, "host_tests", "data", "murata_ncp15xh103.csv")


def run_tool(*args):
    return subprocess.run(
        [sys.executable, "-m", "tools.install.thermistor", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


def beta_table(tmp_path, r25, beta, name="part.csv"):
    path = tmp_path / name
    rows = ["celsius,ohm"] + [
        f"{c},{r25 * math.exp(beta * (1 / (c + 273.15) - 1 / 298.15)):.2f}"
        for c in range(-40, 130, 5)
    ]
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def sensor_lines(out):
    return {m.group(1): m.group(0) for m in re.finditer(r"^  (\w+) .*$", out, re.M)}


def test_murata_table_gives_coefficients_a_board_accepts_and_the_stock_dividers(tmp_path):
    done = run_tool("fit", MURATA)
    assert done.returncode == 0, done.stderr
    sh = json.loads(re.search(r'"sh": (\[.*\])', done.stdout).group(1))
    lines = sensor_lines(done.stdout)
    for sensor in ("room", "indoor_coil", "outdoor", "outdoor_coil"):
        fit_err = float(re.search(r"fit ([+-]\d+\.\d+) C", lines[sensor]).group(1))
        chain = float(re.search(r"chain ([+-]\d+\.\d+) C", lines[sensor]).group(1))
        assert abs(fit_err) <= 0.15 and abs(chain) < 0.5, lines[sensor]
    assert "divider 33000 ohm" in lines["outdoor"]  # what the stock board fits there
    with open(os.path.join(REPO, "boards", "esp32-devkitc.json")) as f:
        board = json.load(f)
    board["thermistors"]["outdoor"] = {
        "pin": 34,
        "sh": sh,
        "divider_ohm": 33000,
        "topology": "ntc_low",
    }
    path = tmp_path / "fitted.json"
    path.write_text(json.dumps(board))
    assert load_board(str(path)).thermistors["outdoor"]["sh"] == sh


def test_a_beta_parts_table_is_fitted_to_its_own_curve(tmp_path):
    rows = fit_tool.read_table(beta_table(tmp_path, 10000, 3950))
    a, b, c = fit_tool.fit(rows)
    assert c >= 0 and b == pytest.approx(1 / 3950, rel=1e-3)
    assert abs(fit_tool.fit_error(rows, [a, b, c], -25, 65)) < 0.01


def test_a_part_no_divider_can_read_is_said_and_exits_1(tmp_path):
    done = run_tool("fit", beta_table(tmp_path, 200, 3950))  # 200 ohm at 25 C
    assert done.returncode == 1
    assert "indoor_coil" in done.stdout and "no E24 divider reads it" in done.stdout


@pytest.mark.parametrize(
    "text, says",
    [
        ("celsius,ohm\n0,100\n10,200\n20,150\n30,90\n", "falls as it warms"),
        ("0,30000\n10,20000\n25,10000\n", "at least 4 temperatures"),
        ("0,30000\n10,20000\nhot,10000\n30,8000\n", "part.csv:3: not 'celsius, ohm'"),
        ("0,30000\n10,-5\n25,10000\n30,8000\n", "-5.0 ohm at 10.0 C is not a resistance"),
        ("0,1\n10,0.9\n25,0.8\n30,0.7\n", "the fit is not an NTC's curve"),
    ],
)
def test_a_bad_table_is_refused_naming_the_line_or_rule(tmp_path, text, says):
    path = tmp_path / "part.csv"
    path.write_text(text)
    done = run_tool("fit", str(path))
    assert done.returncode == 2
    assert says in done.stderr and "Traceback" not in done.stderr


def test_a_missing_file_is_said_plainly(tmp_path):
    done = run_tool("fit", str(tmp_path / "none.csv"))
    assert done.returncode == 2 and "No such file" in done.stderr


SHIPPED = {
    "epcos-b57330v2103": "epcos_b57330v2103.csv",
    "epcos-b57891s0103": "epcos_b57891s0103.csv",
}


@pytest.mark.parametrize("part", sorted(SHIPPED))
def test_each_shipped_parts_table_fits_within_a_tenth_and_is_the_named_part(part):
    from heatpump import thermistor

    rows = fit_tool.read_table(os.path.join(REPO, "tools", "data", "thermistors", SHIPPED[part]))
    sh = fit_tool.fit([(c, r) for c, r in rows if -35 <= c <= 75])
    assert abs(fit_tool.fit_error(rows, sh, -30, 70)) < 0.1
    assert list(thermistor.PARTS[part]["sh"]) == pytest.approx(sh, rel=1e-6)


def _board_with_outdoor(tmp_path, part, divider):
    with open(os.path.join(REPO, "boards", "esp32-devkitc.json")) as f:
        board = json.load(f)
    board["thermistors"]["outdoor"] = {
        "pin": 34,
        "part": part,
        "divider_ohm": divider,
        "topology": "ntc_low",
    }
    path = tmp_path / f"{part}.json"
    path.write_text(json.dumps(board))
    return str(path)


def test_board_check_given_the_parts_table_reports_the_real_error(tmp_path):
    table = "outdoor=" + os.path.join(
        REPO, "tools", "data", "thermistors", SHIPPED["epcos-b57891s0103"]
    )
    check = [sys.executable, "-m", "tools.install.board_check"]
    # The board file names the Murata part, the unit has the EPCOS one: 7 C off at -25 C.
    wrong = _board_with_outdoor(tmp_path, "murata-ncp15xh103", 33000)
    done = subprocess.run([*check, wrong], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, "against its own model the board looks right"
    done = subprocess.run(
        [*check, wrong, "--table", table], capture_output=True, text=True, cwd=REPO
    )
    assert done.returncode == 2
    worst = float(re.search(r"heating lockout .*worst ([+-]\d+\.\d+) C", done.stdout).group(1))
    assert worst <= -5
    assert "<-- outdoor: " in done.stdout and "is over 0.5 C" in done.stdout
    right = _board_with_outdoor(tmp_path, "epcos-b57891s0103", 47000)
    done = subprocess.run(
        [*check, right, "--table", table], capture_output=True, text=True, cwd=REPO
    )
    assert done.returncode == 0, done.stdout
    assert "against the part's table" in done.stdout and "<--" not in done.stdout

"""The bench runner's pure parts on fixed input: wrk's report, ratios and targets, the Markdown table.
Nothing here times anything."""

import json

import pytest

from bench.report import Target, figure, markdown_table, median_ratio, summary
from bench.wrk import lua_requests, lua_script, parse_wrk

WRK_OUTPUT = """\
Running 8s test @ http://127.0.0.1:18010/
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    10.16ms    2.79ms  46.66ms   90.03%
    Req/Sec     1.58k   160.44     1.87k    79.00%
  Latency Distribution
     50%  950.00us
     75%   10.52ms
     90%   12.14ms
     99%    1.20s
  15768 requests in 8.00s, 2.53MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec:   1971.00
Transfer/sec:    258.80KB
BENCH_BAD 7
"""


def test_it_parses_wrks_report():
    r = parse_wrk(WRK_OUTPUT)
    assert r.rps == 1971.0
    assert r.p50_ms == pytest.approx(0.95)
    assert r.p99_ms == 1200.0
    assert (r.requests, r.seconds) == (15768, 8.0)
    assert (r.non_2xx_3xx, r.socket_errors, r.bad) == (5, 3, 7)
    assert r.errors == 10  # the script's judgement (which includes the non-2xx) plus socket errors


def test_a_report_without_errors_or_script_line_has_none():
    text = "\n".join(line for line in WRK_OUTPUT.splitlines()
                     if not line.startswith(("  Socket", "  Non-2xx", "BENCH_BAD")))
    assert parse_wrk(text).errors == 0


def test_the_ratio_is_the_median_of_the_per_run_ratios():
    assert median_ratio([100, 300, 200], [1000, 1000, 500]) == 0.3


def test_a_figure_has_exactly_the_asked_shape_and_judges_its_target():
    row = figure("pg.http.teacher_status.rps", 250.0, "req/s", floor=1000.0, target=Target("ratio", ">=", 0.2))
    assert list(row) == ["name", "value", "unit", "floor", "ratio", "target", "ok"]
    assert (row["ratio"], row["target"], row["ok"]) == (0.25, "ratio ≥ 0.2", True)
    assert figure("p99", 251.0, "ms", target=Target("value", "<", 250, "ms"))["ok"] is False
    assert figure("info", 3.0, "s")["ok"] is None
    assert figure("not measured", None, "s", target=Target("value", "<", 600, "s"))["ok"] is False
    json.dumps(row)


def test_the_markdown_table_has_a_row_per_figure_and_marks_failures():
    rows = [figure("a", 1.5, "s", floor=1.0, target=Target("ratio", "<=", 1.5)),
            figure("b", 400.0, "ms", target=Target("value", "<", 300, "ms")),
            figure("c", None, "s")]
    table = markdown_table(rows)
    lines = table.strip().splitlines()
    assert lines[0].startswith("| Figure |") and len(lines) == 2 + 3
    assert "| a | 1.5 | s | 1 | 1.5 | ratio ≤ 1.5 | ✅ |" in table
    assert "| b | 400.0 | ms | — | — | < 300 ms | ❌ |" in table
    assert "| c | — | s | — | — | — | — |" in table
    assert summary(rows) == {"figures": 3, "with_target": 2, "holding": 1, "failing": ["b"]}


def test_the_lua_request_list_escapes_what_it_must():
    text = lua_requests([("POST", "/a/", {"Cookie": 'x="1"'}, "a=1&b=\\", "post"), ("GET", "/b/", {}, None, "get")])
    assert '{"POST", "/a/", {["Cookie"] = "x=\\"1\\""}, "a=1&b=\\\\", "post"},' in text
    assert '{"GET", "/b/", {}, nil, "get"},' in text
    script = lua_script("/tmp/x.lua-data", expect="post", jitter_ip=True)
    assert 'dofile("/tmp/x.lua-data")' in script and 'expect = "post"' in script

# ruff: noqa: S603, S607 - the bench starts its own tools (wrk, nginx, gunicorn, manage.py) with fixed arguments
"""wrk on loopback: the Lua script that walks a list of prepared requests, and the parser of wrk's output.

Pure functions (no Django, no processes) except `run_wrk`, so tests/bench can check them on fixed text.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

# The list of requests is a Lua file returning {{method, path, headers, body, kind}, ...}; each connection's
# next request is the next entry (so each POST goes to another draft, each GET to another user).
# kind "get" expects 200, "post" expects a 302 that is not to the login page, "any" expects < 400.
LUA = r"""
local reqs = dofile("%(data)s")
local n = #reqs
local threads = {}
local jitter = %(jitter)s
local want_location = %(location)s

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  i = offset
  math.randomseed(os.time() * 100 + offset)
  bad = 0
  seen = 0
end

function request()
  i = i + 1
  local r = reqs[((i - 1) %% n) + 1]
  local headers = {}
  for k, v in pairs(r[3]) do headers[k] = v end
  if jitter then
    headers["X-Real-IP"] = string.format("10.%%d.%%d.%%d", math.floor(i / 65536) %% 256, math.floor(i / 256) %% 256,
                                         i %% 256)
  end
  local body = r[4]
  if body and string.find(body, "phone=", 1, true) then
    -- A new phone number on every wizard save: each one is a real edit, run after run.
    body = string.gsub(body, "phone=%%d+", string.format("phone=139%%08d", math.random(0, 99999999)))
  end
  return wrk.format(r[1], r[2], headers, body)
end

function response(status, headers, body)
  -- Responses on one connection come back in order, but connections interleave: judge by the status
  -- alone against what this script's requests may answer (see expect).
  local location = headers["Location"] or headers["location"] or ""
  seen = seen + 1
  local ok
  if expect == "get" then ok = status == 200
  elseif expect == "post" then
    ok = status == 302 and not string.find(location, "/login", 1, true)
    if ok and want_location then
      ok = string.sub(location, -string.len(want_location)) == want_location
    end
  else ok = status < 400 and not string.find(location, "/login", 1, true) end
  if not ok then bad = bad + 1 end
end

expect = "%(expect)s"

function done(summary, latency, requests)
  local total, answered = 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("bad")
    answered = answered + t:get("seen")
  end
  io.write(string.format("BENCH_BAD %%d\n", total))
  io.write(string.format("BENCH_SEEN %%d\n", answered))
end
"""


def lua_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def lua_requests(requests: list[tuple[str, str, dict, str | None, str]]) -> str:
    """The data file: `return { {method, path, {headers}, body|nil, kind}, ... }`."""
    lines = ["return {"]
    for method, path, headers, body, kind in requests:
        h = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
        b = lua_string(body) if body is not None else "nil"
        lines.append(f"  {{{lua_string(method)}, {lua_string(path)}, {{{h}}}, {b}, {lua_string(kind)}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def lua_script(data_path: str, *, expect: str, jitter_ip: bool = False, location: str | None = None) -> str:
    """`location`: a POST must redirect to a URL ending with it (the success page, not the form again)."""
    return LUA % {"data": data_path, "expect": expect, "jitter": "true" if jitter_ip else "false",
                  "location": lua_string(location) if location else "nil"}


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    seconds: float
    non_2xx_3xx: int = 0
    socket_errors: int = 0
    bad: int = 0  # responses the script judged wrong (see LUA)

    @property
    def errors(self) -> int:
        # A non-2xx/3xx response is also judged bad by the script: count it once.
        return max(self.bad, self.non_2xx_3xx) + self.socket_errors


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Read wrk's --latency report (and the script's BENCH_BAD line)."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    dist = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M))
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    requests, seconds = int(m.group(1)), _ms(m.group(2) + m.group(3)) / 1000.0
    non = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    bad = re.search(r"BENCH_BAD (\d+)", output)
    return WrkResult(
        rps=rps, p50_ms=_ms(dist["50"]), p99_ms=_ms(dist["99"]), requests=requests, seconds=seconds,
        non_2xx_3xx=int(non.group(1)) if non else 0,
        socket_errors=sum(int(g) for g in sock.groups()) if sock else 0,
        bad=int(bad.group(1)) if bad else 0,
    )


def run_wrk(url: str, script: Path, *, seconds: int, connections: int = 16, threads: int = 1,
            timeout_s: int = 5) -> tuple[WrkResult, str]:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_s}s", "--latency",
           "-s", str(script), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    text = out.stdout + out.stderr
    if out.returncode != 0 or "BENCH_SEEN" not in text or re.search(r"\.lua:\d+:", text):
        # wrk runs plain GET / when its script fails to load: never report that as the page.
        raise RuntimeError(f"wrk failed or its script did not run:\n{text}")
    return parse_wrk(text), text

"""Import time: ``python -c "import X"`` for each provider facade vs ``import httpx``.

Every import runs in a fresh subprocess of the current interpreter (``sys.executable``),
so the figure is what a user's script pays on start, interpreter start-up included. The
targets are interleaved round by round (one warm-up round first writes the ``.pyc``
files) and the median of the rounds is reported in ms and as a ratio to ``import httpx``
measured in the same run. One extra subprocess per target counts what the import left
in ``sys.modules``: ``specwire_gen`` modules (generated operations and models are meant to
load on first use) and whether the websockets stack was pulled in.

Note that httpx imports its CLI (click, rich, pygments) whenever those are installed, so
the dev venv is slower than a runtime-only one (``pip install specwire``) for every row.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

ROUNDS = 11
BASELINE = "httpx"
TARGETS = [
    BASELINE,
    "specwire.restless",
    "specwire.projectx",
    "specwire.therundown",
    "specwire.sequence",
]

_COUNT = (
    "import json, sys\n"
    "import {name}\n"
    "mods = list(sys.modules)\n"
    "print(json.dumps({{\n"
    "    'gen': sum(1 for m in mods if m == 'specwire_gen' or m.startswith('specwire_gen.')),\n"
    "    'gen_api': sum(1 for m in mods if m.startswith('specwire_gen.') and '.api.' in m),\n"
    "    'websockets': 'websockets' in sys.modules,\n"
    "    'total': len(mods),\n"
    "}}))\n"
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for var in ("PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE", "PYTHONVERBOSE"):
        env.pop(var, None)
    return env


def _time_import(name: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {name}"], env=env, check=True)
    return time.perf_counter() - started


def _loaded(name: str, env: dict[str, str]) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _COUNT.format(name=name)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    loaded: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return loaded


def main() -> None:
    env = _env()
    for name in ["pass", *TARGETS]:  # warm-up: fills __pycache__, fails early on a broken import
        subprocess.run(
            [sys.executable, "-c", "pass" if name == "pass" else f"import {name}"], env=env, check=True
        )
    samples: dict[str, list[float]] = {name: [] for name in ["(interpreter start)", *TARGETS]}
    for _ in range(ROUNDS):
        samples["(interpreter start)"].append(_time_import("sys", env))
        for name in TARGETS:
            samples[name].append(_time_import(name, env))
    medians = {name: statistics.median(times) * 1000 for name, times in samples.items()}
    base = medians[BASELINE]
    print(f"python {sys.version.split()[0]} at {sys.executable}; median of {ROUNDS} interleaved runs")
    print(
        f"{'import':<22} {'ms':>7} {'vs httpx':>9} {'specwire_gen':>13} {'gen .api.':>10} {'websockets':>11}"
    )
    for name, ms in medians.items():
        if name in TARGETS:
            loaded = _loaded(name, env)
            extra = (
                f"{loaded['gen']:>13} {loaded['gen_api']:>10} {'yes' if loaded['websockets'] else 'no':>11}"
            )
        else:
            extra = ""
        print(f"{name:<22} {ms:>7.1f} {ms / base:>8.2f}x {extra}")


if __name__ == "__main__":
    main()

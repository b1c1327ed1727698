"""Prove the built wheel works on its own: build it, install it into a throwaway venv,
import every generated client and every provider overlay from there.

``pip install -e .`` can hide packaging mistakes (a package missing from the wheel still
imports from the source tree); this check cannot.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from generator.build import ROOT, load_providers

OVERLAYS = ROOT / "overlays" / "specwire"


def main() -> int:
    providers = load_providers()
    modules = ["specwire", "specwire.core", "specwire.streaming"]
    for name in providers:
        modules += [f"specwire_gen.{name}", f"specwire_gen.{name}.client", f"specwire_gen.{name}.models"]
        if (OVERLAYS / name / "__init__.py").exists():
            modules.append(f"specwire.{name}")
    probe = (
        "import importlib, sys\n"
        f"mods = {modules!r}\n"
        "for m in mods:\n"
        "    mod = importlib.import_module(m)\n"
        "    assert 'site-packages' in (mod.__file__ or ''), (m, mod.__file__)\n"
        "print(f'imported {len(mods)} modules from the installed wheel')\n"
    )
    with tempfile.TemporaryDirectory(prefix="specwire-wheel-") as tmp:
        dist, venv = Path(tmp) / "dist", Path(tmp) / "venv"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "--wheel-dir",
                str(dist),
                str(ROOT),
            ],
            check=True,
        )
        wheel = next(dist.glob("specwire-*.whl"))
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True)
        subprocess.run([str(python), "-c", probe], check=True, cwd=tmp)
    print(f"wheel check passed: {wheel.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

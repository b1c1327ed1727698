"""``python -m generator [--check] [provider ...]``.

Without ``--check`` it regenerates the named providers (default: all in providers.yaml)
into ``generated/specwire_gen/``. With ``--check`` it regenerates everything into a
temporary folder and fails on any difference from what is committed, which is how CI
proves ``generated/`` was never edited by hand.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import sys
import tempfile
from pathlib import Path

from generator.build import (
    GENERATED,
    GenerationError,
    SpecError,
    generate_provider,
    load_providers,
    tool_versions,
)

IGNORED = {"__pycache__"}


def _tree(root: Path) -> dict[str, Path]:
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): p
        for p in sorted(root.rglob("*"))
        if p.is_file() and not IGNORED.intersection(p.relative_to(root).parts)
    }


def _diff(expected_root: Path, actual_root: Path) -> list[str]:
    problems: list[str] = []
    expected, actual = _tree(expected_root), _tree(actual_root)
    for rel in sorted(expected.keys() | actual.keys()):
        if rel not in actual:
            problems.append(f"missing from generated/: {rel}")
        elif rel not in expected:
            problems.append(f"not produced by the generator (stale or hand-added): {rel}")
        elif not filecmp.cmp(expected[rel], actual[rel], shallow=False):
            diff = difflib.unified_diff(
                actual[rel].read_text(encoding="utf-8").splitlines(),
                expected[rel].read_text(encoding="utf-8").splitlines(),
                f"generated/{rel}",
                f"fresh/{rel}",
                lineterm="",
                n=1,
            )
            problems.append(f"differs: {rel}\n" + "\n".join(list(diff)[:40]))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__.splitlines()[0])
    parser.add_argument("providers", nargs="*", help="providers to generate (default: all)")
    parser.add_argument(
        "--check", action="store_true", help="fail if generated/ differs from a fresh generation"
    )
    args = parser.parse_args(argv)
    try:
        providers = load_providers()
        unknown = [p for p in args.providers if p not in providers]
        if unknown:
            parser.error(f"unknown provider(s) {', '.join(unknown)}; known: {', '.join(providers)}")
        selected = args.providers or list(providers)
        if args.check:
            with tempfile.TemporaryDirectory(prefix="specwire-check-") as tmp:
                fresh = Path(tmp) / "specwire_gen"
                for name in providers:
                    generate_provider(name, providers[name], fresh)
                problems: list[str] = []
                for name in providers:
                    problems += _diff(fresh / name, GENERATED / name)
                stale = sorted(
                    p.name
                    for p in GENERATED.iterdir()
                    if p.is_dir() and p.name not in providers and p.name not in IGNORED
                )
                problems += [
                    f"generated/specwire_gen/{name}/ has no entry in generator/providers.yaml"
                    for name in stale
                ]
            if problems:
                print(
                    "generated/ differs from a fresh generation (run `make generate` and commit):",
                    file=sys.stderr,
                )
                print("\n".join(problems), file=sys.stderr)
                return 1
            print(f"generated/ is up to date ({len(providers)} providers; {tool_versions()})")
            return 0
        for name in selected:
            path = generate_provider(name, providers[name], GENERATED)
            print(f"generated {path.relative_to(GENERATED.parent.parent)}")
        return 0
    except (SpecError, GenerationError) as exc:
        print(f"generation stopped: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""Lazy loading (``specwire.core.lazy``): importing a provider stays cheap and the public API is unchanged.

``import specwire.<provider>`` must not import the generated operation modules
(``specwire_gen.<provider>.api.*``) or the websockets/SignalR stack; they load when a call
or a stream needs them. Every lazily bound name must still resolve, the ``TYPE_CHECKING``
imports mypy reads must list exactly the names the runtime table loads, and a broken entry
must fail with an ImportError naming the module.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from specwire.core.lazy import LazyGetattr, check_exports, lazy_exports

PROVIDERS = ["restless", "projectx", "therundown", "sequence"]

#: every module that builds its ``__getattr__`` with ``lazy_exports``
LAZY_MODULES = [
    "specwire.projectx",
    "specwire.projectx._gen",
    "specwire.projectx.models",
    "specwire.restless",
    "specwire.restless._gen",
    "specwire.restless.models",
    "specwire.sequence._gen",
    "specwire.sequence.models",
    "specwire.therundown",
    "specwire.therundown._gen",
    "specwire.therundown.models",
]

_PROBE = """
import json, sys
import specwire.{p} as pkg

def loaded():
    return sorted(sys.modules)

before = loaded()
public = {{name: type(getattr(pkg, name)).__name__ for name in pkg.__all__}}
print(json.dumps({{"before": before, "public": public}}))
"""


def _probe(provider: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(p=provider)], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("provider", PROVIDERS)
def test_importing_a_provider_loads_no_generated_operation_and_no_websocket_stack(provider: str) -> None:
    result = _probe(provider)
    before = result["before"]
    ops = [m for m in before if m.startswith(f"specwire_gen.{provider}.api.")]
    assert ops == [], f"import specwire.{provider} loaded generated operations: {ops[:5]}"
    stacks = [
        m
        for m in before
        if m == "websockets"
        or m.startswith("websockets.")
        or m.startswith(("specwire.streaming.websocket", "specwire.streaming.signalr"))
    ]
    assert stacks == [], f"import specwire.{provider} loaded the stream stack: {stacks[:5]}"
    # every public name still resolves (getattr on each name of __all__, in the same subprocess)
    assert result["public"], "empty __all__"


@pytest.mark.parametrize("name", LAZY_MODULES)
def test_type_checking_imports_match_the_runtime_table(name: str) -> None:
    module = importlib.import_module(name)
    getter = module.__dict__["__getattr__"]
    assert isinstance(getter, LazyGetattr)
    tree = ast.parse(Path(module.__file__ or "").read_text())
    seen: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom), ast.unparse(stmt)
                source = "." * stmt.level + (stmt.module or "")
                for alias in stmt.names:
                    seen[alias.asname or alias.name] = (source, alias.name)
    assert seen == getter.exports
    resolved = check_exports(module)  # imports every entry: a typo fails here, not in a user's call
    assert set(resolved) == set(getter.exports)
    assert set(getter.exports) <= set(dir(module))


def test_sequence_operation_builders_load_only_the_operation_they_send() -> None:
    code = (
        "import sys\n"
        "from specwire.sequence import _ops\n"
        "call = _ops.quote('BTC-USD', depth=5)\n"
        "print(call.request['url'])\n"
        "print('specwire_gen.sequence.api.quotes.get_quote' in sys.modules,"
        " 'specwire_gen.sequence.api.orders.submit_order' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["/v1/quotes/BTC-USD", "True", "False"]


def test_stream_classes_resolve_from_the_package_root() -> None:
    import specwire.projectx
    import specwire.sequence
    import specwire.therundown
    from specwire.therundown import MarketStream, StreamResync

    assert MarketStream.__module__ == "specwire.therundown.streams"
    assert specwire.therundown.StreamResync is StreamResync
    assert specwire.sequence.SequenceStream.__module__ == "specwire.sequence.streams"
    assert specwire.projectx.UserHubStream.__module__.startswith("specwire.projectx.streams")


# --------------------------------------------------------------------------- the helper itself


def _module(name: str = "fake_pkg.mod") -> types.ModuleType:
    module = types.ModuleType(name)
    module.__package__ = name.rpartition(".")[0]
    return module


def test_names_load_on_first_use_and_are_cached_in_the_module() -> None:
    module = _module()
    getattr_ = lazy_exports(
        module.__dict__,
        {"json": ("dumps", "loads as parse"), "email": ("utils",), "os.path": ("join",)},
    )
    module.__dict__["__getattr__"] = getattr_
    assert "dumps" not in module.__dict__
    assert module.dumps is json.dumps
    assert module.__dict__["dumps"] is json.dumps  # later accesses are plain attribute lookups
    assert module.parse is json.loads
    assert module.utils is importlib.import_module("email.utils")  # a submodule, as `from email import utils`
    assert {"dumps", "parse", "utils", "join"} <= set(dir(module))
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = module.nope
    assert not hasattr(module, "nope")


def test_a_missing_module_fails_with_an_import_error_naming_it() -> None:
    module = _module()
    module.__dict__["__getattr__"] = lazy_exports(module.__dict__, {"specwire_gen.nowhere.api": ("op",)})
    with pytest.raises(ModuleNotFoundError, match=r"No module named 'specwire_gen\.nowhere'") as info:
        _ = module.op
    assert info.value.name == "specwire_gen.nowhere"
    assert any(
        "fake_pkg.mod.op" in note and "specwire_gen.nowhere.api" in note for note in info.value.__notes__
    )
    with pytest.raises(ImportError):
        check_exports(module)


def test_a_missing_name_fails_with_an_import_error_naming_module_and_name() -> None:
    module = _module()
    module.__dict__["__getattr__"] = lazy_exports(module.__dict__, {"json": ("no_such_function",)})
    with pytest.raises(ImportError, match=r"cannot import name 'no_such_function' from 'json'") as info:
        _ = module.no_such_function
    assert info.value.name == "json"
    # hasattr() only swallows AttributeError: a broken lazy name is never silently "absent"
    with pytest.raises(ImportError):
        hasattr(module, "no_such_function")


def test_relative_sources_resolve_against_the_package() -> None:
    module = _module("specwire.core.fake")
    module.__dict__["__getattr__"] = lazy_exports(module.__dict__, {".errors": ("SpecwireError",)})
    from specwire.core.errors import SpecwireError

    assert module.SpecwireError is SpecwireError


def test_table_mistakes_are_rejected_when_the_module_loads() -> None:
    with pytest.raises(ValueError, match="exported twice"):
        lazy_exports(_module().__dict__, {"json": ("dumps",), "pickle": ("dumps",)})
    eager = _module()
    eager.dumps = json.dumps  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="already bound eagerly: dumps"):
        lazy_exports(eager.__dict__, {"json": ("dumps",)})
    with pytest.raises(TypeError, match="must be a tuple"):
        lazy_exports(_module().__dict__, {"json": "dumps"})
    with pytest.raises(TypeError, match="no lazy_exports"):
        check_exports(json)

"""Load names on first use (PEP 562), so ``import specwire.<provider>`` stays cheap.

A provider imports ~50-130 generated operation and model modules and the websockets
stack; most programs use a handful. :func:`lazy_exports` builds a module-level
``__getattr__`` that resolves a name from a table written like the import statements it
replaces, imports it on first access and caches it in the module's globals (so later
accesses are plain attribute lookups)::

    if TYPE_CHECKING:  # what type checkers and readers see
        from specwire_gen.acme.api.orders import get_order
        from .streams import AcmeStream

    if not TYPE_CHECKING:  # so mypy still reports a misspelt name instead of trusting __getattr__
        __getattr__ = lazy_exports(globals(), {
            "specwire_gen.acme.api.orders": ("get_order",),
            ".streams": ("AcmeStream",),  # relative to the module's package
        })

``"name as alias"`` binds under another name, as in ``from m import name as alias``.
A name may be a submodule (``from pkg import submodule``). A broken entry fails on first
use with an :class:`ImportError` naming the module (a missing module keeps its
``ModuleNotFoundError``, with a note saying which lazy name needed it), never silently.
:func:`check_exports` resolves every entry at once (tests use it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["LazyGetattr", "check_exports", "lazy_exports"]


class LazyGetattr:
    """The ``__getattr__`` of a module whose names load on first use; ``exports`` is name -> (module, attr)."""

    __slots__ = ("_globals", "_module", "_package", "exports")

    def __init__(self, module_globals: dict[str, Any], table: Mapping[str, Iterable[str]]) -> None:
        self._globals = module_globals
        self._module: str = module_globals["__name__"]
        package = module_globals.get("__package__")
        self._package: str = package if package is not None else self._module.rpartition(".")[0]
        self.exports: dict[str, tuple[str, str]] = {}
        for source, names in table.items():
            if isinstance(names, str):
                raise TypeError(f"{self._module}: names for {source!r} must be a tuple, not a string")
            for entry in names:
                attr, _, alias = (part.strip() for part in entry.partition(" as "))
                alias = alias or attr
                if alias in self.exports:
                    raise ValueError(f"{self._module}: {alias!r} is exported twice")
                self.exports[alias] = (source, attr)

    def __call__(self, name: str) -> Any:
        try:
            source, attr = self.exports[name]
        except KeyError:
            raise AttributeError(f"module {self._module!r} has no attribute {name!r}") from None
        value = self._resolve(name, source, attr)
        self._globals[name] = value
        return value

    def _resolve(self, name: str, source: str, attr: str) -> Any:
        package = self._package if source.startswith(".") else None
        try:
            module = importlib.import_module(source, package)
        except ImportError as exc:  # keep the type (ModuleNotFoundError stays one), say who asked
            exc.add_note(f"while loading {self._module}.{name} from {source!r} on first use")
            raise
        try:
            return getattr(module, attr)
        except AttributeError:
            pass
        try:  # ``from pkg import submodule``
            return importlib.import_module(f"{module.__name__}.{attr}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{module.__name__}.{attr}":
                raise
            raise ImportError(
                f"{self._module}.{name}: cannot import name {attr!r} from {module.__name__!r}",
                name=module.__name__,
            ) from None

    def names(self) -> list[str]:
        return sorted(self.exports)


def lazy_exports(module_globals: dict[str, Any], table: Mapping[str, Iterable[str]]) -> LazyGetattr:
    """A PEP 562 ``__getattr__`` loading ``table``'s names (``{"module": ("name", "name as alias")}``) on first use."""
    getter = LazyGetattr(module_globals, table)
    clash = sorted(set(getter.exports) & {k for k in module_globals if not k.startswith("__")})
    if clash:
        raise ValueError(f"{getter._module}: lazy names already bound eagerly: {', '.join(clash)}")
    module_globals.setdefault("__dir__", _dir_of(module_globals, getter))
    return getter


def _dir_of(module_globals: dict[str, Any], getter: LazyGetattr) -> Callable[[], list[str]]:
    def __dir__() -> list[str]:
        return sorted(set(module_globals) | set(getter.exports))

    return __dir__


def check_exports(module: Any) -> dict[str, Any]:
    """Resolve every lazy name of ``module`` now; returns name -> value (raises on the first broken one)."""
    getter = module.__dict__.get("__getattr__")
    if not isinstance(getter, LazyGetattr):
        raise TypeError(f"{module.__name__} has no lazy_exports() __getattr__")
    return {name: getattr(module, name) for name in getter.names()}

"""Code written for tsxapipy ports by changing the import: every name its README imports from
the package root exists at ``specwire.projectx``; the heavy parts load only when used."""

from __future__ import annotations

import subprocess
import sys


def test_every_name_the_seed_imports_from_the_package_root_exists() -> None:
    from specwire.projectx import (  # noqa: F401
        APIClient,
        APIError,
        APITimeoutError,
        AuthenticationError,
        ConfigurationError,
        DataStream,
        HistoricalDataUpdater,
        OrderPlacer,
        UserHubStream,
        authenticate,
    )
    from specwire.projectx.common import OrderSide, OrderType

    assert DataStream.__module__.startswith("specwire.projectx.streams")
    assert HistoricalDataUpdater.__module__.startswith("specwire.projectx.history")
    assert (OrderSide.BUY, OrderSide.SELL, OrderType.LIMIT) == (0, 1, 1)


def test_importing_the_package_does_not_load_pyarrow_or_the_realtime_stack() -> None:
    code = (
        "import sys, specwire.projectx\n"
        "print(any(m.startswith(('pyarrow', 'specwire.projectx.streams', 'specwire.projectx.history'))"
        " for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

"""Where each ProjectX firm's REST gateway and SignalR hubs live, in one table.

Every prop firm on ProjectX runs the same Gateway under its own host names
(``api.<firm>.projectx.com`` / ``rtc.<firm>.projectx.com``); TopstepX is the
exception with ``api.topstepx.com`` / ``rtc.topstepx.com`` and is the default.
The table follows reference §1.2; explicit URL overrides win over it, so an
unlisted firm or a private test host needs no code change.
"""

from __future__ import annotations

import attrs
import httpx

from specwire.core.errors import ConfigurationError

__all__ = ["DEFAULT_FIRM", "FIRMS", "HostConfig", "firm_names", "resolve_hosts"]


@attrs.frozen
class HostConfig:
    """The three endpoints a ProjectX session talks to.

    ``api_url`` has no trailing ``/api``: the spec's paths start with ``/api/...``.
    """

    api_url: str
    market_hub_url: str
    user_hub_url: str
    firm: str | None = None

    @property
    def hub_urls(self) -> dict[str, str]:
        """``{"market": ..., "user": ...}`` for the realtime streams."""
        return {"market": self.market_hub_url, "user": self.user_hub_url}


def _projectx_firm(label: str, slug: str) -> tuple[str, HostConfig]:
    return label, HostConfig(
        api_url=f"https://api.{slug}.projectx.com",
        market_hub_url=f"https://rtc.{slug}.projectx.com/hubs/market",
        user_hub_url=f"https://rtc.{slug}.projectx.com/hubs/user",
        firm=slug,
    )


DEFAULT_FIRM = "topstepx"

#: Firm key (lower case, no spaces) -> hosts. Keys also accept the display names
#: of reference §1.2 through :func:`resolve_hosts` ("Blue Guardian", "E8X", ...).
FIRMS: dict[str, HostConfig] = {
    "topstepx": HostConfig(
        api_url="https://api.topstepx.com",
        market_hub_url="https://rtc.topstepx.com/hubs/market",
        user_hub_url="https://rtc.topstepx.com/hubs/user",
        firm="topstepx",
    ),
    # Printed by older official docs; REF26 calls it stale. Selected by the seed's TRADING_ENVIRONMENT=DEMO
    # only when asked for explicitly (firm="demo"), because TopstepX has no separate demo host.
    "demo": HostConfig(
        api_url="https://gateway-api-demo.s2f.projectx.com",
        market_hub_url="https://gateway-rtc-demo.s2f.projectx.com/hubs/market",
        user_hub_url="https://gateway-rtc-demo.s2f.projectx.com/hubs/user",
        firm="demo",
    ),
}
FIRMS.update(
    dict(
        _projectx_firm(label, slug)
        for label, slug in [
            ("alphaticks", "alphaticks"),
            ("blueguardian", "blueguardianfutures"),
            ("blusky", "blusky"),
            ("e8x", "e8"),
            ("fundingfutures", "fundingfutures"),
            ("thefuturesdesk", "thefuturesdesk"),
            ("futureselite", "futureselite"),
            ("fxifyfutures", "fxifyfutures"),
            ("goatfunded", "goatfundedfutures"),
            ("tickticktrader", "tickticktrader"),
            ("toponefutures", "toponefutures"),
            ("tx3funding", "tx3funding"),
        ]
    )
)

# Display names and host slugs that differ from the key.
_ALIASES = {
    "topstep": "topstepx",
    "blueguardianfutures": "blueguardian",
    "e8": "e8x",
    "fxify": "fxifyfutures",
    "goatfundedfutures": "goatfunded",
    "topone": "toponefutures",
    "tx3": "tx3funding",
    "futuresdesk": "thefuturesdesk",
}


def _norm(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def firm_names() -> list[str]:
    """The selectable firm keys."""
    return sorted(FIRMS)


def _check_url(name: str, value: str) -> str:
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(f"{name} is not a valid URL: {value!r}") from exc
    if url.scheme not in ("http", "https", "ws", "wss") or not url.host:
        raise ConfigurationError(f"{name} must be an absolute http(s) URL, got {value!r}")
    return value.rstrip("/")


def _strip_api_suffix(url: str) -> str:
    # Peers (PXPY) configure ".../api"; the spec's paths already start with /api.
    return url[: -len("/api")] if url.endswith("/api") else url


def resolve_hosts(
    firm: str | None = None,
    *,
    api_url: str | None = None,
    market_hub_url: str | None = None,
    user_hub_url: str | None = None,
) -> HostConfig:
    """Hosts for ``firm`` (default TopstepX), with any explicit URL overriding the table.

    Raises :class:`ConfigurationError` naming the firm when it is unknown, or
    naming the URL when an override is malformed.
    """
    key = _norm(firm) if firm else DEFAULT_FIRM
    key = _ALIASES.get(key, key)
    if key not in FIRMS:
        raise ConfigurationError(f"unknown ProjectX firm {firm!r}; known firms: {', '.join(firm_names())}")
    base = FIRMS[key]
    return HostConfig(
        api_url=_strip_api_suffix(_check_url("api_url", api_url)) if api_url else base.api_url,
        market_hub_url=_check_url("market_hub_url", market_hub_url)
        if market_hub_url
        else base.market_hub_url,
        user_hub_url=_check_url("user_hub_url", user_hub_url) if user_hub_url else base.user_hub_url,
        firm=base.firm,
    )

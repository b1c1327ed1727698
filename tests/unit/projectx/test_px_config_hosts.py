"""Hosts per firm, URL overrides and `.env` configuration with the seed's variable names."""

from __future__ import annotations

from pathlib import Path

import pytest
from specwire.projectx import FIRMS, ConfigurationError, ProjectX, ProjectXConfig, resolve_hosts

from tests.unit.projectx.px_fake_gateway import API_KEY, USERNAME, FakeGateway


def test_topstepx_is_the_default() -> None:
    hosts = resolve_hosts()
    assert hosts.api_url == "https://api.topstepx.com"
    assert hosts.market_hub_url == "https://rtc.topstepx.com/hubs/market"
    assert hosts.user_hub_url == "https://rtc.topstepx.com/hubs/user"


@pytest.mark.parametrize(
    ("name", "api"),
    [
        ("Blue Guardian", "https://api.blueguardianfutures.projectx.com"),
        ("e8x", "https://api.e8.projectx.com"),
        ("The Futures Desk", "https://api.thefuturesdesk.projectx.com"),
        ("TX3 Funding", "https://api.tx3funding.projectx.com"),
        ("goatfundedfutures", "https://api.goatfundedfutures.projectx.com"),
    ],
)
def test_firms_are_selectable_by_name(name: str, api: str) -> None:
    hosts = resolve_hosts(name)
    assert hosts.api_url == api
    assert hosts.user_hub_url == api.replace("https://api.", "https://rtc.") + "/hubs/user"


def test_every_firm_of_the_reference_is_listed() -> None:
    expected = {
        "topstepx", "alphaticks", "blueguardian", "blusky", "e8x", "fundingfutures", "thefuturesdesk",
        "futureselite", "fxifyfutures", "goatfunded", "tickticktrader", "toponefutures", "tx3funding",
    }  # fmt: skip
    assert expected <= set(FIRMS)


def test_overrides_win_and_a_trailing_api_is_dropped() -> None:
    hosts = resolve_hosts(
        "blusky", api_url="http://127.0.0.1:8080/api/", user_hub_url="http://127.0.0.1:9/hubs/user"
    )
    assert hosts.api_url == "http://127.0.0.1:8080"
    assert hosts.user_hub_url == "http://127.0.0.1:9/hubs/user"
    assert hosts.market_hub_url == "https://rtc.blusky.projectx.com/hubs/market"


def test_unknown_firm_and_bad_url_are_named() -> None:
    with pytest.raises(ConfigurationError, match="unknown ProjectX firm 'acme'"):
        resolve_hosts("acme")
    with pytest.raises(ConfigurationError, match="api_url must be an absolute http"):
        resolve_hosts(api_url="not a url")


def test_env_file_with_the_seed_variable_names(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        'TRADING_ENVIRONMENT="DEMO"\n'
        f'API_KEY="{API_KEY}"\nUSERNAME="{USERNAME}"\n'
        'DEFAULT_CONFIG_CONTRACT_ID="CON.F.US.NQ.M25"\nDEFAULT_CONFIG_ACCOUNT_ID_TO_WATCH="465"\n'
        'API_BASE_URL_OVERRIDE_ENV="http://127.0.0.1:5000"\n'
        'MARKET_HUB_URL_OVERRIDE_ENV="http://127.0.0.1:5001/hubs/market"\n'
        'USER_HUB_URL_OVERRIDE_ENV="http://127.0.0.1:5001/hubs/user"\n'
    )
    config = ProjectXConfig.from_env(env, environ={})
    assert config.username == USERNAME and config.api_key is not None and config.api_key.get() == API_KEY
    assert config.environment == "DEMO"
    assert config.default_contract_id == "CON.F.US.NQ.M25" and config.default_account_id == 465
    assert config.hosts.api_url == "http://127.0.0.1:5000"
    assert config.hosts.market_hub_url == "http://127.0.0.1:5001/hubs/market"


def test_app_credentials_from_env(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("USERNAME=trader1\nAPP_PASSWORD=pw-1234\nAPP_ID=app\n")
    config = ProjectXConfig.from_env(env, environ={})
    with pytest.raises(ConfigurationError, match=r"app_verify_key \(APP_VERIFY_KEY\)"):
        config.check_credentials()


def test_real_environment_wins_over_the_file(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("USERNAME=from-file\nAPI_KEY=file-key-1\n")
    config = ProjectXConfig.from_env(env, environ={"USERNAME": "from-env"})
    assert (
        config.username == "from-env" and config.api_key is not None and config.api_key.get() == "file-key-1"
    )


def test_bad_values_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="TRADING_ENVIRONMENT must be LIVE or DEMO, got 'PAPER'"):
        ProjectXConfig.from_env(None, environ={"TRADING_ENVIRONMENT": "paper"})
    with pytest.raises(ConfigurationError, match="DEFAULT_CONFIG_ACCOUNT_ID_TO_WATCH must be an integer"):
        ProjectXConfig.from_env(None, environ={"DEFAULT_CONFIG_ACCOUNT_ID_TO_WATCH": "abc"})


def test_from_env_builds_a_working_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / ".env"
    env.write_text(f"API_KEY={API_KEY}\nUSERNAME={USERNAME}\n")
    monkeypatch.delenv("USERNAME", raising=False)
    monkeypatch.delenv("API_KEY", raising=False)
    gateway = FakeGateway()
    px = ProjectX.from_env(env, transport=gateway.transport())
    assert px.accounts.search()[0].id == 465


def test_missing_env_credentials_name_the_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("USERNAME", raising=False)
    monkeypatch.delenv("API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match=r"username \(USERNAME\), api_key \(API_KEY\)"):
        ProjectX.from_env(tmp_path / "missing.env")


def test_unknown_firm_is_refused_by_the_client_before_any_request() -> None:
    gateway = FakeGateway()
    with pytest.raises(ConfigurationError, match="unknown ProjectX firm 'acme'"):
        ProjectX(api_key=API_KEY, username=USERNAME, firm="acme", transport=gateway.transport())
    assert sum(gateway.calls.values()) == 0


def test_an_injected_http_client_gets_the_session_auth() -> None:
    import httpx

    gateway = FakeGateway()
    own = httpx.Client(transport=gateway.transport())
    px = ProjectX(api_key=API_KEY, username=USERNAME, http_client=own)
    assert px.accounts.search()[0].id == 465
    assert str(own.base_url) == "https://api.topstepx.com"
    assert gateway.requests[-1].headers["authorization"] == f"Bearer {px.session.token}"
    px.close()
    assert not own.is_closed  # the caller owns it
    own.close()

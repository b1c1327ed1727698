"""Readable names for TheRundown's numeric ids, and the checks that turn them into query values.

The API speaks ids only (``sport_ids=4``, ``market_ids=1,2,3``, ``affiliate_ids=19,23``). The tables below
are the reference's known ids; the live lists can grow (``sports()``, ``sportsbooks()``, ``markets()``), so
ints are always accepted as they are and only *names* are checked against the tables. A bad name or a
malformed id raises :class:`~specwire.core.errors.ConfigurationError` naming it, before anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from specwire.core.errors import ConfigurationError

__all__ = [
    "MARKETS",
    "MAX_AFFILIATE_IDS",
    "MAX_MARKET_IDS",
    "MAX_PARTICIPANT_IDS",
    "SCORES_ONLY",
    "SPORTS",
    "SPORTSBOOKS",
    "IdLike",
    "csv_ids",
    "market_id",
    "sport_id",
    "sportsbook_id",
]

IdLike = int | str

#: The API answers 400 beyond 12 market ids (the older spec silently dropped extras).
MAX_MARKET_IDS = 12
#: Participant id filters accept at most 99 ids.
MAX_PARTICIPANT_IDS = 99
#: Not an API limit: just a sanity bound, far above the ~35 known books.
MAX_AFFILIATE_IDS = 100
#: ``affiliate_ids=0`` asks the event endpoints for scores and status only, no markets.
SCORES_ONLY = 0

# Sport ids from the reference (§4.1). Keys are lower-case aliases.
SPORTS: dict[str, int] = {
    "ncaaf": 1,
    "ncaa football": 1,
    "nfl": 2,
    "mlb": 3,
    "nba": 4,
    "ncaab": 5,
    "ncaa men's basketball": 5,
    "nhl": 6,
    "ufc": 7,
    "mma": 7,
    "ufc/mma": 7,
    "wnba": 8,
    "cfl": 9,
    "mls": 10,
    "epl": 11,
    "fra1": 12,
    "ligue 1": 12,
    "ger1": 13,
    "bundesliga": 13,
    "esp1": 14,
    "la liga": 14,
    "ita1": 15,
    "serie a": 15,
    "uefachamp": 16,
    "champions league": 16,
    "uefaeuro": 17,
    "fifa": 18,
    "world cup": 18,
    "jpn1": 19,
    "j-league": 19,
    "ipl": 20,
    "t20": 21,
    "politics": 22,
    "nba preseason": 23,
    "nba playoffs": 24,
    "nfl preseason": 25,
    "nfl playoffs": 26,
    "nhl preseason": 27,
    "nhl playoffs": 28,
    "mlb spring training": 30,
    "mlb playoffs": 31,
    "nba summer league": 32,
    "uefa europa league": 33,
    "europa league": 33,
    "tennis.atp": 38,
    "atp": 38,
    "tennis.wta": 39,
    "wta": 39,
    "pga": 40,
    "pga tour golf": 40,
    "golf": 40,
    "formula 1": 41,
    "f1": 41,
}

# Market ids from the reference (§4.2); names are the API's machine names plus short aliases.
MARKETS: dict[str, int] = {
    "moneyline": 1,
    "spread": 2,
    "handicap": 2,
    "total": 3,
    "totals": 3,
    "moneyline_first_half": 4,
    "player_points": 29,
    "points": 29,
    "player_turnovers": 33,
    "player_rebounds": 35,
    "three_pointers_made": 38,
    "player_assists": 39,
    "moneyline_live": 41,
    "spread_live": 42,
    "total_live": 43,
    "double_double": 87,
    "triple_double": 88,
    "player_pra": 93,
    "team_totals": 94,
    "player_blocks": 98,
    "player_points_assists": 99,
    "player_points_rebounds": 297,
    "player_rebounds_assists": 298,
    "regulation_time": 563,
    "tournament_winner": 1141,
}

# Sportsbook (affiliate) ids whose names all sources agree on (§4.4). Ids 20-28 have conflicting names
# across sources, so only the uncontested ones are listed; pass any other book as an int.
SPORTSBOOKS: dict[str, int] = {
    "bovada": 2,
    "pinnacle": 3,
    "sportsbetting": 4,
    "betonline": 6,
    "bookmaker": 7,
    "betcris": 9,
    "lowvig": 11,
    "draftkings": 19,
    "betmgm": 22,
    "fanduel": 23,
    "polymarket us": 31,
    "circa": 32,
    "circa sports": 32,
    "bet105": 33,
    "heritage": 34,
    "heritage sports": 34,
}

_INT_TEXT = re.compile(r"^\d+$")


def _norm(name: str) -> str:
    return " ".join(name.strip().lower().split())


def _resolve(value: object, table: Mapping[str, int], what: str) -> int:
    if isinstance(value, bool):
        raise ConfigurationError(f"{what} must be an int id or a known name, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ConfigurationError(f"{what} must be a non-negative id, got {value!r}")
        return value
    if isinstance(value, str):
        text = value.strip()
        if _INT_TEXT.match(text):
            return int(text)
        for key in (_norm(text), _norm(text).replace(" ", "_"), _norm(text).replace("_", " ")):
            if key in table:
                return table[key]
        known = ", ".join(sorted({k for k in table if " " not in k})[:12])
        raise ConfigurationError(f"unknown {what} {value!r}; pass an int id or one of: {known}, ...")
    raise ConfigurationError(f"{what} must be an int id or a name, got {type(value).__name__} {value!r}")


def sport_id(value: IdLike) -> int:
    """``4`` / ``"4"`` / ``"NBA"`` → ``4``."""
    return _resolve(value, SPORTS, "sport")


def market_id(value: IdLike) -> int:
    """``1`` / ``"moneyline"`` → ``1``."""
    return _resolve(value, MARKETS, "market")


def sportsbook_id(value: IdLike) -> int:
    """``19`` / ``"DraftKings"`` → ``19`` (``0`` is the scores-only sentinel)."""
    return _resolve(value, SPORTSBOOKS, "sportsbook")


def csv_ids(
    values: IdLike | Iterable[IdLike] | None,
    *,
    kind: str,
    limit: int | None = None,
) -> str | None:
    """Resolve ids or names of ``kind`` (``sport``/``market``/``sportsbook``/``id``) into the API's CSV form.

    ``None`` → ``None`` (parameter left out). Duplicates are dropped, order kept. More than ``limit`` ids
    raises instead of letting the server answer 400 (or, per older docs, silently drop the extras).
    """
    if values is None:
        return None
    if isinstance(values, str | int):
        items: list[IdLike] = [values]
        if isinstance(values, str) and "," in values:
            items = [v for v in values.split(",") if v.strip()]
    else:
        items = list(values)
    resolver = {"sport": sport_id, "market": market_id, "sportsbook": sportsbook_id}.get(kind)
    ids: list[int] = []
    for item in items:
        value = resolver(item) if resolver else _resolve(item, {}, kind)
        if value not in ids:
            ids.append(value)
    if not ids:
        raise ConfigurationError(f"{kind} ids must not be empty (leave the argument out for all)")
    if limit is not None and len(ids) > limit:
        raise ConfigurationError(
            f"at most {limit} {kind} ids per request, got {len(ids)}: {ids!r}; split the request into batches"
        )
    return ",".join(str(i) for i in ids)

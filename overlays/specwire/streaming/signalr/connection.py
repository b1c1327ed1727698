"""A SignalR hub connection over ``websockets`` (asyncio) that stays connected.

Why not a library client: pysignalr reconnects with a stale connection id and
signalrcore is thread-bound (``tooling.md`` §5). This connection owns the
whole life cycle instead:

* connect with ``skip_negotiation`` (token in the ``access_token`` query, the
  ProjectX way) or negotiate first (``POST <hub>/negotiate?negotiateVersion=1``,
  then connect with the returned ``connectionToken``) — again on *every*
  reconnect, asking the token source each time, so a renewed token is used;
* a 401 on connect asks the token source to renew once and retries at once;
* keep-alive pings both ways: a ping is sent when the client has been quiet for
  ``keepalive_interval``; a watchdog drops the socket when the server has been
  silent for ``server_timeout`` (a frozen feed looks exactly like that);
* ``invoke`` waits for the Completion (an error Completion raises
  :class:`HubInvocationError`), ``send`` is fire-and-forget, ``stream`` yields
  StreamItems until the Completion;
* a Close message is honoured: ``allowReconnect`` true reconnects, otherwise
  the connection ends with :class:`HubClosedError`;
* reconnects back off with jitter (:class:`~specwire.streaming.backoff.Backoff`),
  reset once a connection proved healthy (a message arrived after the
  handshake), and re-invoke every registered subscription in order.

Handlers run on the reader task: keep them short. A handler may return an
awaitable; the reader then waits for it before reading on, which is how a
stream applies back-pressure when its bounded queue is full. An exception in a
handler is logged and reported to the error listeners; it never ends the
connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Literal, Protocol, Union, runtime_checkable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI

from specwire.core.errors import ConfigurationError, StreamError, StreamParseError
from specwire.core.redact import redact_text, redact_url, register_secret
from specwire.streaming.backoff import Backoff
from specwire.streaming.signalr import protocol as p
from specwire.streaming.state import ConnectionState, StateChange

__all__ = [
    "HandshakeError",
    "HubClosedError",
    "HubConnection",
    "HubConnectionLostError",
    "HubInvocationError",
    "ServerTimeoutError",
    "TokenSource",
]

logger = logging.getLogger("specwire.signalr")
# websockets logs the request line (with the access_token query) at DEBUG: route it under
# "specwire" so the log scrubbing of specwire.core masks the token.
_ws_logger = logging.getLogger("specwire.signalr.websockets")

DEFAULT_MAX_MESSAGE_SIZE = 8 * 2**20
"""8 MiB: ProjectX depth snapshots exceed 10 KB per frame; a 1 MiB cap is the minimum that works."""


class HandshakeError(StreamError):
    """The server refused the SignalR handshake (``{"error": ...}``) or never answered it."""


class HubInvocationError(StreamError):
    """The hub answered an invocation or stream with an error Completion."""

    def __init__(self, method: str, error: str) -> None:
        super().__init__(f"hub method {method!r} failed: {error}")
        self.method = method
        self.error = error


class HubClosedError(StreamError):
    """The server closed the hub connection and did not allow a reconnect."""

    def __init__(self, error: str | None) -> None:
        super().__init__(f"hub closed by server: {error or 'no reason given'} (reconnect not allowed)")
        self.error = error


class HubConnectionLostError(StreamError):
    """The socket dropped while an invocation was waiting for its Completion."""


class ServerTimeoutError(StreamError):
    """Nothing (not even a ping) arrived from the server within ``server_timeout``."""


class _Unauthorized(StreamError):
    pass


class _ReconnectRequested(StreamError):
    """The server sent Close with ``allowReconnect: true``."""


@runtime_checkable
class _AsyncTokenProvider(Protocol):
    async def aget_token(self) -> str: ...


TokenSource = str | Callable[[], str | Awaitable[str]] | _AsyncTokenProvider
"""A fixed token, a (sync or async) callable returning the current token, or a
token provider with ``aget_token()`` (and optionally ``arenew(stale)``)."""

Handler = Callable[..., Any]
StateListener = Callable[[StateChange], Any]
ErrorListener = Callable[[BaseException], Any]
ConnectHook = Callable[[bool], Awaitable[None]]


class _NoTarget(msgspec.Struct, tag_field="target", tag="\x00"):
    """Keeps the typed fast-path decoder a tagged union even with one typed target."""


class _Subscription(msgspec.Struct, frozen=True):
    method: str
    args: tuple[Any, ...]
    confirm: bool


def _http_url(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, *parts[1:]))


def _ws_url(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, *parts[1:]))


def _with_query(url: str, **params: str | None) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


class HubConnection:
    """One logical connection to a SignalR hub, kept alive across drops.

    ``url`` is the hub URL (``https://rtc.topstepx.com/hubs/market``; ``http``/``ws``
    schemes are accepted). ``access_token`` is asked for on every connect.
    All delays are in seconds and can be made tiny in tests.
    """

    def __init__(
        self,
        url: str,
        *,
        access_token: TokenSource | None = None,
        skip_negotiation: bool = True,
        headers: dict[str, str] | None = None,
        keepalive_interval: float = 15.0,
        server_timeout: float = 30.0,
        open_timeout: float = 10.0,
        invoke_timeout: float | None = 30.0,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        backoff: Backoff | None = None,
        reconnect: bool = True,
        retry_initial: bool = False,
        http_client: httpx.AsyncClient | None = None,
        name: str | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https", "ws", "wss"} or not parts.netloc:
            raise ConfigurationError(
                f"hub url must be an absolute http(s)/ws(s) URL, got {redact_url(url)!r}"
            )
        if max_message_size < 2**20:
            raise ConfigurationError(
                f"max_message_size must be at least 1 MiB (1048576), got {max_message_size!r}"
            )
        for label, value in (("keepalive_interval", keepalive_interval), ("server_timeout", server_timeout)):
            if value <= 0:
                raise ConfigurationError(f"{label} must be > 0, got {value!r}")
        if server_timeout <= keepalive_interval:
            logger.debug("server_timeout %.3g <= keepalive_interval %.3g", server_timeout, keepalive_interval)
        self.url = url
        self.name = name or parts.path.rstrip("/").rsplit("/", 1)[-1] or "hub"
        self.skip_negotiation = skip_negotiation
        self.headers = dict(headers or {})
        self.keepalive_interval = keepalive_interval
        self.server_timeout = server_timeout
        self.open_timeout = open_timeout
        self.invoke_timeout = invoke_timeout
        self.max_message_size = max_message_size
        self.backoff = backoff or Backoff(initial=0.5, maximum=30.0)
        self.reconnect_enabled = reconnect
        self.retry_initial = retry_initial
        self._token_source = access_token
        self._token_override: str | None = None
        self._http_client = http_client
        self._handlers: dict[str, list[tuple[Handler, bool]]] = {}
        self._state_listeners: list[StateListener] = []
        self._error_listeners: list[ErrorListener] = []
        self._state_queues: set[asyncio.Queue[StateChange]] = set()
        self._connect_hooks: list[ConnectHook] = []
        self._subscriptions: dict[tuple[str, tuple[Any, ...]], _Subscription] = {}
        self._pending: dict[str, tuple[str, asyncio.Future[msgspec.Raw]]] = {}
        self._streams: dict[str, tuple[str, asyncio.Queue[Any]]] = {}
        self._ids = itertools.count(1)
        self._state = ConnectionState.DISCONNECTED
        self._ws: ClientConnection | None = None
        self._run_task: asyncio.Task[None] | None = None
        self._started: asyncio.Future[None] | None = None
        self._closing = False
        self._wake = asyncio.Event()
        self._drop_reason: str | None = None
        self._last_received = 0.0
        # Loop time of the last frame actually read (unlike _last_received, never refreshed while paused).
        self._last_frame: float | None = None
        self._last_sent = 0.0
        self._paused = False
        self._healthy = False
        self._background: set[asyncio.Task[Any]] = set()
        self._unknown_targets: set[str] = set()
        self._leftover: list[bytes] = []
        self._typed_targets: dict[str, type[msgspec.Struct]] = {}
        self._typed_handlers: dict[type[msgspec.Struct], Handler] = {}
        self._typed_decoder: msgspec.json.Decoder[Any] | None = None
        self._leftover_buffer = p.RecordBuffer(max_message_size)
        self.connect_count = 0
        self.terminal_error: BaseException | None = None

    def __repr__(self) -> str:
        return f"<HubConnection {self.name} {redact_url(self.url)} state={self._state.value}>"

    # ------------------------------------------------------------------ registration

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def connected(self) -> bool:
        return self._state is ConnectionState.CONNECTED

    def seconds_since_last_frame(self) -> float | None:
        """Seconds since the last frame arrived (or the socket opened); ``None`` before any connection.

        After a drop this is how long the server had already been silent: a socket that died
        without a close (half-open TCP) is only noticed after ``server_timeout``, and whatever the
        server sent in that time is lost. Call it from the event loop that runs the connection.
        """
        if self._last_frame is None:
            return None
        try:
            now = asyncio.get_running_loop().time()
        except RuntimeError:  # not on the connection's loop: unknown
            return None
        return max(0.0, now - self._last_frame)

    def on(self, target: str, handler: Handler, *, raw: bool = False) -> Callable[[], None]:
        """Call ``handler`` for every server invocation of ``target`` (case-insensitive).

        By default the handler receives the decoded arguments (``handler(*args)``);
        with ``raw=True`` it receives the list of undecoded :class:`msgspec.Raw`
        arguments, so it can decode straight into typed models. Returns a function
        that removes the handler.
        """
        entry = (handler, raw)
        self._handlers.setdefault(target.lower(), []).append(entry)

        def remove() -> None:
            with contextlib.suppress(ValueError, KeyError):
                self._handlers[target.lower()].remove(entry)

        return remove

    def on_typed(self, target: str, arguments: Any, handler: Handler) -> None:
        """Fast path: decode ``target`` invocations in one pass into ``arguments`` (a msgspec type).

        ``arguments`` describes the whole argument array, e.g. ``tuple[str, Quote]``;
        ``handler(arguments_value)`` gets the decoded value. A record whose
        arguments do not fit falls back to the handlers registered with :meth:`on`
        (or is reported as a :class:`StreamParseError` when there are none), so
        irregular wire forms still reach a handler. The target name is matched
        exactly here; other spellings take the :meth:`on` path.
        """
        if target in self._typed_targets:
            raise ConfigurationError(f"a typed handler for {target!r} is already registered")
        cls = msgspec.defstruct(
            f"_Typed{len(self._typed_targets)}",
            [("type", Literal[1]), ("arguments", arguments)],
            tag_field="target",
            tag=target,
        )
        self._typed_targets[target] = cls
        self._typed_handlers[cls] = handler
        classes = (*self._typed_targets.values(), _NoTarget)
        self._typed_decoder = msgspec.json.Decoder(Union[classes])  # noqa: UP007 - a runtime union of classes

    def add_state_listener(self, listener: StateListener) -> None:
        self._state_listeners.append(listener)

    def add_error_listener(self, listener: ErrorListener) -> None:
        self._error_listeners.append(listener)

    def add_connect_hook(self, hook: ConnectHook) -> None:
        """``await hook(is_reconnect)`` after every handshake, once subscriptions are restored."""
        self._connect_hooks.append(hook)

    async def state_changes(self) -> AsyncIterator[StateChange]:
        """Async iterator of state changes from now on, until the connection is stopped."""
        queue: asyncio.Queue[StateChange] = asyncio.Queue()
        self._state_queues.add(queue)
        try:
            while True:
                change = await queue.get()
                yield change
                if change.new is ConnectionState.DISCONNECTED and (self._closing or self._run_task is None):
                    return
        finally:
            self._state_queues.discard(queue)

    @property
    def subscriptions(self) -> list[tuple[str, tuple[Any, ...]]]:
        """Active subscriptions, in the order they are restored after a reconnect."""
        return list(self._subscriptions)

    def update_token(self, token: str) -> None:
        """Use ``token`` for the next connect (then the token source is asked again)."""
        if not isinstance(token, str) or not token:
            raise ConfigurationError("update_token needs a non-empty token string")
        register_secret(token)
        self._token_override = token

    # ------------------------------------------------------------------ life cycle

    async def start(self) -> None:
        """Connect; returns once connected. Raises the first connect failure unless ``retry_initial``."""
        if self._run_task is not None and not self._run_task.done():
            raise RuntimeError(f"{self!r} is already started")
        self._closing = False
        self.terminal_error = None
        self._started = asyncio.get_running_loop().create_future()
        self._run_task = asyncio.create_task(self._run(), name=f"signalr-{self.name}")
        try:
            await asyncio.shield(self._started)
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Close the socket, stop reconnecting, fail pending invocations. Idempotent."""
        self._closing = True
        self._wake.set()
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), timeout=1.0)
        task = self._run_task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for t in list(self._background):
            t.cancel()
        self._fail_pending(HubConnectionLostError(f"{self.name} hub connection stopped"))
        if self._state is not ConnectionState.DISCONNECTED:
            self._set_state(ConnectionState.DISCONNECTED, "stopped")

    async def wait_closed(self) -> None:
        """Wait until the connection ended for good (stopped, closed by the server, or gave up)."""
        if self._run_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._run_task)

    async def reconnect(self, reason: str = "reconnect requested") -> None:
        """Drop the current socket; the run loop connects again at once (fresh token, subscriptions restored)."""
        ws = self._ws
        if ws is not None:
            self._drop_reason = reason
            ws.transport.abort()

    async def __aenter__(self) -> HubConnection:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ calls

    async def invoke(self, method: str, *args: Any, timeout: float | None = None) -> Any:
        """Invoke a hub method and return its decoded result; error Completions raise HubInvocationError."""
        raw = await self._invoke_raw(method, args, timeout)
        return msgspec.json.decode(raw)

    async def _invoke_raw(self, method: str, args: Sequence[Any], timeout: float | None) -> msgspec.Raw:
        ws = self._require_ws(method)
        invocation_id = str(next(self._ids))
        future: asyncio.Future[msgspec.Raw] = asyncio.get_running_loop().create_future()
        self._pending[invocation_id] = (method, future)
        try:
            await self._send_bytes(
                ws,
                p.encode_message(
                    p.Invocation(target=method, arguments=list(args), invocation_id=invocation_id)
                ),
            )
            limit = self.invoke_timeout if timeout is None else timeout
            async with asyncio.timeout(limit):
                return await future
        finally:
            self._pending.pop(invocation_id, None)

    async def send(self, method: str, *args: Any) -> None:
        """Invoke a hub method without waiting for (or asking for) a result."""
        ws = self._require_ws(method)
        await self._send_bytes(ws, p.encode_message(p.Invocation(target=method, arguments=list(args))))

    async def stream(self, method: str, *args: Any) -> AsyncIterator[Any]:
        """Server-to-client stream: yields each item; an error Completion raises HubInvocationError.

        Leaving the loop early sends a CancelInvocation.
        """
        ws = self._require_ws(method)
        invocation_id = str(next(self._ids))
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self._streams[invocation_id] = (method, queue)
        finished = False
        try:
            await self._send_bytes(
                ws,
                p.encode_message(
                    p.StreamInvocation(invocation_id=invocation_id, target=method, arguments=list(args))
                ),
            )
            while True:
                kind, value = await queue.get()
                if kind == "item":
                    yield msgspec.json.decode(value)
                elif kind == "error":
                    finished = True
                    raise value
                else:
                    finished = True
                    return
        finally:
            self._streams.pop(invocation_id, None)
            if not finished and self._ws is ws:
                with contextlib.suppress(Exception):
                    await self._send_bytes(
                        ws, p.encode_message(p.CancelInvocation(invocation_id=invocation_id))
                    )

    async def subscribe(self, method: str, *args: Any, confirm: bool = True) -> None:
        """Call ``method(*args)`` now (if connected) and again after every reconnect.

        ``confirm=True`` invokes and waits for the Completion (a server error
        raises :class:`HubInvocationError` and the subscription is not kept);
        ``confirm=False`` sends it fire-and-forget.
        """
        key = (method, tuple(args))
        sub = _Subscription(method, tuple(args), confirm)
        if self.connected:
            await self._call(sub)
        self._subscriptions[key] = sub

    async def unsubscribe(
        self, method: str, *args: Any, via: str | None = None, confirm: bool = True
    ) -> None:
        """Forget the subscription ``method(*args)`` and, if connected, call ``via(*args)`` to end it."""
        self._subscriptions.pop((method, tuple(args)), None)
        if via is not None and self.connected:
            await self._call(_Subscription(via, tuple(args), confirm))

    async def _call(self, sub: _Subscription) -> None:
        if sub.confirm:
            await self._invoke_raw(sub.method, sub.args, None)
        else:
            await self.send(sub.method, *sub.args)

    def _require_ws(self, method: str) -> ClientConnection:
        ws = self._ws
        if ws is None or self._state is not ConnectionState.CONNECTED:
            raise HubConnectionLostError(
                f"cannot call {method!r}: {self.name} hub is {self._state.value}, not connected"
            )
        return ws

    async def _send_bytes(self, ws: ClientConnection, data: bytes) -> None:
        self._last_sent = asyncio.get_running_loop().time()
        await ws.send(data, text=True)

    # ------------------------------------------------------------------ state and errors

    def _set_state(
        self, new: ConnectionState, reason: str = "", error: BaseException | None = None, attempt: int = 0
    ) -> None:
        old = self._state
        self._state = new
        change = StateChange(old=old, new=new, reason=reason, error=error, attempt=attempt)
        if error is not None:
            logger.info("%s hub %s -> %s: %s", self.name, old.value, new.value, redact_text(str(error)))
        else:
            logger.debug("%s hub %s -> %s (%s)", self.name, old.value, new.value, reason)
        for listener in list(self._state_listeners):
            self._safe_call(listener, change)
        for queue in list(self._state_queues):
            queue.put_nowait(change)

    def _report(self, error: BaseException) -> None:
        for listener in list(self._error_listeners):
            self._safe_call(listener, error, report=False)

    def _safe_call(self, fn: Callable[..., Any], arg: Any, *, report: bool = True) -> None:
        try:
            result = fn(arg)
            if inspect.isawaitable(result):
                self._spawn(result)
        except Exception as exc:
            logger.exception("%s hub: listener %r raised", self.name, fn)
            if report:
                self._report(exc)

    def _spawn(self, awaitable: Awaitable[Any]) -> None:
        async def runner() -> None:
            try:
                await awaitable
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.exception("%s hub: background callback raised", self.name)
                self._report(exc)

        task = asyncio.get_running_loop().create_task(runner())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _fail_pending(self, error: BaseException) -> None:
        for _method, future in list(self._pending.values()):
            if not future.done():
                future.set_exception(error)
        self._pending.clear()
        for _method, queue in list(self._streams.values()):
            queue.put_nowait(("error", error))

    # ------------------------------------------------------------------ run loop

    async def _token(self, *, renew_stale: str | None = None) -> str | None:
        source = self._token_source
        if renew_stale is not None and source is not None:
            renew = getattr(source, "arenew", None)
            if renew is not None:
                token = await renew(renew_stale)
                register_secret(token)
                return str(token)
        if self._token_override is not None:
            token = self._token_override
            self._token_override = None
            return token
        if source is None:
            return None
        if isinstance(source, str):
            token_value: Any = source
        elif isinstance(source, _AsyncTokenProvider):
            token_value = await source.aget_token()
        else:
            token_value = source()
            if inspect.isawaitable(token_value):
                token_value = await token_value
        if not isinstance(token_value, str):
            raise TypeError(f"token source returned {type(token_value).__name__}, expected str")
        register_secret(token_value)
        return token_value

    async def _negotiate(self, token: str | None) -> str:
        """POST <hub>/negotiate (v1), following redirects; returns the WebSocket URL to open."""
        url = _http_url(self.url)
        owned = self._http_client is None
        client = self._http_client or httpx.AsyncClient(timeout=self.open_timeout)
        try:
            for _ in range(10):
                parts = urlsplit(url)
                negotiate_url = urlunsplit(
                    (parts.scheme, parts.netloc, parts.path.rstrip("/") + "/negotiate", parts.query, "")
                )
                negotiate_url = _with_query(negotiate_url, negotiateVersion="1")
                headers = dict(self.headers)
                if token:
                    headers["Authorization"] = f"Bearer {token}"
                response = await client.post(negotiate_url, headers=headers)
                if response.status_code == 401:
                    raise _Unauthorized(f"negotiate rejected the token (401) at {redact_url(negotiate_url)}")
                if response.status_code >= 400:
                    raise StreamError(
                        f"negotiate failed with HTTP {response.status_code} at {redact_url(negotiate_url)}"
                    )
                body = msgspec.json.decode(response.content)
                if not isinstance(body, dict):
                    raise StreamParseError(f"negotiate returned {type(body).__name__}, expected an object")
                if body.get("error"):
                    raise HandshakeError(f"negotiate refused: {body['error']}")
                if body.get("url"):
                    url = str(body["url"])
                    if body.get("accessToken"):
                        token = str(body["accessToken"])
                        register_secret(token)
                    continue
                if "WebSockets" not in {t.get("transport") for t in body.get("availableTransports", [])}:
                    raise StreamError("negotiate did not offer the WebSockets transport")
                connection_token = body.get("connectionToken") or body.get("connectionId")
                if not connection_token:
                    raise StreamParseError("negotiate response has neither connectionToken nor connectionId")
                register_secret(str(connection_token))
                return _with_query(_ws_url(url), id=str(connection_token), access_token=token)
            raise StreamError("negotiate redirected more than 10 times")
        finally:
            if owned:
                await client.aclose()

    async def _open(self, token: str | None) -> ClientConnection:
        if self.skip_negotiation:
            ws_url = _with_query(_ws_url(self.url), access_token=token)
        else:
            ws_url = await self._negotiate(token)
        try:
            ws = await connect(
                ws_url,
                additional_headers=self.headers or None,
                max_size=self.max_message_size,
                open_timeout=self.open_timeout,
                ping_interval=None,
                close_timeout=1.0,
                compression=None,
                logger=_ws_logger,
            )
        except InvalidURI:
            raise ConfigurationError(f"invalid hub URL {redact_url(ws_url)!r}") from None
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status == 401:
                raise _Unauthorized(f"{self.name} hub rejected the access token (HTTP 401)") from None
            raise StreamError(f"{self.name} hub refused the WebSocket upgrade with HTTP {status}") from None
        try:
            await self._send_bytes(ws, p.encode_handshake_request())
            buffer = p.RecordBuffer(self.max_message_size)
            async with asyncio.timeout(self.open_timeout):
                while True:
                    frame = await ws.recv(decode=False)
                    records = buffer.feed(frame)
                    if records:
                        break
            response = p.decode_handshake_response(records[0])
            if response.error:
                raise HandshakeError(f"{self.name} hub refused the handshake: {response.error}")
        except TimeoutError:
            await ws.close()
            raise HandshakeError(
                f"{self.name} hub did not answer the handshake in {self.open_timeout}s"
            ) from None
        except BaseException:
            ws.transport.abort()
            raise
        # Records that arrived in the same frame as the handshake answer.
        self._leftover = records[1:]
        self._leftover_buffer = buffer
        return ws

    async def _run(self) -> None:
        first = True
        attempt = 0
        renew_from: str | None = None
        renewed = False
        error: Exception
        while not self._closing:
            target = ConnectionState.CONNECTING if first else ConnectionState.RECONNECTING
            if self._state is not target:
                self._set_state(target, target.value, attempt=attempt)
            token: str | None = None
            try:
                token = await self._token(renew_stale=renew_from)
                renewed = renew_from is not None
                renew_from = None
                ws = await self._open(token)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failure: Exception = exc
                if (
                    isinstance(exc, _Unauthorized)
                    and not renewed
                    and token is not None
                    and hasattr(self._token_source, "arenew")
                ):
                    # The token was refused: renew it once and retry at once.
                    logger.info("%s hub: token refused, renewing it", self.name)
                    renew_from = token
                    attempt += 1
                    continue
                renewed = False
                if first and not self.retry_initial:
                    self._finish(failure, "initial connect failed")
                    return
                self._report(failure)
                if self.backoff.exhausted or not self.reconnect_enabled:
                    self._finish(failure, "gave up reconnecting")
                    return
                attempt += 1
                logger.info(
                    "%s hub: connect attempt %d failed: %s", self.name, attempt, redact_text(str(failure))
                )
                await self._sleep(self.backoff.next_delay())
                continue
            renewed = False
            self._ws = ws
            self.connect_count += 1
            was_reconnect = not first
            first = False
            attempt = 0
            self._healthy = False
            self._set_state(ConnectionState.CONNECTED, "handshake complete")
            if self._started is not None and not self._started.done():
                self._started.set_result(None)
            try:
                await self._serve(ws, was_reconnect)
                error = StreamError("connection closed")
                reason = self._drop_reason or "connection closed"
            except HubClosedError as exc:
                self._ws = None
                self._fail_pending(HubConnectionLostError(str(exc)))
                self._finish(exc, "closed by server")
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = exc
                reason = (
                    self._drop_reason or f"connection lost: {redact_text(str(exc)) or type(exc).__name__}"
                )
            finally:
                self._ws = None
            self._drop_reason = None
            self._fail_pending(HubConnectionLostError(f"{self.name} hub connection lost ({reason})"))
            if self._closing:
                break
            if not self.reconnect_enabled:
                self._finish(error, reason)
                return
            if not isinstance(error, ConnectionClosed | _ReconnectRequested):
                self._report(error)
            attempt = 1
            self._set_state(ConnectionState.RECONNECTING, reason, error, attempt)
            if self.backoff.exhausted:
                self._finish(error, "gave up reconnecting")
                return
            # Reset after a healthy connection, so this is short then; a server that
            # accepts and drops at once sees the delay grow.
            await self._sleep(self.backoff.next_delay())
        if self._state is not ConnectionState.DISCONNECTED:
            self._set_state(ConnectionState.DISCONNECTED, "stopped")

    def _finish(self, error: BaseException, reason: str) -> None:
        self.terminal_error = error
        self._report(error)
        self._set_state(ConnectionState.DISCONNECTED, reason, error)
        if self._started is not None and not self._started.done():
            self._started.set_exception(error)

    async def _sleep(self, delay: float) -> None:
        self._wake.clear()
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()

    async def _serve(self, ws: ClientConnection, is_reconnect: bool) -> None:
        loop = asyncio.get_running_loop()
        self._last_received = self._last_frame = loop.time()
        reader = asyncio.create_task(self._reader(ws), name=f"signalr-{self.name}-reader")
        keepalive = asyncio.create_task(self._keepalive(ws), name=f"signalr-{self.name}-keepalive")
        setup = asyncio.create_task(self._after_connect(is_reconnect), name=f"signalr-{self.name}-restore")
        try:
            await reader
        finally:
            keepalive.cancel()
            setup.cancel()
            for task in (keepalive, setup):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if not reader.done():
                reader.cancel()
            ws.transport.abort()

    async def _after_connect(self, is_reconnect: bool) -> None:
        for sub in list(self._subscriptions.values()):
            try:
                await self._call(sub)
            except HubConnectionLostError:
                return
            except Exception as exc:
                logger.warning("%s hub: restoring %s failed: %s", self.name, sub.method, exc)
                self._report(exc)
        for hook in list(self._connect_hooks):
            try:
                await hook(is_reconnect)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.exception("%s hub: connect hook %r raised", self.name, hook)
                self._report(exc)

    async def _keepalive(self, ws: ClientConnection) -> None:
        """Send pings when quiet; drop the socket when the server has been silent too long."""
        loop = asyncio.get_running_loop()
        tick = min(self.keepalive_interval, self.server_timeout) / 4
        ping = p.encode_ping()
        while True:
            await asyncio.sleep(tick)
            now = loop.time()
            if self._paused:
                self._last_received = now
            elif now - self._last_received > self.server_timeout:
                self._drop_reason = f"server timeout: nothing received for {self.server_timeout:g}s"
                self._report(ServerTimeoutError(self._drop_reason))
                ws.transport.abort()
                return
            if now - self._last_sent >= self.keepalive_interval:
                try:
                    await self._send_bytes(ws, ping)
                except ConnectionClosed:
                    return

    async def _reader(self, ws: ClientConnection) -> None:
        loop = asyncio.get_running_loop()
        buffer = self._leftover_buffer
        leftover = self._leftover
        self._leftover = []
        if leftover:
            await self._dispatch_records(leftover)
        recv = ws.recv
        feed = buffer.feed
        while True:
            frame = await recv(decode=False)
            self._last_received = self._last_frame = loop.time()
            if not self._healthy:
                self._healthy = True
                self.backoff.reset()
            try:
                records = feed(frame)
            except StreamParseError as exc:
                buffer.clear()
                self._report(exc)
                continue
            await self._dispatch_records(records)

    async def _dispatch_records(self, records: list[bytes]) -> None:
        fast = self._typed_decoder
        if fast is None:
            for record in records:
                await self._dispatch_generic(record)
            return
        typed_handlers = self._typed_handlers
        fast_decode = fast.decode
        for record in records:
            try:
                msg = fast_decode(record)
            except msgspec.DecodeError:  # ValidationError included: not a typed invocation
                await self._dispatch_generic(record)
                continue
            try:
                result = typed_handlers[type(msg)](msg.arguments)  # type: ignore[attr-defined]
                if result is not None:
                    await self._await_handler(result)
            except asyncio.CancelledError:
                raise
            except StreamParseError as exc:
                logger.warning("%s hub: skipping %s", self.name, exc)
                self._report(exc)
            except Exception as exc:
                logger.exception("%s hub: handler for %s raised", self.name, type(msg).__name__)
                self._report(exc)

    async def _await_handler(self, result: Any) -> None:
        if inspect.isawaitable(result):
            self._paused = True
            try:
                await result
            finally:
                self._paused = False

    async def _dispatch_generic(self, record: bytes) -> None:
        try:
            msg = p.decode_message(record)
        except StreamParseError as exc:
            logger.warning("%s hub: skipping %s", self.name, exc)
            self._report(exc)
            return
        if type(msg) is p.IncomingInvocation:
            entries = self._handlers.get(msg.target.lower())
            if not entries:
                typed = self._typed_targets.get(msg.target)
                if typed is not None:
                    try:
                        msgspec.json.decode(record, type=typed)
                    except msgspec.ValidationError as exc:
                        error = StreamParseError(f"{msg.target}: {exc}: {bytes(record)[:200]!r}")
                        logger.warning("%s hub: skipping %s", self.name, error)
                        self._report(error)
                elif msg.target not in self._unknown_targets:
                    self._unknown_targets.add(msg.target)
                    logger.debug("%s hub: no handler for %r", self.name, msg.target)
                return
            for handler, raw in entries:
                try:
                    if raw:
                        result = handler(msg.arguments)
                    else:
                        result = handler(*[msgspec.json.decode(a) for a in msg.arguments])
                    if result is not None:
                        await self._await_handler(result)
                except asyncio.CancelledError:
                    raise
                except StreamParseError as exc:
                    logger.warning("%s hub: skipping %s: %s", self.name, msg.target, exc)
                    self._report(exc)
                except Exception as exc:
                    logger.exception("%s hub: handler for %r raised", self.name, msg.target)
                    self._report(exc)
        elif type(msg) is p.Ping or msg is None:
            return
        elif type(msg) is p.IncomingCompletion:
            self._complete(msg)
        elif type(msg) is p.IncomingStreamItem:
            stream = self._streams.get(msg.invocation_id)
            if stream is not None:
                stream[1].put_nowait(("item", msg.item))
        elif type(msg) is p.Close:
            if msg.allow_reconnect:
                self._drop_reason = f"server closed: {msg.error or 'no reason'} (reconnect allowed)"
                raise _ReconnectRequested(self._drop_reason)
            raise HubClosedError(msg.error)
        else:
            logger.debug("%s hub: ignoring %s", self.name, type(msg).__name__)

    def _complete(self, msg: p.IncomingCompletion) -> None:
        pending = self._pending.get(msg.invocation_id)
        if pending is not None:
            method, future = pending
            if not future.done():
                if msg.error is not None:
                    future.set_exception(HubInvocationError(method, msg.error))
                else:
                    future.set_result(msg.result)
            return
        stream = self._streams.get(msg.invocation_id)
        if stream is not None:
            method, queue = stream
            if msg.error is not None:
                queue.put_nowait(("error", HubInvocationError(method, msg.error)))
            else:
                queue.put_nowait(("done", None))

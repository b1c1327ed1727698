"""SignalR (ASP.NET Core hub protocol, JSON) client on ``websockets``, provider-agnostic.

``protocol`` holds the pure wire format; ``connection.HubConnection`` keeps a
hub connection alive (negotiate or skip, token per connect, keep-alive,
watchdog, invoke/send/stream, reconnect + resubscribe).
"""

from specwire.streaming.signalr.connection import (
    HandshakeError,
    HubClosedError,
    HubConnection,
    HubConnectionLostError,
    HubInvocationError,
    ServerTimeoutError,
    TokenSource,
)

__all__ = [
    "HandshakeError",
    "HubClosedError",
    "HubConnection",
    "HubConnectionLostError",
    "HubInvocationError",
    "ServerTimeoutError",
    "TokenSource",
]

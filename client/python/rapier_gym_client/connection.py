"""One WebSocket connection to a rapier-gym server, used synchronously.

Debian's python3-websockets (10.x) has only the asyncio API, and a Gym env is called
synchronously, so each connection drives a private event loop for exactly the duration of each
request. Keepalive pings are off for that reason (no loop runs between requests to answer them);
the server's idle timeout is what reaps dead connections. Several connections may share one loop
(``loop=``): a fleet (fleet.py) sends to every server before waiting for any reply, which one
private loop per connection could not do.
"""

import asyncio
import json
from collections import deque

import websockets

PROTOCOL_VERSION = 2


class RemoteError(Exception):
    """The server refused a request; ``code`` is one of the protocol's error codes."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Connection:
    """Requests with ids, replies matched to them; pushes (scene, frame) are kept in ``events``."""

    def __init__(self, url, token=None, open_timeout=10.0, max_size=64 << 20, loop=None):
        # A loop given by the caller is the caller's to close; a private one is closed with the connection.
        self._owns_loop = loop is None
        self._loop = asyncio.new_event_loop() if loop is None else loop
        self._closed = False
        headers = {"Authorization": f"Bearer {token}"} if token is not None else None
        async def open_socket():
            # Created inside the loop: websockets 10 binds a connection to the loop running when it is made.
            return await websockets.connect(url, extra_headers=headers, compression=None, ping_interval=None, open_timeout=open_timeout, max_size=max_size)

        try:
            self._ws = self._loop.run_until_complete(open_socket())
        except BaseException:
            if self._owns_loop:
                self._loop.close()
            raise
        self._next_id = 0
        self.events = deque()
        try:
            self.hello = self.request("hello", protocol=PROTOCOL_VERSION)
        except BaseException:
            self.close()
            raise

    def request(self, op, **params):
        """Sends one request and returns its result; raises RemoteError for an error reply."""
        return self._loop.run_until_complete(self.request_async(op, **params))

    async def request_async(self, op, **params):
        """``request`` as a coroutine on this connection's loop."""
        return await self.receive(await self.send(op, **params))

    async def send(self, op, **params):
        """Sends one request and returns its id, for ``receive``: the reply is not awaited."""
        if self._closed or self._loop.is_closed():
            raise ConnectionError("this connection is closed")
        self._next_id += 1
        try:
            text = json.dumps({"id": self._next_id, "op": op, **params}, allow_nan=False)
        except ValueError as e:
            raise ValueError(f"{op}: JSON cannot carry NaN or infinity ({e})") from None
        await self._ws.send(text)
        return self._next_id

    async def receive(self, request_id):
        """The result of request ``request_id``, the oldest one still unanswered (replies come in order)."""
        while True:
            try:
                message = json.loads(await self._ws.recv())
            except websockets.ConnectionClosed as e:
                raise ConnectionError(f"the server closed the connection ({e.code} {e.reason})") from None
            if "event" in message:
                self.events.append(message)
                continue
            if message.get("id") != request_id:
                # Only a refusal of the whole connection (LIMIT, UNAUTHORIZED) answers no request of ours.
                if not message.get("ok"):
                    raise RemoteError(message["error"]["code"], message["error"]["message"])
                raise ConnectionError(f"reply to request {message.get('id')} while waiting for {request_id}")
            if message["ok"]:
                return message["result"]
            raise RemoteError(message["error"]["code"], message["error"]["message"])

    def close(self):
        """Closes the socket; the server frees every env this connection made. Idempotent."""
        if self._closed or self._loop.is_closed():
            return
        self._closed = True
        try:
            self._loop.run_until_complete(self._ws.close())
        finally:
            if self._owns_loop:
                self._loop.close()

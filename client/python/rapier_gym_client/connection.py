"""One WebSocket connection to a rapier-gym server, used synchronously.

Debian's python3-websockets (10.x) has only the asyncio API, and a Gym env is called
synchronously, so each connection drives a private event loop for exactly the duration of each
request. Keepalive pings are off for that reason (no loop runs between requests to answer them);
the server's idle timeout is what reaps dead connections.
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

    def __init__(self, url, token=None, open_timeout=10.0, max_size=64 << 20):
        self._loop = asyncio.new_event_loop()
        headers = {"Authorization": f"Bearer {token}"} if token is not None else None
        async def open_socket():
            # Created inside the loop: websockets 10 binds a connection to the loop running when it is made.
            return await websockets.connect(url, extra_headers=headers, compression=None, ping_interval=None, open_timeout=open_timeout, max_size=max_size)

        try:
            self._ws = self._loop.run_until_complete(open_socket())
        except BaseException:
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
        if self._loop.is_closed():
            raise ConnectionError("this connection is closed")
        self._next_id += 1
        try:
            text = json.dumps({"id": self._next_id, "op": op, **params}, allow_nan=False)
        except ValueError as e:
            raise ValueError(f"{op}: JSON cannot carry NaN or infinity ({e})") from None
        return self._loop.run_until_complete(self._round_trip(self._next_id, text))

    async def _round_trip(self, request_id, text):
        await self._ws.send(text)
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
        if self._loop.is_closed():
            return
        try:
            self._loop.run_until_complete(self._ws.close())
        finally:
            self._loop.close()

"""Connections to several rapier-gym servers driven by one event loop, so that a request to every
server is sent to all of them before any reply is awaited: the servers then work in parallel, and a
step of the whole fleet costs about one round trip plus the slowest server's share, not the sum.
"""

import asyncio
import operator

from .connection import Connection


def server_urls(urls):
    """One URL or a list of them, as a list; an empty list or a non-ws URL is refused by name."""
    if isinstance(urls, str):
        urls = [urls]
    urls = list(urls)
    if not urls:
        raise ValueError("the list of server URLs is empty: give at least one ws://host:port")
    for url in urls:
        if not isinstance(url, str) or not url.startswith(("ws://", "wss://")):
            raise ValueError(f"a server URL is ws://host:port or wss://host:port, got {url!r}")
    if len(set(urls)) != len(urls):
        raise ValueError(f"a server URL is listed twice: {urls} (list each server once; it takes its share of the envs)")
    return urls


def split_envs(num_envs, num_servers):
    """How many envs each server holds: as even as can be, the first servers one more when it does not divide."""
    try:
        if isinstance(num_envs, bool):
            raise TypeError
        num_envs = operator.index(num_envs)
    except TypeError:
        raise ValueError(f"num_envs must be a positive int, got {num_envs!r}") from None
    if num_envs < 1:
        raise ValueError(f"num_envs must be a positive int, got {num_envs!r}")
    if num_envs < num_servers:
        raise ValueError(f"num_envs ({num_envs}) is less than the number of servers ({num_servers}): every server needs at least one env")
    base, extra = divmod(num_envs, num_servers)
    return [base + (1 if i < extra else 0) for i in range(num_servers)]


class Fleet:
    """One connection per server, all on one private event loop; ``exchange`` talks to all of them at once."""

    def __init__(self, urls, token=None):
        self.urls = server_urls(urls)
        self.loop = asyncio.new_event_loop()
        self.connections = []
        try:
            for url in self.urls:
                self.connections.append(Connection(url, token=token, loop=self.loop))
        except BaseException:
            self.close()
            raise

    def exchange(self, requests):
        """``requests[i]`` is ``(op, params)`` for server i, or None to skip it. Every request is sent
        before any reply is awaited; returns the results (None for skipped servers) once all have
        answered, or raises the first error after reading every reply, so no connection is left out of step."""
        return self.loop.run_until_complete(self._exchange(requests))

    async def _exchange(self, requests):
        if len(requests) != len(self.connections):
            raise ValueError(f"{len(requests)} requests for {len(self.connections)} servers")
        sent = []
        failure = None
        for connection, request in zip(self.connections, requests):
            if request is None:
                continue
            op, params = request
            try:
                sent.append((connection, await connection.send(op, **params)))
            except Exception as e:  # noqa: BLE001 - raised below, once the replies already owed are read
                failure = e
                break
        replies = await asyncio.gather(*(connection.receive(request_id) for connection, request_id in sent), return_exceptions=True)
        errors = [r for r in replies if isinstance(r, BaseException)]
        if failure is not None or errors:
            raise failure if failure is not None else errors[0]
        by_connection = {id(connection): reply for (connection, _), reply in zip(sent, replies)}
        return [by_connection.get(id(connection)) if request is not None else None for connection, request in zip(self.connections, requests)]

    def close(self):
        """Closes every connection (each server frees the envs it made for it), then the loop. Idempotent."""
        if self.loop.is_closed():
            return
        try:
            for connection in self.connections:
                try:
                    connection.close()
                except Exception:  # noqa: BLE001 - one dead server must not keep the others' envs alive
                    pass
        finally:
            self.loop.close()

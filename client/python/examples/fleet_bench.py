"""64 envs on 1, 2 and 4 loopback servers in one sitting: the figures of docs/scaling.md.

    python3 examples/fleet_bench.py [--envs 64] [--steps 100] [--rounds 3] [--servers 1,2,4]

Starts the largest number of servers once (`rapier-gym serve`, each its own process), then measures
every fleet size in each round, alternating, so that all sizes see the same machine load; the best
round of each is reported (and every round, in the JSON line). A batched step is one
``RapierGymVectorEnv.step`` of all the envs: for each server one request out and one reply back.
"""

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fleet import start_servers, stop_servers  # noqa: E402
from rapier_gym_client import RapierGymVectorEnv  # noqa: E402

ENV = "PointMassPush-v0"
KWARGS = {"maxEpisodeSteps": 1_000_000}  # no resets inside the timed steps: the step's cost alone


def measure(urls, num_envs, steps):
    """Env steps/s and the batched step's p50/p99 in ms, random actions, after a warm-up."""
    vec = RapierGymVectorEnv(urls, ENV, num_envs, **KWARGS)
    rng = np.random.default_rng(0)
    try:
        vec.reset(seed=0)
        for _ in range(20):
            vec.step(rng.uniform(-1, 1, size=(num_envs, 2)))
        actions = rng.uniform(-1, 1, size=(steps, num_envs, 2))
        times = []
        start = time.perf_counter()
        for a in actions:
            t = time.perf_counter()
            vec.step(a)
            times.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - start
    finally:
        vec.close()
    times.sort()
    return {"stepsPerSec": steps * num_envs / elapsed, "p50Ms": 1000 * times[len(times) // 2], "p99Ms": 1000 * times[min(len(times) - 1, int(0.99 * len(times)))]}


def message_cost(url, num_envs, repeats=200):
    """The sizes of one step's request and reply for `num_envs` envs on one server, as JSON text, and
    the learner's own CPU per step in ms: encoding the request, decoding the reply into arrays."""
    vec = RapierGymVectorEnv(url, ENV, num_envs, **KWARGS)
    try:
        vec.reset(seed=0)
        shard = vec.shards[0]
        action = np.random.default_rng(0).uniform(-1, 1, size=(num_envs, 2))
        reply = vec.fleet.connections[0].request("step", handle=shard.handle, action=action.tolist())
        request_text = json.dumps({"id": 1, "op": "step", "handle": shard.handle, "action": action.tolist()})
        reply_text = json.dumps({"id": 1, "ok": True, "result": reply})
        start = time.perf_counter()
        for _ in range(repeats):
            json.dumps({"id": 1, "op": "step", "handle": shard.handle, "action": action.tolist()}, allow_nan=False)
            vec._merge([shard.batched_step(json.loads(reply_text)["result"])])
        client_ms = 1000 * (time.perf_counter() - start) / repeats
        return len(request_text), len(reply_text), client_ms
    finally:
        vec.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--envs", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--servers", default="1,2,4")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.servers.split(",")]
    urls, processes = start_servers(max(sizes))
    try:
        rounds = {n: [] for n in sizes}
        for r in range(args.rounds):
            for n in sizes:
                rounds[n].append(measure(urls[:n], args.envs, args.steps))
                print(f"round {r + 1}: {args.envs} envs on {n} server(s): {rounds[n][-1]['stepsPerSec']:.0f} env steps/s, batched step p50 {rounds[n][-1]['p50Ms']:.1f} ms", flush=True)
        request_bytes, reply_bytes, client_ms = message_cost(urls[0], args.envs)
    finally:
        stop_servers(processes)
    best = {n: max(rs, key=lambda m: m["stepsPerSec"]) for n, rs in rounds.items()}
    print(f"\n{args.envs} envs of {ENV}, best of {args.rounds} rounds of {args.steps} batched steps (python {platform.python_version()}):")
    for n in sizes:
        b = best[n]
        print(f"  {n} server(s): {b['stepsPerSec']:.0f} env steps/s ({b['stepsPerSec'] / best[sizes[0]]['stepsPerSec']:.2f}x {sizes[0]}), batched step p50 {b['p50Ms']:.1f} ms, p99 {b['p99Ms']:.1f} ms")
    print(f"  one server's step of {args.envs} envs: request {request_bytes} B, reply {reply_bytes} B of JSON; the learner's encode + decode {client_ms:.2f} ms")
    print(json.dumps({"suite": "fleet", "env": ENV, "numEnvs": args.envs, "steps": args.steps, "best": best, "rounds": rounds, "requestBytes": request_bytes, "replyBytes": reply_bytes, "clientMs": client_ms}))


if __name__ == "__main__":
    main()

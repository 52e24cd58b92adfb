"""64 envs over several rapier-gym servers, driven SB3-style (one batched step per policy call).

On one machine, to try it (starts 4 `rapier-gym serve` processes on free loopback ports):

    python3 examples/fleet.py --spawn 4

Across 4 machines, on each simulator machine (the token is needed to bind anything but loopback):

    rapier-gym serve --host 0.0.0.0 --port 8765 --token "$RAPIER_GYM_TOKEN" --max-envs 64

and on the learner:

    python3 examples/fleet.py --token "$RAPIER_GYM_TOKEN" ws://sim1:8765 ws://sim2:8765 ws://sim3:8765 ws://sim4:8765

``RapierGymVectorEnv(urls, ...)`` splits the 64 envs 16 per server and steps all four at once.
See docs/scaling.md for the design and the measured figures.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from rapier_gym_client import RapierGymVectorEnv  # noqa: E402

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


def serve_command():
    """`rapier-gym` when installed, else this checkout's CLI through node."""
    installed = shutil.which("rapier-gym")
    return [installed] if installed else ["node", os.path.join(REPO_ROOT, "cli", "bin.js")]


def start_servers(count, token=None):
    """Starts `count` servers on free loopback ports; returns (urls, processes). Stop them with stop_servers."""
    processes, urls = [], []
    try:
        for _ in range(count):
            args = serve_command() + ["serve", "--port", "0"] + (["--token", token] if token else [])
            processes.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
        for process in processes:
            urls.append(listening_url(process))
    except BaseException:
        stop_servers(processes)
        raise
    return urls, processes


def listening_url(process):
    """`rapier-gym serve` prints "listening on ws://..." once its port is bound (a line tools rely on)."""
    for line in process.stdout:
        match = re.search(r"listening on (ws://\S+)", line)
        if match:
            return match.group(1)
    raise RuntimeError(f"rapier-gym serve exited ({process.wait()}) before listening")


def stop_servers(processes):
    """SIGTERM: each server closes its connections, frees its envs and exits 0."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        if process.stdout:
            process.stdout.close()


def run(urls, env_id="PointMassPush-v0", num_envs=64, steps=200, seed=0, token=None, quiet=False, **env_kwargs):
    """A random policy on `num_envs` envs spread over `urls`, SB3's VecEnv loop. Returns
    (env steps per second, episodes finished, successes)."""
    vec = RapierGymVectorEnv(urls, env_id, num_envs, token=token, **env_kwargs)
    rng = np.random.default_rng(seed)
    low, high = vec.action_space.low, vec.action_space.high
    episodes = successes = 0
    try:
        obs = vec.reset(seed=seed)
        start = time.perf_counter()
        for _ in range(steps):
            actions = rng.uniform(low, high, size=(vec.num_envs,) + low.shape)  # the policy would read obs here
            obs, rewards, dones, infos = vec.step(actions)
            for done, info in zip(dones, infos):
                if done:
                    episodes += 1
                    successes += bool(info["is_success"])
        elapsed = time.perf_counter() - start
    finally:
        vec.close()
    rate = steps * num_envs / elapsed
    if not quiet:
        print(f"{num_envs} envs of {env_id} on {len(urls)} server{'s' if len(urls) > 1 else ''}: {rate:.0f} env steps/s ({steps / elapsed:.1f} batched steps/s), {episodes} episodes finished, {successes} successes")
    return rate, episodes, successes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("urls", nargs="*", help="ws://host:port of each server")
    parser.add_argument("--spawn", type=int, default=0, help="start this many servers on loopback instead of connecting to URLs")
    parser.add_argument("--token", default=os.environ.get("RAPIER_GYM_TOKEN"))
    parser.add_argument("--env", default="PointMassPush-v0")
    parser.add_argument("--envs", type=int, default=64)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if bool(args.urls) == bool(args.spawn):
        parser.error("give the servers' URLs or --spawn N, one of the two")
    processes = []
    try:
        urls = args.urls
        if args.spawn:
            urls, processes = start_servers(args.spawn, token=args.token)
        return run(urls, args.env, args.envs, args.steps, args.seed, args.token)
    finally:
        stop_servers(processes)


if __name__ == "__main__":
    main()

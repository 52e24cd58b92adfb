"""RapierGymVectorEnv over several servers. The mocha suite (test/client/python-client.test.ts)
starts four and passes their URLs, comma-separated, in RAPIER_GYM_FLEET_URLS; run by hand, start
`rapier-gym serve --port P` for a few ports and set it yourself."""

import asyncio
import json
import os
import sys
import threading
import time
import unittest
import urllib.request

import numpy as np
import websockets

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))

from rapier_gym_client import RapierGymVectorEnv, RemoteError, split_envs  # noqa: E402

FLEET = [u for u in os.environ.get("RAPIER_GYM_FLEET_URLS", "").split(",") if u]


def envs_on(url):
    """The envs a server holds, from its /health endpoint."""
    with urllib.request.urlopen(url.replace("ws://", "http://", 1) + "/health", timeout=10) as response:
        return json.load(response)["envs"]


def wait_until_freed(url):
    """A server frees a closed connection's envs when its close arrives, just after close() returns."""
    for _ in range(200):
        if envs_on(url) == 0:
            return 0
        time.sleep(0.05)
    return envs_on(url)


def rollout(urls, num_envs, steps, seed=4):
    """Observations, rewards, dones and terminal observations of a fixed action sequence, as arrays."""
    vec = RapierGymVectorEnv(urls, "PointMassPush-v0", num_envs, maxEpisodeSteps=3)
    try:
        rng = np.random.default_rng(0)
        record = [vec.reset(seed=seed)["observation"]]
        for _ in range(steps):
            obs, rewards, dones, infos = vec.step(rng.uniform(-1, 1, size=(num_envs, 2)))
            finals = [i["terminal_observation"]["observation"] if "terminal_observation" in i else np.zeros(8) for i in infos]
            record += [obs["observation"], rewards, dones.astype(float), np.stack(finals), [i["TimeLimit.truncated"] for i in infos]]
        return record
    finally:
        vec.close()


BOX = {"type": "Box", "low": [-1.0, -1.0], "high": [1.0, 1.0], "shape": [2], "dtype": "float64"}


class BarrierServer:
    """A fake server in a thread of its own that answers a step only once every server sharing its
    barrier has received one: a client that awaited one server's reply before sending to the next
    would leave the barrier broken (after its timeout) and get an error instead."""

    def __init__(self, barrier):
        self.barrier = barrier
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self.thread.start()
        started.wait()

    def _run(self, started):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(websockets.serve(self._handle, "127.0.0.1", 0))
        self.url = f"ws://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        started.set()
        self.loop.run_forever()

    async def _handle(self, ws, _path=None):
        async for text in ws:
            request = json.loads(text)
            result = self._result(request)
            if isinstance(result, str):
                await ws.send(json.dumps({"id": request["id"], "ok": False, "error": {"code": "INTERNAL", "message": result}}))
            else:
                await ws.send(json.dumps({"id": request["id"], "ok": True, "result": result}))

    def _result(self, request):
        op = request["op"]
        if op == "hello":
            return {"protocol": 2, "server": "barrier", "envs": []}
        if op == "make":
            self.num_envs = request["numEnvs"]
            space = {"type": "Dict", "spaces": {"observation": BOX}}
            return {"handle": 1, "observationSpace": space, "actionSpace": BOX, "spec": {"id": "Fake-v0", "kwargs": {}, "maxEpisodeSteps": None}, "numEnvs": self.num_envs}
        if op == "step":
            try:
                self.barrier.wait()  # blocks this server's own loop: the other server runs in its own thread
            except threading.BrokenBarrierError:
                return "the other server never received its step"
            n = self.num_envs
            return {"obs": {"observation": request["action"]}, "reward": [0.0] * n, "terminated": [False] * n, "truncated": [False] * n, "info": {"is_success": [False] * n, "final_obs": [None] * n}}
        return f"unexpected op {op}"

    def close(self):
        async def stop():
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


class ParallelStepTest(unittest.TestCase):
    def test_every_server_is_sent_its_step_before_any_reply_is_awaited(self):
        barrier = threading.Barrier(2, timeout=30)
        servers = [BarrierServer(barrier), BarrierServer(barrier)]
        try:
            vec = RapierGymVectorEnv([s.url for s in servers], "Fake-v0", 4)
            try:
                for t in range(3):
                    actions = np.full((4, 2), 0.1 * t)
                    obs, _, _, _ = vec.step(actions)
                    np.testing.assert_array_equal(obs["observation"], actions)
            finally:
                vec.close()
        finally:
            for s in servers:
                s.close()


class SplitTest(unittest.TestCase):
    def test_envs_split_as_evenly_as_possible(self):
        self.assertEqual(split_envs(64, 4), [16, 16, 16, 16])
        self.assertEqual(split_envs(10, 4), [3, 3, 2, 2])
        self.assertEqual(split_envs(np.int64(3), 1), [3])

    def test_bad_fleets_are_refused_by_name(self):
        with self.assertRaisesRegex(ValueError, "list of server URLs is empty"):
            RapierGymVectorEnv([], "PointMassPush-v0", 4)
        with self.assertRaisesRegex(ValueError, r"num_envs \(2\) is less than the number of servers \(3\)"):
            split_envs(2, 3)
        with self.assertRaisesRegex(ValueError, "positive int"):
            split_envs(0, 1)
        with self.assertRaisesRegex(ValueError, "ws://host:port"):
            RapierGymVectorEnv(["http://127.0.0.1:1"], "PointMassPush-v0", 4)
        with self.assertRaisesRegex(ValueError, "listed twice"):
            RapierGymVectorEnv(["ws://127.0.0.1:1", "ws://127.0.0.1:1"], "PointMassPush-v0", 4)


@unittest.skipUnless(len(FLEET) >= 4, "set RAPIER_GYM_FLEET_URLS to four running rapier-gym servers, comma-separated")
class FleetTest(unittest.TestCase):
    def test_one_server_and_four_give_the_same_episodes_for_the_same_seed(self):
        # 9 steps with 3-step episodes: every env resets itself three times inside step.
        one = rollout(FLEET[:1], 64, 9)
        four = rollout(FLEET[:4], 64, 9)
        self.assertEqual(len(one), len(four))
        for a, b in zip(one, four):
            np.testing.assert_array_equal(a, b)

    def test_an_uneven_split_with_single_env_servers_matches_one_server(self):
        # 5 envs on 4 servers: 2, 1, 1, 1. A server holding one env answers unbatched and does not autoreset.
        np.testing.assert_equal(rollout(FLEET[:4], 5, 7), rollout(FLEET[:1], 5, 7))

    def test_compute_reward_equals_the_step_rewards(self):
        vec = RapierGymVectorEnv(FLEET[:2], "PointMassPush-v0", 4)
        try:
            vec.reset(seed=3)
            obs, rewards, _, _ = vec.step(np.random.default_rng(1).uniform(-1, 1, size=(4, 2)))
            np.testing.assert_array_equal(vec.compute_reward(obs["achieved_goal"], obs["desired_goal"], [{}] * 4), rewards)
            self.assertEqual(vec.compute_reward(obs["achieved_goal"][0], obs["desired_goal"][0]).shape, ())
            with self.assertRaisesRegex(ValueError, "same shape"):
                vec.compute_reward(obs["achieved_goal"], obs["desired_goal"][:2])
        finally:
            vec.close()

    def test_each_server_holds_its_share_and_close_frees_them_all(self):
        vec = RapierGymVectorEnv(FLEET[:4], "PointMassReach-v0", 10)
        self.assertEqual(vec.num_envs, 10)
        self.assertEqual([envs_on(u) for u in FLEET[:4]], [3, 3, 2, 2])
        obs = vec.reset(seed=0)
        self.assertEqual(obs["observation"].shape, (10, 4))
        obs, rewards, dones, infos = vec.step(np.zeros((10, 2)))
        self.assertEqual(rewards.shape, (10,))
        self.assertEqual(len(infos), 10)
        vec.close()
        vec.close()
        self.assertEqual([wait_until_freed(u) for u in FLEET[:4]], [0, 0, 0, 0])

    def test_errors_leave_every_connection_in_step(self):
        vec = RapierGymVectorEnv(FLEET[:3], "PointMassReach-v0", 6)
        try:
            with self.assertRaises(RemoteError) as caught:
                vec.step(np.zeros((6, 2)))
            self.assertEqual(caught.exception.code, "RESET_NEEDED")
            with self.assertRaisesRegex(ValueError, "NaN"):
                vec.step(np.full((6, 2), np.nan))
            vec.reset(seed=1)
            obs, _, _, _ = vec.step(np.zeros((6, 2)))
            self.assertEqual(obs["observation"].shape, (6, 4))
        finally:
            vec.close()
        with self.assertRaises(RemoteError) as caught:
            RapierGymVectorEnv(FLEET[:2], "PointMassReach-v0", 4, rewardType="shaped")
        self.assertEqual(caught.exception.code, "BAD_KWARGS")
        self.assertEqual([wait_until_freed(u) for u in FLEET[:2]], [0, 0])

    @unittest.skipUnless(os.environ.get("RAPIER_GYM_TOKEN_URL"), "set RAPIER_GYM_TOKEN_URL and RAPIER_GYM_TOKEN to a server started with --token")
    def test_the_token_goes_to_every_server(self):
        vec = RapierGymVectorEnv([FLEET[0], os.environ["RAPIER_GYM_TOKEN_URL"]], "PointMassReach-v0", 4, token=os.environ["RAPIER_GYM_TOKEN"])
        vec.reset(seed=0)
        vec.close()
        with self.assertRaises(RemoteError) as caught:
            RapierGymVectorEnv([FLEET[0], os.environ["RAPIER_GYM_TOKEN_URL"]], "PointMassReach-v0", 4)
        self.assertEqual(caught.exception.code, "UNAUTHORIZED")

    def test_the_fleet_example_runs(self):
        import fleet

        rate, episodes, _ = fleet.run(FLEET[:4], "PointMassReach-v0", num_envs=8, steps=6, quiet=True, maxEpisodeSteps=5)
        self.assertGreater(rate, 0)
        self.assertGreater(episodes, 0)


if __name__ == "__main__":
    unittest.main()

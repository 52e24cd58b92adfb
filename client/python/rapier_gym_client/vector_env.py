"""N envs stepped with SB3's VecEnv autoreset, on one server or spread over several: a finished env
is reset inside the step, and its last observation is ``infos[i]["terminal_observation"]``.

Given several URLs, the envs are split across the servers as evenly as possible, one connection and
one vector env (``make numEnvs=k``) per server, and each step sends every server its rows of the
actions before waiting for any reply, so the servers step in parallel. Env i of the whole fleet is
seeded with seed + i whichever server holds it: one server with 64 envs and four with 16 give the
same observations for the same seed and actions.
"""

import numpy as np

from .fleet import Fleet, split_envs
from .spaces import space_from_json


def _array(rows):
    return np.asarray(rows, dtype=np.float64)


class _Shard:
    """The envs one server holds: rows ``offset`` to ``offset + size`` of the fleet's."""

    def __init__(self, made, offset):
        self.handle = made["handle"]
        self.size = made["numEnvs"]
        self.offset = offset

    def batched_reset(self, result):
        """A single env (a server holding one env of the fleet) answers unbatched: made a batch of one."""
        if self.size == 1:
            return {k: _array([v]) for k, v in result["obs"].items()}
        return {k: _array(v) for k, v in result["obs"].items()}

    def batched_step(self, result):
        if self.size > 1:
            return result
        # A single env does not reset itself: the fleet resets it after the step (see RapierGymVectorEnv.step).
        done = result["terminated"] or result["truncated"]
        return {
            "obs": {k: [v] for k, v in result["obs"].items()},
            "reward": [result["reward"]],
            "terminated": [result["terminated"]],
            "truncated": [result["truncated"]],
            "info": {"is_success": [result["info"]["is_success"]], "final_obs": [result["obs"] if done else None]},
        }


class RapierGymVectorEnv:
    """Observations are dicts of (num_envs, dim) arrays; actions are (num_envs, action_dim).

    ``urls`` is one ws:// URL or a list of them (one per server); ``token`` is sent to every server.
    """

    def __init__(self, urls, env_id, num_envs, token=None, **kwargs):
        self.fleet = Fleet(urls, token=token)
        try:
            sizes = split_envs(num_envs, len(self.fleet.urls))
            made = self.fleet.exchange([("make", {"env": env_id, "kwargs": kwargs, "numEnvs": k}) for k in sizes])
            self._check_same_spaces(made)
        except BaseException:
            self.fleet.close()
            raise
        offsets = np.cumsum([0] + sizes[:-1])
        self.shards = [_Shard(m, int(offset)) for m, offset in zip(made, offsets)]
        self.num_envs = sum(sizes)
        self.observation_space = space_from_json(made[0]["observationSpace"])
        self.action_space = space_from_json(made[0]["actionSpace"])

    @property
    def urls(self):
        return self.fleet.urls

    def _check_same_spaces(self, made):
        """Servers of different versions could make different envs under one id: refused, naming them."""
        first = made[0]
        for url, m in zip(self.fleet.urls[1:], made[1:]):
            if m["observationSpace"] != first["observationSpace"] or m["actionSpace"] != first["actionSpace"] or m["spec"] != first["spec"]:
                raise ValueError(f"{url} makes a different env than {self.fleet.urls[0]} under the same id and kwargs (spaces or spec differ): are they the same rapier-gym version?")

    def reset(self, seed=None):
        """Env i of the fleet is seeded with seed + i. Returns the batched observation, as SB3's VecEnv.reset."""
        if seed is not None:
            seed = int(seed)
        requests = [("reset", {"handle": s.handle, **({} if seed is None else {"seed": seed + s.offset})}) for s in self.shards]
        results = self.fleet.exchange(requests)
        parts = [shard.batched_reset(r) for shard, r in zip(self.shards, results)]
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    def step(self, actions):
        """Returns (obs, rewards, dones, infos) as SB3's VecEnv.step; infos carry TimeLimit.truncated and terminal_observation."""
        actions = np.asarray(actions, dtype=np.float64).reshape(self.num_envs, -1)
        if not np.isfinite(actions).all():
            raise ValueError("actions: JSON cannot carry NaN or infinity")
        requests = []
        for s in self.shards:
            rows = actions[s.offset : s.offset + s.size]
            requests.append(("step", {"handle": s.handle, "action": rows[0].tolist() if s.size == 1 else rows.tolist()}))
        results = [shard.batched_step(r) for shard, r in zip(self.shards, self.fleet.exchange(requests))]
        self._reset_finished_single_envs(results)
        return self._merge(results)

    def _reset_finished_single_envs(self, results):
        """SB3's autoreset for servers that hold one env (a vector env on the server resets its own):
        reset without a seed, as the server's vector env does, so the episode that follows is the same."""
        requests = [("reset", {"handle": s.handle}) if s.size == 1 and r["info"]["final_obs"][0] is not None else None for s, r in zip(self.shards, results)]
        if all(r is None for r in requests):
            return
        for result, reset in zip(results, self.fleet.exchange(requests)):
            if reset is not None:
                result["obs"] = {k: [v] for k, v in reset["obs"].items()}

    def _merge(self, results):
        keys = results[0]["obs"].keys()
        obs = {k: np.concatenate([_array(r["obs"][k]) for r in results]) for k in keys}
        terminated = np.concatenate([np.asarray(r["terminated"], dtype=bool) for r in results])
        truncated = np.concatenate([np.asarray(r["truncated"], dtype=bool) for r in results])
        rewards = np.concatenate([_array(r["reward"]) for r in results])
        successes = [s for r in results for s in r["info"]["is_success"]]
        finals = [f for r in results for f in r["info"]["final_obs"]]
        infos = []
        for i in range(self.num_envs):
            info = {"is_success": successes[i], "TimeLimit.truncated": bool(truncated[i] and not terminated[i])}
            if finals[i] is not None:
                info["terminal_observation"] = {k: _array(v) for k, v in finals[i].items()}
            infos.append(info)
        return obs, rewards, terminated | truncated, infos

    def compute_reward(self, achieved_goal, desired_goal, info=None):
        """The env's reward for goals of shape (..., d), batched as RapierGymEnv's (what SB3's HER
        relabelling calls through ``env_method``); asked of the first server, as every env is the same."""
        achieved = np.asarray(achieved_goal, dtype=np.float64)
        desired = np.asarray(desired_goal, dtype=np.float64)
        if achieved.shape != desired.shape:
            raise ValueError(f"achieved_goal {achieved.shape} and desired_goal {desired.shape} must have the same shape")
        goal_dim = achieved.shape[-1] if achieved.ndim > 0 else 1
        request = ("computeReward", {"handle": self.shards[0].handle, "achievedGoal": achieved.reshape(-1, goal_dim).tolist(), "desiredGoal": desired.reshape(-1, goal_dim).tolist()})
        reward = self.fleet.exchange([request] + [None] * (len(self.shards) - 1))[0]["reward"]
        return np.asarray(reward, dtype=np.float64).reshape(achieved.shape[:-1])

    def close(self):
        """Closes every server's connection; each server frees the envs it held."""
        self.fleet.close()

"""One env on a rapier-gym server, with Gymnasium's API: what a Stable-Baselines3 HER user points
at (Dict observations with achieved_goal / desired_goal and a batched compute_reward)."""

import numpy as np

from .connection import Connection
from .seeding import SeededEnv
from .spaces import HAVE_GYMNASIUM, space_from_json

if HAVE_GYMNASIUM:
    import gymnasium

    _EnvBase = gymnasium.Env
else:
    _EnvBase = SeededEnv


def obs_from_json(obs):
    """Wire observations (key -> list of numbers) as float64 arrays."""
    return {k: np.asarray(v, dtype=np.float64) for k, v in obs.items()}


def action_to_json(action):
    return np.asarray(action, dtype=np.float64).tolist()


class RapierGymEnv(_EnvBase):
    """``RapierGymEnv("ws://127.0.0.1:8765", "PointMassPush-v0", maxEpisodeSteps=100)``.

    Keyword arguments are the env's kwargs (camelCase, as ``rapier-gym envs`` lists them).
    Closing the env closes its connection, and the server frees the env.
    """

    metadata = {"render_modes": []}

    def __init__(self, url, env_id, token=None, connection=None, **kwargs):
        self._owns_connection = connection is None
        self.connection = connection if connection is not None else Connection(url, token=token)
        made = self.connection.request("make", env=env_id, kwargs=kwargs)
        self.handle = made["handle"]
        self.observation_space = space_from_json(made["observationSpace"])
        self.action_space = space_from_json(made["actionSpace"])
        self.spec_json = made["spec"]
        self._goal_dim = int(np.prod(self.observation_space["achieved_goal"].shape))
        self._closed = False

    def reset(self, *, seed=None, options=None):
        """The server's env reset (with ``seed``, reseeded); ``self.np_random`` is seeded from the same seed."""
        seed = None if seed is None else int(seed)
        super().reset(seed=seed)
        params = {"handle": self.handle}
        if seed is not None:
            params["seed"] = seed
        if options is not None:
            params["options"] = options
        result = self.connection.request("reset", **params)
        return obs_from_json(result["obs"]), result["info"]

    def step(self, action):
        result = self.connection.request("step", handle=self.handle, action=action_to_json(action))
        return obs_from_json(result["obs"]), float(result["reward"]), bool(result["terminated"]), bool(result["truncated"]), result["info"]

    def compute_reward(self, achieved_goal, desired_goal, info=None):
        """Batched over any leading axes, as gymnasium-robotics: goals of shape (..., d) give rewards of shape (...)."""
        achieved = np.asarray(achieved_goal, dtype=np.float64)
        desired = np.asarray(desired_goal, dtype=np.float64)
        if achieved.shape != desired.shape:
            raise ValueError(f"achieved_goal {achieved.shape} and desired_goal {desired.shape} must have the same shape")
        goal_dim = achieved.shape[-1] if achieved.ndim > 0 else 1
        rows = achieved.reshape(-1, goal_dim)
        reward = self.connection.request("computeReward", handle=self.handle, achievedGoal=rows.tolist(), desiredGoal=desired.reshape(-1, goal_dim).tolist())["reward"]
        return np.asarray(reward, dtype=np.float64).reshape(achieved.shape[:-1])

    def snapshot(self):
        """The env's whole state as opaque bytes; they restore on the server that made them."""
        return self.connection.request("snapshot", handle=self.handle)["snapshot"]

    def restore(self, snapshot):
        self.connection.request("restore", handle=self.handle, snapshot=snapshot)

    def close(self):
        if self._closed:
            return
        self._closed = True
        if self._owns_connection:
            self.connection.close()
        else:
            self.connection.request("close", handle=self.handle)

    def __repr__(self):
        return f"RapierGymEnv<{self.spec_json['id']}>"

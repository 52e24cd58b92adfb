"""N envs on the server stepped in one message, with SB3's VecEnv autoreset: a finished env is
reset inside the step, and its last observation is ``infos[i]["terminal_observation"]``."""

import numpy as np

from .connection import Connection
from .spaces import space_from_json


class RapierGymVectorEnv:
    """Observations are dicts of (num_envs, dim) arrays; actions are (num_envs, action_dim)."""

    def __init__(self, url, env_id, num_envs, token=None, **kwargs):
        self.connection = Connection(url, token=token)
        made = self.connection.request("make", env=env_id, kwargs=kwargs, numEnvs=int(num_envs))
        self.handle = made["handle"]
        self.num_envs = made["numEnvs"]
        self.observation_space = space_from_json(made["observationSpace"])
        self.action_space = space_from_json(made["actionSpace"])

    def reset(self, seed=None):
        """Env i is seeded with seed + i. Returns the batched observation, as SB3's VecEnv.reset."""
        result = self.connection.request("reset", handle=self.handle, **({} if seed is None else {"seed": int(seed)}))
        return {k: np.asarray(v, dtype=np.float64) for k, v in result["obs"].items()}

    def step(self, actions):
        """Returns (obs, rewards, dones, infos) as SB3's VecEnv.step; infos carry TimeLimit.truncated and terminal_observation."""
        actions = np.asarray(actions, dtype=np.float64).reshape(self.num_envs, -1)
        result = self.connection.request("step", handle=self.handle, action=actions.tolist())
        obs = {k: np.asarray(v, dtype=np.float64) for k, v in result["obs"].items()}
        terminated = np.asarray(result["terminated"], dtype=bool)
        truncated = np.asarray(result["truncated"], dtype=bool)
        infos = []
        for i in range(self.num_envs):
            info = {"is_success": result["info"]["is_success"][i], "TimeLimit.truncated": bool(truncated[i] and not terminated[i])}
            final = result["info"]["final_obs"][i]
            if final is not None:
                info["terminal_observation"] = {k: np.asarray(v, dtype=np.float64) for k, v in final.items()}
            infos.append(info)
        return obs, np.asarray(result["reward"], dtype=np.float64), terminated | truncated, infos

    def close(self):
        self.connection.close()

"""A Gymnasium-style client for a rapier-gym server: ``RapierGymEnv`` for one env,
``RapierGymVectorEnv`` for N envs stepped in one message per server (SB3's autoreset), on one
server or spread over several (``Fleet``)."""

from .connection import Connection, RemoteError
from .env import RapierGymEnv
from .fleet import Fleet, split_envs
from .spaces import HAVE_GYMNASIUM, Box, Dict, space_from_json
from .vector_env import RapierGymVectorEnv

__all__ = ["Connection", "RemoteError", "RapierGymEnv", "RapierGymVectorEnv", "Fleet", "split_envs", "Box", "Dict", "space_from_json", "HAVE_GYMNASIUM"]

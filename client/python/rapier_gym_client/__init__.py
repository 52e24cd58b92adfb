"""A Gymnasium-style client for a rapier-gym server: ``RapierGymEnv`` for one env,
``RapierGymVectorEnv`` for N envs stepped in one message (SB3's autoreset)."""

from .connection import Connection, RemoteError
from .env import RapierGymEnv
from .spaces import HAVE_GYMNASIUM, Box, Dict, space_from_json
from .vector_env import RapierGymVectorEnv

__all__ = ["Connection", "RemoteError", "RapierGymEnv", "RapierGymVectorEnv", "Box", "Dict", "space_from_json", "HAVE_GYMNASIUM"]

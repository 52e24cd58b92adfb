"""A random agent on a rapier-gym server: start one with `rapier-gym serve`, then
`python3 examples/random_agent.py ws://127.0.0.1:8765 PointMassPush-v0 3`."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from rapier_gym_client import RapierGymEnv  # noqa: E402


def main(url="ws://127.0.0.1:8765", env_id="PointMassPush-v0", episodes=3, seed=0):
    env = RapierGymEnv(url, env_id)
    env.action_space.seed(seed)
    returns = []
    try:
        for episode in range(episodes):
            obs, info = env.reset(seed=seed + episode)
            total, done = 0.0, False
            while not done:
                obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
                total += reward
                done = terminated or truncated
            returns.append(total)
            print(f"episode {episode}: return {total:.1f}, success {info['is_success']}")
    finally:
        env.close()
    return returns


if __name__ == "__main__":
    args = sys.argv[1:]
    main(*(args[:2]), *(int(a) for a in args[2:3]))

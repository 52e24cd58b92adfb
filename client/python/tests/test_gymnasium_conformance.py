"""Gymnasium's env checker, as tests: the checks of ``gymnasium.utils.env_checker.check_env``
(tests/env_checks.py) on the envs Gymnasium's own checker was run on, and the checker itself where
gymnasium is installed. Needs RAPIER_GYM_URL, as test_client.py."""

import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import env_checks  # noqa: E402
from rapier_gym_client import HAVE_GYMNASIUM, RapierGymEnv  # noqa: E402
from rapier_gym_client.seeding import np_random  # noqa: E402

URL = os.environ.get("RAPIER_GYM_URL")
ENV_IDS = ["PointMassReach-v0", "PointMassPush-v0", "PandaPush-v0", "PandaPickAndPlaceJoints-v0"]


@unittest.skipUnless(URL, "set RAPIER_GYM_URL to a running rapier-gym server")
class GymnasiumConformanceTest(unittest.TestCase):
    def each_env(self, check):
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = RapierGymEnv(URL, env_id)
                try:
                    check(env)
                finally:
                    env.close()

    def test_signatures_and_spaces(self):
        self.each_env(lambda env: (env_checks.check_signatures(env), env_checks.check_spaces(env)))

    def test_reset_seeds_np_random_and_the_episode(self):
        self.each_env(env_checks.check_reset_seeding)

    def test_the_same_seed_and_action_give_the_same_step(self):
        self.each_env(env_checks.check_step_determinism)

    def test_every_observation_of_an_episode_is_in_the_space(self):
        def episodes(env):
            for seed in (0, 1):
                self.assertEqual(env_checks.check_episode(env, seed), env.spec_json["maxEpisodeSteps"])

        self.each_env(episodes)

    def test_np_random_is_gymnasiums_generator_for_the_seed(self):
        env = RapierGymEnv(URL, "PointMassReach-v0")
        try:
            env.reset(seed=np.int64(7))
            expected = np.random.Generator(np.random.PCG64(np.random.SeedSequence(7)))
            self.assertEqual(env.np_random.bit_generator.state, expected.bit_generator.state)
            self.assertEqual(env.np_random_seed, 7)
            before = env.np_random.bit_generator.state
            env.reset()
            self.assertEqual(env.np_random.bit_generator.state, before, "an unseeded reset must leave np_random as it was")
            with self.assertRaises(Exception):
                np_random(-1)
        finally:
            env.close()
            env.close()

    def test_gymnasiums_own_checker_passes_where_gymnasium_is_installed(self):
        if not HAVE_GYMNASIUM:
            # Not a skip: the same checks ran above, from tests/env_checks.py.
            return
        from gymnasium.utils.env_checker import check_env

        self.each_env(lambda env: check_env(env, skip_render_check=True, skip_close_check=True))


if __name__ == "__main__":
    unittest.main()

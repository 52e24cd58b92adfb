"""The Python client against a real server. The mocha suite (test/client/python-client.test.ts)
starts one and passes RAPIER_GYM_URL, and RAPIER_GYM_TOKEN_URL / RAPIER_GYM_TOKEN for a server
that needs a token; run by hand, start `rapier-gym serve` and set RAPIER_GYM_URL yourself."""

import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))

from rapier_gym_client import HAVE_GYMNASIUM, Connection, RapierGymEnv, RapierGymVectorEnv, RemoteError  # noqa: E402

URL = os.environ.get("RAPIER_GYM_URL")
GOAL_KEYS = ["observation", "achieved_goal", "desired_goal", "controllable_achieved_goal", "full_positional_state"]


@unittest.skipUnless(URL, "set RAPIER_GYM_URL to a running rapier-gym server")
class EnvTest(unittest.TestCase):
    def setUp(self):
        self.env = RapierGymEnv(URL, "PointMassPush-v0", maxEpisodeSteps=5)

    def tearDown(self):
        self.env.close()

    def test_spaces_come_from_the_server(self):
        space = self.env.observation_space
        self.assertEqual(sorted(space.keys()), sorted(GOAL_KEYS))
        self.assertEqual(space["observation"].shape, (8,))
        self.assertTrue(np.all(np.isinf(space["observation"].low)))
        self.assertEqual(space["achieved_goal"].shape, (2,))
        self.assertEqual(self.env.action_space.shape, (2,))
        self.assertEqual(self.env.action_space.dtype, np.float64)
        self.assertTrue(np.all(self.env.action_space.low == -1))
        self.assertEqual(self.env.spec_json["maxEpisodeSteps"], 5)
        self.assertEqual(HAVE_GYMNASIUM, type(space).__module__.startswith("gymnasium"))

    def test_reset_and_step_follow_gymnasium(self):
        obs, info = self.env.reset(seed=3)
        self.assertTrue(self.env.observation_space.contains(obs))
        self.assertEqual(obs["observation"].dtype, np.float64)
        self.assertIsInstance(info["is_success"], bool)
        for t in range(5):
            obs, reward, terminated, truncated, info = self.env.step(np.array([0.5, -0.5]))
            self.assertIsInstance(reward, float)
            self.assertIs(terminated, False)
            self.assertIs(truncated, t == 4)

    def test_the_same_seed_gives_the_same_episode(self):
        def episode():
            obs, _ = self.env.reset(seed=11)
            rows = [obs["observation"]]
            for _ in range(3):
                rows.append(self.env.step([0.3, 0.9])[0]["observation"])
            return np.stack(rows)

        np.testing.assert_array_equal(episode(), episode())

    def test_compute_reward_is_batched_and_equals_the_step_reward(self):
        self.env.reset(seed=0)
        obs, reward, _, _, info = self.env.step([1.0, 0.0])
        self.assertEqual(self.env.compute_reward(obs["achieved_goal"], obs["desired_goal"], info), reward)
        achieved = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
        desired = np.array([[0.0, 0.1], [2.0, 2.0], [2.0, 2.0]])
        rewards = self.env.compute_reward(achieved, desired, [{}] * 3)
        self.assertEqual(rewards.shape, (3,))
        np.testing.assert_array_equal(rewards, [0.0, -1.0, 0.0])

    def test_snapshot_and_restore_continue_identically(self):
        self.env.reset(seed=2)
        snapshot = self.env.snapshot()
        first = self.env.step([0.2, 0.2])[0]["observation"]
        self.env.restore(snapshot)
        np.testing.assert_array_equal(self.env.step([0.2, 0.2])[0]["observation"], first)

    def test_errors_name_the_problem(self):
        with self.assertRaises(RemoteError) as caught:
            self.env.step([0.0, 0.0])
        self.assertEqual(caught.exception.code, "RESET_NEEDED")
        self.env.reset(seed=0)
        with self.assertRaises(RemoteError) as caught:
            self.env.step([0.0, 0.0, 0.0])
        self.assertEqual(caught.exception.code, "BAD_ACTION")
        self.assertIn("length 2, got 3", caught.exception.message)
        with self.assertRaises(ValueError):
            self.env.step([float("nan"), 0.0])
        with self.assertRaises(RemoteError) as caught:
            RapierGymEnv(URL, "PointMassPsh-v0")
        self.assertEqual(caught.exception.code, "UNKNOWN_ENV")
        self.assertIn("did you mean PointMassPush-v0", caught.exception.message)
        with self.assertRaises(RemoteError) as caught:
            RapierGymEnv(URL, "PointMassPush-v0", rewardType="shaped")
        self.assertEqual(caught.exception.code, "BAD_KWARGS")
        # The connection goes on after errors.
        self.env.step([0.0, 0.0])


@unittest.skipUnless(URL, "set RAPIER_GYM_URL to a running rapier-gym server")
class VectorEnvTest(unittest.TestCase):
    def test_steps_every_env_in_one_message_with_sb3_autoreset(self):
        vec = RapierGymVectorEnv(URL, "PointMassReach-v0", 3, maxEpisodeSteps=2)
        try:
            obs = vec.reset(seed=5)
            self.assertEqual(obs["observation"].shape, (3, 4))
            actions = np.zeros((3, 2))
            obs, rewards, dones, infos = vec.step(actions)
            self.assertEqual(rewards.shape, (3,))
            self.assertFalse(dones.any())
            obs, rewards, dones, infos = vec.step(actions)
            self.assertTrue(dones.all())
            for info in infos:
                self.assertTrue(info["TimeLimit.truncated"])
                self.assertEqual(info["terminal_observation"]["observation"].shape, (4,))
            # The rows already hold the next episodes' first observations.
            self.assertFalse(np.array_equal(obs["observation"][0], infos[0]["terminal_observation"]["observation"]))
        finally:
            vec.close()


@unittest.skipUnless(URL, "set RAPIER_GYM_URL to a running rapier-gym server")
class ConnectionTest(unittest.TestCase):
    def test_hello_lists_the_envs(self):
        connection = Connection(URL)
        try:
            self.assertEqual(connection.hello["protocol"], 2)
            self.assertIn("PointMassPush-v0", connection.hello["envs"])
            with self.assertRaises(RemoteError) as caught:
                connection.request("teleport")
            self.assertEqual(caught.exception.code, "UNKNOWN_OP")
        finally:
            connection.close()
            connection.close()

    @unittest.skipUnless(os.environ.get("RAPIER_GYM_TOKEN_URL"), "set RAPIER_GYM_TOKEN_URL and RAPIER_GYM_TOKEN to a server started with --token")
    def test_a_server_with_a_token_refuses_clients_without_it(self):
        url = os.environ["RAPIER_GYM_TOKEN_URL"]
        with self.assertRaises(RemoteError) as caught:
            Connection(url)
        self.assertEqual(caught.exception.code, "UNAUTHORIZED")
        env = RapierGymEnv(url, "PointMassReach-v0", token=os.environ["RAPIER_GYM_TOKEN"])
        env.reset(seed=0)
        env.close()

    def test_the_random_agent_example_runs(self):
        import random_agent

        returns = random_agent.main(URL, "PointMassReach-v0", episodes=1)
        self.assertEqual(len(returns), 1)


if __name__ == "__main__":
    unittest.main()

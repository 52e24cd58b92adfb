"""The checks Gymnasium's env checker (``gymnasium.utils.env_checker.check_env`` and its passive
checker) makes of an env, written for this client so that its tests make them whether or not
gymnasium is installed: the signatures of reset and step, the spaces, reset seeding and its
determinism, step determinism, and that every observation lies in the observation space.
Each check raises AssertionError naming what failed."""

import copy
import inspect

import numpy as np


def check_signatures(env):
    """``reset(*, seed=None, options=None)`` and ``step(action)``, as Gymnasium 1.0 calls them."""
    reset = inspect.signature(env.reset).parameters
    for name in ("seed", "options"):
        assert name in reset, f"reset has no {name} argument"
        assert reset[name].kind is inspect.Parameter.KEYWORD_ONLY, f"reset's {name} must be keyword-only"
        assert reset[name].default is None, f"reset's {name} must default to None, not {reset[name].default!r}"
    step = [p for p in inspect.signature(env.step).parameters.values() if p.default is inspect.Parameter.empty]
    assert len(step) == 1, f"step must take exactly one argument (the action), takes {[p.name for p in step]}"


def check_spaces(env):
    """Boxes whose bounds have the space's shape and dtype, non-empty Dicts, a [-1, 1] action box."""
    def boxes(space, where):
        if hasattr(space, "spaces"):
            assert len(space.spaces) > 0, f"{where} is an empty Dict"
            for key, sub in space.spaces.items():
                yield from boxes(sub, f"{where}[{key!r}]")
            return
        yield where, space

    for where, box in [*boxes(env.observation_space, "observation_space"), *boxes(env.action_space, "action_space")]:
        assert box.low.shape == box.shape and box.high.shape == box.shape, f"{where}: bounds of shape {box.low.shape}, {box.high.shape} for a box of shape {box.shape}"
        assert box.low.dtype == box.dtype and box.high.dtype == box.dtype, f"{where}: bounds of dtype {box.low.dtype} for a box of {box.dtype}"
        assert np.all(box.low < box.high), f"{where}: a low bound is not below its high bound"
    action = env.action_space
    assert len(action.shape) == 1 and np.all(action.low == -1) and np.all(action.high == 1), "the action space is not the normalised [-1, 1] box Gymnasium recommends"


def check_observation(env, obs, method):
    """A dict with the space's keys, each a float array of the space's dtype and shape, inside the space."""
    space = env.observation_space
    assert isinstance(obs, dict), f"{method} returned a {type(obs).__name__} observation, not a dict"
    assert list(obs.keys()) == list(space.spaces.keys()), f"{method}: observation keys {list(obs)} are not the space's {list(space.spaces)}"
    for key, value in obs.items():
        assert isinstance(value, np.ndarray), f"{method}: obs[{key!r}] is a {type(value).__name__}, not an ndarray"
        assert value.dtype == space[key].dtype, f"{method}: obs[{key!r}] is {value.dtype}, the space {space[key].dtype}"
    assert space.contains(obs), f"{method} returned an observation outside the observation space: {obs}"


def check_reset_return(env, **kwargs):
    result = env.reset(**kwargs)
    assert isinstance(result, tuple) and len(result) == 2, f"reset must return (obs, info), got {type(result).__name__} {result!r:.80}"
    obs, info = result
    check_observation(env, obs, "reset")
    assert isinstance(info, dict), f"reset's info is a {type(info).__name__}, not a dict"
    return obs, info


def check_reset_seeding(env):
    """reset(seed=s) seeds np_random and the episode: the same seed, the same observations and
    generator state, also for the unseeded reset after it; another seed, another generator."""
    obs_1, _ = check_reset_return(env, seed=123)
    assert env.unwrapped._np_random is not None, "reset(seed=123) left np_random unseeded: reset must call super().reset(seed=seed)"
    rng_1 = copy.deepcopy(env.unwrapped._np_random)
    obs_2, _ = check_reset_return(env)
    obs_3, _ = check_reset_return(env, seed=123)
    rng_3 = copy.deepcopy(env.unwrapped._np_random)
    obs_4, _ = check_reset_return(env)
    assert equal(obs_1, obs_3), "reset(seed=123) twice gave different observations"
    assert equal(obs_2, obs_4), "reset() after reset(seed=123) gave different observations each time"
    assert rng_1.bit_generator.state == rng_3.bit_generator.state, "reset(seed=123) twice left np_random in different states"
    check_reset_return(env, seed=456)
    assert env.unwrapped._np_random.bit_generator.state != rng_1.bit_generator.state, "reset(seed=456) left np_random as reset(seed=123) did"
    check_reset_return(env, options={})


def check_step_return(env, action):
    result = env.step(action)
    assert isinstance(result, tuple) and len(result) == 5, f"step must return (obs, reward, terminated, truncated, info), got {result!r:.80}"
    obs, reward, terminated, truncated, info = result
    check_observation(env, obs, "step")
    assert isinstance(reward, (float, int, np.floating, np.integer)), f"step's reward is a {type(reward).__name__}"
    assert np.isfinite(reward), f"step's reward is {reward}"
    assert isinstance(terminated, (bool, np.bool_)) and isinstance(truncated, (bool, np.bool_)), f"step's terminated and truncated are {type(terminated).__name__}, {type(truncated).__name__}, not bools"
    assert isinstance(info, dict), f"step's info is a {type(info).__name__}, not a dict"
    return result


def check_step_determinism(env, seed=123):
    """The same seed and action: the same step, and stepping leaves np_random alone."""
    env.action_space.seed(seed)
    action = env.action_space.sample()
    env.reset(seed=seed)
    first = check_step_return(env, action)
    rng = copy.deepcopy(env.unwrapped._np_random)
    env.reset(seed=seed)
    second = check_step_return(env, action)
    assert env.unwrapped._np_random.bit_generator.state == rng.bit_generator.state, "np_random is not the same after the same reset and step"
    for name, a, b in zip(("observation", "reward", "terminated", "truncated", "info"), first, second):
        assert equal(a, b), f"the same seed and action gave a different {name}: {a!r:.80} and {b!r:.80}"
    assert first[3] is False, "the env truncates after one step"


def check_episode(env, seed):
    """A whole episode of random actions: every observation in the space, every step well formed."""
    env.action_space.seed(seed)
    check_reset_return(env, seed=seed)
    steps, done = 0, False
    while not done:
        _, _, terminated, truncated, _ = check_step_return(env, env.action_space.sample())
        steps, done = steps + 1, terminated or truncated
    return steps


def equal(a, b):
    """Exact equality of observations, rewards and infos (dicts, lists, arrays, scalars)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.all(a == b))
    return bool(a == b)

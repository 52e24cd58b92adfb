"""The env's own random number generator, seeded through ``reset(seed=...)`` as Gymnasium's is.

With gymnasium installed, ``RapierGymEnv`` is a ``gymnasium.Env`` and ``super().reset(seed=seed)``
seeds ``self.np_random``. Without it, ``SeededEnv`` stands in for that part of ``gymnasium.Env``
with the same generator (PCG64 from a ``SeedSequence`` of the seed), so that code written against
``env.np_random`` (and Gymnasium's env checker) behaves the same with or without gymnasium.
"""

import numpy as np


def np_random(seed=None):
    """A generator and the seed it came from: ``seed``, or fresh entropy when it is None."""
    if seed is not None and not (isinstance(seed, int) and seed >= 0):
        raise ValueError(f"seed must be a non-negative python int, got {seed!r}")
    seed_sequence = np.random.SeedSequence(seed)
    return np.random.Generator(np.random.PCG64(seed_sequence)), seed_sequence.entropy


class SeededEnv:
    """The seeding part of ``gymnasium.Env``: ``reset(seed=...)``, ``np_random``, ``np_random_seed``."""

    metadata = {"render_modes": []}
    render_mode = None
    spec = None
    _np_random = None
    _np_random_seed = None

    def reset(self, *, seed=None, options=None):
        """Reseeds ``np_random`` when given a seed; without one it goes on as it was."""
        if seed is not None:
            self._np_random, self._np_random_seed = np_random(seed)

    @property
    def np_random(self):
        """Created from fresh entropy on first use when no seed has been given."""
        if self._np_random is None:
            self._np_random, self._np_random_seed = np_random()
        return self._np_random

    @np_random.setter
    def np_random(self, generator):
        self._np_random = generator
        self._np_random_seed = -1  # as gymnasium: the seed of a generator set by hand is unknown

    @property
    def np_random_seed(self):
        if self._np_random_seed is None:
            self._np_random, self._np_random_seed = np_random()
        return self._np_random_seed

    @property
    def unwrapped(self):
        return self

    def close(self):
        pass

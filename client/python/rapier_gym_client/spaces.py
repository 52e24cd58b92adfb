"""Spaces from the protocol's wire form: gymnasium's Box and Dict when gymnasium is installed
(so that SB3 and other gymnasium tools accept them), else minimal stand-ins with the same
attributes (low, high, shape, dtype, spaces, sample, contains)."""

import numpy as np

try:
    import gymnasium

    HAVE_GYMNASIUM = True
except ImportError:
    gymnasium = None
    HAVE_GYMNASIUM = False


class _Box:
    """A box in R^n, as gymnasium.spaces.Box."""

    def __init__(self, low, high, shape, dtype):
        self.dtype = np.dtype(dtype)
        self.shape = tuple(shape)
        self.low = np.broadcast_to(np.asarray(low, dtype=self.dtype), self.shape).copy()
        self.high = np.broadcast_to(np.asarray(high, dtype=self.dtype), self.shape).copy()
        self._rng = np.random.default_rng()

    def seed(self, seed=None):
        self._rng = np.random.default_rng(seed)
        return [seed]

    def sample(self):
        low = np.where(np.isfinite(self.low), self.low, -1.0)
        high = np.where(np.isfinite(self.high), self.high, 1.0)
        return self._rng.uniform(low, high).astype(self.dtype)

    def contains(self, x):
        x = np.asarray(x)
        return x.shape == self.shape and bool(np.all(x >= self.low) and np.all(x <= self.high))

    def __repr__(self):
        return f"Box({self.low.min()}, {self.high.max()}, {self.shape}, {self.dtype})"


class _Dict:
    """Named sub-spaces in order, as gymnasium.spaces.Dict."""

    def __init__(self, spaces):
        self.spaces = dict(spaces)

    def __getitem__(self, key):
        return self.spaces[key]

    def keys(self):
        return self.spaces.keys()

    def items(self):
        return self.spaces.items()

    def seed(self, seed=None):
        for i, space in enumerate(self.spaces.values()):
            space.seed(None if seed is None else seed + i)
        return [seed]

    def sample(self):
        return {k: s.sample() for k, s in self.spaces.items()}

    def contains(self, x):
        return isinstance(x, dict) and all(k in x and s.contains(x[k]) for k, s in self.spaces.items())

    def __repr__(self):
        return "Dict(" + ", ".join(f"{k}: {s!r}" for k, s in self.spaces.items()) + ")"


Box = gymnasium.spaces.Box if HAVE_GYMNASIUM else _Box
Dict = gymnasium.spaces.Dict if HAVE_GYMNASIUM else _Dict


def space_from_json(json):
    """``{type: "Box", low, high, shape, dtype}`` or ``{type: "Dict", spaces}``; null bounds are infinite."""
    if json["type"] == "Box":
        low = np.array([-np.inf if v is None else v for v in json["low"]], dtype=np.float64).reshape(json["shape"])
        high = np.array([np.inf if v is None else v for v in json["high"]], dtype=np.float64).reshape(json["shape"])
        return Box(low=low, high=high, shape=tuple(json["shape"]), dtype=np.dtype(json["dtype"]))
    if json["type"] == "Dict":
        return Dict({k: space_from_json(v) for k, v in json["spaces"].items()})
    raise ValueError(f"unknown space type {json['type']!r}")

"""Rules of acceptance that are arithmetic, not data: sample size, the draw, error rates.

No database access here: the services and the tests feed these functions plain values.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


def sample_size(population: int, *, percent: float, minimum: int) -> int:
    """max(minimum, ⌈percent % of the population⌉), never more than the population."""
    if population <= 0:
        return 0
    wanted = max(minimum, math.ceil(population * percent / 100 - 1e-9))
    return min(population, wanted)


def draw_sample(ids: Iterable[int], size: int, seed: int) -> list[int]:
    """`size` of `ids`, drawn at random but reproducibly: the same ids and seed give the same
    sample in the same order, whatever order the ids came in."""
    population = sorted(set(ids))
    return random.Random(seed).sample(population, min(size, len(population)))


@dataclass
class FieldRate:
    key: str
    checked: int = 0  # sampled records in which the field was keyed (or should have been)
    wrong: int = 0

    @property
    def rate(self) -> float:
        return 100 * self.wrong / self.checked if self.checked else 0.0


@dataclass
class Rates:
    records: int = 0
    fields_checked: int = 0
    fields_wrong: int = 0
    records_wrong: int = 0
    by_field: dict[str, FieldRate] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return 100 * self.fields_wrong / self.fields_checked if self.fields_checked else 0.0


def error_rates(
    checks: Iterable[tuple[Mapping[str, Any], Sequence[str]]], keys: Sequence[str]
) -> Rates:
    """Error rates of checked records, each given as (its keyed data, the fields found wrong).

    A field counts as checked in a record when it was keyed there, or when it was found wrong
    there (a value left out that the register holds is an error on that field too). Per field:
    wrong / checked; overall: every wrong field / every checked field. `keys` gives the order.
    """
    rates = Rates(by_field={key: FieldRate(key) for key in keys})
    for data, wrong in checks:
        rates.records += 1
        wrong_set = {key for key in wrong if key in rates.by_field}
        if wrong_set:
            rates.records_wrong += 1
        for key, item in rates.by_field.items():
            keyed = bool(str(data.get(key, "") or "").strip())
            if keyed or key in wrong_set:
                item.checked += 1
                rates.fields_checked += 1
            if key in wrong_set:
                item.wrong += 1
                rates.fields_wrong += 1
    return rates


def passes(rate: float, threshold: float) -> bool:
    """Accepted when the overall error rate is at most the threshold (both in percent)."""
    return round(rate, 6) <= round(threshold, 6)

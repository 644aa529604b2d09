"""Dependencies between procedure steps as a directed graph: "B depends on A" is an edge A → B. Pure
functions over {step: its predecessors}; templates and projects both check their chains here before saving,
and the planner walks steps in the order this module gives."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def dangling(predecessors: Mapping[K, Sequence[K]]) -> list[tuple[K, K]]:
    """(step, missing predecessor) for every reference to a step that is not in the chain."""
    return [(step, dep) for step, deps in predecessors.items() for dep in deps if dep not in predecessors]


def find_cycle(predecessors: Mapping[K, Sequence[K]]) -> list[K]:
    """One cycle as the steps along it, first step repeated at the end (A → B → A), or [] when there is none.
    A step depending on itself is the cycle [A, A]."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(predecessors, WHITE)
    for root in predecessors:
        if colour[root] != WHITE:
            continue
        # Iterative depth-first search along "depends on"; `path` is the grey chain from the root.
        path: list[K] = [root]
        pending = [iter(predecessors[root])]
        colour[root] = GREY
        while pending:
            dep = next(pending[-1], None)
            if dep is None:
                colour[path.pop()] = BLACK
                pending.pop()
            elif dep not in colour:
                continue  # dangling: reported by dangling()
            elif colour[dep] == GREY:
                cycle = path[path.index(dep):] + [dep]
                # Walked along "depends on": reverse it to read in the order the work would flow.
                return cycle[::-1]
            elif colour[dep] == WHITE:
                colour[dep] = GREY
                path.append(dep)
                pending.append(iter(predecessors[dep]))
    return []


def topological(order: Sequence[K], predecessors: Mapping[K, Sequence[K]]) -> list[K]:
    """The steps with every predecessor before its dependants, otherwise keeping `order` (the step numbers).
    The chain must be acyclic (find_cycle)."""
    placed: set[K] = set()
    result: list[K] = []
    remaining = list(order)
    while remaining:
        ready = next(k for k in remaining if all(d in placed or d not in predecessors for d in predecessors[k]))
        remaining.remove(ready)
        placed.add(ready)
        result.append(ready)
    return result

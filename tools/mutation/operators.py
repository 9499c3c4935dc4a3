"""Mutation operators this project adds to cosmic-ray's core set.

cosmic-ray replaces operators, numbers and booleans, but never deletes a statement and never
flips a membership test; the checks that guard our wire and our secrets are mostly
``if ...: raise`` and ``x in y``, and resource hygiene is a bare call (``os.close(fd)``). So:

- ``DeleteStatement``: a ``raise`` statement or a bare call statement becomes ``pass``
  (logging calls are left alone: deleting one changes nothing a test may observe by design);
- ``ReplaceInWithNotIn`` / ``ReplaceNotInWithIn``: membership tests, flipped.

Loaded by ``run.py`` into cosmic-ray's operator table (provider name ``acs``); it imports
cosmic-ray and parso, so it runs only in the mutation tool's own environment (.venvs/mutate).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cosmic_ray.operators.operator import Example, Operator
from parso.python.tree import Keyword, PythonNode

_LOGGER_NAMES = ("_LOG", "_log", "log", "logger", "_logger", "LOG", "warnings")


def _is_bare_call(node: Any) -> bool:
    if node.type != "atom_expr" or node.parent is None or node.parent.type != "simple_stmt":
        return False
    children = node.children
    if children[0].type == "keyword" and children[0].value == "await":
        children = children[1:]
    last = children[-1]
    if last.type != "trailer" or last.children[0].value != "(":
        return False
    head = children[0]
    return not (head.type == "name" and head.value in _LOGGER_NAMES)


class DeleteStatement(Operator):
    """A ``raise`` statement or a bare call statement (not logging) becomes ``pass``."""

    def mutation_positions(self, node: Any) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
        if node.type == "raise_stmt" or _is_bare_call(node):
            yield (node.start_pos, node.end_pos)

    def mutate(self, node: Any, index: int) -> Any:
        assert index == 0
        return Keyword("pass", node.start_pos, prefix=node.prefix)

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (
            Example("if x:\n    raise ValueError('no')\n", "if x:\n    pass\n"),
            Example("os.close(fd)\n", "pass\n"),
        )


def _membership(node: Any, negated: bool) -> bool:
    if node.parent is None or node.parent.type != "comparison":
        return False
    if negated:
        return node.type == "comp_op" and [c.value for c in node.children] == ["not", "in"]
    return node.type == "keyword" and node.value == "in"


class ReplaceInWithNotIn(Operator):
    """``a in b`` becomes ``a not in b``."""

    def mutation_positions(self, node: Any) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
        if _membership(node, negated=False):
            yield (node.start_pos, node.end_pos)

    def mutate(self, node: Any, index: int) -> Any:
        assert index == 0
        line, col = node.start_pos
        return PythonNode(
            "comp_op", [Keyword("not", (line, col), prefix=node.prefix), Keyword("in", (line, col + 4), prefix=" ")]
        )

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("x = a in b\n", "x = a not in b\n"),)


class ReplaceNotInWithIn(Operator):
    """``a not in b`` becomes ``a in b``."""

    def mutation_positions(self, node: Any) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
        if _membership(node, negated=True):
            yield (node.start_pos, node.end_pos)

    def mutate(self, node: Any, index: int) -> Any:
        assert index == 0
        return Keyword("in", node.start_pos, prefix=node.prefix)

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("x = a not in b\n", "x = a in b\n"),)


OPERATORS: dict[str, type[Operator]] = {
    "DeleteStatement": DeleteStatement,
    "ReplaceInWithNotIn": ReplaceInWithNotIn,
    "ReplaceNotInWithIn": ReplaceNotInWithIn,
}

__all__ = ["OPERATORS"]

"""Parsing one YAML content file with PyYAML's safe loader, bounded: an alias bomb is refused.

With libyaml (PyYAML's C loader, ten times faster) the file is composed in C, where an alias is the
same node object met twice; composing does not expand aliases, so a bomb costs nothing yet. The
composed graph is walked before anything is constructed (:func:`_within_bounds`), and a file whose
aliases pass a bound or hold a loop is composed again by the pure-Python loader, which counts as it
composes and refuses with the alias's own name and line. That loader (the only one without libyaml)
counts aliases (``*name``) while the file is composed, with the nodes each one stands for once
expanded (memoised, so counting costs no expansion); past :data:`~.bounded.MAX_ALIASES` aliases or
:data:`~.bounded.MAX_ALIAS_NODES` expanded nodes, or on a recursive alias, the file is refused before
anything is constructed or validated. The deadline is checked as nodes come.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.programme.content.bounded import ContentLimits, Deadline, Refused

_CHECK_EVERY = 256  # nodes between two looks at the deadline


class _Loader(yaml.SafeLoader):
    """A safe loader that keeps timestamps as strings (pydantic parses them)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_CSafeLoader: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)  # None without libyaml


class _FastLoader(_CSafeLoader or yaml.SafeLoader):  # type: ignore[misc]
    """libyaml's safe loader (when present) with the same resolvers as :class:`_Loader`."""


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


class _BoundedLoader(_Loader):
    """The loader with its aliases, their expansion and the time counted as the file is composed."""

    def __init__(self, text: str, limits: ContentLimits, deadline: Deadline) -> None:
        super().__init__(text)
        self._limits, self._deadline = limits, deadline
        self._nodes = self._aliases = self._expanded = 0
        self._open: set[str] = set()  # anchors whose node is being composed
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Count the node (and what an alias expands to) before PyYAML composes it."""
        self._nodes += 1
        if self._nodes % _CHECK_EVERY == 0:
            self._deadline.check()
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self._alias(event)
            return super().compose_node(parent, index)
        anchor: str | None = getattr(event, "anchor", None)
        if anchor is None:
            return super().compose_node(parent, index)
        self._open.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._open.discard(anchor)

    def _alias(self, event: yaml.AliasEvent) -> None:
        line = event.start_mark.line + 1 if event.start_mark else None
        self._aliases += 1
        if self._aliases > self._limits.max_aliases:
            raise Refused(f"more than {self._limits.max_aliases} YAML aliases (*name) in one file; not loaded", line)
        if event.anchor in self._open:
            raise Refused(f"the YAML alias *{event.anchor} is inside its own anchor (recursive); not loaded", line)
        target = self.anchors.get(event.anchor)
        if target is None:
            return  # PyYAML reports the undefined alias
        self._expanded += self._size(target)
        if self._expanded > self._limits.max_alias_nodes:
            raise Refused(
                f"YAML aliases expand to more than {self._limits.max_alias_nodes} nodes (an alias bomb?); not loaded",
                line,
            )

    def _size(self, node: yaml.Node) -> int:
        """The nodes ``node`` stands for once expanded (memoised per node)."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        size = 1
        if isinstance(node, yaml.SequenceNode):
            size += sum(self._size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size += sum(self._size(k) + self._size(v) for k, v in node.value)
        self._sizes[id(node)] = size
        return size


def compose_and_load(text: str, limits: ContentLimits, deadline: Deadline) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data of one YAML document, composed once.

    Raises Refused past the limits, and PyYAML's errors for broken YAML."""
    if _CSafeLoader is not None:
        loader: yaml.SafeLoader = _FastLoader(text)
        try:
            node = loader.get_single_node()
            deadline.check()
            # before anything an alias stands for is built; a file past a bound is composed again by
            # the counting loader, which refuses it naming the alias and its own line
            if node is None or _within_bounds(node, limits, deadline):
                return node, loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    return _load_counted(text, limits, deadline)


def _load_counted(text: str, limits: ContentLimits, deadline: Deadline) -> tuple[yaml.Node | None, Any]:
    loader = _BoundedLoader(text, limits, deadline)
    try:
        node = loader.get_single_node()
        deadline.check()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _within_bounds(root: yaml.Node, limits: ContentLimits, deadline: Deadline) -> bool:
    """Whether a composed document's aliases (a node met again) are few, expand little and hold no loop."""
    seen = {id(root)}
    sizes: dict[int, int] = {}
    stack, aliases, expanded, walked = [root], 0, 0, 0
    while stack:
        node = stack.pop()
        walked += 1
        if walked % _CHECK_EVERY == 0:
            deadline.check()
        for child in _children(node):
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
                continue
            aliases += 1
            size = _size(child, sizes)
            if size is None or aliases > limits.max_aliases:
                return False
            expanded += size
            if expanded > limits.max_alias_nodes:
                return False
    return True


def _size(node: yaml.Node, sizes: dict[int, int]) -> int | None:
    """The nodes ``node`` stands for once expanded, memoised; None when it holds itself (a loop).

    Iterative, so a deep file is no recursion: the nodes begun but not finished are the path from
    ``node`` down, and meeting one of them again is a loop."""
    begun: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        if id(current) in sizes:
            continue
        if children_done:
            sizes[id(current)] = 1 + sum(sizes[id(child)] for child in _children(current))
            continue
        if id(current) in begun:
            return None
        begun.add(id(current))
        stack.append((current, True))
        stack.extend((child, False) for child in _children(current) if id(child) not in sizes)
    return sizes[id(node)]

"""Parsing one YAML content file with PyYAML's safe loader, bounded: an alias bomb is refused.

A file that holds no anchor (``&name``: nothing an alias could refer to, so no alias bomb) is
composed by libyaml's C loader when PyYAML has it, ten times faster than the pure-Python one. A file
that may hold an anchor goes through the pure-Python loader, which counts as it composes:
aliases (``*name``) are counted while the file is composed, with the nodes each one stands for
once expanded (memoised, so counting costs no expansion); past :data:`~.bounded.MAX_ALIASES`
aliases or :data:`~.bounded.MAX_ALIAS_NODES` expanded nodes, or on a recursive alias, the file is
refused before anything is constructed or validated. The deadline is checked as nodes come.
"""

from __future__ import annotations

import re
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

# where an anchor may start (after a line start, a space or a flow indicator, then a name); a text
# such as "R&D" or "a=1&b=2" does not match, and one that wrongly does only takes the slower path
_MAY_ANCHOR = re.compile(r"(?:^|[\s\[\]{},:?-])&[^\s]", re.MULTILINE)


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
    loader: yaml.SafeLoader
    if _CSafeLoader is not None and not _MAY_ANCHOR.search(text):
        loader = _FastLoader(text)  # no anchor, so no alias: nothing to count
    else:
        loader = _BoundedLoader(text, limits, deadline)
    try:
        node = loader.get_single_node()
        deadline.check()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data

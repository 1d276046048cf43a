"""English word forms: Snowball stems, the parts of snake_case and kebab-case words, synonyms.

``scheduler``, ``scheduling`` and ``schedule`` share the stem ``schedul``; ``sched_ext`` is
looked for as ``sched`` and ``ext`` when nobody wrote it whole; ``k8s`` also finds Kubernetes.
"""

from __future__ import annotations

import re

import Stemmer

_STEMMER = Stemmer.Stemmer("english")
_JOINERS = re.compile(r"[_\-./+]+")

# Abbreviations and the names of what a phrase denotes, searched together with the word typed.
# Keys and values are lowercase; a value of several words matches a talk that has all of them.
# Kept small on purpose: only shorthand attendees of a systems conference really type.
SYNONYMS: dict[str, tuple[str, ...]] = {
    # abbreviation ↔ what it stands for
    "k8s": ("kubernetes",),
    "kubernetes": ("k8s",),
    "o11y": ("observability",),
    "perf": ("performance",),
    "lb": ("load balancing", "load balancer"),
    "db": ("database",),
    "vm": ("virtual machine",),
    "lsm": ("linux security module",),
    # a phrase → the software it names (one way: "containerd" does not mean every runtime)
    "container runtime": ("containerd", "runc", "cri-o", "crun", "容器运行时", "容器引擎"),
    "service mesh": ("istio", "linkerd", "envoy", "服务网格"),
}
PHRASES = {key for key in SYNONYMS if " " in key}  # looked for among a query's adjacent words


def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a lowercase English word; other words stay as they are."""
    if len(word) < 4 or not word.isalpha() or not word.isascii():
        return word
    return str(_STEMMER.stemWord(word))


def parts(word: str) -> list[str]:
    """The pieces of a joined word: ``sched_ext`` → ``['sched', 'ext']``; a plain word gives []."""
    pieces = [p for p in _JOINERS.split(word) if p]
    return pieces if len(pieces) > 1 else []

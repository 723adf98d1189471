"""A category's machine described for readers: states, transitions, guards, effects, Mermaid."""

from __future__ import annotations

from typing import Any

from states.categories import CATEGORIES
from states.definitions import DEFINITIONS, EFFECT_LABELS, STATE_LABELS, Definition
from states.guards import GUARD_LABELS
from states.i18n import _
from states.rules import figures


def mermaid(definition: Definition) -> str:
    """A Mermaid stateDiagram-v2 of `definition`."""
    lines = ["stateDiagram-v2", f"    [*] --> {definition.initial}"]
    for state in definition.states:
        lines.append(f"    {state} : {state} {_(STATE_LABELS[state])}")
    for t in definition.transitions:
        for source in t.sources:
            lines.append(f"    {source} --> {t.dest} : {t.trigger}")
    outgoing = {s for t in definition.transitions for s in t.sources}
    lines.extend(f"    {s} --> [*]" for s in definition.states if s not in outgoing)
    return "\n".join(lines)


def label(msgid: str) -> str:
    """A label of the definitions or guards in the language in force, with the figures it names."""
    return _(msgid).format(**figures()) if msgid else ""


def describe_definition(category: str) -> dict[str, Any]:
    """Everything `ipflow workflow show` prints; KeyError for an unknown category."""
    definition = DEFINITIONS[category]
    return {
        "category": category,
        "name": _(CATEGORIES[category].name),
        "version": definition.version,
        "initial": definition.initial,
        "states": list(definition.states),
        "transitions": [
            {
                "trigger": t.trigger,
                "from": list(t.sources),
                "to": t.dest,
                "label": label(t.label),
                "amount": t.amount,
                "guards": [label(GUARD_LABELS[g]) for g in t.guards],
                "effects": list(t.effects),
                "effect_labels": [label(EFFECT_LABELS[e]) for e in t.effects],
            }
            for t in definition.transitions
        ],
        "mermaid": mermaid(definition),
    }

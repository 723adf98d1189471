"""One transitions Machine per (category, definition version), built on first use and kept."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from transitions import EventData, Machine, MachineError

from states.definitions import DEFINITION_VERSION, DEFINITIONS, Definition, Transition
from states.guards import INPUT_GUARDS, Facts, Guard
from states.i18n import _


class TransitionRefused(Exception):
    """A trigger that may not fire now; `reasons` says why in the users' language.

    `absent` is True when the state has no such trigger at all (no guard was asked).
    """

    def __init__(self, reasons: list[str], absent: bool = False) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons
        self.absent = absent


class _GuardCondition:
    """Adapts a guard to a transitions condition, keeping the refusal it gives."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    def __call__(self, event: EventData) -> bool:
        facts: Facts = event.kwargs["facts"]
        reason = self.guard(facts)
        if reason is not None:
            facts.refusals.append(reason)
        return reason is None


@dataclass
class _Subject:
    """The machine's model: a plain carrier of the state, so ORM rows never get trigger methods."""

    state: str


def _conditions(t: Transition) -> list[_GuardCondition]:
    return [_GuardCondition(guard) for guard in t.guards]


def _machine(definition: Definition) -> Machine:
    transitions: list[dict[str, Any]] = [
        {
            "trigger": t.trigger,
            "source": list(t.sources),
            "dest": t.dest,
            "conditions": _conditions(t),
        }
        for t in definition.transitions
    ]
    return Machine(
        model=None,
        states=list(definition.states),
        transitions=transitions,
        initial=definition.initial,
        auto_transitions=False,
        send_event=True,
        model_attribute="state",
    )


@cache
def machine_for(category: str, version: int = DEFINITION_VERSION) -> Machine:
    """The machine of `category` at `version`, built the first time a project of it moves."""
    return _machine(definition_for(category, version))


def definition_for(category: str, version: int = DEFINITION_VERSION) -> Definition:
    """The definition a project of `category` pinned to `version` follows."""
    definition = DEFINITIONS[category]
    if definition.version != version:
        raise KeyError(f"no definition version {version} for {category}")
    return definition


def fire(trigger: str, facts: Facts, version: int = DEFINITION_VERSION) -> str:
    """Fire `trigger` for a project in `facts.state`; return the new state or raise a refusal."""
    definition = definition_for(facts.category, version)
    machine = machine_for(facts.category, version)
    facts = replace(facts, refusals=[])  # the caller's facts stay untouched, with no stale reasons
    subject = _Subject(facts.state)
    machine.add_model(subject, initial=facts.state)
    try:
        fired = subject.trigger(trigger, facts=facts)  # type: ignore[attr-defined]
    except (MachineError, AttributeError):
        possible = _("、").join(definition.triggers_from(facts.state)) or _("无")
        raise TransitionRefused(
            [
                _("状态“{state}”下不能执行“{trigger}”；当前可执行：{possible}").format(
                    state=facts.state, trigger=trigger, possible=possible
                )
            ],
            absent=True,
        ) from None
    finally:
        machine.remove_model(subject)
    if not fired:
        raise TransitionRefused(
            facts.refusals or [_("“{trigger}”的条件未满足").format(trigger=trigger)]
        )
    return subject.state


def would_pass(trigger: str, facts: Facts, version: int = DEFINITION_VERSION) -> bool:
    """Whether `trigger` would fire now from `facts.state`, given the right amount and data.

    Every guard is asked but those on what the user gives with the trigger (INPUT_GUARDS).
    """
    transition = definition_for(facts.category, version).transition(trigger, facts.state)
    return transition is not None and all(
        guard(facts) is None for guard in transition.guards if guard not in INPUT_GUARDS
    )

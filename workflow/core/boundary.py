"""The use-case boundary: actor, action and subject authorised, one transaction, refusals mapped.

Every use case the CLI (and later the web layer) calls is a function decorated with
`use_case`. The caller passes the `AppContext`; the body receives a `Work`: the context, the
session of the one transaction it runs in, and the acting user with the scope the permission
table gives them. The boundary

1. loads the actor and refuses, and logs the refusal, when the role may not take the action,
   or may take it only on its own unit's subjects and the subject belongs to another unit;
   a subject that does not exist is then refused as not found, in the same words as another
   unit's, before the use case reads anything else of the call;
2. opens the transaction (on SQLite a write use case takes the write lock first);
3. turns a stale row (optimistic lock) or an integrity error into a plain refusal.

A writing use case also runs the context's `hook` (`AppContext.hook`) inside its transaction,
before and after its body.

Once the actor is authorised, a writing use case's text arguments are screened for control
characters (`workflow.core.text.screen`): whatever a user types is stored as data.

`REGISTRY` lists every decorated use case, so a test can hold them against the table.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workflow.core.context import AppContext
from workflow.core.errors import Forbidden, NotFound, OutOfScope, Refused, Stale
from workflow.core.i18n import N_, _
from workflow.core.limits import is_key
from workflow.core.text import screen
from workflow.db.engine import transaction

P = ParamSpec("P")
R = TypeVar("R")

SubjectKind = Literal["project", "letter", "expense", "unit"]


@dataclass(frozen=True)
class Work:
    """What a use case's body works with: the wiring (the actor is `ctx.actor`), its
    transaction, and the scope the permission table gives the actor."""

    ctx: AppContext
    session: Session
    only_unit: int | None
    """The unit the actor is confined to for this action (a unit user), else None: all."""
    only_monitored: bool = False
    """Whether the actor is confined to the contractor's monitored projects for this action
    (the contractor's reads: `states.categories.MONITORED`)."""


@dataclass(frozen=True)
class UseCase:
    """A registered use case: its action in the permission table and what it names."""

    name: str
    actions: tuple[str, ...]
    """Every action it may be authorised as (a lifecycle trigger family lists its triggers)."""
    write: bool
    subject: tuple[SubjectKind, str] | None


REGISTRY: dict[str, UseCase] = {}
"""Every decorated use case by qualified name (module.function)."""


def orchestration(
    action: str, *, write: bool
) -> Callable[[Callable[Concatenate[AppContext, P], R]], Callable[Concatenate[AppContext, P], R]]:
    """Register `fn`, a use case that runs transactions of its own, as `action`.

    The actor is authorised in a short transaction of its own before `fn` runs: delivery
    sends with no transaction open, the scheduler runs a check a night, the demo calls many
    use cases in turn.
    """

    def decorate(
        fn: Callable[Concatenate[AppContext, P], R],
    ) -> Callable[Concatenate[AppContext, P], R]:
        name = f"{fn.__module__}.{fn.__qualname__}"
        REGISTRY[name] = UseCase(name, (action,), write, None)

        @functools.wraps(fn)
        def run(ctx: AppContext, /, *args: P.args, **kwargs: P.kwargs) -> R:
            from workflow.access.store import Denied, authorize, log_refusal

            try:
                with transaction(ctx.engine) as session:
                    authorize(session, ctx.actor, action, None, None)
            except Denied as denied:
                log_refusal(ctx, denied)
                raise Forbidden(denied.reason) from None
            return fn(ctx, *args, **kwargs)

        return run

    return decorate


NOT_FOUND = {
    "project_id": N_("没有编号为{project_id}的项目"),
    "letter_id": N_("没有编号为{letter_id}的预警告知书"),
    "expense_id": N_("没有编号为{expense_id}的支出"),
    "risk_id": N_("没有编号为{id}的风险点：请用 ipflow risk list 查看风险点台账"),
    "recommendation_id": N_(
        "没有编号为{id}的风险处置建议：请用 ipflow recommendations list 查看待处置的建议"
    ),
    "disbursement_id": N_("没有编号为{id}的拨付"),
    "record_id": N_("没有编号为{id}的信用记录"),
}
"""How each use case says that the record its number names (a parameter `…_id`) is not there."""
NO_RECORD = N_("没有编号为{id}的记录")


def _not_found(name: str, value: object) -> str:
    """How a use case says that the record its parameter `name` names is not there."""
    return _(NOT_FOUND.get(name, NO_RECORD)).format(id=value, **{name: value})


def _refuse_beyond_keys(arguments: dict[str, Any]) -> None:
    """Refuse a record number no database key can hold (≥ 2^31, say) before a query overflows."""
    for name, value in arguments.items():
        if name.endswith("_id") and isinstance(value, int) and not is_key(value):
            raise NotFound(_not_found(name, value))


def _stale(subject: tuple[SubjectKind, str] | None, value: object) -> str:
    if subject is not None and subject[0] == "project":
        return _(
            "项目#{project_id}在本次操作期间已被他人修改，本次操作未生效：请用 ipflow project show {project_id} 查看最新状态后重试"
        ).format(project_id=value)
    return _("数据在本次操作期间已被他人修改，本次操作未生效：请查看最新状态后重试")


def use_case(
    action: str,
    *,
    write: bool,
    subject: tuple[SubjectKind, str] | None = None,
    action_of: Callable[[dict[str, Any]], str] | None = None,
    actions: tuple[str, ...] = (),
) -> Callable[[Callable[Concatenate[Work, P], R]], Callable[Concatenate[AppContext, P], R]]:
    """Register `fn` as the use case `action`; callers call it with an `AppContext` first.

    `subject` names the parameter that identifies what the use case acts on, and its kind
    (`("project", "project_id")`). `action_of` picks the action from the call's arguments
    instead (a lifecycle trigger, say); `actions` then lists those it may pick.
    """

    def decorate(fn: Callable[Concatenate[Work, P], R]) -> Callable[Concatenate[AppContext, P], R]:
        signature = inspect.signature(fn)
        name = f"{fn.__module__}.{fn.__qualname__}"
        REGISTRY[name] = UseCase(name, actions or (action,), write, subject)

        @functools.wraps(fn)
        def run(ctx: AppContext, /, *args: P.args, **kwargs: P.kwargs) -> R:
            bound = signature.bind(None, *args, **kwargs)
            bound.apply_defaults()
            _refuse_beyond_keys(bound.arguments)
            acting = action_of(bound.arguments) if action_of else action
            subject_value = bound.arguments[subject[1]] if subject else None
            from workflow.access.store import Denied, authorize, log_refusal

            try:
                with transaction(ctx.engine, immediate=write) as session:
                    confined = authorize(
                        session, ctx.actor, acting, subject[0] if subject else None, subject_value
                    )
                    if confined.missing and subject is not None:
                        raise NotFound(_not_found(subject[1], subject_value))
                    if write:
                        for argument, value in list(bound.arguments.items())[1:]:
                            screen(argument, value)
                    work = Work(ctx, session, confined.unit, confined.monitored)
                    hook = ctx.hook if write else None
                    if hook is not None:
                        hook.before(session)
                    result = fn(work, *args, **kwargs)
                    if hook is not None:
                        hook.after(session, result)
                    return result
            except Denied as denied:
                log_refusal(ctx, denied)
                if denied.out_of_scope and subject is not None:
                    unseen = _not_found(subject[1], subject_value)
                    raise OutOfScope(denied.reason, unseen) from None
                raise Forbidden(denied.reason) from None
            except StaleDataError:
                raise Stale(_stale(subject, subject_value)) from None
            except IntegrityError as exc:
                detail = str(exc.orig).strip().splitlines()[0]
                raise Refused(
                    _("与已有数据冲突，本次操作未生效：{detail}").format(detail=detail)
                ) from None

        return run

    return decorate

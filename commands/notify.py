"""ipflow notify: delivery of letters and notices from the outbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from commands.common import JSON_OPTION, Invocation, _, emit_json, pass_invocation

if TYPE_CHECKING:
    from workflow.core.context import AppContext
    from workflow.outbox.delivery import Delivery


def deliverer(context: AppContext, retry_all: bool = False) -> Callable[[], Delivery]:
    """Flush the outbox through the channels the configuration names."""
    from notifiers.build import ChannelConfigError, channels_from_settings
    from workflow.core.errors import Refused
    from workflow.outbox.delivery import flush

    try:
        channels = channels_from_settings(
            context.settings, Path(context.settings.delivery.outbox_dir)
        )
    except ChannelConfigError as exc:
        raise Refused(_(exc.template).format(**exc.values)) from None
    return lambda: flush(context, channels, retry_all=retry_all)


@click.group()
def notify() -> None:
    """Delivery of letters and notices from the outbox."""


@notify.command("flush")
@click.option(
    "--all",
    "retry_all",
    is_flag=True,
    help="Also retry now what waits for a later attempt (after an outage).",
)
@JSON_OPTION
@pass_invocation
def notify_flush(invocation: Invocation, retry_all: bool, as_json: bool) -> None:
    """Deliver what the outbox holds and is due; failures wait for a later attempt.

    \b
    Example:
      ipflow notify flush --all --json
    """
    counts = deliverer(invocation.app(), retry_all)()
    if as_json:
        emit_json(counts.as_json())
        return
    click.echo(
        _("已发送{sent}条，失败{failed}条，仍待发送{pending}条").format(
            sent=counts.sent, failed=counts.failed, pending=counts.pending
        )
    )


@notify.command("list")
@click.option(
    "--status",
    type=click.Choice(["pending", "failed", "sent"]),
    help="Only rows waiting (pending), given up (failed) or delivered (sent).",
)
@JSON_OPTION
@pass_invocation
def notify_list(invocation: Invocation, status: str | None, as_json: bool) -> None:
    """List the outbox: each message's channel, recipient, status, attempts and last error.

    \b
    Example:
      ipflow notify list --status failed --json
    """
    from workflow.core.results import to_json
    from workflow.outbox.actions import list_outbox

    rows = list_outbox(invocation.app(), status)
    if as_json:
        emit_json(to_json(rows))
        return
    for r in rows:
        attempts = _("尝试{n}次").format(n=r.attempts)
        click.echo(f"#{r.id:<5} {r.status:<8} {r.channel:<10} {r.recipient} {attempts} {r.subject}")
        if r.last_error:
            click.echo(f"       {r.last_error}")


@notify.command("retry")
@click.argument("outbox_id", type=int, metavar="[ID]", required=False)
@click.option("--failed", "every_failed", is_flag=True, help="Every failed message.")
@JSON_OPTION
@pass_invocation
def notify_retry(
    invocation: Invocation, outbox_id: int | None, every_failed: bool, as_json: bool
) -> None:
    """Put a failed message (ID), or every failed one (--failed), back in the queue.

    The next `ipflow notify flush` sends them, with a fresh count of attempts.

    \b
    Example:
      ipflow notify retry --failed
      ipflow notify flush
    """
    from workflow.outbox.actions import retry_failed

    if (outbox_id is None) != every_failed:
        raise click.UsageError(
            _("请给出一条消息的编号 ID，或用 --failed 选择全部失败的消息（二者选一）")
        )
    result = retry_failed(invocation.app(), outbox_id)
    if as_json:
        emit_json(result.as_json())
        return
    click.echo(
        _("已将{n}条失败的消息重新排队；运行 ipflow notify flush 发送").format(n=result.requeued)
    )

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

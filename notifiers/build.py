"""Builds the channels named in the configuration: the one place that reads their settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from notifiers.base import Notifier, redact
from notifiers.filechannel import FileNotifier
from notifiers.smtp import PlainAuthRefused, SmtpNotifier
from notifiers.webhook import DingTalkNotifier, FeishuNotifier, WebhookNotifier, WeComNotifier

BOTS: dict[str, type[WebhookNotifier]] = {
    "wecom": WeComNotifier,
    "dingtalk": DingTalkNotifier,
    "feishu": FeishuNotifier,
}
ROUTING_KEYS = {"kinds", "levels", "categories"}
"""Which of a check's letters and notices a bot gets: read by the check (workflow.core.config)."""
WEBHOOK_KEYS = {"kind", "url", "secret", "name", "msgtype", "timeout"} | ROUTING_KEYS


def N_(message: str) -> str:
    """Mark a Chinese message for the catalogue; the CLI translates it (notifiers import no workflow)."""
    return message


class ChannelConfigError(Exception):
    """A channel's configuration is incomplete or wrong; the text says which and how.

    `template` (a Chinese msgid) and `values` let a caller say it in another language.
    """

    def __init__(self, template: str, **values: object) -> None:
        super().__init__(template.format(**values))
        self.template = template
        self.values = values


class SmtpConfig(Protocol):
    """The [smtp] table (workflow.core.config.SmtpSettings satisfies it)."""

    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def sender(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def password_env(self) -> str: ...
    @property
    def starttls(self) -> bool: ...
    @property
    def allow_plain_auth(self) -> bool: ...


class ChannelSettings(Protocol):
    """The part of the settings channels are built from (workflow.core.config.Settings has it)."""

    @property
    def smtp(self) -> SmtpConfig: ...
    @property
    def webhooks(self) -> tuple[Mapping[str, object], ...]: ...


def smtp_from_settings(smtp: SmtpConfig, environ: Mapping[str, str] = os.environ) -> SmtpNotifier:
    """The mail channel of [smtp]; the password comes from the variable `password_env` names."""
    password = ""
    if smtp.password_env:
        if smtp.password_env not in environ:
            raise ChannelConfigError(
                N_("[smtp].password_env 指定的环境变量 {name} 未设置"), name=smtp.password_env
            )
        password = environ[smtp.password_env]
    try:
        return SmtpNotifier(
            smtp.host,
            smtp.port,
            smtp.sender,
            username=smtp.username,
            password=password,
            starttls=smtp.starttls,
            allow_plain_auth=smtp.allow_plain_auth,
        )
    except PlainAuthRefused:
        raise ChannelConfigError(
            N_(
                "[smtp] 配置了 username 却未启用 starttls：密码不会以明文发送。"
                "请设置 [smtp] starttls = true；确需在可信网络内明文登录，"
                "请设置 [smtp] allow_plain_auth = true"
            )
        ) from None


def bot_from_entry(entry: Mapping[str, object]) -> tuple[str, WebhookNotifier]:
    """The channel name and bot of one [[webhooks]] entry."""
    unknown = set(entry) - WEBHOOK_KEYS
    if unknown:
        raise ChannelConfigError(
            N_("[[webhooks]]中有未知的键：{keys}"), keys=", ".join(sorted(unknown))
        )
    kind = entry.get("kind")
    if kind not in BOTS:
        raise ChannelConfigError(
            N_("[[webhooks]].kind“{kind}”无效；可选：{choices}"), kind=kind, choices=", ".join(BOTS)
        )
    url = entry.get("url")
    if not isinstance(url, str) or not url:
        raise ChannelConfigError(N_("[[webhooks]]（{kind}）缺少 url"), kind=kind)
    name = entry.get("name", kind)
    secret = entry.get("secret", "")
    msgtype = entry.get("msgtype", "")
    timeout = entry.get("timeout", 10)
    if not isinstance(name, str) or not isinstance(secret, str) or not isinstance(msgtype, str):
        raise ChannelConfigError(
            N_("[[webhooks]]（{kind}）的 name、secret、msgtype 应为字符串"), kind=kind
        )
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise ChannelConfigError(N_("[[webhooks]]（{kind}）的 timeout 应为正数（秒）"), kind=kind)
    try:
        return name, BOTS[kind](url, secret, msgtype=msgtype, timeout=float(timeout))
    except ValueError as exc:
        raise ChannelConfigError("{error}", error=redact(str(exc), url, secret)) from None


def channels_from_settings(
    settings: ChannelSettings, outbox_dir: Path, environ: Mapping[str, str] = os.environ
) -> dict[str, Notifier]:
    """Channel name → notifier: "email" (SMTP of [smtp]), "file" (files in `outbox_dir`) and
    one per [[webhooks]] entry, named by its `name` key or else its kind ("wecom",
    "dingtalk", "feishu"). Two bots of one kind need distinct names.
    """
    channels: dict[str, Notifier] = {
        "email": smtp_from_settings(settings.smtp, environ),
        "file": FileNotifier(outbox_dir, sender=settings.smtp.sender),
    }
    for entry in settings.webhooks:
        name, bot = bot_from_entry(entry)
        if name in channels:
            raise ChannelConfigError(
                N_("通道名“{name}”重复：同类的多个机器人请用 name 键区分"), name=name
            )
        channels[name] = bot
    return channels

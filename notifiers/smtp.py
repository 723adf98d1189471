"""The mail channel: RFC 5322 messages (UTF-8 Chinese, text with an HTML alternative) over SMTP."""

from __future__ import annotations

import re
import smtplib
import ssl
import unicodedata
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address, Group
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from notifiers.base import Message, PermanentError, TransientError, redact

# RFC 2047 encoded words for the Chinese headers, base64/quoted-printable bodies:
# any SMTP server relays it, with or without the SMTPUTF8 and 8BITMIME extensions.
MAIL_POLICY = policy.SMTP.clone(cte_type="7bit")
INTERNATIONAL_POLICY = policy.SMTPUTF8


def header_text(text: str) -> str:
    """`text` fit for a header: one line, each control or format character a space.

    Stored text can predate the checks at entry (a title with CR/LF); folded into a header
    raw, it would make the mail impossible to build (or inject a header).
    """
    spaced = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") else c for c in text
    )
    return re.sub(" {2,}", " ", spaced).strip()


def split_recipients(recipient: str) -> list[str]:
    """The addresses of a recipient field: one, or several separated by commas or semicolons."""
    return [part.strip() for part in re.split(r"[,;，；]", recipient) if part.strip()]


def _to_header(recipient: str) -> list[Address | Group]:
    """Mail addresses as they are; anything else (a unit's name) as an empty RFC 5322 group."""
    entries: list[Address | Group] = []
    for part in split_recipients(recipient) or [recipient]:
        name, address = parseaddr(part)
        if "@" in address:
            entries.append(Address(display_name=header_text(name), addr_spec=address))
        else:
            entries.append(Group(display_name=header_text(part)))
    return entries


def compose(message: Message, sender: str) -> EmailMessage:
    """The full mail of `message`: Chinese subject, text part, optional HTML alternative, files."""
    addresses = [parseaddr(part)[1] for part in [sender, *split_recipients(message.recipient)]]
    # Only an address needs SMTPUTF8; display names and group names are RFC 2047 encoded.
    international = not "".join(a for a in addresses if "@" in a).isascii()
    mail = EmailMessage(policy=INTERNATIONAL_POLICY if international else MAIL_POLICY)
    mail["Subject"] = header_text(message.subject)
    mail["From"] = sender
    mail["To"] = _to_header(message.recipient)
    mail["Date"] = format_datetime(message.date or datetime.now(UTC))
    mail["Message-ID"] = message.message_id
    mail.set_content(message.text, subtype="plain", charset="utf-8")
    if message.html:
        mail.add_alternative(message.html, subtype="html", charset="utf-8")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        mail.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=header_text(attachment.filename),
        )
    return mail


def _reply(code: int, text: bytes | str) -> str:
    shown = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    return f"{code} {shown}".strip()


class PlainAuthRefused(ValueError):
    """A login is configured without TLS: the password would cross the network in clear."""


class SmtpNotifier:
    """Sends each message over its own SMTP session (STARTTLS and login when configured).

    A login (`username`) needs STARTTLS, so the password never crosses the network in clear,
    unless `allow_plain_auth` says otherwise (a relay on the same host, say); the server
    must then offer STARTTLS, or the session stops before the login. The password never
    appears in an error text.

    Failures: no connection, a timeout, a dropped session, a 4xx reply, a refused login or
    a missing STARTTLS are transient (the last two are our configuration: the messages wait
    until it is fixed); a 5xx reply to the sender, a recipient or the data is permanent.
    """

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str = "",
        password: str = "",
        starttls: bool = False,
        allow_plain_auth: bool = False,
        timeout: float = 30.0,
        local_hostname: str | None = None,
    ) -> None:
        if username and not starttls and not allow_plain_auth:
            raise PlainAuthRefused(
                "[smtp] 配置了 username 却未启用 starttls：密码不会以明文发送。"
                "请设置 [smtp] starttls = true；确需在可信网络内明文登录，请设置 "
                "[smtp] allow_plain_auth = true"
            )
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout
        self.local_hostname = local_hostname

    def hide(self, text: str) -> str:
        """`text` without the password."""
        return redact(text, self.password)

    def send(self, message: Message) -> None:
        """Deliver `message` to the server, or raise TransientError / PermanentError."""
        addresses = [parseaddr(part)[1] for part in split_recipients(message.recipient)]
        if not addresses or not all("@" in a for a in addresses):
            raise PermanentError(f"收件人“{message.recipient}”不是邮件地址")
        try:
            mail = compose(message, self.sender)
        except (ValueError, TypeError) as exc:
            raise PermanentError(f"邮件无法生成：{exc}") from None
        where = f"{self.host}:{self.port}"
        session: smtplib.SMTP | None = None
        try:
            session = smtplib.SMTP(
                self.host, self.port, timeout=self.timeout, local_hostname=self.local_hostname
            )
            if self.starttls:
                session.starttls(context=ssl.create_default_context())
            if self.username:
                session.login(self.username, self.password)
            envelope_sender = parseaddr(self.sender)[1] or self.sender
            refused = session.send_message(mail, from_addr=envelope_sender, to_addrs=addresses)
        except smtplib.SMTPRecipientsRefused as exc:
            replies = "；".join(f"{a}：{_reply(c, t)}" for a, (c, t) in exc.recipients.items())
            if all(code >= 500 for code, _ in exc.recipients.values()):
                raise PermanentError(f"邮件服务器拒绝收件人：{replies}") from None
            raise TransientError(f"邮件服务器暂不接收：{replies}") from None
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError) as exc:
            raise TransientError(
                f"邮件服务器{where}登录或加密失败，请检查[smtp]配置：{self.hide(str(exc))}",
                channel_down=True,
            ) from None
        except smtplib.SMTPConnectError as exc:
            raise TransientError(
                f"邮件服务器{where}拒绝连接：{_reply(exc.smtp_code, exc.smtp_error)}",
                channel_down=True,
            ) from None
        except smtplib.SMTPResponseException as exc:
            reply = _reply(exc.smtp_code, exc.smtp_error)
            if exc.smtp_code >= 500:
                raise PermanentError(f"邮件服务器拒绝此邮件：{reply}") from None
            raise TransientError(f"邮件服务器暂不接收：{reply}") from None
        except (smtplib.SMTPException, OSError) as exc:  # refused, timeout, reset, TLS
            raise TransientError(
                f"无法连接邮件服务器{where}：{self.hide(str(exc) or type(exc).__name__)}",
                channel_down=True,
            ) from None
        finally:
            if session is not None:
                _quit_quietly(session)
        if refused:  # some accepted: a retry would duplicate, so stop here, visibly
            replies = "；".join(f"{a}：{_reply(c, t)}" for a, (c, t) in refused.items())
            raise PermanentError(f"部分收件人被拒绝（其余已送达）：{replies}")


def _quit_quietly(session: smtplib.SMTP) -> None:
    """End the session; the mail is already accepted, so a failing QUIT changes nothing."""
    try:
        session.quit()
    except (smtplib.SMTPException, OSError):
        session.close()

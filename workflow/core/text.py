"""Text from people is data: refused at entry when it hides control characters, fitted when derived.

Entry (`entry_text`, `entry_email`): what applicants and staff type or import is refused, with
one paragraph naming the field, when it holds a control character (CR, LF, TAB, NUL, any other
Unicode Cc, the format characters Cf such as the bidirectional overrides, lone surrogates, and
the line and paragraph separators) or is longer than the column that stores it. Free text that
may span lines (notes, comments) keeps LF and TAB; a Windows CRLF becomes LF.

Derivation (`one_line`, `fit`): text composed from stored values (a mail subject, a file label)
is flattened to one line, so a title stored before these checks cannot break a mail header,
and cut with an ellipsis at a character boundary to fit its column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from workflow.core.errors import Refused
from workflow.core.i18n import N_, _

ELLIPSIS = "…"
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Unicode categories refused at entry: controls, format characters, surrogates, separators."""
MULTILINE_ALLOWED = frozenset("\n\t")
"""What free text spanning lines may hold of the refused categories."""
NAMES = {"\r": N_("回车符"), "\n": N_("换行符"), "\t": N_("制表符"), "\x00": N_("空字符")}
"""How a refusal names the commonest control characters."""
EMAIL_WIDTH = 200
"""The widest e-mail address the schema stores (unit and project contact columns)."""


class BadText(Refused, ValueError):
    """Text refused at entry; a ValueError too, so that importers collect it with a row's other
    problems."""


ARGUMENT_LABELS = {
    "name": N_("名称"),
    "unit": N_("单位名称"),
    "unit_name": N_("单位名称"),
    "note": N_("备注"),
    "comment": N_("意见"),
    "description": N_("说明"),
    "decision": N_("决定"),
    "conclusion": N_("结论"),
    "findings": N_("发现的问题"),
    "suggestions": N_("建议"),
    "point": N_("风险点"),
    "owner": N_("责任方"),
    "action": N_("应对措施"),
    "stage": N_("拨付阶段"),
    "line": N_("预算科目"),
    "lines": N_("预算科目"),
    "suggested": N_("预算科目"),
    "completions": N_("任务名称"),
    "facts": N_("单位信息"),
}
"""How a refusal names a use case's text argument; others are named as the option (--name)."""
ONE_LINE_ARGUMENTS = frozenset(
    {"name", "unit", "unit_name", "stage", "line", "lines", "suggested", "completions"}
)
"""Arguments that name something: neither line breaks nor tabs (notes may have both)."""


def screen(name: str, value: Any) -> None:
    """Refuse control characters anywhere in `value`, the argument `name` of a writing use case.

    Names (ONE_LINE_ARGUMENTS) must be one line; free text may hold line breaks and tabs, a
    CR only before an LF, a byte-order mark at the start (the content of a file). Strings are
    looked for in mappings (keys and values) and sequences, to any depth; a dataclass (an
    application) is validated whole by its use case, with its own labels.
    """
    if isinstance(value, str):
        label = ARGUMENT_LABELS.get(name)
        entry_text(
            value.removeprefix("\ufeff"),  # the byte-order mark of a file's content
            _(label) if label else "--" + name.replace("_", "-"),
            multiline=name not in ONE_LINE_ARGUMENTS,
        )
    elif isinstance(value, Mapping):
        for k, v in value.items():
            screen(name, k)
            screen(name, v)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            screen(name, item)


def _refused(char: str, multiline: bool) -> bool:
    if multiline and char in MULTILINE_ALLOWED:
        return False
    return unicodedata.category(char) in REFUSED_CATEGORIES


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    name = NAMES.get(char)
    return _("{name}（{code}）").format(name=_(name), code=code) if name else code


def entry_text(value: str, label: str, *, limit: int | None = None, multiline: bool = False) -> str:
    """`value` stripped of surrounding blanks (CRLF made LF where lines are allowed), or a
    refusal naming `label` when it holds a control character or exceeds `limit` characters."""
    if multiline:
        value = value.replace("\r\n", "\n")
    value = value.strip()
    bad = [(i, c) for i, c in enumerate(value, start=1) if _refused(c, multiline)]
    if bad:
        position, char = bad[0]
        allowed = _("除换行和制表符外，") if multiline else ""
        raise BadText(
            _(
                "{label}中有{count}个控制字符（第{position}个字符是{char}）：{allowed}"
                "回车、换行、制表符等不可见的控制字符不能写入，请删除后重新输入"
            ).format(
                label=label,
                char=_describe(char),
                position=position,
                count=len(bad),
                allowed=allowed,
            )
        )
    if limit is not None and len(value) > limit:
        raise BadText(
            _("{label}长{length}个字符，超过了可保存的{limit}个字符").format(
                label=label, length=len(value), limit=limit
            )
        )
    return value


def entry_email(value: str, label: str) -> str:
    """A valid e-mail address in its normalised form (domain lower-cased, IDNA checked), or a
    refusal naming `label`; no DNS query is made."""
    from email_validator import EmailNotValidError, validate_email

    address = entry_text(value, label, limit=EMAIL_WIDTH)
    try:
        normalized: str = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        raise BadText(
            _(
                "{label}“{address}”不是有效的邮件地址：应形如 name@example.org，"
                "@前后不含空格，@后是带点的域名"
            ).format(label=label, address=address)
        ) from None
    if len(normalized) > EMAIL_WIDTH:
        raise BadText(
            _("{label}长{length}个字符，超过了可保存的{limit}个字符").format(
                label=label, length=len(normalized), limit=EMAIL_WIDTH
            )
        )
    return normalized


_SPACES = re.compile(r" {2,}")


def one_line(value: str) -> str:
    """`value` as one line: each control character becomes a space, and runs of spaces one."""
    cleaned = "".join(" " if _refused(c, False) else c for c in value)
    return _SPACES.sub(" ", cleaned).strip()


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""How a spreadsheet cell that a program would read as a formula begins (OWASP CSV injection)."""


def looks_like_formula(value: str) -> bool:
    """Whether a spreadsheet would take the text `value` for a formula."""
    return value.startswith(FORMULA_TRIGGERS)


def sheet_text(value: str) -> str:
    """Text for a CSV cell: a leading apostrophe before what would start a formula, so Excel,
    WPS and LibreOffice show it as written (OWASP's advice for CSV injection)."""
    return "'" + value if looks_like_formula(value) else value


def fit(value: str, limit: int, marker: str = ELLIPSIS) -> str:
    """`value`, or its beginning ending with `marker`, in at most `limit` characters.

    The cut never separates a character from the combining marks or joiners that follow it.
    """
    if len(value) <= limit:
        return value
    end = max(limit - len(marker), 0)
    while 0 < end < len(value) and (
        unicodedata.combining(value[end]) or value[end] in "\u200d\ufe0f"
    ):
        end -= 1
    return value[:end] + marker[: max(limit - end, 0)]

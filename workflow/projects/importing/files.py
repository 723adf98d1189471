"""Reading the files offices save, safely: size and row limits, encodings, named columns.

A CSV may be UTF-8 (with or without a BOM) or GBK/GB18030, as Excel and WPS save it on a
Chinese system; its columns may be named in English or in Chinese (`COLUMNS`), and a money
column's header may give its unit (`申请金额（万元）`). Every file is refused, in one
sentence, when it is larger than `[imports] max_bytes` or has more than `max_rows` rows.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.core.config import ImportSettings
from workflow.core.errors import Refused
from workflow.core.i18n import _

Record = tuple[int, dict[str, str]]
"""A data row: its line (CSV) or row (sheet) number, and its stripped cells by column."""


@dataclass(frozen=True)
class Columns:
    """The columns of one kind of file: their codes, and the Chinese names each may have."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Column code → the other headers that name it (Chinese, as offices write them)."""
    money: tuple[str, ...] = ()
    """Columns of amounts: a header ending in （万元） makes a bare number there 万 yuan."""
    dates: tuple[str, ...] = ()
    """Columns of dates: a number there is an Excel day number (a sheet's date cell)."""

    def code(self, header: str) -> str | None:
        """The column `header` names (its code, or one of its names, case and width aside)."""
        folded = fold_header(header)
        for code in self.required + self.optional:
            if folded == code or folded in (fold_header(n) for n in self.names.get(code, ())):
                return code
        return None

    def expected(self) -> str:
        """The header users are told to write: codes, optional ones in brackets, and names."""
        codes = ",".join(self.required) + "".join(f"[,{c}]" for c in self.optional)
        names = _("、").join(
            f"{code}={'/'.join(self.names[code])}"
            for code in self.required + self.optional
            if code in self.names
        )
        return _("{codes}（或中文列名：{names}）").format(codes=codes, names=names)


PROJECT_COLUMNS = Columns(
    required=("category", "title", "unit", "start", "end", "budget"),
    optional=("contact_email", "ref", "tier", "partners", "data"),
    names={
        "category": ("类别", "项目类别", "申报类别"),
        "title": ("项目名称", "名称"),
        "unit": ("承担单位", "申报单位", "单位", "单位名称"),
        "start": ("开始日期", "开始时间", "起始日期"),
        "end": ("结束日期", "结束时间", "截止日期"),
        "budget": ("申请金额", "预算", "申请资金", "预算金额", "金额"),
        "contact_email": ("联系邮箱", "邮箱", "电子邮箱"),
        "ref": ("申报编号", "申请编号", "项目编号", "编号"),
        "tier": ("申报层级", "层级"),
        "partners": ("合作单位", "联合申报单位"),
        "data": ("申报数据", "附加信息"),
    },
    money=("budget",),
    dates=("start", "end"),
)
PLAN_COLUMNS = Columns(
    required=("project", "task", "start", "due"),
    optional=("weight",),
    names={
        "project": ("项目", "项目名称", "项目行号", "所属项目"),
        "task": ("任务", "任务名称"),
        "start": ("开始", "开始日期", "开始时间"),
        "due": ("截止", "截止日期", "完成日期", "完成时间", "结束日期"),
        "weight": ("权重",),
    },
    dates=("start", "due"),
)
TASK_COLUMNS = Columns(
    required=PLAN_COLUMNS.required[1:],
    optional=PLAN_COLUMNS.optional,
    names={k: v for k, v in PLAN_COLUMNS.names.items() if k != "project"},
    dates=PLAN_COLUMNS.dates,
)
"""A plan file of one project (`project create --plan`): the plan columns without `project`."""
SCORE_COLUMNS = Columns(required=("unit",), names={"unit": ("单位", "申报单位", "单位名称")})
"""The first column of a scores file (`city rank --scores`); one per scoring dimension follows."""

_UNIT_SUFFIX = re.compile(r"\((万元|元)\)$")
_HAS_UNIT = re.compile(r"[元万亿¥￥]|rmb", re.IGNORECASE)


def fold_header(header: str) -> str:
    """A header as compared: width folded, spaces and required-field stars dropped, lower case,
    a unit in brackets (`（元）`, `（万元）`) left off."""
    folded = re.sub(r"[\s*]+", "", unicodedata.normalize("NFKC", header)).lower()
    return _UNIT_SUFFIX.sub("", folded)


def header_unit(header: str) -> str | None:
    """The unit a money column's header gives: 元, 万元, or None."""
    found = _UNIT_SUFFIX.search(re.sub(r"\s+", "", unicodedata.normalize("NFKC", header)))
    return found.group(1) if found else None


@dataclass(frozen=True)
class Table:
    """The rows of one CSV file or worksheet; `records` is None when its header is wrong."""

    source: str
    """How problems name it: the file, or the workbook and its sheet."""
    records: list[Record] | None


@dataclass
class Problems:
    """Every bad row found so far, one line each, naming the file (or sheet) and line."""

    lines: list[str] = field(default_factory=list)

    SHOWN = 100
    """The most problems a refusal lists; it counts the rest."""

    def add(self, source: str, line: int, reason: str) -> None:
        """Record one problem of `source` at `line`."""
        self.lines.append(
            _("{source}第{line}行：{reason}").format(source=source, line=line, reason=reason)
        )

    def refusal(self) -> Refused:
        """One refusal listing the problems, one per line (the first SHOWN of them)."""
        shown = self.lines[: self.SHOWN]
        rest = len(self.lines) - len(shown)
        more = [_("……另有{count}处问题未列出").format(count=rest)] if rest else []
        return Refused(
            _("导入未执行，数据库未作任何修改；共发现{count}处问题：\n").format(
                count=len(self.lines)
            )
            + "\n".join(shown + more)
        )


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size} B"


def read_bytes(path: Path, what: str, limits: ImportSettings) -> bytes:
    """The bytes of `path`; refused when it is missing, unreadable or over `max_bytes`."""
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise Refused(
                _(
                    "{what}{path}有{size}，超过导入文件的上限{limit}（配置项[imports].max_bytes）：请分批导入"
                ).format(what=what, path=path, size=_size(size), limit=_size(limits.max_bytes))
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise Refused(_("找不到{what}{path}").format(what=what, path=path)) from None
    except OSError as exc:
        raise Refused(
            _("无法读取{what}{path}：{reason}").format(
                what=what, path=path, reason=exc.strerror or exc
            )
        ) from None


ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""An .xls (or .et, .doc) file: the compound file format of old Office and WPS."""


def decode(data: bytes, path: Path, what: str) -> str:
    """The text of a CSV file: UTF-8 (a BOM or none), else GB18030 (which GBK is part of).

    UTF-8 is tried strictly first: a GBK file is never valid UTF-8 beyond plain ASCII, while
    UTF-8 Chinese would read as other characters in GB18030. Anything else is refused,
    naming what it seems to be and how to save it.
    """
    if data.startswith((ZIP_MAGIC, OLE2_MAGIC)):
        raise Refused(
            _(
                "{what}{path}是Excel或WPS工作簿而不是CSV文本：请以.xlsx为扩展名导入，或另存为CSV后再导入"
            ).format(what=what, path=path)
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Refused(
            _(
                "{what}{path}是UTF-16编码（Excel的“Unicode文本”）：请另存为“CSV UTF-8（逗号分隔）”后再导入"
            ).format(what=what, path=path)
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
        break
    raise Refused(
        _(
            "{what}{path}既不是UTF-8也不是GBK/GB18030编码的CSV文本：请另存为“CSV UTF-8（逗号分隔）”后再导入"
        ).format(what=what, path=path)
    )


def read_text(path: Path, what: str, limits: ImportSettings) -> str:
    """The text of the CSV file `path` (`read_bytes`, then `decode`)."""
    return decode(read_bytes(path, what, limits), path, what)


def csv_table(
    path: Path, what: str, columns: Columns, limits: ImportSettings, problems: Problems
) -> Table:
    """The rows of a CSV file with `columns`; header and width problems go to `problems`."""
    text = read_text(path, what, limits)
    source = str(path)
    reader = csv.reader(io.StringIO(text))
    try:
        rows = ((reader.line_num, values) for values in reader)
        return table(source, rows, columns, limits, problems)
    except csv.Error as exc:
        problems.add(source, max(reader.line_num, 1), _("CSV格式错误：{exc}").format(exc=exc))
        return Table(source, None)


HEADER_ROWS = 10
"""How far down the header may be: rows above it (a sheet's title) are skipped."""

Cell = Callable[[str | None, Any], str]
"""Turns a cell of the column with a code (None: unknown) into the text a CSV file holds."""


def _text(_code: str | None, value: Any) -> str:
    return str(value).strip()


def table(
    source: str,
    rows: Iterable[tuple[int, Sequence[Any]]],
    columns: Columns,
    limits: ImportSettings,
    problems: Problems,
    cell: Cell = _text,
) -> Table:
    """The data rows of a CSV file or sheet as records by column code.

    The header is the first of the first HEADER_ROWS rows that names every required column
    (else the first row with anything in it, reported as wrong). Empty rows are skipped; a
    row with more cells than the header is a problem; a money column headed in 万元 reads a
    bare number as 万 yuan (`50` → `50万`). More data rows than `limits.max_rows` refuse the
    whole file.
    """
    iterator = iter(rows)
    header, codes = _find_header(iterator, source, columns, problems)
    if codes is None:
        return Table(source, None)
    scaled = {
        i
        for i, (h, code) in enumerate(zip(header, codes, strict=True))
        if code in columns.money and header_unit(h) == "万元"
    }
    records: list[Record] = []
    for line, values in iterator:
        texts = [cell(codes[i] if i < len(codes) else None, v) for i, v in enumerate(values)]
        if not any(texts):
            continue
        if len(records) == limits.max_rows:
            raise Refused(
                _(
                    "{source}超过{limit}行数据，超过导入的上限（配置项[imports].max_rows）：请分批导入"
                ).format(source=source, limit=limits.max_rows)
            )
        if any(texts[len(header) :]):
            last = max(i for i, t in enumerate(texts) if t) + 1
            problems.add(
                source,
                line,
                _("有{count}列，多于表头的{columns}列").format(count=last, columns=len(header)),
            )
            continue
        padded = texts + [""] * (len(header) - len(texts))
        records.append(
            (line, {code: _scaled(padded[i], i in scaled) for i, code in enumerate(codes)})
        )
    return Table(source, records)


def _scaled(text: str, in_wan: bool) -> str:
    """A money cell of a column headed in 万元: a bare number gets its 万."""
    return f"{text}万" if in_wan and text and not _HAS_UNIT.search(text) else text


def _find_header(
    rows: Iterator[tuple[int, Sequence[Any]]], source: str, columns: Columns, problems: Problems
) -> tuple[list[str], list[str] | None]:
    """The header row's cells and their column codes; codes None (a problem) when it is wrong."""
    first: tuple[int, list[str]] | None = None
    for _seen, (line, values) in zip(range(HEADER_ROWS), rows, strict=False):
        header = [_text(None, v) if v is not None else "" for v in values]
        while header and not header[-1]:
            header.pop()
        if not header:
            continue
        first = first or (line, header)
        if all(c in {columns.code(h) for h in header} for c in columns.required):
            return header, _header_codes(header, line, source, columns, problems)
    line, header = first or (1, [])
    return header, _header_codes(header, line, source, columns, problems)


def _header_codes(
    header: list[str], line: int, source: str, columns: Columns, problems: Problems
) -> list[str] | None:
    """The column code of each header cell; None, and a problem, when the header is wrong."""
    codes = [columns.code(h) for h in header]
    known = columns.required + columns.optional
    missing = [c for c in columns.required if c not in codes]
    unknown = [
        f"“{h}”" if h else _("第{n}列（表头为空）").format(n=i + 1)
        for i, (h, c) in enumerate(zip(header, codes, strict=True))
        if c is None
    ]
    repeated = sorted({c for c in codes if c is not None and codes.count(c) > 1}, key=known.index)
    if not missing and not unknown and not repeated:
        return [c for c in codes if c is not None]
    detail = _("；").join(
        part
        for part in (
            _("缺少 {columns}").format(columns=", ".join(missing)) if missing else "",
            _("无法识别的列 {columns}").format(columns=", ".join(unknown)) if unknown else "",
            _("重复的列 {columns}").format(columns=", ".join(repeated)) if repeated else "",
        )
        if part
    )
    problems.add(
        source,
        line,
        _("表头须为 {expected}：{detail}").format(expected=columns.expected(), detail=detail),
    )
    return None

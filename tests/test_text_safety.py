"""Text from applicants is data, and whatever ipflow derives from it fits where it goes.

Through the command line as users type it, on SQLite and PostgreSQL: long titles and unit
names through the nightly check and delivery to a real mail server and the folder channel;
control characters refused at entry and harmless in stored data; e-mail addresses validated;
formulas kept text in the ledger; `--output` that never clobbers; PDFs that refuse to render
without a Chinese font; Chinese documents without English codes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import date
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from click.testing import Result
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, select, text, update

from states.categories import CATEGORIES
from states.definitions import STATE_LABELS
from tests.conftest import Cli, database_dump, without_clock_notice
from tests.test_notifiers import MailSink
from workflow.check.rules import FLAG_LABELS
from workflow.db.engine import make_engine
from workflow.db.orm import OutboxMessage, Project
from workflow.letters.rules import STATUSES as LETTER_STATUSES
from workflow.money.budget import DECISIONS
from workflow.money.rules import BASES, OPINIONS
from workflow.risks.rules import LEVELS
from workflow.risks.rules import STATUSES as RISK_STATUSES

DAY = date(2027, 1, 7)
TASK = "开展摸底调研"
PLAN = f"task,start,due,weight\n{TASK},2027-01-01,2027-01-11,1\n"
"""One 10-day task: on 2027-01-07 60% is planned, so a report of 10% lags 50 points (red)."""
NUMBER = "黔知运预〔2027〕{seq}号"
LONG_UNIT = "黔" * 200
"""A unit name as long as the schema holds."""
EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig></fontconfig>
"""


@pytest.fixture
def cli(db_url: str) -> Cli:
    return Cli(db_url, DAY)


@pytest.fixture
def mail_server() -> Iterator[MailSink]:
    sink = MailSink().start()
    yield sink
    sink.stop()


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def refused(result: Result) -> str:
    """The one-paragraph refusal of a command that failed with exit 1, without a traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    message = without_clock_notice(result.stderr)
    assert "\n" not in message.strip(), message
    return message


def config(tmp_path: Path, port: int, recipients: str = '"office@example.org"') -> Path:
    path = tmp_path / "ipflow.toml"
    path.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\n'
        f'[delivery]\noutbox_dir = "{tmp_path / "outbox"}"\n'
        f'[recipients]\ncontractor = ["risk@example.org"]\noffice = [{recipients}]\n',
        encoding="utf-8",
    )
    return path


def applicant(
    cli: Cli, tmp_path: Path, title: str, unit: str, email: str | None = None, done: int = 10
) -> int:
    """A strong_enterprise project of `unit`, started, reported `done`% on DAY (10%: red)."""
    ok(
        cli(
            "unit", "add", unit, "--kind", "enterprise", *(["--contact-email", email] * bool(email))
        )
    )
    plan = tmp_path / "plan.csv"
    plan.write_text(PLAN, encoding="utf-8")
    created = ok(
        cli(
            "project",
            "create",
            "--category",
            "strong_enterprise",
            "--title",
            title,
            "--unit",
            unit,
            "--start",
            "2027-01-01",
            "--end",
            "2028-12-31",
            "--budget",
            "500000",
            "--plan",
            str(plan),
            "--json",
        )
    )
    project_id = int(json.loads(created.stdout)["id"])
    for trigger in ("screen", "approve", "start"):
        ok(cli("project", "advance", str(project_id), trigger))
    ok(
        cli(
            "report",
            "submit",
            str(project_id),
            "--date",
            DAY.isoformat(),
            "--progress",
            f"{TASK}={done}",
        )
    )
    return project_id


def fitted(head: str, title: str, tail: str = "") -> str:
    """A subject of 300 characters at most: `title` cut with an ellipsis between head and tail."""
    room = 300 - len(head) - len(tail)
    return head + (title if len(title) <= room else title[: room - 1] + "…") + tail


def check(cli: Cli, *args: str) -> dict[str, object]:
    result = ok(cli(*args, "check", "run", "--json"))
    document: dict[str, object] = json.loads(result.stdout)
    return document


def outbox(engine: Engine) -> list[OutboxMessage]:
    with engine.connect() as conn:
        return list(conn.execute(select(OutboxMessage).order_by(OutboxMessage.id)))  # type: ignore[arg-type]


def subject_of(mail: object) -> str:
    return str(make_header(decode_header(str(mail["Subject"]))))  # type: ignore[index]


# --- everything derived fits its column: a title of 281 or 300 characters, a unit of 200 ---


@pytest.mark.parametrize("length", [281, 300])
def test_a_long_title_and_unit_name_go_through_the_check_and_delivery_whole(
    cli: Cli, engine: Engine, tmp_path: Path, mail_server: MailSink, length: int
) -> None:
    title = ("磷化工高价值专利培育" * 30)[:length]
    long_one = applicant(cli, tmp_path, title, LONG_UNIT)  # no address: the folder channel
    applicant(cli, tmp_path, "普通项目", "贵州某科技公司", "kjc@example.org")
    conf = config(tmp_path, mail_server.port)

    checked = check(cli, "--config", str(conf))

    assert checked["letters_issued"] == 2 and checked["skipped"] == []
    rows = outbox(engine)
    assert all(len(r.subject) <= 300 and len(r.key) <= 200 for r in rows)
    letter = next(r for r in rows if r.project_id == long_one and r.letter_id is not None)
    head = f"【预警告知书】{NUMBER.format(seq=1)} "
    assert letter.subject == fitted(head, title) and len(letter.subject) == 300
    assert letter.recipient == "unit-" + LONG_UNIT
    copies = [r for r in rows if r.project_id == long_one and r.recipient.endswith("example.org")]
    assert {r.subject for r in copies} == {fitted("【红色预警通知】", title, "（抄送）")}
    shown = ok(cli("letters", "show", "1")).stdout
    assert f"“{title}”" in shown  # the letter itself carries the whole title

    flushed = json.loads(ok(cli("--config", str(conf), "notify", "flush", "--json")).stdout)

    assert (flushed["sent"], flushed["failed"], flushed["pending"]) == (len(rows), 0, 0)
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2  # the long one's letter, notice
    assert letter.subject in {subject_of(m) for m in mail_server.mails} | {
        subject_of(_read_eml(p)) for p in (tmp_path / "outbox").glob("*.eml")
    }


def _read_eml(path: Path) -> object:
    import email
    from email.policy import default

    return email.message_from_bytes(path.read_bytes(), policy=default)


def test_a_title_longer_than_the_schema_holds_is_refused_and_nothing_written(
    cli: Cli, engine: Engine
) -> None:
    before = database_dump(engine)
    message = refused(
        cli(
            "project",
            "create",
            "--category",
            "strong_enterprise",
            "--title",
            "长" * 301,
            "--unit",
            "贵州某科技公司",
            "--start",
            "2027-01-01",
            "--end",
            "2028-12-31",
            "--budget",
            "500000",
        )
    )
    assert "项目名称长301个字符，超过了可保存的300个字符" in message
    assert database_dump(engine) == before


@pytest.fixture
def sqlite_cli(sqlite_template: Path, tmp_path: Path) -> Cli:
    """A migrated SQLite database: it stores whatever length it is given, as old data may be."""
    path = tmp_path / "legacy.db"
    path.write_bytes(sqlite_template.read_bytes())
    return Cli(f"sqlite:///{path}", DAY)


def test_a_project_whose_letter_cannot_be_composed_is_reported_and_the_others_are_checked(
    sqlite_cli: Cli, tmp_path: Path
) -> None:
    broken = applicant(sqlite_cli, tmp_path, "旧数据项目", "旧数据单位", "old@example.org")
    fine = applicant(sqlite_cli, tmp_path, "正常项目", "正常单位", "kjc@example.org")
    engine = make_engine(sqlite_cli.db_url)
    with engine.begin() as conn:  # an address no mail column could hold, stored long ago
        conn.execute(
            update(Project).where(Project.id == broken).values(contact_email="a" * 340 + "@x.org")
        )

    result = ok(sqlite_cli("check", "run", "--json"))

    checked = json.loads(result.stdout)
    assert checked["letters_issued"] == 1
    assert {(s["project_id"], s["what"]) for s in checked["skipped"]} == {
        (broken, "letter"),
        (broken, "notices"),
    }
    assert f"警告：项目#{broken}的预警告知书无法由其数据生成" in result.stderr
    assert {r.project_id for r in outbox(engine) if r.letter_id} == {fine}
    engine.dispose()


# --- control characters refused at entry ---


@pytest.mark.parametrize("bad", ["\r\n", "\n", "\t", "\x00", "\u202e", "\u2028"])
def test_a_title_with_a_control_character_is_refused_at_create(
    cli: Cli, engine: Engine, bad: str
) -> None:
    before = database_dump(engine)
    message = refused(
        cli(
            "project",
            "create",
            "--category",
            "strong_enterprise",
            "--title",
            f"磷化工{bad}专利培育",
            "--unit",
            "贵州某科技公司",
            "--start",
            "2027-01-01",
            "--end",
            "2028-12-31",
            "--budget",
            "500000",
        )
    )
    assert message.startswith("ipflow: 项目名称中有") and "控制字符" in message
    assert f"U+{ord(bad[0]):04X}" in message
    assert database_dump(engine) == before


def _workbook(path: Path, rows: list[list[str]]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_import_with_a_line_break_in_a_title_imports_nothing(
    cli: Cli, engine: Engine, tmp_path: Path, suffix: str
) -> None:
    rows = [
        ["category", "title", "unit", "start", "end", "budget"],
        ["strong_enterprise", "正常项目", "某公司甲", "2027-01-01", "2028-12-31", "500000"],
        ["strong_enterprise", "第一行\r\n第二行", "某公司乙", "2027-01-01", "2028-12-31", "500000"],
    ]
    path = tmp_path / f"projects.{suffix}"
    if suffix == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    else:
        _workbook(path, rows)
    before = database_dump(engine)

    result = cli("project", "import", str(path))

    assert result.exit_code == 1 and "Traceback" not in result.output
    # The CSV keeps the cell's CR LF as typed; the workbook's cell holds a line feed.
    found = (
        "2个控制字符（第4个字符是回车符（U+000D））"
        if suffix == "csv"
        else "1个控制字符（第4个字符是换行符（U+000A））"
    )
    assert f"项目名称中有{found}" in result.stderr
    assert "未执行" in result.stderr
    assert database_dump(engine) == before


def test_a_task_name_with_a_tab_is_refused_in_a_plan_file(
    cli: Cli, engine: Engine, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("task,start,due\n调研\t分析,2027-01-01,2027-03-31\n", encoding="utf-8")
    before = database_dump(engine)
    result = cli(
        "project",
        "create",
        "--category",
        "strong_enterprise",
        "--title",
        "项目",
        "--unit",
        "某公司",
        "--start",
        "2027-01-01",
        "--end",
        "2028-12-31",
        "--budget",
        "500000",
        "--plan",
        str(plan),
    )
    assert result.exit_code == 1 and "任务名称中有1个控制字符" in result.stderr
    assert database_dump(engine) == before


def test_unit_names_and_notes_refuse_control_characters_and_notes_keep_their_lines(
    cli: Cli, engine: Engine, tmp_path: Path
) -> None:
    before = database_dump(engine)
    assert "名称中有1个控制字符" in refused(cli("unit", "add", "某\n公司", "--kind", "enterprise"))
    assert database_dump(engine) == before
    project_id = applicant(cli, tmp_path, "项目", "某公司")
    before = database_dump(engine)
    refusal = refused(cli("project", "advance", str(project_id), "suspend", "--note", "停\x00工"))
    assert "备注中有1个控制字符（第2个字符是空字符（U+0000））" in refusal
    assert database_dump(engine) == before
    assert "操作人（--as）" in refused(cli("--as", "张\r三", "project", "list"))
    ok(cli("project", "advance", str(project_id), "suspend", "--note", "第一条\r\n第二条"))
    shown = json.loads(ok(cli("project", "show", str(project_id), "--json")).stdout)
    assert shown["history"][-1]["note"] == "第一条\r\n第二条"  # kept as typed


# --- e-mail addresses ---


@pytest.mark.parametrize("address", ["not-an-email", "a b@example.org", "kjc@localhost", "@x.org"])
def test_a_bad_contact_email_is_refused_at_create_and_unit_add(
    cli: Cli, engine: Engine, address: str
) -> None:
    before = database_dump(engine)
    created = cli(
        "project",
        "create",
        "--category",
        "strong_enterprise",
        "--title",
        "项目",
        "--unit",
        "某公司",
        "--start",
        "2027-01-01",
        "--end",
        "2028-12-31",
        "--budget",
        "500000",
        "--contact-email",
        address,
    )
    assert f"联系邮箱“{address}”不是有效的邮件地址" in refused(created)
    added = cli("unit", "add", "某公司", "--kind", "enterprise", "--contact-email", address)
    assert f"联系邮箱“{address}”不是有效的邮件地址" in refused(added)
    assert database_dump(engine) == before


def test_a_valid_address_is_stored_normalised(cli: Cli) -> None:
    ok(cli("unit", "add", "某公司", "--kind", "enterprise", "--contact-email", "KJC@Example.ORG"))
    [unit] = json.loads(ok(cli("unit", "list", "--json")).stdout)
    assert unit["contact_email"] == "KJC@example.org"


def test_a_bad_address_in_the_configured_recipients_is_refused(
    cli: Cli, engine: Engine, tmp_path: Path
) -> None:
    conf = config(tmp_path, 25, recipients='"office@example.org", "办公室"')
    before = database_dump(engine)
    message = refused(cli("--config", str(conf), "check", "run"))
    assert "[recipients].office“办公室”不是有效的邮件地址" in message
    assert database_dump(engine) == before


# --- stored text from before these checks ---


def test_a_stored_title_with_cr_lf_still_delivers_its_letter_by_mail_and_to_the_folder(
    cli: Cli, engine: Engine, tmp_path: Path, mail_server: MailSink
) -> None:
    mailed = applicant(cli, tmp_path, "磷化工专利培育", "贵州某科技公司", "kjc@example.org")
    filed = applicant(cli, tmp_path, "大数据专利培育", "贵州某数据公司")
    with engine.begin() as conn:  # stored before control characters were refused
        for project_id in (mailed, filed):
            conn.execute(
                update(Project).where(Project.id == project_id).values(title="第一行\r\n第二行")
            )
    conf = config(tmp_path, mail_server.port)
    assert check(cli, "--config", str(conf))["letters_issued"] == 2
    with engine.begin() as conn:  # and queued before subjects were made one line
        conn.execute(
            update(OutboxMessage).values(subject=OutboxMessage.subject + "\r\nBcc: evil@x.org")
        )

    result = ok(cli("--config", str(conf), "notify", "flush", "--json"))

    flushed = json.loads(result.stdout)
    assert (flushed["failed"], flushed["pending"]) == (0, 0)
    assert "Traceback" not in result.output
    subject = f"【预警告知书】{NUMBER.format(seq=1)} 第一行 第二行 Bcc: evil@x.org"
    letters = [m for m in mail_server.mails if subject_of(m).startswith("【预警告知书】")]
    assert [subject_of(m) for m in letters] == [subject]
    assert all(m["Bcc"] is None for m in mail_server.mails)
    [filed_letter] = [
        p for p in (tmp_path / "outbox").glob("letter*.eml")
    ]  # the folder channel wrote it, no traceback
    assert "第一行 第二行" in subject_of(_read_eml(filed_letter))
    body = ok(cli("letters", "show", "1")).stdout
    assert "“第一行 第二行”" in body


# --- formulas stay text in every spreadsheet ipflow writes ---

FORMULAS = ['=HYPERLINK("http://x","y")', "=1+1", "+86专利", "-负号开头的项目", "@SUM(A1:A2)"]


def _formula_programme(cli: Cli, tmp_path: Path) -> int:
    for n, title in enumerate(FORMULAS):
        applicant(cli, tmp_path, title, f"某公司{n}")
    ahead = applicant(cli, tmp_path, "进度超前的项目", "某公司超前", done=100)
    check(cli)
    return ahead


def test_formula_titles_are_plain_strings_in_the_xlsx_ledger(cli: Cli, tmp_path: Path) -> None:
    _formula_programme(cli, tmp_path)
    out = tmp_path / "ledger.xlsx"

    ok(cli("ledger", "export", "--format", "xlsx", "--output", str(out)))

    sheet_xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml
    sheet = load_workbook(out).active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    title_col, lag_col = headers.index("项目名称"), headers.index("滞后（百分点）")
    rows = list(sheet.iter_rows(min_row=2))
    titles = {r[title_col].value: r[title_col] for r in rows}
    assert set(FORMULAS) <= set(titles)
    assert all(titles[t].data_type == "s" and titles[t].quotePrefix for t in FORMULAS)
    lag = next(r[lag_col] for r in rows if r[title_col].value == "进度超前的项目")
    assert lag.value == -40.0 and lag.data_type == "n"  # a negative number stays a number


def test_formula_titles_start_with_an_apostrophe_in_the_csv_ledger_but_numbers_do_not(
    cli: Cli, tmp_path: Path
) -> None:
    _formula_programme(cli, tmp_path)
    out = tmp_path / "ledger.csv"

    ok(cli("ledger", "export", "--format", "csv", "--output", str(out)))

    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert {r["项目名称"] for r in rows} == {"'" + t for t in FORMULAS} | {"进度超前的项目"}
    ahead = next(r for r in rows if r["项目名称"] == "进度超前的项目")
    assert ahead["滞后（百分点）"] == "-40.00"


# --- --output: never over a file unasked, never through a link, never the database ---


def _documents(cli: Cli, tmp_path: Path) -> list[tuple[str, ...]]:
    """Every command that writes a file, once the programme has a checked, lettered project."""
    applicant(cli, tmp_path, "磷化工专利培育", "贵州某科技公司")
    check(cli)
    return [
        ("ledger", "export", "--format", "csv", "--output"),
        ("ledger", "export", "--format", "xlsx", "--output"),
        ("letters", "show", "1", "--format", "html", "--output"),
        ("report", "periodic", "--kind", "quarterly", "--period", "2027Q1", "--output"),
        ("plot", "lag", "--today", DAY.isoformat(), "--output"),
        ("plot", "progress", "1", "--output"),
    ]


SUFFIXES = {"xlsx": ".xlsx", "plot": ".png", "report": ".html"}


def _target(tmp_path: Path, command: tuple[str, ...]) -> Path:
    suffix = next((s for key, s in SUFFIXES.items() if key in command), ".out")
    return tmp_path / "docs" / f"{command[0]}{suffix}"


def test_an_existing_output_file_is_kept_unless_forced_and_then_replaced_whole(
    cli: Cli, tmp_path: Path
) -> None:
    for command in _documents(cli, tmp_path):
        target = _target(tmp_path, command)
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(b"earlier work")
        inode = target.stat().st_ino

        assert "已存在，未覆盖：如确需覆盖，请加 --force" in refused(cli(*command, str(target)))
        assert target.read_bytes() == b"earlier work"

        ok(cli(*command, str(target), "--force"))
        assert target.read_bytes() != b"earlier work" and target.stat().st_ino != inode
        assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary left
        target.unlink()


def test_an_output_through_a_symbolic_link_is_refused_even_when_forced(
    cli: Cli, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"not to be touched")
    for command in _documents(cli, tmp_path):
        link = _target(tmp_path, command)
        link.parent.mkdir(exist_ok=True)
        link.symlink_to(victim)

        assert "符号链接" in refused(cli(*command, str(link), "--force"))
        assert link.is_symlink() and victim.read_bytes() == b"not to be touched"
        link.unlink()


def test_the_open_database_is_never_written_as_output(sqlite_cli: Cli, tmp_path: Path) -> None:
    database = Path(sqlite_cli.db_url.removeprefix("sqlite:///"))
    commands = _documents(sqlite_cli, tmp_path)
    engine = make_engine(sqlite_cli.db_url)
    before = database_dump(engine)
    for command in commands:
        for where in (database, tmp_path / "." / database.name):
            message = refused(sqlite_cli(*command, str(where), "--force"))
            assert "是ipflow正在使用的数据库文件" in message
    assert database_dump(engine) == before
    engine.dispose()


# --- PDFs need a Chinese font and fetch nothing ---


@pytest.fixture
def no_cjk_fonts(tmp_path: Path) -> dict[str, str]:
    """An environment whose fontconfig knows no font at all, as on a bare host."""
    conf = tmp_path / "fonts" / "fonts.conf"
    conf.parent.mkdir()
    conf.write_text(EMPTY_FONTCONFIG, encoding="utf-8")
    return {"FONTCONFIG_FILE": str(conf)}


def test_a_pdf_is_refused_without_a_chinese_font_naming_the_package(
    cli: Cli, tmp_path: Path, no_cjk_fonts: dict[str, str]
) -> None:
    applicant(cli, tmp_path, "磷化工专利培育", "贵州某科技公司")
    check(cli)
    letter, report = tmp_path / "letter.pdf", tmp_path / "report.pdf"

    shown = cli(
        "letters", "show", "1", "--format", "pdf", "--output", str(letter), env=no_cjk_fonts
    )
    periodic = cli(
        "report",
        "periodic",
        "--kind",
        "quarterly",
        "--period",
        "2027Q1",
        "--output",
        str(report),
        env=no_cjk_fonts,
    )

    for result in (shown, periodic):
        assert "没有可用的中文字体" in refused(result)
        assert "apt-get install fonts-noto-cjk" in result.stderr
    assert not letter.exists() and not report.exists()
    ok(cli("letters", "show", "1", "--format", "pdf", "--output", str(letter)))
    assert letter.read_bytes().startswith(b"%PDF")


def test_a_letter_is_not_mailed_without_its_chinese_and_goes_once_fonts_are_there(
    cli: Cli, engine: Engine, tmp_path: Path, mail_server: MailSink, no_cjk_fonts: dict[str, str]
) -> None:
    applicant(cli, tmp_path, "磷化工专利培育", "贵州某科技公司", "kjc@example.org")
    conf = config(tmp_path, mail_server.port)
    check(cli, "--config", str(conf))

    ok(cli("--config", str(conf), "notify", "flush", env=no_cjk_fonts))

    assert not [m for m in mail_server.mails if subject_of(m).startswith("【预警告知书】")]
    [letter_row] = [r for r in outbox(engine) if r.letter_id is not None]
    assert letter_row.status == "pending" and "fonts-noto-cjk" in (letter_row.last_error or "")

    ok(cli("--config", str(conf), "notify", "flush", "--all"))

    [mail] = [m for m in mail_server.mails if subject_of(m).startswith("【预警告知书】")]
    assert [p.get_content_type() for p in mail.iter_attachments()] == ["application/pdf"]


def test_rendering_a_pdf_fetches_nothing_from_outside_the_document() -> None:
    from workflow.documents.pdf import embedded_only

    for url in ("http://127.0.0.1:9/x.png", "https://example.org/f.css", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="fetches nothing"):
            embedded_only(url)
    assert embedded_only("data:text/plain;base64,5Lit")["file_obj"].read() == "中".encode()


# --- Chinese documents name things in Chinese ---


def _codes() -> set[str]:
    """Every code the documents could show instead of its Chinese label."""
    from workflow.units.actions import UNIT_KINDS

    return (
        set(STATE_LABELS)
        | set(CATEGORIES)
        | set(LETTER_STATUSES)
        | set(FLAG_LABELS)
        | set(LEVELS)
        | set(RISK_STATUSES)
        | set(OPINIONS)
        | set(BASES)
        | set(DECISIONS)
        | set(DECISIONS.values())
        | set(UNIT_KINDS)
    )


def _visible_text(document: str) -> str:
    document = re.sub(r"<style.*?</style>", " ", document, flags=re.S)
    document = re.sub(r"<[^>]+>", " ", document)
    return document


def test_the_demos_letters_notices_ledger_and_reports_show_no_english_codes(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    day = date(2027, 9, 30)
    demo = Cli(db_url, day)
    ok(demo("demo", "--today", day.isoformat()))
    out = tmp_path / "docs"
    out.mkdir()
    documents: dict[str, str] = {}
    for kind, period in [
        ("quarterly", "2027Q3"),
        ("quarterly", "2027Q2"),
        ("fund-use", "2027H1"),
        ("risk", "2027H1"),
        ("performance", "2027"),
        ("fund-summary", "2027H1"),
    ]:
        path = out / f"{kind}-{period}.html"
        ok(demo("report", "periodic", "--kind", kind, "--period", period, "--output", str(path)))
        documents[path.name] = path.read_text(encoding="utf-8")
    ledger = out / "ledger.csv"
    ok(demo("ledger", "export", "--format", "csv", "--output", str(ledger)))
    documents["ledger"] = ledger.read_text(encoding="utf-8-sig")
    letters = json.loads(ok(demo("letters", "list", "--json")).stdout)
    assert letters
    for row in letters:
        documents[f"letter {row['id']}"] = ok(demo("letters", "show", str(row["id"]))).stdout
        documents[f"letter {row['id']} html"] = ok(
            demo("letters", "show", str(row["id"]), "--format", "html")
        ).stdout
    with engine.connect() as conn:
        for key, body in conn.execute(text("SELECT key, body_text FROM outbox")):
            documents[key] = body or ""
        for n, (reason,) in enumerate(conn.execute(text("SELECT reason FROM risk_recommendation"))):
            documents[f"recommendation {n}"] = reason
    assert any(k.startswith("notice/") for k in documents)
    pattern = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(_codes())) + r")(?![A-Za-z0-9_])")

    shown = {
        name: sorted(set(pattern.findall(_visible_text(document))))
        for name, document in documents.items()
    }

    assert {name: codes for name, codes in shown.items() if codes} == {}


# --- the rules themselves ---


def test_a_cut_never_separates_a_character_from_its_combining_marks() -> None:
    from workflow.core.text import fit

    assert fit("项目名称", 4) == "项目名称"
    assert fit("项目名称很长", 4) == "项目名…"
    assert fit("cafe\u0301s", 5) == "caf…"  # not "cafe…" without its accent


def test_free_text_may_hold_lines_and_a_files_byte_order_mark_but_names_may_not() -> None:
    from workflow.core.errors import Refused
    from workflow.core.text import screen

    screen("note", "第一条\r\n第二条\t完")
    screen("scores_text", "\ufeffunit,专利运用\r\n贵阳市,90\r\n")
    for name, value in (
        ("note", "a\rb"),
        ("note", "a\x1bb"),
        ("name", "a\nb"),
        ("lines", {"a\tb": 1}),
    ):
        with pytest.raises(Refused):
            screen(name, value)

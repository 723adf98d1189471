"""Chinese by default, English with --lang, $IPFLOW_LANG or the locale; a complete catalogue."""

from __future__ import annotations

import gettext
import json
import re
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from states.rules import wan
from tests.conftest import Cli
from tests.factories import enrol_university
from workflow.check.rules import explain
from workflow.core.i18n import LOCALE_DIR, choose_language, language

ROOT = Path(__file__).resolve().parents[1]
PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "ipflow.po"
MO = LOCALE_DIR / "en" / "LC_MESSAGES" / "ipflow.mo"
CJK = re.compile(r"[\u4e00-\u9fff]")

CHOICES = {
    "default": ([], {}),
    "--lang zh": (["--lang", "zh"], {"IPFLOW_LANG": "en", "LANG": "en_US.UTF-8"}),
    "--lang en": (["--lang", "en"], {}),
    "IPFLOW_LANG=en": ([], {"IPFLOW_LANG": "en"}),
    "LANG=en_US.UTF-8": ([], {"LANG": "en_US.UTF-8"}),
    "LC_ALL beats LANG": ([], {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}),
}
LANGUAGE_OF = {
    "default": "zh",
    "--lang zh": "zh",
    "--lang en": "en",
    "IPFLOW_LANG=en": "en",
    "LANG=en_US.UTF-8": "en",
    "LC_ALL beats LANG": "zh",
}
EXPECTED = {
    "zh": {
        "refusal": "承担单位存在有效的不良信用记录：经营异常（#1，2027-03-01至2027-12-31，信用中国公示）",
        "state": "当前状态为已初审（screened），不能执行“approve”",
        "flag": "    - 进度滞后90个百分点，超过25（严重滞后）",
        "label": "  预警：红（2027-04-15检查）",
        "header": "2027年度资金使用情况（元）",
    },
    "en": {
        "refusal": "The unit has an adverse credit record in force: Abnormal operation "
        "(#1, 2027-03-01 to 2027-12-31, 信用中国公示)",
        "state": 'is Screened (screened) and cannot "approve"',
        "flag": "    - Behind schedule by 90 percentage points, more than 25 (seriously behind)",
        "label": "  Flag: red (checked 2027-04-15)",
        "header": "Funding use in 2027 (yuan)",
    },
}


def run(ipflow: Cli, choice: str, *args: str) -> tuple[int, str, str]:
    """Run one command in the language `choice` selects: exit status, stdout, stderr."""
    options, env = CHOICES[choice]
    result = ipflow(*options, *args, env=env)
    return result.exit_code, result.stdout, result.stderr


def created(ipflow: Cli, *args: str) -> int:
    result = ipflow("project", "create", "--category", "high_value_patent", *args, "--json")
    assert result.exit_code == 0, result.output
    return int(json.loads(result.stdout)["id"])


@pytest.mark.parametrize("choice", CHOICES)
def test_approve_refused_for_a_credit_record_names_it_in_the_chosen_language(
    ipflow: Cli, choice: str
) -> None:
    assert ipflow("unit", "add", "某科技公司", "--fact", "chain_leader=yes").exit_code == 0
    record = ("--kind", "abnormal_operation", "--start", "2027-03-01", "--end", "2027-12-31")
    assert (
        ipflow("unit", "record", "add", "某科技公司", *record, "--note", "信用中国公示").exit_code
        == 0
    )
    term = ("--start", "2027-01-01", "--end", "2027-12-31", "--budget", "500000")
    project_id = created(ipflow, "--title", "磷化工专利培育", "--unit", "某科技公司", *term)
    assert ipflow("project", "advance", str(project_id), "screen").exit_code == 0

    code, out, err = run(ipflow, choice, "project", "advance", str(project_id), "approve")

    expected = EXPECTED[LANGUAGE_OF[choice]]
    assert code == 1 and out == ""
    assert expected["refusal"] in err and expected["state"] in err


@pytest.mark.parametrize("choice", CHOICES)
def test_project_show_explains_the_flag_and_headers_follow_the_chosen_language(
    ipflow: Cli, choice: str, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("task,start,due\n调研,2027-01-01,2027-03-31\n", encoding="utf-8")
    term = ("--start", "2027-01-01", "--end", "2027-12-31", "--budget", "500000")
    enrol_university(ipflow)
    project_id = created(ipflow, "--title", "t", "--unit", "贵州大学", *term, "--plan", str(plan))
    for trigger in ("screen", "approve", "start"):
        assert ipflow("project", "advance", str(project_id), trigger).exit_code == 0
    report = ("--date", "2027-03-31", "--progress", "调研=10")
    assert ipflow("report", "submit", str(project_id), *report).exit_code == 0
    assert ipflow("check", "run", "--today", "2027-04-15").exit_code == 0

    show = run(ipflow, choice, "project", "show", str(project_id))
    status = run(ipflow, choice, "programme", "status", "--year", "2027")

    expected = EXPECTED[LANGUAGE_OF[choice]]
    assert show[0] == 0 and status[0] == 0
    lines = show[1].splitlines()
    assert expected["flag"] in lines and expected["label"] in lines
    assert status[1].splitlines()[0] == expected["header"]
    if LANGUAGE_OF[choice] == "en":
        assert not CJK.search(show[1].replace("调研", "").replace("贵州大学", ""))


def test_the_refusal_log_keeps_chinese_when_the_refusal_is_said_in_english(
    ipflow: Cli,
) -> None:
    assert ipflow("user", "add", "tester", "--role", "admin").exit_code == 0

    term = ("--start", "2027-01-01", "--end", "2027-12-31", "--budget", "500000")
    create = ("project", "create", "--category", "high_value_patent", "--title", "t", "--unit", "u")
    code, _, err = run(ipflow, "--lang en", "--as", "stranger", *create, *term)
    logged = json.loads(ipflow("user", "refusals", "--json").stdout)

    assert code == 1 and 'User "stranger" is not registered and may not' in err
    assert [r["reason"].split("，")[0] for r in logged] == ["用户“stranger”未登记"]


def test_an_unknown_language_is_a_usage_error(ipflow: Cli) -> None:
    result = ipflow("--lang", "fr", "unit", "list")
    from_env = ipflow("unit", "list", env={"IPFLOW_LANG": "fr"})

    assert result.exit_code == 2 and "'fr' is not one of 'zh', 'en'" in result.stderr
    assert from_env.exit_code == 2


@pytest.mark.parametrize(
    ("option", "environ", "chosen"),
    [
        (None, {}, "zh"),
        ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"LANG": "en_GB.UTF-8"}, "en"),
        (None, {"LC_MESSAGES": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"LC_ALL": "C.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        (None, {"LC_ALL": "", "LANG": "en_US.UTF-8"}, "en"),
    ],
)
def test_the_language_is_the_option_else_the_locale_else_chinese(
    option: str | None, environ: dict[str, str], chosen: str
) -> None:
    assert choose_language(option, environ) == chosen


def test_a_stored_reason_outside_the_templates_is_shown_as_stored() -> None:
    with language("en"):
        assert explain("lag", "进度滞后12.5个百分点，超过10") == (
            "Behind schedule by 12.5 percentage points, more than 10"
        )
        assert explain("lag", "旧的措辞") == "旧的措辞"
        assert explain("unknown_code", "某原因") == "某原因"


def test_every_extracted_msgid_has_an_english_translation(tmp_path: Path) -> None:
    pot = tmp_path / "ipflow.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [
            pybabel,
            "extract",
            "-F",
            "babel.cfg",
            "-o",
            pot,
            "cli.py",
            "commands",
            "states",
            "workflow",
            "notifiers",
            "web",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    with PO.open("rb") as f:
        catalogue = {m.id: m for m in read_po(f) if m.id}

    assert len(extracted) > 300
    assert sorted(extracted - set(catalogue)) == []
    assert [i for i in extracted if not catalogue[i].string or catalogue[i].fuzzy] == []
    assert sorted(set(catalogue) - extracted) == []


def test_the_compiled_catalogue_matches_the_po() -> None:
    with PO.open("rb") as f:
        po = {str(m.id): str(m.string) for m in read_po(f) if m.id}
    with MO.open("rb") as f:
        mo = gettext.GNUTranslations(f)

    assert {i: mo.gettext(i) for i in po} == po
    assert len(mo._catalog) == len(po) + 1  # type: ignore[attr-defined]  # and the header


def test_the_compiled_catalogue_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["workflow"]
    relative = MO.relative_to(ROOT / "workflow").as_posix()

    assert any(fnmatch(relative, p) for p in patterns)


def test_a_channel_configuration_error_is_said_in_english(ipflow: Cli, tmp_path: Path) -> None:
    config = tmp_path / "ipflow.toml"
    config.write_text('[[webhooks]]\nkind = "slack"\nurl = "https://x"\n', encoding="utf-8")

    code, _, err = run(ipflow, "--lang en", "--config", str(config), "notify", "flush")

    assert code == 1
    assert '[[webhooks]].kind "slack" is invalid; choose from: wecom, dingtalk, feishu' in err


def test_the_demo_summary_has_english_headers(ipflow: Cli) -> None:
    code, out, _ = run(ipflow, "--lang en", "demo", "--today", "2027-09-30")

    lines = out.splitlines()
    assert code == 0
    assert (
        lines[0]
        == "Demo built: the 2027 Guizhou IP utilisation-promotion programme, checked on 2027-09-30"
    )
    assert lines[1].split() == [
        "Category",
        "Code",
        "Projects",
        "Checked",
        "green",
        "amber",
        "red",
        "Letters",
    ]
    assert lines[2].startswith("High-value patent cultivation project")


@pytest.mark.parametrize(
    ("lang", "yuan", "shown"),
    [("zh", 500_000, "50万"), ("zh", 125_000, "12.5万"), ("en", 500_000, "500,000")],
)
def test_an_amount_in_a_message_is_in_wan_in_chinese_and_in_yuan_in_english(
    lang: str, yuan: int, shown: str
) -> None:
    with language(lang):
        assert wan(yuan) == shown

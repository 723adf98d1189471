"""Settings read from the TOML configuration file, with the defaults of SPEC.md."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from states.rules import SERVICE_BRAND_REVENUE_YEAR
from workflow.core.i18n import _
from workflow.core.text import BadText, entry_email, entry_text


class ConfigError(Exception):
    """The configuration file is missing, unreadable or holds a wrong value."""


@dataclass(frozen=True)
class CheckSettings:
    """Thresholds of the nightly check (percentage points and days)."""

    lag_warning: float = 10
    lag_red: float = 25
    reports_missing_red: int = 2
    report_grace_days: int = 10
    """Days after a reporting period's close within which its report is due (SPEC.md §4)."""
    rectification_days: int = 15
    rectification_overdue_red_days: int = 15
    large_expense_share: float = 0.20
    large_expense_yuan: int = 100_000


@dataclass(frozen=True)
class ScheduleSettings:
    """When the scheduler runs the nightly check."""

    time: str = "02:00"
    timezone: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(self.timezone)
        except (ValueError, LookupError, OSError):
            raise ConfigError(
                _("配置项[schedule].timezone“{timezone}”不是已知的时区，例如 Asia/Shanghai").format(
                    timezone=self.timezone
                )
            ) from None


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server that delivers letters and notices."""

    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "ipflow@example.org"
    username: str = ""
    password_env: str = ""
    starttls: bool = False
    allow_plain_auth: bool = False
    """Allow a login (`username`) without STARTTLS: the password then crosses in clear."""


@dataclass(frozen=True)
class RecipientSettings:
    """Who is copied on amber and red notices."""

    contractor: tuple[str, ...] = ()
    office: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("contractor", "office"):
            for address in getattr(self, name):
                try:
                    entry_email(str(address), f"[recipients].{name}")
                except BadText as exc:
                    raise ConfigError(_("配置有误：{problem}").format(problem=exc)) from None


NUMBER_PREFIX_WIDTH = 40
"""The longest letter number prefix: a number (prefix〔year〕N号) fits its column of 60."""


@dataclass(frozen=True)
class LetterSettings:
    """How warning letters are numbered and signed."""

    number_prefix: str = "黔知运预"
    sender: str = "贵州省知识产权局"
    contact: str = "项目风险防控机构"
    contact_phone: str = "0851-00000000"

    def __post_init__(self) -> None:
        try:
            for name in ("number_prefix", "sender", "contact", "contact_phone"):
                limit = NUMBER_PREFIX_WIDTH if name == "number_prefix" else None
                entry_text(getattr(self, name), f"[letters].{name}", limit=limit)
        except BadText as exc:
            raise ConfigError(_("配置有误：{problem}").format(problem=exc)) from None


@dataclass(frozen=True)
class ContingencySettings:
    """The contingency plan (风险预案) of each flag level, carried by its notices and by
    the office's risk-disposal recommendations (SPEC.md §5)."""

    green: str = "常规跟踪：按期提醒报送季度报告，风险防控机构按季度跟踪项目进度和资金使用情况"
    amber: str = (
        "约谈项目承担单位负责人，责令限期整改并报送整改方案；"
        "风险防控机构加密跟踪，每月核查一次进度和资金使用，督促整改落实"
    )
    red: str = (
        "暂停拨付项目资金，由风险防控机构会同市州知识产权局开展现场核查；"
        "提请省知识产权局处置（调整实施方案、终止项目、收回已拨付的未使用资金或记入信用记录）"
    )

    def plan(self, level: str) -> str:
        """The contingency text of `level`: green, amber or red."""
        return {"green": self.green, "amber": self.amber, "red": self.red}[level]


@dataclass(frozen=True)
class DeliverySettings:
    """Where the file channel writes messages for offices without mail."""

    outbox_dir: str = "outbox"


@dataclass(frozen=True)
class RulesSettings:
    """Programme rules that the office may tune: restriction period, city scoring weights, the
    window of yearly reviews and acceptance, and service_brand's condition deadline."""

    restriction_years: int = 3
    """Years a unit may not apply after a double acceptance failure (限制申报期): the default of
    the office's decision when it closes a data_ip_leader project (`--data restrict_years=N`)."""
    city_weights: dict[str, float] = field(default_factory=dict)
    """Weight per capability_city scoring dimension (a column of the scores CSV); default 1."""
    review_window_days: int = 30
    """Days before the end of a project year (of the term) from which its review (acceptance)
    may be held."""
    service_brand_deadline: date = date(SERVICE_BRAND_REVENUE_YEAR, 12, 31)
    """service_brand: the day by which its revenue and statistics condition must be met
    (截至2026年底); a TOML date."""

    def __post_init__(self) -> None:
        if self.review_window_days < 0:
            raise ConfigError(
                _("配置项[rules].review_window_days须为不小于0的天数，得到{value}").format(
                    value=self.review_window_days
                )
            )
        if self.restriction_years < 0:
            raise ConfigError(
                _("配置项[rules].restriction_years须为不小于0的年数，得到{value}").format(
                    value=self.restriction_years
                )
            )
        if isinstance(self.service_brand_deadline, datetime):
            raise ConfigError(
                _("配置项[rules].service_brand_deadline须为日期（如2026-12-31），不带时刻")
            )


DIGEST_KINDS = ("letter", "red")
"""What a nightly check reports to the bots: warning letters issued, projects turned red."""
DIGEST_LEVELS = ("amber", "red")
CHANNEL_NAME_CHARS = 20
"""A channel's name is stored with each outbox row (outbox.channel is 20 characters)."""
WEBHOOK_CHANNEL_KEYS = ("kind", "url", "secret", "name", "msgtype", "timeout")
WEBHOOK_ROUTING_KEYS = ("kinds", "levels", "categories")


@dataclass(frozen=True)
class BotRoute:
    """Which of a nightly check's news a bot (one [[webhooks]] entry) receives in its digest.

    A bot with no routing keys gets every warning letter and red notice of each check
    (CLI.md). `kinds` narrows to "letter" and/or "red", `levels` to the level ("amber" or
    "red"; a red notice is red), `categories` to projects of the listed category codes.
    """

    channel: str
    kinds: frozenset[str] = frozenset(DIGEST_KINDS)
    levels: frozenset[str] = frozenset(DIGEST_LEVELS)
    categories: frozenset[str] | None = None
    """None: every category."""

    def takes(self, kind: str, level: str, category: str) -> bool:
        """Whether news of `kind` at `level` about a project of `category` goes to this bot."""
        return (
            kind in self.kinds
            and level in self.levels
            and (self.categories is None or category in self.categories)
        )


def _route_values(entry: dict[str, Any], key: str, allowed: Any, bot: str) -> frozenset[str]:
    """The list under `key` of a [[webhooks]] entry, each value one of `allowed`."""
    values = entry[key]
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise ConfigError(
            _("配置项[[webhooks]]（{bot}）的{key}应为非空的字符串列表").format(bot=bot, key=key)
        )
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ConfigError(
            _("配置项[[webhooks]]（{bot}）的{key}中有无效的值：{values}；可选：{choices}").format(
                bot=bot, key=key, values=", ".join(unknown), choices=", ".join(allowed)
            )
        )
    return frozenset(values)


def bot_route(entry: dict[str, Any]) -> BotRoute:
    """The routing of one [[webhooks]] entry; its channel is named by `name`, else `kind`."""
    from states.categories import CATEGORIES

    name = entry.get("name", entry.get("kind"))
    if not isinstance(name, str) or not name or len(name) > CHANNEL_NAME_CHARS:
        raise ConfigError(
            _("配置项[[webhooks]]的name（或kind）“{name}”应为1到{n}个字符").format(
                name=name, n=CHANNEL_NAME_CHARS
            )
        )
    unknown = set(entry) - {*WEBHOOK_CHANNEL_KEYS, *WEBHOOK_ROUTING_KEYS}
    if unknown:
        raise ConfigError(
            _("配置项[[webhooks]]（{bot}）中有未知的键：{keys}").format(
                bot=name, keys=", ".join(sorted(unknown))
            )
        )
    route = BotRoute(name)
    if "kinds" in entry:
        route = replace(route, kinds=_route_values(entry, "kinds", DIGEST_KINDS, name))
    if "levels" in entry:
        route = replace(route, levels=_route_values(entry, "levels", DIGEST_LEVELS, name))
    if "categories" in entry:
        categories = _route_values(entry, "categories", tuple(CATEGORIES), name)
        route = replace(route, categories=categories)
    return route


@dataclass(frozen=True)
class ImportSettings:
    """Limits on the files `project import`, `project create --plan` and `city rank --scores`
    read, so that no file can take the memory or the time of the machine."""

    max_bytes: int = 64 * 1024 * 1024
    """The largest file read (CSV or xlsx as stored)."""
    max_rows: int = 100_000
    """The most data rows read from one file or sheet."""
    max_unpacked_bytes: int = 256 * 1024 * 1024
    """The most an xlsx workbook may inflate to (its zip entries' sizes added up)."""

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_rows", "max_unpacked_bytes"):
            if getattr(self, name) <= 0:
                raise ConfigError(
                    _("配置项[imports].{key}须为正整数，得到{value}").format(
                        key=name, value=getattr(self, name)
                    )
                )


@dataclass(frozen=True)
class WebSettings:
    """Sign-in on the web console and the API (`ipflow serve`)."""

    totp_roles: tuple[str, ...] = ()
    """Roles whose users must pass a TOTP code at sign-in (e.g. ["admin", "manager"]); a user
    of such a role without an authenticator enrols one at the next sign-in."""
    max_failed_sign_ins: int = 5
    """Consecutive failed sign-ins after which the account is locked."""
    lock_minutes: int = 15
    """How long a locked account stays locked."""
    session_hours: int = 12
    """How long a browser session lasts."""
    token_days: int = 90
    """How long an API token lasts unless its issuer chooses otherwise."""
    evidence_max_bytes: int = 10 * 1024 * 1024
    """The largest evidence file a unit may attach to a report."""
    threads: int = 2
    """Requests each server worker works on at once (the rest wait their turn, first come first
    served): few threads finish each request sooner than many sharing the interpreter's lock
    (bench/web_load.py). Raise it where long downloads would hold every thread."""
    pool_size: int = 5
    """Database connections each server worker keeps open (PostgreSQL)."""
    max_overflow: int = 5
    """Connections a worker may open beyond `pool_size` at a peak; a request then waits for one.
    Each worker may hold pool_size + max_overflow connections: `ipflow serve` refuses a number
    of workers whose total would not fit in PostgreSQL's max_connections."""

    def __post_init__(self) -> None:
        from workflow.access.rules import ROLES

        unknown = sorted(set(self.totp_roles) - set(ROLES))
        if unknown:
            raise ConfigError(
                _("配置项[web].totp_roles中有未知的角色：{roles}；可选：{choices}").format(
                    roles=", ".join(unknown), choices=", ".join(ROLES)
                )
            )
        for name in (
            "max_failed_sign_ins",
            "lock_minutes",
            "session_hours",
            "token_days",
            "evidence_max_bytes",
            "threads",
            "pool_size",
        ):
            if getattr(self, name) <= 0:
                raise ConfigError(
                    _("配置项[web].{key}须为正整数，得到{value}").format(
                        key=name, value=getattr(self, name)
                    )
                )
        if self.max_overflow < 0:
            raise ConfigError(
                _("配置项[web].max_overflow须为不小于0的整数，得到{value}").format(
                    value=self.max_overflow
                )
            )


def _default_classes() -> dict[str, tuple[str, ...]]:
    from states.categories import PERFORMANCE_CLASSES

    return dict(PERFORMANCE_CLASSES)


DEFAULT_WEIGHTS = {"targets": 50.0, "funds": 30.0, "qualitative": 20.0}
"""The dimensions of a project's composite performance score (workflow.performance.rules) and
their default weights."""


@dataclass(frozen=True)
class PerformanceSettings:
    """The performance evaluation (绩效评价): its classes and the weights of its score."""

    classes: dict[str, tuple[str, ...]] = field(default_factory=_default_classes)
    """Class name → the monitored categories it covers; one section of the report each."""
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    """Weight of each dimension of the composite score: targets met (绩效目标达成率), fund use
    (支出率) and the qualitative indicators."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "classes", _classes(self.classes))
        object.__setattr__(self, "weights", _weights(self.weights))


def _classes(raw: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The classes, checked: each a non-empty list of monitored category codes, none in two."""
    from states.categories import MONITORED

    if not raw:
        raise ConfigError(_("配置项[performance].classes至少要有一个评价类别"))
    seen: dict[str, str] = {}
    classes: dict[str, tuple[str, ...]] = {}
    for name, codes in raw.items():
        if not isinstance(codes, list | tuple) or not codes:
            raise ConfigError(
                _("配置项[performance].classes中“{name}”应为非空的项目类别代码列表").format(
                    name=name
                )
            )
        for code in codes:
            if code not in MONITORED:
                raise ConfigError(
                    _(
                        "配置项[performance].classes中“{name}”的“{code}”不是风险防控机构监测的项目类别；可选：{choices}"
                    ).format(name=name, code=code, choices=", ".join(sorted(MONITORED)))
                )
            if code in seen:
                raise ConfigError(
                    _("配置项[performance].classes中“{code}”同时属于“{first}”和“{name}”").format(
                        code=code, first=seen[code], name=name
                    )
                )
            seen[code] = name
        classes[name] = tuple(codes)
    return classes


def _weights(raw: dict[str, Any]) -> dict[str, float]:
    """The score's weights, checked: known dimensions (those not given keep their default),
    numbers not below 0, not all 0."""
    unknown = set(raw) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise ConfigError(
            _("配置项[performance].weights中有未知的键：{keys}；可选：{choices}").format(
                keys=", ".join(sorted(unknown)), choices=", ".join(DEFAULT_WEIGHTS)
            )
        )
    weights = {**DEFAULT_WEIGHTS, **raw}
    if any(
        isinstance(w, bool) or not isinstance(w, int | float) or w < 0 for w in weights.values()
    ):
        raise ConfigError(_("配置项[performance].weights的权重须为不小于0的数"))
    if not sum(weights.values()):
        raise ConfigError(_("配置项[performance].weights的权重不能全为0"))
    return {k: float(w) for k, w in weights.items()}


@dataclass(frozen=True)
class Settings:
    """Everything ipflow reads from its configuration file."""

    check: CheckSettings = field(default_factory=CheckSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    recipients: RecipientSettings = field(default_factory=RecipientSettings)
    letters: LetterSettings = field(default_factory=LetterSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    rules: RulesSettings = field(default_factory=RulesSettings)
    contingency: ContingencySettings = field(default_factory=ContingencySettings)
    performance: PerformanceSettings = field(default_factory=PerformanceSettings)
    imports: ImportSettings = field(default_factory=ImportSettings)
    web: WebSettings = field(default_factory=WebSettings)
    webhooks: tuple[dict[str, Any], ...] = ()

    def bot_routes(self) -> list[BotRoute]:
        """The routing of each configured bot, in the order of [[webhooks]]."""
        routes = [bot_route(entry) for entry in self.webhooks]
        names = [route.channel for route in routes]
        if len(set(names)) != len(names):
            raise ConfigError(
                _("配置项[[webhooks]]中的机器人名称重复：同类的多个机器人请用 name 键区分")
            )
        return routes


def _section(cls: type[Any], raw: dict[str, Any], name: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = set(raw) - set(known)
    if unknown:
        raise ConfigError(
            _("配置项[{name}]中有未知的键：{keys}").format(
                name=name, keys=", ".join(sorted(unknown))
            )
        )
    values: dict[str, Any] = {}
    for key, value in raw.items():
        default = getattr(cls(), key)
        if isinstance(default, tuple):
            if not isinstance(value, list):
                raise ConfigError(_("配置项[{name}].{key}应为列表").format(name=name, key=key))
            value = tuple(value)
        elif isinstance(default, bool) != isinstance(value, bool) or not isinstance(
            value, type(default) if not isinstance(default, float) else (int, float)
        ):
            raise ConfigError(
                _("配置项[{name}].{key}的值{value}类型不对").format(
                    name=name, key=key, value=repr(value)
                )
            )
        values[key] = value
    return cls(**values)


def load_settings(path: str | None) -> Settings:
    """Read `path`, else $IPFLOW_CONFIG, else ./ipflow.toml when present, else defaults."""
    chosen = path or os.environ.get("IPFLOW_CONFIG")
    if not chosen:
        if not Path("ipflow.toml").exists():
            return Settings()
        chosen = "ipflow.toml"
    import tomllib  # only when there is a file to read

    try:
        # utf-8-sig: Notepad and other Windows editors save UTF-8 with a byte-order mark.
        raw = tomllib.loads(Path(chosen).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ConfigError(
            _("无法读取配置文件{chosen}：{strerror}").format(chosen=chosen, strerror=exc.strerror)
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(_("配置文件{chosen}不是UTF-8编码的文本").format(chosen=chosen)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            _("配置文件{chosen}不是有效的TOML：{exc}").format(chosen=chosen, exc=exc)
        ) from None
    tables = {
        "check": CheckSettings,
        "schedule": ScheduleSettings,
        "smtp": SmtpSettings,
        "recipients": RecipientSettings,
        "letters": LetterSettings,
        "delivery": DeliverySettings,
        "rules": RulesSettings,
        "contingency": ContingencySettings,
        "performance": PerformanceSettings,
        "imports": ImportSettings,
        "web": WebSettings,
    }
    unknown = set(raw) - set(tables) - {"webhooks"}
    if unknown:
        raise ConfigError(
            _("配置文件{chosen}中有未知的表：{tables}").format(
                chosen=chosen, tables=", ".join(sorted(unknown))
            )
        )
    sections = {name: _section(cls, raw.get(name, {}), name) for name, cls in tables.items()}
    webhooks = raw.get("webhooks", [])
    if not isinstance(webhooks, list) or not all(isinstance(w, dict) for w in webhooks):
        raise ConfigError(_("配置项[[webhooks]]应为表的数组"))
    settings = Settings(**sections, webhooks=tuple(webhooks))
    settings.bot_routes()  # a wrong routing key is refused now, not at the night's check
    return settings

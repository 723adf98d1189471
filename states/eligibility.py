"""Who may apply for what (seed 004, 申报主体): unit kinds, unit facts, and one rule per category.

A unit has a kind (UNIT_KINDS) and facts (FACTS: 独立法人资格, valid patents, 链主/龙头, …).
Each category (and tier, where the call has tiers) has one `ApplicantRule`: which kinds may
lead and what facts the lead needs, which kinds may join as partners (联合申报) and which
must. `application_problems` is the one place that judges an application against it; the
guards below ask it again at approval, and city ranking before it ranks.
"""

from __future__ import annotations

from dataclasses import dataclass

from states.categories import CATEGORIES
from states.guards import Facts, labelled
from states.i18n import N_, _

UNIT_KINDS: dict[str, str] = {
    "enterprise": N_("企业"),
    "university": N_("高校"),
    "institute": N_("科研院所"),
    "association": N_("行业协会/社会组织"),
    "service_org": N_("知识产权服务机构"),
    "accounting_firm": N_("会计师事务所"),
    "consultancy": N_("项目管理咨询公司"),
    "city_ip_office": N_("市（州）及贵安新区知识产权主管部门"),
    "county_ip_office": N_("县级知识产权主管部门"),
    "zone_authority": N_("国家知识产权服务业集聚发展示范区知识产权主管部门"),
    "industry_authority": N_("行业主管部门"),
}
"""The kinds of applicant unit (CLI.md `unit add --kind`), with what users read."""


@dataclass(frozen=True)
class Fact:
    """A fact about a unit that an applicant rule may need: yes/no, or a count."""

    label: str
    """A msgid naming the fact."""
    count: bool = False
    """True: a whole number (valid patents); False: yes or no."""
    default: str | None = None
    """The value of a unit that has not recorded it; None: unknown until recorded."""


FACTS: dict[str, Fact] = {
    "legal_person": Fact(N_("具有独立法人资格"), default="yes"),
    "valid_patents": Fact(N_("有效专利数量"), count=True),
    "chain_leader": Fact(N_("我省重点产业链主企业")),
    "leading_enterprise": Fact(N_("我省重点产业龙头企业")),
    "national_demo_candidate": Fact(N_("国家知识产权示范企业创建对象（2025—2027年）")),
    "guizhou_registered": Fact(N_("在贵州省内注册")),
    "provincial_gi_holder": Fact(N_("省级地理标志权利人")),
}
"""The unit facts (`ipflow unit set UNIT --fact KEY=VALUE`). A unit is an independent legal
person unless recorded otherwise (a branch: legal_person=no); the others are unknown until
recorded, and a rule that needs an unknown fact refuses, saying how to record it."""

YES, NO = "yes", "no"

MIN_VALID_PATENTS = 30
"""high_value_patent: valid patents a university or institute lead holds at least (seed line 8)."""

ANNUAL_LIMITS: dict[str, int] = {"capability_provincial": 1}
"""Projects of a category the programme approves in one year (seed line 80: 资助50万元, one)."""

TIERS: dict[str, dict[str, str]] = {
    "strong_enterprise": {"basic": N_("基础培育"), "special": N_("专项培育")},
    "gi_brand": {
        "provincial": N_("地理标志权利人为省级"),
        "prefecture": N_("地理标志权利人为市州级"),
        "county": N_("地理标志权利人为县级"),
    },
}
"""Categories whose applicant rule depends on a tier given at application (`--tier`)."""

DEFAULT_TIERS: dict[str, str] = {"strong_enterprise": "basic"}
"""The tier of an application that gives none; a category missing here must be given one."""


def parse_fact(name: str, text: str) -> str | None:
    """The stored value of fact `name` given as `text` ("" clears it); ValueError if unreadable."""
    fact = FACTS.get(name)
    if fact is None:
        raise ValueError(
            _("未知的单位信息“{name}”；可选：{choices}").format(name=name, choices=", ".join(FACTS))
        )
    value = text.strip().lower()
    if not value:
        return None
    if fact.count:
        if not value.isdecimal():
            raise ValueError(
                _("{label}须为不小于0的整数，得到“{text}”").format(label=_(fact.label), text=text)
            )
        return str(int(value))
    if value in ("yes", "true", "1", "是"):
        return YES
    if value in ("no", "false", "0", "否"):
        return NO
    raise ValueError(
        _("{label}须为 yes 或 no，得到“{text}”").format(label=_(fact.label), text=text)
    )


def show_fact(name: str, value: str) -> str:
    """A stored value as users read it: a count as is, yes/no as 是/否."""
    if FACTS[name].count:
        return value
    return _("是") if value == YES else _("否")


@dataclass(frozen=True)
class Applicant:
    """A unit as the applicant rules see it: its name, kind and recorded facts."""

    name: str
    kind: str
    facts: dict[str, str]

    def fact(self, name: str) -> str | None:
        """The recorded value of fact `name`, else its default (None: unknown)."""
        return self.facts.get(name, FACTS[name].default)


@dataclass(frozen=True)
class Need:
    """A condition on unit facts: any one of `facts` is yes, or (a count) at least `at_least`."""

    facts: tuple[str, ...]
    at_least: int = 0

    def problem(self, unit: Applicant, what: str) -> str | None:
        """Why `unit` does not meet this need for `what` (a category's name), or None."""
        values = [unit.fact(name) for name in self.facts]
        if any(self._met(v) for v in values):
            return None
        labels = _("或").join(_(FACTS[name].label) for name in self.facts)
        unknown = [name for name, v in zip(self.facts, values, strict=True) if v is None]
        if unknown:
            example = "N" if FACTS[unknown[0]].count else YES
            return _(
                "“{unit}”未登记“{labels}”，无法判断能否申报{what}：请用 ipflow unit set {unit} --fact {fact}={example} 登记"
            ).format(unit=unit.name, labels=labels, what=what, fact=unknown[0], example=example)
        if self.at_least:
            return _("“{unit}”{label}为{value}，{what}要求不少于{minimum}").format(
                unit=unit.name,
                label=labels,
                value=values[0],
                what=what,
                minimum=self.at_least,
            )
        return _("{what}要求申报单位{labels}，而“{unit}”登记为否").format(
            what=what, labels=labels, unit=unit.name
        )

    def _met(self, value: str | None) -> bool:
        if value is None:
            return False
        return int(value) >= self.at_least if self.at_least else value == YES


LEGAL_PERSON = Need(("legal_person",))


@dataclass(frozen=True)
class Lead:
    """Units of `kinds` may lead, when they meet every one of `needs`."""

    kinds: frozenset[str]
    needs: tuple[Need, ...] = ()


@dataclass(frozen=True)
class ApplicantRule:
    """Who may apply for one category (and tier): the lead, and the partners of a joint one."""

    leads: tuple[Lead, ...]
    """The kinds that may lead, each with its needs (a kind appears in one Lead at most)."""
    partners: frozenset[str] = frozenset()
    """Kinds that may join as partners; empty: the category takes no joint application."""
    required: tuple[frozenset[str], ...] = ()
    """Partner groups the application must have: at least one partner of each group's kinds."""
    partner_needs: tuple[Need, ...] = ()
    """What every partner must meet too (co-applicants of the same standing as the lead)."""

    @property
    def lead_kinds(self) -> frozenset[str]:
        """Every kind that may lead."""
        return frozenset().union(*(lead.kinds for lead in self.leads))


ENTERPRISE = frozenset({"enterprise"})
UNIVERSITIES = frozenset({"university", "institute"})
"""高校院所."""
SERVICE_FIRMS = frozenset({"service_org", "accounting_firm", "consultancy"})
"""Professional service institutions: IP services, accounting firms, consultancies."""
ENTERPRISES_AND_INSTITUTIONS = ENTERPRISE | UNIVERSITIES | SERVICE_FIRMS
"""企事业单位."""
ORGANISATIONS = ENTERPRISES_AND_INSTITUTIONS | {"association"}
"""企事业单位或行业组织（社团组织）."""
IP_AUTHORITIES = frozenset({"city_ip_office", "county_ip_office", "zone_authority"})
AUTHORITIES = IP_AUTHORITIES | {"industry_authority"}
"""知识产权部门或行业主管部门."""
GI_SERVICE = frozenset({"association", "service_org"})
"""产业协会或地理标志服务机构."""

RULES: dict[tuple[str, str | None], ApplicantRule] = {
    # seed lines 6–9: 高校院所 (≥ 30 valid patents) or an enterprise, 链主 or 龙头; jointly with
    # upstream and downstream enterprises, universities and service institutions.
    ("high_value_patent", None): ApplicantRule(
        leads=(
            Lead(UNIVERSITIES, (Need(("valid_patents",), MIN_VALID_PATENTS),)),
            Lead(ENTERPRISE, (LEGAL_PERSON, Need(("chain_leader", "leading_enterprise")))),
        ),
        partners=ORGANISATIONS,
    ),
    # seed lines 19–26: enterprises with independent legal personality; 专项培育 only for the
    # national demonstration-enterprise creation objects.
    ("strong_enterprise", "basic"): ApplicantRule(leads=(Lead(ENTERPRISE, (LEGAL_PERSON,)),)),
    ("strong_enterprise", "special"): ApplicantRule(
        leads=(Lead(ENTERPRISE, (LEGAL_PERSON, Need(("national_demo_candidate",)))),)
    ),
    # seed line 42: by the level of the GI right holder.
    ("gi_brand", "provincial"): ApplicantRule(
        leads=(Lead(ORGANISATIONS, (Need(("provincial_gi_holder",)),)),),
        partners=frozenset({"service_org"}),
    ),
    ("gi_brand", "prefecture"): ApplicantRule(
        leads=(Lead(frozenset({"city_ip_office"})),),
        partners=GI_SERVICE,
        required=(GI_SERVICE,),
    ),
    ("gi_brand", "county"): ApplicantRule(
        leads=(Lead(frozenset({"city_ip_office"})),),
        partners=GI_SERVICE | {"county_ip_office"},
        required=(frozenset({"county_ip_office"}), GI_SERVICE),
    ),
    # seed line 69: 企事业单位或行业组织.
    ("capability_provincial", None): ApplicantRule(leads=(Lead(ORGANISATIONS),)),
    # seed line 83: 市、自治州及贵安新区知识产权主管部门.
    ("capability_city", None): ApplicantRule(leads=(Lead(frozenset({"city_ip_office"})),)),
    # seed line 103: accounting firms, IP service institutions, consultancies, independent legal
    # persons, alone or jointly.
    ("risk_control", None): ApplicantRule(
        leads=(Lead(SERVICE_FIRMS, (LEGAL_PERSON,)),),
        partners=SERVICE_FIRMS,
        partner_needs=(LEGAL_PERSON,),
    ),
    # seed line 115: 企事业单位, jointly with an IP authority or an industry authority.
    ("patent_navigation", None): ApplicantRule(
        leads=(Lead(ENTERPRISES_AND_INSTITUTIONS),),
        partners=ORGANISATIONS | AUTHORITIES,
        required=(AUTHORITIES,),
    ),
    # seed lines 131 and 144: independent legal persons, 企事业单位 or 行业（社团）组织, alone or
    # with other applicants.
    ("data_ip_chain", None): ApplicantRule(
        leads=(Lead(ORGANISATIONS, (LEGAL_PERSON,)),),
        partners=ORGANISATIONS,
        partner_needs=(LEGAL_PERSON,),
    ),
    ("data_ip_scenario", None): ApplicantRule(
        leads=(Lead(ORGANISATIONS, (LEGAL_PERSON,)),),
        partners=ORGANISATIONS,
        partner_needs=(LEGAL_PERSON,),
    ),
    # seed line 162: the IP authority of a designated national demonstration zone.
    ("service_cluster", None): ApplicantRule(leads=(Lead(frozenset({"zone_authority"})),)),
    # seed line 177: an IP service institution with independent legal personality.
    ("service_brand", None): ApplicantRule(
        leads=(Lead(frozenset({"service_org"}), (LEGAL_PERSON,)),)
    ),
    # seed line 191: enterprises with independent legal personality.
    ("data_ip_leader", None): ApplicantRule(leads=(Lead(ENTERPRISE, (LEGAL_PERSON,)),)),
    # seed line 214: enterprises registered in Guizhou.
    ("data_ip_securitization", None): ApplicantRule(
        leads=(Lead(ENTERPRISE, (Need(("guizhou_registered",)),)),)
    ),
}
"""The applicant rule of every category (and tier): the seed's 申报主体 paragraphs."""


def tier_problem(category: str, tier: str | None) -> str | None:
    """Why `tier` is wrong for `category` (missing, unknown, or given where there are none)."""
    tiers = TIERS.get(category)
    name = _(CATEGORIES[category].name)
    if tiers is None:
        if tier is None:
            return None
        return _("{name}不分申报层级，不应提供 --tier").format(name=name)
    if tier in tiers:
        return None
    choices = _("、").join(f"{code}（{_(label)}）" for code, label in tiers.items())
    if tier is None:
        return _("{name}须注明申报层级：--tier {choices}").format(name=name, choices=choices)
    return _("{name}没有申报层级“{tier}”；可选：{choices}").format(
        name=name, tier=tier, choices=choices
    )


def resolved_tier(category: str, tier: str | None) -> str | None:
    """The tier an application is judged by: the one given, else the category's default."""
    return tier if tier is not None else DEFAULT_TIERS.get(category)


def _kinds(kinds: frozenset[str]) -> str:
    return _("、").join(_(label) for code, label in UNIT_KINDS.items() if code in kinds)


def _what(category: str, tier: str | None) -> str:
    name = _(CATEGORIES[category].name)
    tiers = TIERS.get(category, {})
    return _("{name}（{tier}）").format(name=name, tier=_(tiers[tier])) if tier in tiers else name


def application_problems(
    category: str, tier: str | None, lead: Applicant, partners: list[Applicant]
) -> list[str]:
    """Every reason the lead and partners may not apply for `category` at `tier`; [] if none.

    `tier` is the resolved tier (`resolved_tier`), already checked by `tier_problem`.
    """
    rule = RULES[(category, tier)]
    what = _what(category, tier)
    problems = _lead_problems(rule, lead, what)
    if partners and not rule.partners:
        problems.append(
            _("{what}不接受联合申报，而申报列有合作单位：{partners}").format(
                what=what, partners=_("、").join(p.name for p in partners)
            )
        )
        return problems
    for partner in partners:
        if partner.kind not in rule.partners:
            problems.append(
                _("合作单位“{unit}”是{kind}，不能参与{what}：合作单位须为{kinds}").format(
                    unit=partner.name,
                    kind=_(UNIT_KINDS[partner.kind]),
                    what=what,
                    kinds=_kinds(rule.partners),
                )
            )
        problems.extend(p for need in rule.partner_needs if (p := need.problem(partner, what)))
    for group in rule.required:
        if not any(p.kind in group for p in partners):
            problems.append(
                _("{what}须联合{kinds}共同申报（--partner 单位名称）").format(
                    what=what, kinds=_("或").join(_(UNIT_KINDS[k]) for k in sorted(group))
                )
            )
    return problems


def _lead_problems(rule: ApplicantRule, lead: Applicant, what: str) -> list[str]:
    matching = next((option for option in rule.leads if lead.kind in option.kinds), None)
    if matching is None:
        return [
            _("“{unit}”是{kind}，不能申报{what}：申报（牵头）单位须为{kinds}").format(
                unit=lead.name,
                kind=_(UNIT_KINDS.get(lead.kind, lead.kind)),
                what=what,
                kinds=_kinds(rule.lead_kinds),
            )
        ]
    return [p for need in matching.needs if (p := need.problem(lead, what))]


@labelled(N_("申报单位及合作单位符合本类别的申报主体条件"))
def applicants_qualified(f: Facts) -> str | None:
    """Approval needs applicants that the category's applicant rule admits (states.eligibility)."""
    return f.applicant_problem


@labelled(N_("合作单位无有效的不良信用记录或限制申报"))
def partners_eligible(f: Facts) -> str | None:
    """Approval needs partners with no active adverse credit record or restriction."""
    return f.partner_block


@labelled(N_("本类别本年度立项数未达年度上限"))
def within_annual_limit(f: Facts) -> str | None:
    """A category with an annual limit (ANNUAL_LIMITS) approves no more projects in a year."""
    limit = ANNUAL_LIMITS.get(f.category)
    if limit is None or len(f.approved_in_year) < limit:
        return None
    return _("{year}年度{name}限立项{limit}项，已立项：{projects}").format(
        year=f.programme_year,
        name=_(CATEGORIES[f.category].name),
        limit=limit,
        projects=_("、").join(f"#{i}" for i in f.approved_in_year),
    )

"""The notices a page shows after an action, by the code its redirect carries."""

from __future__ import annotations

from workflow.core.i18n import N_

NOTICES = {
    "report": N_("进度报告已提交"),
    "expense": N_("支出已登记"),
    "expense_reviewed": N_("支出审核结论已记录"),
    "advanced": N_("项目状态已变更，已记入项目历史"),
    "reviewed": N_("告知书审核结论已记录"),
    "plan": N_("整改方案已报送"),
    "follow_up": N_("整改跟踪已记录"),
    "handled": N_("风险处置建议已办结"),
    "budget": N_("年度预算已设定"),
    "password": N_("密码已修改"),
    "revoked": N_("令牌已吊销"),
}
"""Notice codes and their messages (msgids)."""

"""The CLI against a server (IPFLOW_URL): its token, the API's calls, their answers as results.

With IPFLOW_URL set, the commands the API covers ask the server instead of the database and
rebuild its JSON into the same results the use cases return (`workflow.core.results.from_json`),
so one presentation prints both. The token is IPFLOW_TOKEN's, else the one `ipflow login`
kept for that address in the user's credentials file (0600). Every failure — the server
unreachable, a refusal, a token refused — is one paragraph.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from commands.common import _

if TYPE_CHECKING:
    import httpx

    from workflow.letters.actions import LetterRow
    from workflow.letters.review import FollowedUp, LetterFile, LetterReviewed, PlanRecorded
    from workflow.money.budget import Booked, Reviewed
    from workflow.projects.actions import ProjectSummary, ProjectView, Transition
    from workflow.projects.reports import Submitted

T = TypeVar("T")

REMOTE_COMMANDS = (
    "project list",
    "project show",
    "project advance",
    "report submit",
    "letters list",
    "letters show",
    "letters file",
    "letters plan",
    "letters review",
    "letters follow-up",
    "expense add",
    "expense review",
)
"""The commands that work against a server; every other one needs the database."""
PAGE = 1000
"""Projects asked for at a time when listing them all."""


def refusal(message: str) -> Exception:
    """A refusal (exit status 1, one paragraph) with `message`; the domain loads only then."""
    from workflow.core.errors import Refused

    return Refused(message)


def credentials_path(env: Mapping[str, str]) -> Path:
    """The user's credentials file: $XDG_CONFIG_HOME/ipflow/credentials.json (~/.config)."""
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ipflow" / "credentials.json"


def normal_url(url: str) -> str:
    """A server's address as kept: without a trailing slash."""
    return url.strip().rstrip("/")


def read_credentials(path: Path) -> dict[str, dict[str, str]]:
    """Address → {token, user, expires_at} of every server the user signed in to."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise refusal(
            _("无法读取登录凭据文件{path}：{error}").format(path=path, error=exc)
        ) from None
    return found if isinstance(found, dict) else {}


def write_credentials(path: Path, entries: dict[str, dict[str, str]]) -> None:
    """Replace the credentials file at once, readable by its owner only (0600, folder 0700)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".credentials-")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(entries, out, ensure_ascii=False, indent=2)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Remote:
    """An ipflow server the CLI works against, and the token it presents."""

    url: str
    token: str | None
    lang: str = "zh"
    """The language the server is asked to answer in (Accept-Language)."""

    @classmethod
    def from_env(cls, url: str, env: Mapping[str, str], lang: str) -> Remote:
        """The server at `url` with IPFLOW_TOKEN, else the token kept by `ipflow login`."""
        url = normal_url(url)
        token = env.get("IPFLOW_TOKEN") or None
        if token is None:
            token = read_credentials(credentials_path(env)).get(url, {}).get("token")
        return cls(url, token, lang)

    def not_here(self, command: str) -> Exception:
        """The refusal of a command that needs the database, with what works remotely."""
        return refusal(
            _(
                "“ipflow {command}”不能通过服务器执行：已设置 IPFLOW_URL={url}，本机不直接访问数据库。通过服务器可用的命令：{remote}。直接访问数据库是服务器运维人员的方式：请在服务器上运行该命令，或取消 IPFLOW_URL 并用 --db 指定数据库"
            ).format(command=command, url=self.url, remote="、".join(REMOTE_COMMANDS))
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        """One call of the API at `path` (under /api/v1); a refusal for any failure."""
        import httpx

        presented = token or self.token
        if presented is None and form is None:
            raise refusal(
                _(
                    "没有访问{url}的令牌：请先运行 ipflow login --url {url}，或设置环境变量 IPFLOW_TOKEN"
                ).format(url=self.url)
            )
        headers = {"Authorization": f"Bearer {presented}"} if presented else {}
        try:
            answer = httpx.request(
                method,
                f"{self.url}/api/v1{path}",
                params={k: v for k, v in (params or {}).items() if v is not None},
                json=body,
                data=form,
                headers={**headers, "Accept-Language": self.lang},
                timeout=60,
            )
        except httpx.HTTPError as exc:
            raise refusal(
                _("无法连接ipflow服务器{url}：{error}。请检查 IPFLOW_URL 和网络").format(
                    url=self.url, error=str(exc) or type(exc).__name__
                )
            ) from None
        if answer.status_code >= 400:
            raise refusal(self._refusal(answer))
        return answer

    def _refusal(self, answer: httpx.Response) -> str:
        try:
            detail = answer.json()["detail"]
        except (ValueError, KeyError, TypeError):
            detail = " ".join(answer.text.split())[:300]
        if answer.status_code == 401:
            return _(
                "服务器{url}不接受访问令牌：{detail}。请重新运行 ipflow login --url {url}"
            ).format(url=self.url, detail=detail)
        if answer.status_code >= 500:
            return _("服务器{url}出错（HTTP {status}）：{detail}").format(
                url=self.url, status=answer.status_code, detail=detail
            )
        return str(detail)

    def _get(self, kind: type[T], path: str, **params: Any) -> T:
        from workflow.core.results import from_json

        return from_json(kind, self.request("GET", path, params=params).json())

    def _post(self, kind: type[T], path: str, body: dict[str, Any]) -> T:
        from workflow.core.results import from_json

        return from_json(kind, self.request("POST", path, body=body).json())

    def projects(
        self, category: str | None, state: str | None, flag: str | None
    ) -> list[ProjectSummary]:
        """Every project `project list` would list, asked for a page at a time."""
        from workflow.core.results import from_json
        from workflow.projects.actions import ProjectSummary

        found: list[ProjectSummary] = []
        while True:
            after = found[-1].id if found else None
            params = {"category": category, "state": state, "flag": flag, "limit": PAGE}
            page = self.request("GET", "/projects", params={**params, "after": after}).json()
            found += [from_json(ProjectSummary, p) for p in page]
            if len(page) < PAGE:
                return found

    def project(self, project_id: int) -> ProjectView:
        from workflow.projects.actions import ProjectView

        return self._get(ProjectView, f"/projects/{project_id}")

    def advance(
        self,
        project_id: int,
        trigger: str,
        note: str,
        amount: int | None,
        data: dict[str, str],
    ) -> Transition:
        from workflow.projects.actions import Transition

        body = {"trigger": trigger, "note": note, "amount": amount, "data": data}
        return self._post(Transition, f"/projects/{project_id}/transitions", body)

    def submit(
        self, project_id: int, day: date, progress: dict[str, float], note: str
    ) -> Submitted:
        from workflow.projects.reports import Submitted

        body = {"date": day.isoformat(), "progress": progress, "note": note}
        return self._post(Submitted, f"/projects/{project_id}/reports", body)

    def record_expenditure(
        self, project_id: int, line: str, day: date, amount: int, description: str
    ) -> Booked:
        from workflow.money.budget import Booked

        body = {"line": line, "date": day.isoformat(), "amount": amount, "description": description}
        return self._post(Booked, f"/projects/{project_id}/expenditures", body)

    def review_expenditure(self, expense_id: int, decision: str, note: str) -> Reviewed:
        from workflow.money.budget import Reviewed

        body = {"decision": decision, "note": note}
        return self._post(Reviewed, f"/expenditures/{expense_id}/reviews", body)

    def letters(self, status: str | None) -> list[LetterRow]:
        """Every letter `letters list` would list."""
        from workflow.core.results import from_json
        from workflow.letters.actions import LetterRow

        found: list[LetterRow] = []
        while True:
            params = {"status": status, "limit": PAGE, "offset": len(found)}
            page = self.request("GET", "/letters", params=params).json()
            found += [from_json(LetterRow, x) for x in page]
            if len(page) < PAGE:
                return found

    def letter(self, letter_id: int, fmt: str) -> str | bytes:
        answer = self.request("GET", f"/letters/{letter_id}", params={"format": fmt})
        return answer.content if fmt == "pdf" else answer.text

    def letter_file(self, letter_id: int) -> LetterFile:
        from workflow.letters.review import LetterFile

        return self._get(LetterFile, f"/letters/{letter_id}/file")

    def record_plan(
        self, letter_id: int, received: date, due: date | None, summary: str
    ) -> PlanRecorded:
        from workflow.letters.review import PlanRecorded

        body = {
            "received": received.isoformat(),
            "due": due.isoformat() if due else None,
            "summary": summary,
        }
        return self._post(PlanRecorded, f"/letters/{letter_id}/plan", body)

    def review_letter(self, letter_id: int, status: str, comment: str) -> LetterReviewed:
        from workflow.letters.review import LetterReviewed

        body = {"status": status, "comment": comment}
        return self._post(LetterReviewed, f"/letters/{letter_id}/reviews", body)

    def follow_up(self, letter_id: int, day: date, note: str, done: bool) -> FollowedUp:
        from workflow.letters.review import FollowedUp

        body = {"date": day.isoformat(), "note": note, "done": done}
        return self._post(FollowedUp, f"/letters/{letter_id}/follow-ups", body)

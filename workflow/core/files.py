"""Files the commands write (`--output`): never over what is there unless forced, never through a
symbolic link, never onto the open database, and whole or not at all.

`OutputFile` checks its target when the command starts, before any work, and again when it
writes. The content goes to a temporary file in the target's folder, flushed to disk, then
takes the target's name in one step: linked to it (which fails if a file appeared there
meanwhile) or, with `force`, renamed over it. A reader never sees half a file, and a refused
or failed write leaves whatever was there untouched.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from workflow.core.errors import Refused
from workflow.core.i18n import _

SQLITE_COMPANIONS = ("", "-journal", "-wal", "-shm")
"""The files of an SQLite database: itself, its rollback journal, its write-ahead log."""


def database_files(url: str) -> list[Path]:
    """The files of the SQLite database at `url` (none for a server database or :memory:)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return []
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return []
    database = str(parsed.database)
    if database.startswith("file:"):  # an SQLite URI filename
        database = database[len("file:") :].split("?", 1)[0]
    return [Path(database + suffix) for suffix in SQLITE_COMPANIONS]


def _same(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@dataclass(frozen=True)
class OutputFile:
    """Where a command writes its file, checked: see the module docstring."""

    path: Path
    force: bool = False
    protected: tuple[Path, ...] = field(default_factory=tuple)
    """Files never to be written (the open database's)."""

    @classmethod
    def for_command(cls, output: str, force: bool, db_url: str) -> OutputFile:
        """The checked target `output` of a command run against the database `db_url`."""
        target = cls(Path(output), force, tuple(database_files(db_url)))
        target.check()
        return target

    def check(self) -> None:
        """Refuse a target that is a link, a folder, the database, or an existing file without
        `force`, or whose folder does not exist."""
        path = self.path
        if path.is_symlink():
            raise Refused(
                _(
                    "不能写入{path}：它是符号链接，ipflow不经链接写文件；请改用链接所指的实际路径"
                ).format(path=path)
            )
        if any(_same(path, p) for p in self.protected):
            raise Refused(
                _("不能写入{path}：它是ipflow正在使用的数据库文件，写入会毁掉数据库").format(
                    path=path
                )
            )
        if path.exists() and not path.is_file():
            raise Refused(_("不能写入{path}：它不是普通文件").format(path=path))
        if path.exists() and not self.force:
            raise Refused(_("文件{path}已存在，未覆盖：如确需覆盖，请加 --force").format(path=path))
        if not path.parent.is_dir():
            raise Refused(
                _("不能写入{path}：目录{folder}不存在").format(path=path, folder=path.parent)
            )

    def write(self, content: bytes) -> None:
        """Write `content` whole under the target's name (checked again first)."""
        self.check()
        folder = self.path.parent
        handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{self.path.name}.", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, 0o666 & ~_umask())
            if self.force:
                os.replace(temp, self.path)
            else:
                self._create(Path(temp))
        finally:
            Path(temp).unlink(missing_ok=True)

    def _create(self, temp: Path) -> None:
        """Give `temp` the target's name unless a file took it since the check."""
        try:
            os.link(temp, self.path)
        except FileExistsError:
            raise Refused(
                _("文件{path}已存在，未覆盖：如确需覆盖，请加 --force").format(path=self.path)
            ) from None
        except OSError:  # a file system without hard links: the check above must do
            self.check()
            os.replace(temp, self.path)

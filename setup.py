"""Ships the top-level alembic/ folder inside the package as `ipflow_migrations`."""

from typing import Any

from setuptools import Distribution, setup

MIGRATIONS = ["ipflow_migrations", "ipflow_migrations.versions"]
"""Packages read from alembic/ (pyproject.toml's package-dir); `find` sees only real folders."""


class IpflowDistribution(Distribution):
    """Adds the migrations to the packages that pyproject.toml's `find` discovered.

    pyproject.toml cannot list a package beside a `find` directive, and the folder keeps the
    name `alembic/` in the source tree; installed under that name it would shadow the library.
    """

    def parse_config_files(self, *args: Any, **kwargs: Any) -> None:
        super().parse_config_files(*args, **kwargs)
        self.packages = [*(self.packages or []), *MIGRATIONS]


setup(distclass=IpflowDistribution)

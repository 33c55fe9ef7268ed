"""Real Unix users who run nbgrader's student commands, for tests/test_exchange.py.

nbgrader's exchange knows a student as the Unix user who runs the command, and its folders'
permissions are what keeps students apart, so the round trip needs real users: each is made
with ``useradd`` (root only), has a home of its own, and runs ``nbgrader`` with ``runuser`` in
a clean environment. Names carry a random part, so that two runs (or two engineers' runs at
once) never meet; :meth:`StudentAccounts.remove_all` deletes every user it made, home included.

A student must be able to run Python and read nbgrader. This environment's interpreter may
live in a private home folder (``/root/.pyenv``), so the first interpreter of the same version
that a student can run is used, with this environment's packages on ``PYTHONPATH``; where a
student cannot read those either, a copy made of hard links is put where students can.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

USERADD_TRIES = 10  # /etc/passwd may be locked for a moment by someone else's useradd


def why_no_users() -> str | None:
    """Why Unix users cannot be made here, or None if they can."""
    if os.geteuid() != 0:
        return "creating Unix users (useradd) needs root"
    for tool in ("useradd", "userdel", "runuser"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


@dataclass(frozen=True)
class Student:
    """A Unix user with a home of its own, who runs nbgrader there."""

    name: str
    home: Path
    python: str
    pythonpath: str

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        """``command`` as this user, in their home, with nothing of root's environment."""
        env = ["env", "-i", f"HOME={self.home}", f"USER={self.name}", f"LOGNAME={self.name}",
               "PATH=/usr/local/bin:/usr/bin:/bin", f"PYTHONPATH={self.pythonpath}",
               "LANG=C.UTF-8"]
        done = subprocess.run(["runuser", "-u", self.name, "--", *env, *command],
                              cwd=self.home, capture_output=True, text=True, timeout=300)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(command)} as {self.name} failed "
                                 f"({done.returncode}):\n{done.stdout[-3000:]}\n"
                                 f"{done.stderr[-3000:]}")
        return done

    def nbgrader(self, *args: str) -> subprocess.CompletedProcess:
        return self.run(self.python, "-s", "-m", "nbgrader", *args)


class StudentAccounts:
    """The Unix users made for one test, under ``base`` (a folder every user may enter)."""

    def __init__(self, base: Path):
        self.base = base
        self.names: list[str] = []
        self._python: tuple[str, str] | None = None

    def add(self, first_name: str) -> Student:
        """A new user ``{first_name}-{random}``, with a home under ``base/home``."""
        name = f"{first_name}-{secrets.token_hex(3)}"
        home = self.base / "home" / name
        home.parent.mkdir(parents=True, exist_ok=True)
        home.parent.chmod(0o755)
        for attempt in range(USERADD_TRIES):
            done = subprocess.run(["useradd", "--create-home", "--home-dir", str(home),
                                   "--shell", "/bin/sh", name], capture_output=True, text=True)
            if done.returncode == 0:
                break
            time.sleep(0.5 * (attempt + 1))
        else:
            raise RuntimeError(f"useradd {name} failed: {done.stderr.strip()}")
        self.names.append(name)
        python, pythonpath = self._python or self._find_python(name, home)
        self._python = (python, pythonpath)
        return Student(name, home, python, pythonpath)

    def remove_all(self) -> list[str]:
        """Delete every user made here with their home; return what could not be deleted."""
        left = []
        for name in self.names:
            done = subprocess.run(["userdel", "--remove", name], capture_output=True, text=True)
            if done.returncode != 0 and "does not exist" not in done.stderr:
                left.append(f"{name}: {done.stderr.strip()}")
        self.names.clear()
        return left

    def _find_python(self, name: str, home: Path) -> tuple[str, str]:
        """An interpreter the new user can run, and a PYTHONPATH with nbgrader on it."""
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        interpreters = [os.path.realpath(sys.executable), f"/usr/bin/python{version}",
                        shutil.which(f"python{version}") or ""]
        packages = sysconfig.get_paths()["purelib"]
        for pythonpath in (packages, None):
            if pythonpath is None:
                pythonpath = self._readable_copy(packages)
            for python in dict.fromkeys(p for p in interpreters if p):
                probe = Student(name, home, python, pythonpath)
                if probe.run(python, "-s", "-c", "import nbgrader", check=False).returncode == 0:
                    return python, pythonpath
        raise RuntimeError(f"no Python {version} with nbgrader that user {name} can run "
                           f"(tried {', '.join(interpreters)} with {packages})")

    def _readable_copy(self, packages: str) -> str:
        """This environment's packages where every user can read them (hard links: quick,
        and no space; a plain copy where the file system cannot link across)."""
        copy = self.base / "site-packages"
        if not copy.exists():
            try:
                shutil.copytree(packages, copy, copy_function=os.link, symlinks=True)
            except OSError:
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(packages, copy, symlinks=True)
        return str(copy)

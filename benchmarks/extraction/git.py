"""Read files of a git repository at one commit, bare or not, without a work tree."""

from __future__ import annotations

import fnmatch
import subprocess
from dataclasses import dataclass
from pathlib import Path

from briefly.errors import UsageError


@dataclass(frozen=True)
class Snapshot:
    """One repository at one commit."""

    git_dir: Path
    commit: str

    def _git(self, *args: str) -> bytes:
        command = ["git", f"--git-dir={self.git_dir}", *args]
        return subprocess.run(command, capture_output=True, check=True).stdout

    def paths(self, pattern: str) -> list[str]:
        """Paths at the commit matching ``pattern`` (fnmatch; ``*`` crosses folders), sorted."""
        prefix = pattern.split("*", 1)[0].rsplit("/", 1)[0]
        listing = self._git("ls-tree", "-r", "-z", "--name-only", self.commit, "--", prefix)
        names = (name.decode("utf-8") for name in listing.split(b"\0") if name)
        return sorted(name for name in names if fnmatch.fnmatchcase(name, pattern))

    def read(self, path: str) -> bytes:
        return self._git("cat-file", "blob", f"{self.commit}:{path}")

    def exists(self, path: str) -> bool:
        command = ["git", f"--git-dir={self.git_dir}", "cat-file", "-e", f"{self.commit}:{path}"]
        return subprocess.run(command, capture_output=True, check=False).returncode == 0


def find_repository(sources: Path, repo: str) -> Path:
    """The git dir of ``repo`` ("owner/name") under ``sources``.

    Accepted layouts: ``name/`` or ``name.git`` (what ``git clone`` makes), ``owner/name``,
    and ``owner+name/repo`` (a mirror).
    """
    owner, name = repo.split("/")
    candidates = (
        sources / name,
        sources / f"{name}.git",
        sources / owner / name,
        sources / f"{owner}+{name}" / "repo",
        sources / f"{owner}+{name}",
    )
    for candidate in candidates:
        if candidate.is_dir():
            found = subprocess.run(
                ["git", "-C", str(candidate), "rev-parse", "--absolute-git-dir"],
                capture_output=True,
                text=True,
                check=False,
            )
            if found.returncode == 0:
                return Path(found.stdout.strip())
    raise UsageError(
        f"{repo} is not under {sources}: git clone https://github.com/{repo} {sources / name}"
    )


def snapshot(sources: Path, repo: str, commit: str) -> Snapshot:
    """``repo`` at ``commit``, with advice when the clone lacks that commit."""
    git_dir = find_repository(sources, repo)
    known = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "-e", f"{commit}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    if known.returncode != 0:
        raise UsageError(
            f"{git_dir} has no commit {commit} of {repo}: "
            f"git --git-dir={git_dir} fetch https://github.com/{repo} {commit}"
        )
    return Snapshot(git_dir, commit)

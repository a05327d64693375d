"""Writing output files: atomic when regular, through symlinks and devices, one-line errors."""

import errno
import os
import stat

import pytest
from typer.testing import CliRunner

from briefly.batch import files
from briefly.batch.files import write_atomic
from briefly.cli.app import app
from briefly.errors import OutputError, UsageError


@pytest.fixture
def umask():
    def set_mask(mask: int) -> None:
        os.umask(mask)

    previous = os.umask(0o022)
    yield set_mask
    os.umask(previous)


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_new_file_respects_the_umask(tmp_path, umask, mask):
    umask(mask)
    path = tmp_path / "out.txt"
    write_atomic(path, "hello")
    assert path.read_text() == "hello"
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask


def test_existing_file_keeps_its_mode(tmp_path, umask):
    umask(0o077)
    path = tmp_path / "out.txt"
    path.write_text("old")
    path.chmod(0o664)
    write_atomic(path, "new")
    assert path.read_text() == "new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o664


def test_symlink_is_written_through_to_its_target(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink()
    assert target.read_text() == "new"


def test_device_is_written_directly():
    write_atomic("/dev/null", "discarded")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_fifo_is_written_directly(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_atomic(fifo, "through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_folder_is_refused_with_one_line(tmp_path):
    with pytest.raises(UsageError, match="is a folder") as raised:
        write_atomic(tmp_path, "x")
    assert "\n" not in str(raised.value)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_device_is_an_error():
    with pytest.raises(OutputError, match="No space left") as raised:
        write_atomic("/dev/full", "x")
    assert raised.value.errno == errno.ENOSPC


def test_full_disk_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "out.txt"
    path.write_text("old")

    def full(fd, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(OutputError, match="free some space"):
        write_atomic(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_temp_names_are_recognised():
    assert files.temp_target(".a.json.briefly-k2j3h4_9.tmp") == "a.json"
    assert files.temp_target("a.json") is None
    assert files.temp_target(".tmp") is None
    # A user's own temporary files are not write_atomic's.
    assert files.temp_target(".notes.tmp") is None
    assert files.temp_target(".a.json.k2j3h4_9.tmp") is None


ARTICLE = (
    "Harbour reopens after repairs\n\n"
    "Workers in Split reopened the harbour on Monday after two years of repairs, officials "
    "said. The works cost nine million euros and were paid for by the city.\n"
)


def extract(tmp_path, *args):
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    return CliRunner().invoke(app, ["extract", str(source), *args])


def test_cli_output_to_a_folder_is_a_usage_error(tmp_path):
    result = extract(tmp_path, "-o", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_cli_output_to_a_full_disk_fails_with_one_line(tmp_path):
    result = extract(tmp_path, "-o", "/dev/full")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "No space left" in result.stderr


def test_cli_output_through_a_symlink(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("")
    (tmp_path / "link.txt").symlink_to(target)
    result = extract(tmp_path, "-o", str(tmp_path / "link.txt"))
    assert result.exit_code == 0, result.stderr
    assert "Harbour reopens" in target.read_text()
    assert (tmp_path / "link.txt").is_symlink()

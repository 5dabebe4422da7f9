"""Replacing the landing zone as one step, and never deleting what the project did not write.

`generate` and `import-orders` write a whole new landing into a hidden folder beside `raw_dir`
(`.<name>.incoming-<pid>`), then swap it in: on Linux one renameat2(RENAME_EXCHANGE) call
exchanges the two folders, so a reader or a kill at any moment sees the previous landing or the
new one, complete. Elsewhere the swap is two renames, and the previous landing, parked as
`.<name>.previous-<pid>`, is put back by `recover` if a kill fell between them.

A landing folder carries a marker file. A folder without it is replaced only if everything in it
has the shape of a landing (table folders of Parquet files, the generator's params file); any
other file makes the replacement fail with a message naming it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path

from .contract import PARAMS_FILE, PARTITION_COLUMN, PARTITIONED, SCHEMAS

MARKER = ".retention-warehouse-landing"
_PARTITION = re.compile(rf"{PARTITION_COLUMN}=\d{{4}}-\d{{2}}")
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class LandingError(ValueError):
    """The landing cannot be replaced; the message names the folder and what is in the way."""


def _is_landing_file(name: str) -> bool:
    return name.endswith(".parquet") or (name.startswith(".") and name.endswith(".tmp"))


def _foreign_entries(raw_dir: Path) -> list[Path]:
    """Paths under raw_dir that no landing writer produces."""
    foreign = []
    for entry in sorted(raw_dir.iterdir()):
        if entry.name in (MARKER, PARAMS_FILE) or (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            continue
        if entry.name not in SCHEMAS or not entry.is_dir():
            foreign.append(entry)
            continue
        for item in sorted(entry.iterdir()):
            if item.is_dir() and entry.name in PARTITIONED and _PARTITION.fullmatch(item.name):
                foreign += [f for f in sorted(item.iterdir()) if not (f.is_file() and _is_landing_file(f.name))]
            elif not (item.is_file() and _is_landing_file(item.name)):
                foreign.append(item)
    return foreign


def _sibling(raw_dir: Path, kind: str, pid: int | None = None) -> Path:
    return raw_dir.parent / f".{raw_dir.name}.{kind}-{os.getpid() if pid is None else pid}"


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where the call is unavailable."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (38, 22, 95):  # ENOSYS, EINVAL, EOPNOTSUPP: kernel or filesystem without it
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def recover(raw_dir: Path) -> None:
    """Finish what a killed replacement left: restore a parked landing, drop unused folders."""
    raw_dir = Path(raw_dir)
    if not raw_dir.parent.is_dir():
        return
    for leftover in sorted(raw_dir.parent.glob(f".{_glob_escape(raw_dir.name)}.previous-*")):
        if raw_dir.exists():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            os.rename(leftover, raw_dir)
    for leftover in raw_dir.parent.glob(f".{_glob_escape(raw_dir.name)}.incoming-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and _alive(int(pid))):
            shutil.rmtree(leftover, ignore_errors=True)


def _glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_replaceable(raw_dir: Path) -> None:
    """Raise LandingError unless raw_dir is absent, empty, marked, or holds only landing files."""
    if not raw_dir.exists():
        return
    if not raw_dir.is_dir():
        raise LandingError(f"{raw_dir} is a file, not a landing folder")
    if (raw_dir / MARKER).exists():
        return
    foreign = _foreign_entries(raw_dir)
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        raise LandingError(
            f"refusing to replace {raw_dir}: it holds {foreign[0]}{more}, which retention-warehouse did not "
            "write. Use an empty or new folder for --raw-dir (RW_RAW_DIR)."
        )


@contextmanager
def replace_landing(raw_dir: Path) -> Generator[Path, None, None]:
    """Yield an empty folder to write a complete landing into; on success it becomes raw_dir."""
    raw_dir = Path(raw_dir).absolute()
    recover(raw_dir)
    check_replaceable(raw_dir)
    raw_dir.parent.mkdir(parents=True, exist_ok=True)
    incoming = _sibling(raw_dir, "incoming")
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir()
    try:
        yield incoming
        (incoming / MARKER).write_text("Written by retention-warehouse; replaced as a whole by generate and import.\n")
        if not raw_dir.exists():
            os.rename(incoming, raw_dir)
        elif not _exchange(incoming, raw_dir):
            previous = _sibling(raw_dir, "previous")
            os.rename(raw_dir, previous)
            os.rename(incoming, raw_dir)
            shutil.rmtree(previous)
    finally:
        shutil.rmtree(incoming, ignore_errors=True)  # after an exchange it holds the old landing


def require_landing(raw_dir: Path) -> None:
    """Raise LandingError unless raw_dir holds landed orders (after finishing a killed swap)."""
    raw_dir = Path(raw_dir)
    recover(raw_dir)
    if not any((raw_dir / "orders").glob("*/*.parquet")):
        raise LandingError(
            f"no landed data in {raw_dir}: run `retention-warehouse generate` or `retention-warehouse "
            "import-orders FILE` first (or point --raw-dir / RW_RAW_DIR at a landing)"
        )

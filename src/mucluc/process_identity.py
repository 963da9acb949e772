"""Name a server process so that a later one can tell whether it is still running.

A contribution job's body lives only in the memory of the server process
that queued it, so a job whose process has ended can never finish, and a
starting server marks such jobs interrupted. It must leave alone the jobs
of processes still running: the workers of `mucluc serve --workers N`, a
Z39.50 server beside them, a server on another host sharing PostgreSQL.

An identity names the host, the boot, the process id and the time the
process started (Linux's /proc), so neither a reboot nor a process id the
system gave again to another process is taken for the process that queued
the job. The standard library answers "is pid N running?" (`os.kill(N, 0)`)
but not "is it still the same process?", hence these few lines.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

_PROC = Path("/proc")
_BOOT_ID = _PROC / "sys" / "kernel" / "random" / "boot_id"
_SEPARATOR = " "  # host names hold no spaces
_START_TIME_FIELD = 19  # /proc/PID/stat field 22, counted after the ")" ending the name


def process_identity(pid: int | None = None) -> str:
    """The identity of a running process (this one by default): "host boot pid start"."""
    pid = os.getpid() if pid is None else pid
    return _SEPARATOR.join((socket.gethostname(), _boot_id(), str(pid), _start_time(pid)))


def process_is_gone(identity: str) -> bool:
    """Whether the process named by `identity` is known to have ended.

    A process of another host cannot be looked at and counts as running;
    an identity that does not parse (none was recorded) counts as gone.
    """
    parts = identity.split(_SEPARATOR)
    if len(parts) != 4 or not parts[2].isdigit():
        return True
    host, boot, pid, start = parts
    if host != socket.gethostname():
        return False
    if boot != _boot_id() or not _is_running(int(pid)):
        return True
    return start != _start_time(int(pid))


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # running, as another user
    return True


def _boot_id() -> str:
    try:
        return _BOOT_ID.read_text().strip()
    except OSError:
        return ""  # no /proc: process ids are compared without it


def _start_time(pid: int) -> str:
    try:
        status = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return ""
    # The process name (field 2) is in parentheses and may hold spaces.
    return status.rpartition(")")[2].split()[_START_TIME_FIELD]

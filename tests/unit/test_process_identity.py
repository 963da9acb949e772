"""A process identity tells a running process from one that ended or whose id was reused."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from mucluc.process_identity import process_identity, process_is_gone


def test_this_process_is_running() -> None:
    assert not process_is_gone(process_identity())


def test_a_process_that_ended_is_gone() -> None:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    identity = process_identity(process.pid)
    assert not process_is_gone(identity)
    process.kill()
    process.wait()
    assert process_is_gone(identity)


def test_a_process_id_given_to_another_process_is_not_the_same_process() -> None:
    host, boot, pid, start = process_identity().split(" ")
    started_earlier = str(int(start) - 1)
    assert process_is_gone(" ".join((host, boot, pid, started_earlier)))


def test_a_process_of_the_same_id_before_a_reboot_is_gone() -> None:
    host, _, pid, start = process_identity().split(" ")
    assert process_is_gone(" ".join((host, "another-boot", pid, start)))


def test_a_process_on_another_host_cannot_be_looked_at_and_counts_as_running() -> None:
    _, boot, _, start = process_identity().split(" ")
    other_host = f"not-{socket.gethostname()}"
    assert not process_is_gone(" ".join((other_host, boot, str(os.getpid()), start)))


def test_a_job_recorded_without_an_owner_counts_as_orphaned() -> None:
    assert process_is_gone("")

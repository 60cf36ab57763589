"""A throwaway OpenSSH server on 127.0.0.1: its own keys, config and port, all in a temporary folder."""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

WAIT = 30.0  # ceiling for sshd to start listening; never a speed assertion
SYSTEM_BIN = ("/usr/sbin", "/usr/local/sbin", "/sbin")


def require_ssh() -> tuple[str, str, str]:
    """sshd, ssh and ssh-keygen, or a skip that says why (.ci/run installs them with apt-get)."""
    search = os.pathsep.join([os.environ.get("PATH", ""), *SYSTEM_BIN])
    found = {name: shutil.which(name, path=search) for name in ("sshd", "ssh", "ssh-keygen")}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (.ci/run installs openssh-server and "
                    "openssh-client with apt-get)")
    return found["sshd"], found["ssh"], found["ssh-keygen"]


def free_port() -> int:
    """A port nothing listens on right now (sshd may still lose it to a race; start() retries)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SshServer:
    """sshd in the foreground on 127.0.0.1, accepting one generated key for the current user."""

    def __init__(self, folder: Path) -> None:
        self.sshd, self.ssh, keygen = require_ssh()
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.host_key = folder / "host_ed25519"
        self.user_key = folder / "user_ed25519"
        for key in (self.host_key, self.user_key):
            subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-C", "tui-grad-e2e", "-f", str(key)],
                           check=True, capture_output=True)
        self.authorized_keys = folder / "authorized_keys"
        shutil.copy(self.user_key.with_suffix(".pub"), self.authorized_keys)
        self.user = getpass.getuser()
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.log = folder / "sshd.log"

    def config(self, port: int) -> Path:
        """Write an sshd_config for this port that needs no root-owned file and no PAM."""
        path = self.folder / "sshd_config"
        path.write_text("\n".join([
            "ListenAddress 127.0.0.1",
            f"Port {port}",
            f"HostKey {self.host_key}",
            f"AuthorizedKeysFile {self.authorized_keys}",
            f"PidFile {self.folder / 'sshd.pid'}",
            "StrictModes no",
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            "PermitRootLogin prohibit-password",
            "PrintMotd no",
            "PrintLastLog no",
            "X11Forwarding no",
            "",
        ]), encoding="utf-8")
        return path

    def start(self) -> SshServer:
        """Start sshd on a free port and wait until it says it is listening."""
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
        for _attempt in range(3):
            port = free_port()
            self.log.write_bytes(b"")
            with open(self.log, "ab") as log:
                self.process = subprocess.Popen([self.sshd, "-D", "-e", "-f", str(self.config(port))],
                                                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                text = self.log.read_text(errors="replace")
                if f"Server listening on 127.0.0.1 port {port}" in text:
                    self.port = port
                    return self
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
            self.stop()
            if "Address already in use" not in self.log.read_text(errors="replace"):
                break
        raise AssertionError(f"sshd did not start; its log:\n{self.log.read_text(errors='replace')}")

    def client_command(self, remote_command: str) -> list[str]:
        """`ssh -t` to this server as the current user, with no user or system ssh config involved."""
        return [self.ssh, "-t", "-F", "/dev/null", "-p", str(self.port), "-i", str(self.user_key),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                f"{self.user}@127.0.0.1", remote_command]

    def stop(self) -> None:
        """Stop the listening sshd (sessions still open end when their clients go)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

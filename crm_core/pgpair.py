"""A local PostgreSQL primary with a synchronous streaming standby, on loopback ports (CORE-20).

What production runs on two machines, scripted on one so that developers and the failover test
can run it: ``initdb`` for the primary, ``pg_basebackup -R`` for the standby (it writes
``standby.signal`` and ``primary_conninfo``), ``synchronous_standby_names`` on the primary so a
commit returns only once the standby has it. ``crm db pair up|status|promote|down`` drive it;
docs/operations.md gives the production route.

PostgreSQL refuses to run as root: when this process is root, every server command runs as
the ``postgres`` user (``runuser``) and the pair's folder is handed to that user.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

STANDBY_NAME = "crm_standby"
START_SECONDS = 30
STATE_FILE = "pair.json"


class PairError(RuntimeError):
    """The pair could not be set up or driven; the message says what and why."""


def find_bindir() -> Path | None:
    """The folder of ``initdb``/``pg_ctl``/``pg_basebackup``: ``CRM_PG_BINDIR``, then ``PATH``,
    then Debian's ``/usr/lib/postgresql/<version>/bin`` (newest first); None when absent."""
    wanted = os.environ.get("CRM_PG_BINDIR", "")
    candidates = [Path(wanted)] if wanted else []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    candidates += debian
    for folder in candidates:
        if all((folder / tool).is_file() for tool in ("initdb", "pg_ctl", "pg_basebackup", "postgres")):
            return folder
    return None


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", path.parent.name)) or (0,)


def missing_reason() -> str | None:
    """None when a pair can be run here, else why not (tests skip with it)."""
    if find_bindir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) not found; set CRM_PG_BINDIR"
    if os.geteuid() == 0 and (shutil.which("runuser") is None or not _user_exists("postgres")):
        return "running as root needs runuser and a 'postgres' user to start PostgreSQL"
    return None


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@dataclass
class Pair:
    """A pair's folder and ports; ``pair.json`` in the folder remembers them between commands."""

    root: Path
    primary_port: int
    standby_port: int

    @property
    def primary_dir(self) -> Path:
        return self.root / "primary"

    @property
    def standby_dir(self) -> Path:
        return self.root / "standby"

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        """The app's multi-host URL: the writable server of the two, whichever it is now."""
        return (f"postgresql+psycopg://{user}@/{database}?host=127.0.0.1:{self.primary_port}"
                f"&host=127.0.0.1:{self.standby_port}&target_session_attrs=read-write")

    def standby_url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.standby_port}/{database}"

    def save(self) -> None:
        data = asdict(self) | {"root": str(self.root)}
        (self.root / STATE_FILE).write_text(json.dumps(data), encoding="utf-8")

    @classmethod
    def load(cls, root: Path) -> Pair:
        state = root / STATE_FILE
        if not state.is_file():
            raise PairError(f"{root} holds no database pair (no {STATE_FILE}); create one with 'crm db pair up'")
        data = json.loads(state.read_text(encoding="utf-8"))
        return cls(Path(data["root"]), int(data["primary_port"]), int(data["standby_port"]))


def run_tool(args: list[str], what: str, timeout: float = 60) -> str:
    """Run a server program (as the ``postgres`` user when this process is root); its output,
    or :class:`PairError` with its message."""
    command = [str(a) for a in args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PairError(f"{what}: no answer within {timeout:.0f} s") from exc
    if done.returncode != 0:
        raise PairError(f"{what} failed ({done.returncode}): {(done.stderr or done.stdout).strip()}")
    return done.stdout


def tool(name: str) -> str:
    """The path of a PostgreSQL server program (``initdb``, ``pg_ctl`` …)."""
    folder = find_bindir()
    if folder is None:
        raise PairError(missing_reason() or "PostgreSQL binaries not found")
    return str(folder / name)


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def up(root: Path, primary_port: int, standby_port: int) -> Pair:
    """Create and start a primary and its synchronous standby in ``root`` (new or empty)."""
    if (reason := missing_reason()) is not None:
        raise PairError(reason)
    if primary_port == standby_port:
        raise PairError("the primary and the standby need two different ports")
    for port in (primary_port, standby_port):
        if not 1024 <= port <= 65535:
            raise PairError(f"port {port} is outside 1024-65535")
        if not _port_free(port):
            raise PairError(f"port {port} on 127.0.0.1 is in use")
    root = root.resolve()
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise PairError(f"{root} is not an empty folder")
    root.mkdir(parents=True, exist_ok=True)
    pair = Pair(root, primary_port, standby_port)
    give_to_server_user(root)
    pair.save()
    try:
        _create(pair)
    except BaseException:
        down(pair)  # nothing half made is left running or on disk
        raise
    return pair


def _create(pair: Pair) -> None:
    root, primary_port, standby_port = pair.root, pair.primary_port, pair.standby_port
    run_tool([tool("initdb"), "-D", pair.primary_dir, "-U", "postgres", "--auth=trust", "--no-sync",
              "--encoding=UTF8", "--locale=C"], "initdb")
    append_settings(pair.primary_dir / "postgresql.conf", {
        "listen_addresses": "'127.0.0.1'",
        "port": str(primary_port),
        "unix_socket_directories": f"'{root}'",
        "wal_level": "replica",
        "max_wal_senders": "4",
        "hot_standby": "on",
        # A commit returns once the standby has written it (and applied it: reads sent to the
        # standby see the user's own writes). 'FIRST 1 (…)' names the standby that must answer.
        "synchronous_standby_names": f"'FIRST 1 ({STANDBY_NAME})'",
        "synchronous_commit": "remote_apply",
        "wal_sender_timeout": "'5s'",
    })
    start_server(pair.primary_dir, "primary")
    run_tool([tool("pg_basebackup"), "-D", pair.standby_dir, "-R", "-X", "stream", "--no-sync",
              "-d", f"host=127.0.0.1 port={primary_port} user=postgres"], "pg_basebackup")
    append_settings(pair.standby_dir / "postgresql.auto.conf", {
        "port": str(standby_port),
        "primary_conninfo": f"'host=127.0.0.1 port={primary_port} user=postgres application_name={STANDBY_NAME}'",
        # Once promoted it stands alone until a new standby is built: it must not wait for one.
        "synchronous_standby_names": "''",
        "wal_receiver_status_interval": "'1s'",
    })
    start_server(pair.standby_dir, "standby")
    wait_sync(pair)


def give_to_server_user(folder: Path) -> None:
    """As root: hand ``folder`` to the ``postgres`` user, after checking that user can reach it."""
    if os.geteuid() != 0:
        return
    shutil.chown(folder, "postgres", "postgres")
    for parent in folder.parents:
        if parent.stat().st_mode & 0o001 == 0:
            raise PairError(f"{parent} is not traversable by the postgres user: choose a folder under /tmp or /srv")


def append_settings(conf: Path, settings: dict[str, str]) -> None:
    """Add ``settings`` at the end of a configuration file (the last value of a key wins)."""
    with conf.open("a", encoding="utf-8") as out:
        out.write("\n# crm db pair\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))


def start_server(data_dir: Path, what: str) -> None:
    """``pg_ctl start`` and wait until it accepts connections (its log beside the data)."""
    run_tool([tool("pg_ctl"), "-D", data_dir, "-l", data_dir.parent / f"{data_dir.name}.log", "-w",
          "-t", str(START_SECONDS), "start"], f"starting the {what}", timeout=START_SECONDS + 10)


def wait_sync(pair: Pair, seconds: float = START_SECONDS) -> None:
    """Wait (bounded) until the standby streams synchronously from the primary."""
    import psycopg

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(host="127.0.0.1", port=pair.primary_port, user="postgres", dbname="postgres",
                                 connect_timeout=2, autocommit=True) as conn:
                row = conn.execute("SELECT sync_state FROM pg_stat_replication WHERE application_name = %s",
                                   (STANDBY_NAME,)).fetchone()
        except psycopg.OperationalError as exc:
            raise PairError(f"the primary does not answer: {exc}") from exc
        if row and row[0] == "sync":
            return
        time.sleep(0.1)
    raise PairError(f"the standby did not reach synchronous streaming within {seconds:.0f} s")


def postmaster_pid(data_dir: Path) -> int | None:
    pid_file = data_dir / "postmaster.pid"
    if not pid_file.is_file():
        return None
    return int(pid_file.read_text(encoding="utf-8").split("\n", 1)[0])


def kill_primary(pair: Pair) -> None:
    """Crash the primary as a failed machine would: SIGKILL to the postmaster and every
    process it started (no shutdown, no last WAL sent); waits until its port is closed."""
    pid = postmaster_pid(pair.primary_dir)
    if pid is None or not _is_postmaster(pid, pair.primary_dir):
        raise PairError("the primary is not running")
    children = _children(pid)
    os.kill(pid, signal.SIGKILL)
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _listening(pair.primary_port):
        time.sleep(0.05)


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _is_postmaster(pid: int, data_dir: Path) -> bool:
    """Whether ``pid`` is the live postmaster of ``data_dir`` (a stale pid file after a crash
    may name a process that is something else now)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return str(data_dir).encode() in args


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def promote(pair: Pair) -> None:
    """Make the standby the primary (``pg_ctl promote``; waits until it accepts writes).

    Refused while the old primary still accepts writes: two writable servers would each take
    writes the other never sees (production fences the old primary first)."""
    if _listening(pair.primary_port) and status(pair)["primary"].startswith("primary"):
        raise PairError(f"the primary on port {pair.primary_port} still accepts writes: stop it first "
                        "(two writable servers would split the data)")
    run_tool([tool("pg_ctl"), "-D", pair.standby_dir, "-w", "-t", str(START_SECONDS), "promote"],
         "promoting the standby", timeout=START_SECONDS + 10)


def status(pair: Pair) -> dict[str, str]:
    """``{"primary": …, "standby": …}``: stopped, primary or standby, for each server."""
    import psycopg

    found = {}
    for name, port in (("primary", pair.primary_port), ("standby", pair.standby_port)):
        try:
            with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                                 connect_timeout=2, autocommit=True) as conn:
                in_recovery = conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
            found[name] = "standby (read-only)" if in_recovery else "primary (read-write)"
        except psycopg.OperationalError:
            found[name] = "stopped"
    return found


def down(pair: Pair, remove: bool = True) -> None:
    """Stop both servers (fast) and, unless ``remove`` is false, delete the pair's folder."""
    for data_dir in (pair.standby_dir, pair.primary_dir):
        pid = postmaster_pid(data_dir)
        if pid is None or not _is_postmaster(pid, data_dir):
            continue
        try:
            run_tool([tool("pg_ctl"), "-D", data_dir, "-m", "immediate", "-w", "stop"], "stopping", timeout=30)
        except PairError:
            if _is_postmaster(pid, data_dir):
                os.kill(pid, signal.SIGKILL)
    if remove:
        shutil.rmtree(pair.root, ignore_errors=True)

"""Hostile runs: odd output targets, modes, read-only installs, signals, huge or non-finite
options and values, sloppy input. Each test is a reproducer of the bad-input review; most
run through the real ``nlpzero`` console script, the cheap ones in-process.

Never touches the real /dev: device nodes are made with mknod in a temp folder (root
only), standard output is reached through /proc/self/fd.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from nlpzero.cli.app import app
from typer.testing import CliRunner

runner = CliRunner()
SCRIPT = shutil.which("nlpzero", path=str(Path(sys.executable).parent)) or shutil.which("nlpzero")
needs_script = pytest.mark.skipif(SCRIPT is None, reason="the nlpzero console script is not "
                                  "installed")

GOLD = "我们 的 妈妈 不 修 椅子 。\n他们 讨论 的 书 特别 有用 。\n"
GRAPH = "a b\nb c\nc a\nc d\nd e\ne f\nf d\n"
VECTORS = "3 2\na 1 0\nb 0.9 0.1\nc 0 1\n"


def invoke(*args: object, input: str | bytes | None = None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def flat(text: str) -> str:
    return " ".join(text.split())


# Sets up the child and execs the console script (same pid). A preexec_fn would do it
# between fork and exec, where Python code is unsafe once the test process has threads
# (the Dask tests leave some): a child could crash before it ever ran the command.
_LAUNCH = """
import os, signal, sys
umask, close_stdout, at_default = sys.argv[1:4]
if umask != "-":
    os.umask(int(umask))
if close_stdout == "1":
    os.close(1)
for number in at_default.split(","):  # Python ignores SIGPIPE and SIGXFSZ; a shell does not
    signal.signal(int(number), signal.SIG_DFL)
os.execv(sys.argv[4], sys.argv[4:])
"""


def launch(*args: object, umask: int | None = None, close_stdout: bool = False,
           at_default: tuple[int, ...] = ()) -> list[str]:
    """The argv that runs the console script with *args*, after setting the umask and
    closing stdout as asked, with SIGPIPE, SIGXFSZ and the signals *at_default* at their
    default action (a runner may start the suite with SIGINT or SIGHUP ignored)."""
    signals = (signal.SIGPIPE, signal.SIGXFSZ, *at_default)
    return [sys.executable, "-c", _LAUNCH, "-" if umask is None else str(umask),
            "1" if close_stdout else "0", ",".join(str(int(n)) for n in signals), SCRIPT,
            *map(str, args)]


def run(*args: object, cwd: Path | None = None, umask: int | None = None,
        env: dict[str, str] | None = None, input: bytes | None = None,
        close_stdout: bool = False, timeout: float = 300) -> subprocess.CompletedProcess:
    """The real console script, in a child process."""
    return subprocess.run(launch(*args, umask=umask, close_stdout=close_stdout), cwd=cwd,
                          stdout=None if close_stdout else subprocess.PIPE,
                          stderr=subprocess.PIPE, input=input, env=env, timeout=timeout)


def error_lines(stderr: bytes | str) -> list[str]:
    text = stderr.decode() if isinstance(stderr, bytes) else stderr
    return [ln for ln in text.splitlines() if ln.strip()]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    path = tmp_path / "gold.txt"
    path.write_text(GOLD, encoding="utf-8")
    return path


# --- 1. -o never replaces what is not a regular file ---------------------------------------


def character_device(path: Path, minor: int) -> Path:
    """A character device of the memory driver (major 1) at *path*: minor 3 is what /dev/null
    is, 7 what /dev/full is; the test is skipped where mknod is not allowed."""
    if os.geteuid() != 0:
        pytest.skip("mknod needs root")
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    except OSError as e:
        pytest.skip(f"mknod not allowed here ({e.strerror})")
    return path


@needs_script
def test_output_to_a_device_node_writes_through(tmp_path: Path, gold: Path) -> None:
    device = character_device(tmp_path / "null", 3)
    before = os.stat(device)
    proc = run("score", gold, gold, "-o", device)
    assert proc.returncode == 0, proc.stderr
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino
    assert leftovers(tmp_path) == []


@needs_script
def test_output_to_a_fifo_writes_through(tmp_path: Path, gold: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    proc = run("score", gold, gold, "-o", fifo)
    reader.join(60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert b"f1\t1.0000" in received[0]
    assert leftovers(tmp_path) == []


@needs_script
def test_output_to_stdout_through_a_link_writes_through(tmp_path: Path, gold: Path) -> None:
    # what -o /dev/stdout does, without touching /dev: a link to the process's fd 1
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    proc = run("score", gold, gold, "-o", link)
    assert proc.returncode == 0, proc.stderr
    assert b"f1\t1.0000" in proc.stdout
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"
    proc = run("score", gold, gold, "-o", "/dev/fd/1")
    assert proc.returncode == 0 and b"f1\t1.0000" in proc.stdout


@needs_script
@pytest.mark.parametrize("target", ["/dev/fd/1", "/proc/self/fd/1", "LINK"])
def test_output_to_own_stdout_keeps_the_shell_redirection(tmp_path: Path, gold: Path,
                                                          target: str) -> None:
    # `nlpzero ... -o /dev/stdout >> log` reopened the log with O_TRUNC: its old lines went
    log = tmp_path / "log.txt"
    log.write_text("OLD\n")
    link = tmp_path / "out"
    link.symlink_to("/dev/fd/1")
    argv = launch("score", gold, gold, "-o", link if target == "LINK" else target)
    with open(log, "ab") as append:
        proc = subprocess.run(argv, stdout=append, stderr=subprocess.PIPE, timeout=300)
    assert proc.returncode == 0, proc.stderr
    text = log.read_text()
    assert text.startswith("OLD\nprecision\t1.0000\n") and text.count("f1\t") == 1
    proc = run("score", gold, gold, "-o", "/dev/fd/9")  # not open: refused before the work
    assert proc.returncode == 1
    assert error_lines(proc.stderr) == ["error: /dev/fd/9: file descriptor 9 is not open"]
    # -o /dev/stdin < file reopened the input file with O_TRUNC: it was emptied
    with open(log, "rb") as stdin:
        proc = subprocess.run(launch("score", gold, gold, "-o", "/dev/fd/0"), stdin=stdin,
                              capture_output=True, timeout=300)
    assert proc.returncode == 1
    assert error_lines(proc.stderr) == [
        "error: /dev/fd/0: file descriptor 0 is open for reading only"]
    assert log.read_text() == text


@needs_script
def test_output_through_a_symlink_replaces_its_target(tmp_path: Path, gold: Path) -> None:
    real = tmp_path / "real.tsv"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.tsv"
    link.symlink_to("real.tsv")
    dangling = tmp_path / "dangling.tsv"
    dangling.symlink_to("new.tsv")
    assert run("score", gold, gold, "-o", link).returncode == 0
    assert run("score", gold, gold, "-o", dangling).returncode == 0
    assert link.is_symlink() and dangling.is_symlink()
    assert "f1\t1.0000" in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert "f1\t1.0000" in (tmp_path / "new.tsv").read_text()
    assert leftovers(tmp_path) == []


@needs_script
def test_output_keeps_hard_links_together(tmp_path: Path, gold: Path) -> None:
    first = tmp_path / "a.tsv"
    first.write_text("old\n")
    second = tmp_path / "b.tsv"
    os.link(first, second)
    assert run("score", gold, gold, "-o", second).returncode == 0
    assert os.stat(first).st_ino == os.stat(second).st_ino
    assert "f1\t1.0000" in first.read_text()
    assert leftovers(tmp_path) == []


@needs_script
def test_a_full_device_is_one_line_exit_1(tmp_path: Path, gold: Path) -> None:
    """A device that refuses every write (what /dev/full is), as -o and as stdout, for a
    command's output and for Click's own (the help, --version): one line, exit 1."""
    full = character_device(tmp_path / "full", 7)
    proc = run("score", gold, gold, "-o", full)
    assert proc.returncode == 1 and error_lines(proc.stderr) == [
        "error: No space left on device"], proc.stderr
    for args in (["score", gold, gold], ["--help"], ["--version"], ["cluster", "-h"],
                 ["approx", "errors", "--help"]):
        with open(full, "wb") as stdout:
            proc = subprocess.run(launch(*args), stdout=stdout, stderr=subprocess.PIPE,
                                  timeout=300)
        assert proc.returncode == 1, (args, proc.stderr)
        assert error_lines(proc.stderr) == ["error: No space left on device"], (args,
                                                                                proc.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "gold.txt"]


@needs_script
@pytest.mark.parametrize("args", [
    ["score", "GOLD", "GOLD", "-q"], ["segment", "-l", "LEX", "GOLD", "-q"],
    ["templates", "GOLD", "-q"], ["knn", "VECTORS", "-q", "--min-sim", "-1"],
    ["similar", "VECTORS", "a", "-q"], ["approx", "mul", "3", "5"],
    ["--help"], ["cluster", "-h"], ["--version"],
])
def test_a_closed_pipe_on_stdout_is_a_quiet_exit_0(tmp_path: Path, gold: Path,
                                                   args: list[str]) -> None:
    """`nlpzero ... | head -1` once head has gone: no traceback, no message, exit 0, for the
    commands and for Click's own output (the help and --version exited 1)."""
    lexicon = tmp_path / "lex.tsv"
    lexicon.write_text("我们\t3\n", encoding="utf-8")
    vectors = tmp_path / "v.txt"
    vectors.write_text(VECTORS, encoding="utf-8")
    files = {"GOLD": gold, "LEX": lexicon, "VECTORS": vectors}
    reader, writer = os.pipe()
    os.close(reader)  # every write fails with EPIPE
    try:
        proc = subprocess.run(launch(*[files.get(a, a) for a in args]), stdout=writer,
                              stderr=subprocess.PIPE, timeout=300)
    finally:
        os.close(writer)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""


@needs_script
def test_a_closed_stderr_does_not_stop_the_work(tmp_path: Path, gold: Path) -> None:
    """`nlpzero discover corpus -o lex.tsv 2>&1 | head -1`: the log lines after head has
    gone failed, and rich then exited 1 with no output; a full stderr made a usage error
    exit 1. The work goes on without its log: exit 0 and the file written."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("我们的妈妈不修椅子。他们讨论的书特别有用。\n" * 50, encoding="utf-8")
    reader, writer = os.pipe()
    os.close(reader)
    try:
        proc = subprocess.run(launch("discover", corpus, "-o", tmp_path / "lex.tsv"),
                              stdout=subprocess.PIPE, stderr=writer, timeout=300)
    finally:
        os.close(writer)
    assert proc.returncode == 0
    assert "的\t100\t" in (tmp_path / "lex.tsv").read_text(encoding="utf-8")
    if os.geteuid() == 0:
        full = tmp_path / "full"
        with contextlib.suppress(OSError):
            os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
            for args, code in ((["score", gold, gold], 0), (["knn", "-k", "0", "-"], 2),
                               (["score", gold, tmp_path / "missing"], 1)):
                with open(full, "wb") as stderr:
                    proc = subprocess.run(launch(*args), stdout=subprocess.PIPE,
                                          stderr=stderr, input=b"", timeout=300)
                assert proc.returncode == code, args


# --- 2. modes: umask for new files, the old mode for replaced ones --------------------------


@needs_script
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600)])
def test_new_output_files_honour_the_umask(tmp_path: Path, gold: Path, umask: int,
                                           mode: int) -> None:
    out = tmp_path / "new.tsv"
    proc = run("score", gold, gold, "-o", out, umask=umask)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(out.stat().st_mode) == mode
    old = tmp_path / "old.tsv"
    old.write_text("x\n")
    old.chmod(0o664)
    assert run("score", gold, gold, "-o", old, umask=umask).returncode == 0
    assert stat.S_IMODE(old.stat().st_mode) == 0o664
    assert "f1" in old.read_text()


# --- 3. read-only install, corrupt cache ---------------------------------------------------


def _package_copy(tmp_path: Path) -> Path:
    """The package copied to a folder where nothing can be cached beside the sources (each
    ``__pycache__`` is a plain file: not even root can create files in it)."""
    import nlpzero.cli

    import nlpzero

    root = tmp_path / "site"
    pkg = root / "nlpzero"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc")
    shutil.copytree(Path(nlpzero.__file__).parent, pkg, ignore=ignore)
    if not (pkg / "cli").exists():
        shutil.copytree(Path(nlpzero.cli.__file__).parent, pkg / "cli", ignore=ignore)
    for folder in [pkg, *[p for p in pkg.rglob("*") if p.is_dir()]]:
        (folder / "__pycache__").write_text("not a folder")
    return root


def test_read_only_install_with_unwritable_home_still_runs(tmp_path: Path) -> None:
    root = _package_copy(tmp_path)
    home = tmp_path / "home"
    home.write_text("a file: nothing can be made under it")
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME", "PYTHONPATH")}
    env.update(HOME=str(home), TMPDIR=str(temp), PYTHONPATH=str(root),
               PYTHONDONTWRITEBYTECODE="1")
    code = "import sys; from nlpzero.cli.app import main; sys.argv[0] = 'nlpzero'; main()"
    proc = subprocess.run([sys.executable, "-c", code, "knn", "-q", "-", "--min-sim", "-1"],
                          cwd=tmp_path, input=VECTORS.encode(), capture_output=True, env=env,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().count("\n") == 6
    cache = temp / f"nlpzero-numba-{os.getuid()}"
    assert any(cache.rglob("*.nbi")), proc.stderr
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700


def test_cache_folder_fallback_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlpzero import _numba_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _numba_cache.cache_folder() == str(tmp_path / "xdg" / "nlpzero" / "numba")
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    monkeypatch.setenv("HOME", str(tmp_path / "file"))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(_numba_cache.tempfile, "tempdir", None)
    assert _numba_cache.cache_folder() == str(tmp_path / f"nlpzero-numba-{os.getuid()}")
    # a folder in the shared temp folder that others may write to is never used
    os.chmod(tmp_path / f"nlpzero-numba-{os.getuid()}", 0o777)
    assert _numba_cache.cache_folder() is None


@needs_script
def test_corrupt_cache_entries_are_compiled_again(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    vectors = VECTORS.encode()
    first = run("knn", "-q", "-", env=env, input=vectors)
    assert first.returncode == 0, first.stderr
    entries = list(cache.rglob("*.nbc")) + list(cache.rglob("*.nbi"))
    assert entries
    for entry in entries:  # as after a crash or a full disk
        entry.write_bytes(entry.read_bytes()[:20])
    second = run("knn", "-q", "-", env=env, input=vectors)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    third = run("knn", "-q", "-", env=env, input=vectors)  # the entries were rewritten
    assert third.returncode == 0 and third.stdout == first.stdout


# --- 4, 5. Ctrl-C, SIGTERM, SIGHUP: one line, 128 + N, nothing left behind -----------------


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A corpus big enough that a run is still going when the signal comes."""
    folder = tmp_path_factory.mktemp("big")
    words = ["我们", "的", "妈妈", "不", "修", "椅子", "他们", "讨论", "书", "特别", "有用"]
    rng = np.random.default_rng(0)
    ids = rng.integers(0, len(words), size=(200_000, 12))
    text = "\n".join(" ".join(words[i] for i in row) + " 。" for row in ids) + "\n"
    segmented = folder / "seg.txt"
    segmented.write_text(text * 4, encoding="utf-8")
    raw = folder / "raw.txt"
    raw.write_text(text.replace(" ", "") * 4, encoding="utf-8")
    lexicon = folder / "lex.tsv"
    lexicon.write_text("".join(f"{w}\t{i + 1}\n" for i, w in enumerate(words)), encoding="utf-8")
    templates = folder / "t.tsv"
    templates.write_text("[X] 的 [X]\t5\n我们 [X]\t3\n[X] 讨论 [X]\t2\n", encoding="utf-8")
    return {"seg": segmented, "raw": raw, "lex": lexicon, "templates": templates}


def _signal_when_working(args: list[object], folder: Path, sig: int, reading: Path,
                         stdin: Path | None = None, tmpdir: Path | None = None
                         ) -> subprocess.CompletedProcess:
    """Start a run that writes ``folder/out.tsv`` and send *sig* once it is reading its
    input *reading* (the work is under way; stdin: once the input is spooled)."""
    env = dict(os.environ)
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    with open(stdin or os.devnull, "rb") as fh:
        # a user's terminal starts commands with the signal at its default; a runner that
        # starts this suite in the background or under nohup (SIGINT or SIGHUP ignored)
        # would otherwise pass that on
        proc = subprocess.Popen(launch(*args, "-o", folder / "out.tsv", at_default=(sig,)),
                                stdin=fh, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env)
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            if _reading(proc.pid, reading, stdin is not None):
                break
            time.sleep(0.01)
        time.sleep(0.5)  # inside the work (compiled code, most of the time)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def _reading(pid: int, path: Path, spooled: bool) -> bool:
    """Has process *pid* opened *path* (or, *spooled*, read all of its stdin)?"""
    try:
        if spooled:
            pos = int(Path(f"/proc/{pid}/fdinfo/0").read_text().split()[1])
            return pos >= path.stat().st_size
        return any(os.readlink(fd) == str(path) for fd in Path(f"/proc/{pid}/fd").iterdir())
    except (OSError, IndexError, ValueError):
        return False


@needs_script
@pytest.mark.parametrize("command", ["segment", "templates", "parse"])
def test_ctrl_c_is_interrupted_exit_130(command: str, big: dict[str, Path],
                                        tmp_path: Path) -> None:
    args = {"segment": ["segment", big["raw"], "-l", big["lex"]],
            "templates": ["templates", big["seg"], "-q"],
            "parse": ["parse", big["seg"], "-t", big["templates"]]}[command]
    proc = _signal_when_working(args, tmp_path, signal.SIGINT, args[1])
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal")
    assert proc.returncode == 130, proc.stderr
    assert error_lines(proc.stderr)[-1] == "interrupted"
    assert b"internal error" not in proc.stderr and b"Traceback" not in proc.stderr
    assert sorted(os.listdir(tmp_path)) == []


@needs_script
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_remove_temp_files(sig: int, big: dict[str, Path],
                                              tmp_path: Path) -> None:
    out = tmp_path / "out.tsv"
    out.write_text("previous\n")
    proc = _signal_when_working(["segment", big["raw"], "-l", big["lex"]], tmp_path, sig,
                                big["raw"])
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal")
    assert proc.returncode == 128 + sig, proc.stderr
    assert error_lines(proc.stderr)[-1] == f"interrupted ({signal.Signals(sig).name})"
    assert sorted(os.listdir(tmp_path)) == ["out.tsv"]
    assert out.read_text() == "previous\n"


@needs_script
def test_sigterm_leaves_no_stdin_spool(big: dict[str, Path], tmp_path: Path) -> None:
    spools = tmp_path / "tmp"
    spools.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    stale = spools / "nlpzero-stdin-999999999-abc"  # from a run killed with SIGKILL
    stale.write_text("x")
    proc = _signal_when_working(["discover", "-"], out, signal.SIGTERM, big["raw"],
                                stdin=big["raw"], tmpdir=spools)
    assert proc.returncode in (0, 143), proc.stderr
    assert os.listdir(spools) == []  # the spool never has a name; the stale one is gone
    assert leftovers(out) == []


def test_stale_temp_files_of_dead_runs_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / ".out.tsv.999999999-0a1b.tmp"  # pid beyond pid_max: surely gone
    stale.write_text("half")
    alive = tmp_path / f".out.tsv.{os.getpid()}-0a1b.tmp"  # a run still going
    alive.write_text("half")
    # not ours: a 'pid' that is no ASCII number (int() reads '३' and refuses '²')
    others = [tmp_path / f".out.tsv.{pid}-0a1b.tmp" for pid in ("²", "३", "x1")]
    for other in others:
        other.write_text("theirs")
    result = invoke("approx", "mul", "1", "2", "-o", tmp_path / "out.tsv")
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(tmp_path)) == sorted([alive.name, "out.tsv"]
                                                  + [o.name for o in others])


def test_interrupt_turned_into_another_error_is_still_interrupted(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # compiled code hit by Ctrl-C returns "SystemError: ... returned a result with an
    # exception set" whose cause is the KeyboardInterrupt
    import nlpzero.words.scoring

    def interrupted(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as e:
            raise SystemError("CPUDispatcher(...) returned a result with an exception set"
                              ) from e

    monkeypatch.setattr(nlpzero.words.scoring, "score_lines", interrupted)
    gold = tmp_path / "g.txt"
    gold.write_text(GOLD, encoding="utf-8")
    result = invoke("score", gold, gold, "-o", tmp_path / "out.tsv")
    assert result.exit_code == 130
    assert result.stderr.strip() == "interrupted"
    assert os.listdir(tmp_path) == ["g.txt"]


def test_a_swallowed_signal_commits_no_output(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    # a signal whose exception some C code swallowed: the run must not commit its output
    from nlpzero.text import io as textio

    def swallowed(*args, **kwargs):
        with contextlib.suppress(KeyboardInterrupt):
            textio._on_signal(signal.SIGTERM, None)
        return [("precision", 1.0)]

    import nlpzero.words.scoring

    class Result:
        def as_rows(self):
            return swallowed()

    monkeypatch.setattr(nlpzero.words.scoring, "score_lines", lambda *a, **k: Result())
    gold = tmp_path / "g.txt"
    gold.write_text(GOLD, encoding="utf-8")
    result = invoke("score", gold, gold, "-o", tmp_path / "out.tsv")
    assert result.exit_code == 128 + signal.SIGTERM
    assert os.listdir(tmp_path) == ["g.txt"]


# --- 6. no hangs, no unbounded options -----------------------------------------------------


def test_embed_huge_window_counts_like_the_longest_line(tmp_path: Path) -> None:
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c d\nb c d e f\na c e\n" * 3, encoding="utf-8")
    huge = invoke("embed", corpus, "--min-count", "1", "--window", "100000000", "-q",
                  "--uniform-window", "--subsample", "0")
    exact = invoke("embed", corpus, "--min-count", "1", "--window", "4", "-q",
                   "--uniform-window", "--subsample", "0")
    assert huge.exit_code == 0, huge.stderr
    assert huge.stdout == exact.stdout
    # the dynamic window's weights grow with the window: it is capped, a usage error beyond
    dynamic = invoke("embed", corpus, "--min-count", "1", "--window", "100000000", "-q")
    assert dynamic.exit_code == 2 and "--window" in dynamic.stderr


def test_count_pairs_progresses_with_any_window() -> None:
    from nlpzero.vectors.cooccurrence import count_pairs

    ids = np.array([0, 1, 2, -2, 1, 2, 3, 0, -2], dtype=np.int64)
    for window in (10**8, 2**62):
        keys, counts = count_pairs(ids, 4, window, table_slots=16)
        ref_keys, ref_counts = count_pairs(ids, 4, 4)
        assert np.array_equal(keys, ref_keys) and np.array_equal(counts, ref_counts)


@pytest.mark.parametrize("args, option", [
    (["discover", "--iterations", "1000000"], "--iterations"),
    (["discover", "--partitions", "1000000"], "--partitions"),
    (["embed", "--dim", "100000"], "--dim"),
    (["embed", "--epochs", "100000000"], "--epochs"),
    (["cluster", "--trials", "1000000000"], "--trials"),
    (["templates", "--max-paths", str(2**63)], "--max-paths"),
    (["discover", "--min-count", str(2**62 + 1)], "--min-count"),  # named; was the library's
    (["discover", "--min-count", str(2**63)], "--min-count"),  # 'min_count must be between'
])
def test_unbounded_options_are_refused(args: list[str], option: str) -> None:
    result = invoke(*args, "-", input="a b\n")
    assert result.exit_code == 2, result.output
    assert option in flat(result.stderr)


def test_embed_dim_is_cut_to_the_vocabulary(tmp_path: Path) -> None:
    corpus = tmp_path / "c.txt"
    words = [f"w{i}" for i in range(80)]
    corpus.write_text("\n".join(" ".join(words[i:i + 6]) for i in range(75)), encoding="utf-8")
    result = invoke("embed", corpus, "--min-count", "1", "--dim", "5000")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "80 80"
    assert "using 80" in flat(result.stderr)


# --- 7. cluster: exit 0 with its output, or no output -------------------------------------


@pytest.mark.parametrize("extra", [[], ["--directed", "--multilevel"]])
def test_cluster_one_link_graph(tmp_path: Path, extra: list[str]) -> None:
    out = tmp_path / "m.tsv"
    for graph in ("a a\n", "a b\n"):
        result = invoke("cluster", "-", "-o", out, "--clu", tmp_path / "m.clu", *extra,
                        input=graph)
        assert result.exit_code == 0, result.stderr
        assert out.read_text().count("\n") == len(set(graph.split()))
        assert "internal error" not in result.stderr


# --- 8. overflow ----------------------------------------------------------------------------


def test_huge_link_weights_give_finite_flows() -> None:
    huge = invoke("cluster", "-", input=GRAPH.replace("\n", " 1e308\n"))
    ones = invoke("cluster", "-", input=GRAPH)
    assert huge.exit_code == 0, huge.stderr
    assert "nan" not in huge.stdout and "Warning" not in huge.stderr
    assert huge.stdout == ones.stdout
    duplicated = invoke("cluster", "-", input="a b 1e308\na b 1e308\nb c 1e308\n")
    assert duplicated.exit_code == 0 and "nan" not in duplicated.stdout


def test_huge_lexicon_counts(tmp_path: Path) -> None:
    lexicon = tmp_path / "lex.tsv"
    lexicon.write_text("中文\t1e308\n文\t1\n中\t1\n", encoding="utf-8")
    result = invoke("segment", "-", "-l", lexicon, "-q", input="中文中文\n")
    assert result.exit_code == 0 and result.stdout == "中文 中文\n"
    lexicon.write_text("中文\t1e308\n文\t1e308\n中\t1\n", encoding="utf-8")
    result = invoke("segment", "-", "-l", lexicon, "-q", input="中文\n")
    assert result.exit_code == 1
    assert "add up to more than the largest float" in flat(result.stderr)


# --- 9. NaN, infinities and out-of-range floats are usage errors ---------------------------


@pytest.mark.parametrize("args, option", [
    (["segment", "-l", "LEX", "--unknown-score", "nan"], "--unknown-score"),
    (["discover", "--min-pmi", "nan"], "--min-pmi"),
    (["discover", "--unknown-score", "nan"], "--unknown-score"),
    (["discover", "--method", "nlpzero", "--min-proba", "2"], "--min-proba"),
    (["embed", "--shift", "inf"], "--shift"),
    (["embed", "--x-max", "-inf"], "--x-max"),
    (["knn", "--min-sim", "nan"], "--min-sim"),
    (["cluster", "--markov-time", "inf"], "--markov-time"),
    (["cluster", "--teleportation", "1"], "--teleportation"),
    (["templates", "--min-proba", "nan"], "--min-proba"),
    (["parse", "-t", "LEX", "--null-score", "-inf"], "--null-score"),
])
def test_non_finite_and_out_of_range_floats_are_refused(args: list[str], option: str,
                                                        tmp_path: Path) -> None:
    lexicon = tmp_path / "lex.tsv"
    lexicon.write_text("中文\t3\n", encoding="utf-8")
    args = [str(lexicon) if a == "LEX" else a for a in args]
    result = invoke(*args, "-", input="中文\n")
    assert result.exit_code == 2, result.output
    assert option in flat(result.stderr)


@needs_script
def test_library_warnings_are_one_line_and_quiet_silences_them(tmp_path: Path) -> None:
    # (X / x_max)^alpha overflows float32: numpy's RuntimeWarning came out as two lines
    # (file:line and the source line) before the one-line error, even with --quiet
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c d\nb c d a\nc d a b\n" * 5, encoding="utf-8")
    args = ["embed", corpus, "--min-count", "1", "--method", "adagrad", "--epochs", "1",
            "--x-max", "1e-300", "--subsample", "0", "-o", tmp_path / "v.txt"]
    quiet = run(*args, "-q")
    assert quiet.returncode == 1
    assert error_lines(quiet.stderr) == ["error: training diverged (non-finite vectors); try "
                                         "fewer epochs, a larger x_max (--x-max) or the "
                                         "spectral method"], quiet.stderr
    loud = run(*args)
    assert loud.returncode == 1
    assert "warning: overflow encountered in cast" in error_lines(loud.stderr)
    assert b"Warning" not in loud.stderr and b".py" not in loud.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.txt"]


def test_divergence_message_names_no_missing_option(tmp_path: Path) -> None:
    from nlpzero.errors import NlpzeroError
    from nlpzero.vectors.cooccurrence import cooccur
    from nlpzero.vectors.solvers import train

    cooc = cooccur(["a b c a b", "b c a"], window=2, min_count=1, dynamic=False, subsample_t=0.0)
    with pytest.raises(NlpzeroError, match="diverged") as error:
        train(cooc, dim=4, method="adagrad", epochs=5, eta=1e30, x_max=1.0)
    assert "--eta" not in str(error.value)


# --- 10. seeds -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["cluster", "embed"])
@pytest.mark.parametrize("seed", [str(2**64), str(2**32), "-1"])
def test_seeds_outside_the_documented_range_are_refused(command: str, seed: str) -> None:
    result = invoke(command, "-", "--seed", seed, input="a b\n")
    assert result.exit_code == 2, result.output
    assert "--seed" in flat(result.stderr)


def test_library_seeds_are_checked_not_truncated() -> None:
    from nlpzero.graphs.infomap import infomap

    links = (np.array([0, 1, 2]), np.array([1, 2, 0]))
    with pytest.raises(ValueError, match="seed"):
        infomap(links, 3, seed=2**32 + 1)
    assert infomap(links, 3, seed=2**32 - 1, trials=2).n_modules >= 1  # seed + t wraps


# --- 11. internal errors and sloppy parsing ------------------------------------------------


def test_huge_pajek_vertex_id(tmp_path: Path) -> None:
    graph = tmp_path / "g.net"
    graph.write_text(f"*Vertices 2\n1 \"a\"\n{2**63} \"b\"\n*Edges\n1 {2**63}\n")
    result = invoke("cluster", graph)
    assert result.exit_code == 1 and "too large" in flat(result.stderr)
    assert "internal error" not in result.stderr
    links = invoke("cluster", "-", input=f"{2**63} {2**64}\n1 {2**63}\n")  # names, not ids
    assert links.exit_code == 0, links.stderr


def test_huge_template_count(tmp_path: Path) -> None:
    table = tmp_path / "t.tsv"
    table.write_text("[X] 的 [X]\t100000000000000000000000\n", encoding="utf-8")
    result = invoke("parse", "-", "-t", table, input="我 的 书\n")
    assert result.exit_code == 1 and "count must be positive" in flat(result.stderr)
    assert "internal error" not in result.stderr


@needs_script
def test_closed_stdout(tmp_path: Path, gold: Path) -> None:
    proc = run("score", gold, gold, close_stdout=True)
    assert proc.returncode == 1
    assert error_lines(proc.stderr) == ["error: standard output is closed; give -o FILE"]


@needs_script
@pytest.mark.parametrize("args", [["segment", "-l", "LEX", "-"], ["score", "GOLD", "-"],
                                  ["knn", "-"], ["approx", "mul", "-"], ["cluster", "-"],
                                  ["discover", "-"]])
def test_closed_stdin(tmp_path: Path, gold: Path, args: list[str]) -> None:
    # `nlpzero knn - <&-` was an internal error (AttributeError) on all but discover/templates
    lexicon = tmp_path / "lex.tsv"
    lexicon.write_text("我们\t3\n", encoding="utf-8")
    argv = [str(lexicon) if a == "LEX" else str(gold) if a == "GOLD" else a for a in args]
    closing = "import os, sys; os.close(0); os.execv(sys.argv[1], sys.argv[1:])"
    proc = subprocess.run([sys.executable, "-c", closing, SCRIPT, *argv, "-q"],
                          capture_output=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert error_lines(proc.stderr) == ["error: standard input is closed"]


def test_quoted_input_is_capped(tmp_path: Path) -> None:
    result = invoke("approx", "mul", "-", input="1 " + "2" * 100_000 + "x\n")
    assert result.exit_code == 1
    assert len(result.stderr) < 300 and "100,003 characters" in flat(result.stderr)


def test_vectors_files_duplicate_words_and_bad_headers(tmp_path: Path) -> None:
    vectors = tmp_path / "v.txt"
    vectors.write_text("2 2\na 1 0\na 0 1\n", encoding="utf-8")
    result = invoke("knn", vectors)
    assert result.exit_code == 1 and "already has a vector (line 2)" in flat(result.stderr)
    vectors.write_text("3 2 1\na 1 0\nb 0 1\nc 1 1\n", encoding="utf-8")
    result = invoke("knn", vectors)
    assert result.exit_code == 1 and "header" in flat(result.stderr)


@pytest.mark.parametrize("separator", ["\u2028", "\x1c", "\x85", "\u2029", "\x0b"])
def test_only_newline_ends_a_row(tmp_path: Path, separator: str) -> None:
    from nlpzero.sentences.templates import Templates
    from nlpzero.words.lexicon import Lexicon

    lexicon = tmp_path / "lex.tsv"
    lexicon.write_text(f"中文\t5\tn{separator}x\n", encoding="utf-8")
    assert Lexicon.read(lexicon).words == ["中文"]
    table = tmp_path / "t.tsv"
    table.write_text(f"[X] 是{separator} [X]\t7\n我 [X]\t2\n", encoding="utf-8")
    read = Templates.read(table)
    assert len(read) == 2 and read.counts.tolist() == [7, 2]


def test_tab_in_a_pajek_label_keeps_three_columns(tmp_path: Path) -> None:
    graph = tmp_path / "g.net"
    graph.write_text('*Vertices 3\n1 "a\tb"\n2 "c"\n3 "d"\n*Edges\n1 2\n2 3\n3 1\n')
    result = invoke("cluster", graph)
    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()
    assert len(rows) == 3 and all(len(row.split("\t")) == 3 for row in rows)
    assert "a b" in result.stdout


@needs_script
def test_newline_in_a_file_name_stays_in_the_header_comment(tmp_path: Path) -> None:
    graph = tmp_path / "g\nx\u2028y.txt"
    graph.write_text(GRAPH)
    proc = run("cluster", graph, "-q", "--clu", tmp_path / "m.clu", "--tree",
               tmp_path / "m.tree", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name in ("m.clu", "m.tree"):
        lines = (tmp_path / name).read_text().splitlines()
        header = [ln for ln in lines if not ln[:1].isdigit()]
        assert all(ln.startswith("# ") for ln in header), header
        assert len(lines) - len(header) == 6


# --- 12. all outputs or none ---------------------------------------------------------------


def test_embed_checks_npy_before_writing_anything(tmp_path: Path) -> None:
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\nb c a\n", encoding="utf-8")
    result = invoke("embed", corpus, "--min-count", "1", "-o", tmp_path / "v.txt", "--npy",
                    tmp_path / "missing" / "p")
    assert result.exit_code == 1 and "does not exist" in flat(result.stderr)
    assert os.listdir(tmp_path) == ["c.txt"]
    result = invoke("embed", corpus, "--min-count", "1", "-q", "-o", tmp_path / "v.txt",
                    "--npy", tmp_path / "p", "--subsample", "0")
    assert result.exit_code == 0, result.stderr
    assert sorted(os.listdir(tmp_path)) == ["c.txt", "p.npy", "p.vocab.txt", "v.txt"]
    assert np.load(tmp_path / "p.npy").shape[0] == 3


def test_cluster_commits_all_outputs_or_none(tmp_path: Path) -> None:
    graph = tmp_path / "g.txt"
    graph.write_text(GRAPH)
    result = invoke("cluster", graph, "--clu", tmp_path / "m.clu", "-o",
                    tmp_path / "missing" / "m.tsv")
    assert result.exit_code == 1 and os.listdir(tmp_path) == ["g.txt"]
    bad = tmp_path / "bad.txt"
    bad.write_text("a b\nb\n")
    result = invoke("cluster", bad, "--clu", tmp_path / "m.clu", "--tree", tmp_path / "m.tree",
                    "-o", tmp_path / "m.tsv")
    assert result.exit_code == 1 and sorted(os.listdir(tmp_path)) == ["bad.txt", "g.txt"]
    result = invoke("cluster", graph, "-q", "--clu", tmp_path / "m.clu", "--tree",
                    tmp_path / "m.tree", "-o", tmp_path / "m.tsv")
    assert result.exit_code == 0
    assert sorted(os.listdir(tmp_path)) == ["bad.txt", "g.txt", "m.clu", "m.tree", "m.tsv"]


def test_two_outputs_naming_one_file_are_refused(tmp_path: Path) -> None:
    # `cluster -o x --clu x` wrote both and kept one: the other output was silently lost
    graph = tmp_path / "g.txt"
    graph.write_text(GRAPH)
    out = tmp_path / "x.tsv"
    out.write_text("old\n")
    (tmp_path / "link.tsv").symlink_to("x.tsv")
    os.link(out, tmp_path / "hard.tsv")
    for clash in (["-o", out, "--clu", out], ["-o", out, "--tree", tmp_path / "link.tsv"],
                  ["-o", tmp_path / "hard.tsv", "--ftree", out],
                  ["-o", out, "--clu", tmp_path / "." / "x.tsv"]):
        result = invoke("cluster", graph, "-q", *clash)
        assert result.exit_code == 2, (clash, result.stderr)
        assert "are the same file" in flat(result.stderr), result.stderr
    assert out.read_text() == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["g.txt", "hard.tsv", "link.tsv", "x.tsv"]
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n" * 5)
    result = invoke("embed", corpus, "-q", "--min-count", "1", "-o", tmp_path / "v.npy",
                    "--npy", tmp_path / "v")
    assert result.exit_code == 2 and "are the same file" in flat(result.stderr)
    assert not (tmp_path / "v.npy").exists()
    if os.geteuid() == 0:  # a device twice is fine: nothing is replaced
        null = tmp_path / "null"
        with contextlib.suppress(OSError):
            os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            result = invoke("cluster", graph, "-q", "-o", null, "--clu", null)
            assert result.exit_code == 0, result.stderr


def test_output_target_is_checked_before_the_work(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import nlpzero.words.discovery

    def never(*args, **kwargs):
        raise AssertionError("the work started")

    monkeypatch.setattr(nlpzero.words.discovery, "make_finder", never)
    for target, needle in ((tmp_path / "no" / "x", "does not exist"), (tmp_path, "directory")):
        result = invoke("discover", "-", "-o", target, input="中文\n")
        assert result.exit_code == 1 and needle in flat(result.stderr)


def test_map_checks_the_projector_prefix_before_writing_anything(tmp_path: Path) -> None:
    clusters = tmp_path / "c.tsv"
    clusters.write_text("a\t1\t0.5\nb\t1\t0.3\nc\t2\t0.2\n", encoding="utf-8")
    vectors = tmp_path / "v.txt"
    vectors.write_text(VECTORS, encoding="utf-8")
    result = invoke("map", clusters, vectors, "-o", tmp_path / "m.html", "--projector",
                    tmp_path / "missing" / "p")
    assert result.exit_code == 1 and "does not exist" in flat(result.stderr)
    assert sorted(os.listdir(tmp_path)) == ["c.tsv", "v.txt"]

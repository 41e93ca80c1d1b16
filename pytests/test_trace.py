"""QEMU-style -d tracing (in_asm, out_asm, exec, cpu) and -D, under both engines.

Tracing only observes: a traced demo run prints the same serial output
(which includes time CSR values, so the same instruction counts) as an
untraced one, and a run recorded without tracing replays with tracing on
without diverging (the replay compares state hashes at checkpoints and the
final icount and hash). The in_asm log must hold the demo's first
instructions at 0x80000000, disassembled as riscv64-unknown-elf-objdump
disassembles them. Formats: docs/jit.md, "Tracing".
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

BUILD_DIR = Path(os.environ.get("EMU_BUILD_DIR", Path(__file__).resolve().parent.parent / "build"))
EMU = BUILD_DIR / "emu-system-riscv64"
IMAGES = Path(os.environ.get("EMU_GUEST_IMAGES", Path.home() / ".cache" / "emu" / "guest-images"))
DEMO = IMAGES / "demo" / "demo.elf"
OBJDUMP = "riscv64-unknown-elf-objdump"
TIMEOUT = 120
ENGINES = {"jit": [], "interpreter": ["-accel", "tcg,jit=off"]}


def run_demo(*extra):
    args = [str(EMU), "-M", "virt", "-bios", "none", "-nographic", "-kernel", str(DEMO), *map(str, extra)]
    return subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)


@pytest.fixture(scope="module", autouse=True)
def prerequisites():
    if not EMU.exists():
        pytest.fail(f"{EMU} not found: build first or set EMU_BUILD_DIR")
    if not DEMO.exists():
        pytest.fail(f"{DEMO} not found: run guest-images/build-all.sh or set EMU_GUEST_IMAGES")


def objdump_lines():
    """{address: (bits, 'mnemonic operands')} for the demo, as objdump prints them."""
    text = subprocess.run([OBJDUMP, "-d", str(DEMO)], capture_output=True, text=True, check=True).stdout
    lines = {}
    for match in re.finditer(r"^\s*([0-9a-f]+):\s+([0-9a-f]+)\s+(\S+)\s*([^#<\n]*)", text, re.M):
        lines[int(match[1], 16)] = (match[2], f"{match[3]} {match[4].strip()}".strip())
    return lines


def in_asm_lines(log):
    """{address: (bits, 'mnemonic operands')} from the in_asm lines of a trace log."""
    lines = {}
    for match in re.finditer(r"^0x([0-9a-f]{16}):  ([0-9a-f]+) +(\S+) *(.*)$", log, re.M):
        lines.setdefault(int(match[1], 16), (match[2], f"{match[3]} {match[4].strip()}".strip()))
    return lines


@pytest.mark.parametrize("engine", ENGINES)
def test_tracing_leaves_the_run_unchanged_and_logs_the_demo(tmp_path, engine):
    plain = run_demo(*ENGINES[engine])
    assert plain.returncode == 0, plain.stderr.decode()
    log_path = tmp_path / "trace.log"
    traced = run_demo(*ENGINES[engine], "-d", "in_asm,exec", "-D", log_path)
    assert traced.returncode == 0, traced.stderr.decode()
    assert traced.stdout == plain.stdout  # includes time CSR readings: the same instruction counts
    assert traced.stderr == plain.stderr  # the log went to the file

    with open(log_path) as file:  # the interpreter's exec trace is ~250 MB: the start is enough
        log = file.read(4 << 20)
    log_path.unlink()
    assert "IN: \n0x0000000080000000:  f14022f3" in log
    assert re.search(r"^Trace 0: \[0000000000000000/0000000080000000/3\]$", log, re.M), log[:2000]
    traced_code = in_asm_lines(log)
    reference = objdump_lines()
    # The demo's first instructions, address and encoding as objdump shows them.
    for address in (0x80000000, 0x80000004):
        assert traced_code[address][0] == reference[address][0]
    # The disassembly agrees with objdump's (objdump prints pseudo-instructions
    # like csrr; compare the mnemonic of the non-pseudo ones).
    mnemonic, operands = traced_code[0x80000000][1].split(" ", 1)
    assert (mnemonic, operands.replace(" ", "")) in {("csrr", "t0,mhartid"), ("csrrs", "t0,mhartid,zero")}
    assert reference[0x80000000][1] == "csrr t0,mhartid"


def test_out_asm_shows_each_blocks_host_code(tmp_path):
    log_path = tmp_path / "trace.log"
    traced = run_demo("-accel", "tcg,jit-threshold=1", "-d", "in_asm,out_asm", "-D", log_path)
    assert traced.returncode == 0, traced.stderr.decode()
    log = log_path.read_text()
    # Every translated block: its guest code, then its host code with the size.
    blocks = re.findall(r"^IN: \n((?:0x[0-9a-f]{16}:.*\n)+)\nOUT: \[size=(\d+)\]\n((?:.+\n)+)", log, re.M)
    assert len(blocks) > 10, log[:2000]
    reference = objdump_lines()
    translated = {address: code for guest, _, _ in blocks for address, code in in_asm_lines(guest).items()}
    demo_code = {address for address in translated if address in reference}
    assert len(demo_code) > 20
    assert all(translated[address][0] == reference[address][0] for address in demo_code)
    for guest, size, host in blocks:
        assert int(size) > 0
        # Every block checks the budget left against its length first.
        assert host.startswith("cmp qword ptr [r12+"), host[:200]
    untraced = run_demo("-accel", "tcg,jit-threshold=1")
    assert traced.stdout == untraced.stdout


def test_out_asm_under_the_interpreter_shows_nothing(tmp_path):
    log_path = tmp_path / "trace.log"
    result = run_demo("-accel", "tcg,jit=off", "-d", "out_asm", "-D", log_path)
    assert result.returncode == 0, result.stderr.decode()
    assert log_path.read_text() == ""


@pytest.mark.parametrize("engine", ENGINES)
def test_cpu_dump_goes_to_stderr_by_default(engine):
    # A whole run dumps hundreds of MB: read the start, then stop emu.
    args = [str(EMU), "-M", "virt", "-bios", "none", "-nographic", "-kernel", str(DEMO), *ENGINES[engine], "-d", "cpu"]
    with subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as emu:
        stderr = emu.stderr.read(64 * 1024).decode()
        emu.kill()
    assert stderr.startswith("\nCPU#0\n pc       0000000000001000\n"), stderr[:500]
    assert re.search(r"^ pc       0000000080000000$", stderr, re.M)
    assert re.search(r"^ x4/tp    0{16} x5/t0    ", stderr, re.M)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_recording_without_tracing_replays_with_tracing(tmp_path, engine):
    log = tmp_path / "demo.rr"
    record = run_demo("-icount", f"shift=0,rr=record,rrfile={log},rrcheckpoint=1000")
    assert record.returncode == 0, record.stderr.decode()
    replay = run_demo(*ENGINES[engine], "-d", "exec,in_asm", "-D", tmp_path / "trace.log",
                      "-icount", f"shift=0,rr=replay,rrfile={log}")
    assert replay.returncode == 0, replay.stderr.decode()
    assert replay.stdout == record.stdout
    with open(tmp_path / "trace.log") as file:
        assert "Trace 0: [0000000000000000/0000000000001000/3]" in file.read(4096)
    (tmp_path / "trace.log").unlink()


def test_help_lists_the_items():
    result = subprocess.run([str(EMU), "-d", "help"], capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0
    for item in ("in_asm", "out_asm", "exec", "cpu"):
        assert re.search(rf"^{item} +\S", result.stdout, re.M), result.stdout


@pytest.mark.parametrize("items", ["bogus", "in_asm,bogus", ""])
def test_unknown_item_is_one_clear_error(items):
    result = run_demo("-d", items)
    lines = result.stderr.decode().strip("\n").split("\n")
    assert result.returncode == 1
    assert len(lines) == 1, lines
    assert lines[0].startswith("emu-system-riscv64: -d ")
    assert "unknown log item" in lines[0]


def test_unwritable_log_file_is_one_clear_error(tmp_path):
    result = run_demo("-d", "exec", "-D", tmp_path / "missing" / "trace.log")
    lines = result.stderr.decode().strip("\n").split("\n")
    assert result.returncode == 1
    assert len(lines) == 1 and "-D " in lines[0] and "trace.log" in lines[0], lines

"""Human monitor (HMP) commands through QMP's human-monitor-command.

Checked against Debian's qemu-system-riscv64 7.2; emu copies the layouts.
Text output uses CRLF line ends. Register and memory tests assert the shape
of the output and compare memory with the bytes of the ELF that was loaded,
never with values copied from a QEMU run.
"""

import re

import pytest

from emutest import GuestImages, Machine, is_qemu
from emutest.guests import elf_load_segments
from emutest.hmp import FLOAT_ABI_NAMES, INTEGER_ABI_NAMES, parse_registers, registers_of, split_cpus

PAUSED_BOARD = ["-M", "virt", "-bios", "none", "-S"]


@pytest.fixture(scope="module")
def board(emu_binary):
    """A paused two-hart board without a guest, shared by the read-only tests."""
    with Machine(PAUSED_BOARD + ["-smp", "2"], binary=emu_binary, name="shared board") as vm:
        yield vm


@pytest.fixture
def hmp(board):
    board.qmp.resync()
    return board.hmp


@pytest.fixture(scope="module")
def demo_board(emu_binary):
    """The demo loaded but not started (-S): memory at 0x80000000 holds its code."""
    with Machine(PAUSED_BOARD + ["-kernel", GuestImages().demo], binary=emu_binary, name="demo board") as vm:
        yield vm


@pytest.fixture
def demo_code(guest_images):
    """(address, bytes) of the demo's first load segment."""
    address, data = elf_load_segments(guest_images.demo)[0]
    assert len(data) >= 64
    return address, data


def lines_of(text):
    assert text.endswith("\r\n"), repr(text)
    return text[:-2].split("\r\n")


# ---- help and errors -------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "cont|c  -- resume emulation",
    "stop|s  -- stop emulation",
    "quit|q  -- quit the emulator",
    "system_reset  -- reset the system",
    "info [subcommand] -- show various information about the system state",
    "x /fmt addr -- virtual memory dump starting at 'addr'",
    "xp /fmt addr -- physical memory dump starting at 'addr'",
    "print|p /fmt expr -- print expression value (use $reg for CPU register access)",
    "memsave addr size file -- save to disk virtual memory dump starting at 'addr' of size 'size'",
    "pmemsave addr size file -- save to disk physical memory dump starting at 'addr' of size 'size'",
    "help|? [cmd] -- show the help",
])
def test_help_lists_the_command(hmp, line):
    assert line in lines_of(hmp("help"))


def test_help_for_one_command(hmp):
    assert hmp("help stop") == "stop|s  -- stop emulation\r\n"
    assert hmp("help x") == "x /fmt addr -- virtual memory dump starting at 'addr'\r\n"
    assert hmp("help info status") == "info status  -- show the current VM status (running|paused)\r\n"


@pytest.mark.parametrize("line", [
    "info status  -- show the current VM status (running|paused)",
    "info cpus  -- show infos for each CPU",
    "info chardev  -- show the character devices",
    "info version  -- show the version of QEMU",
])
def test_info_alone_lists_the_subcommands(hmp, line):
    lines = lines_of(hmp("info"))
    assert line in lines
    assert lines == lines_of(hmp("help info"))
    assert any(entry.startswith("info registers ") for entry in lines)
    assert any(entry.startswith("info mtree ") for entry in lines)


def test_unknown_command(hmp):
    assert hmp("foo") == "unknown command: 'foo'\r\n"
    assert hmp("info foo") == "unknown command: 'info foo'\r\n"


def test_missing_and_extra_arguments(hmp):
    assert hmp("x") == 'unexpected end of expression\r\nTry "help x" for more information\r\n'
    assert hmp("q 1") == 'quit|q: extraneous characters at the end of line\r\nTry "help q" for more information\r\n'


# ---- info -------------------------------------------------------------------------

def test_info_status_follows_the_run_state(machine):
    vm = machine(PAUSED_BOARD)
    assert vm.hmp("info status") == "VM status: paused (prelaunch)\r\n"
    vm.qmp.command("cont")
    assert vm.hmp("info status") == "VM status: running\r\n"
    vm.qmp.command("stop")
    assert vm.hmp("info status") == "VM status: paused\r\n"


REQUIRED_CSRS = ["mhartid", "mstatus", "mip", "mie", "mideleg", "medeleg", "mtvec", "stvec", "mepc", "sepc",
                 "mcause", "scause", "mtval", "stval", "mscratch", "sscratch", "satp"]


def test_info_registers_layout(hmp):
    text = hmp("info registers")
    lines = lines_of(text)
    # A blank line, then "CPU#0", then one register per line, then GPRs and FPRs four per line.
    assert lines[0] == "" and lines[1] == "CPU#0"
    body = lines[2:]
    if body[0].startswith(" V "):
        assert re.fullmatch(r" V      =   [01]", body[0])  # only with the hypervisor extension
        body = body[1:]
    single = [line for line in body if not line.startswith(" x") and not line.startswith(" f")]
    for line in single:
        assert re.fullmatch(r" \S+ +[0-9a-f]{16}", line) and len(line) == 1 + 8 + 1 + 16, repr(line)
    assert single[0].split() == ["pc", single[0].split()[1]]
    csr_names = [line.split()[0] for line in single[1:]]
    assert set(REQUIRED_CSRS) <= set(csr_names), set(REQUIRED_CSRS) - set(csr_names)
    assert csr_names[0] == "mhartid"

    expected_gpr_names = [f"x{index}/{name}" for index, name in enumerate(INTEGER_ABI_NAMES)]
    expected_fpr_names = [f"f{index}/{name}" for index, name in enumerate(FLOAT_ABI_NAMES)]
    grouped = [line for line in body if line not in single]
    assert len(grouped) == 16
    names = []
    for line in grouped:
        entries = re.findall(r" (\S+) +([0-9a-f]{16})", line)
        assert len(entries) == 4, repr(line)
        # Each entry is " %-8s %016x": the name padded to 8 columns.
        assert line == "".join(f" {name:<8} {value}" for name, value in entries), repr(line)
        names += [name for name, _ in entries]
    assert names == expected_gpr_names + expected_fpr_names

    registers = registers_of(text)
    assert registers["x0"] == 0 and registers["zero"] == 0
    assert registers["mhartid"] == 0


def test_info_registers_all_cpus(hmp):
    blocks = split_cpus(hmp("info registers -a"))
    assert sorted(blocks) == [0, 1]
    for index, lines in blocks.items():
        assert parse_registers(lines)["mhartid"] == index
    assert sorted(split_cpus(hmp("info registers"))) == [0]


def test_info_cpus(board, hmp):
    lines = lines_of(hmp("info cpus"))
    thread_ids = {cpu["cpu-index"]: cpu["thread-id"] for cpu in board.qmp.command("query-cpus-fast")}
    assert lines == [f"* CPU #0: thread_id={thread_ids[0]}", f"  CPU #1: thread_id={thread_ids[1]}"]


def test_info_mtree_shows_ram_and_uart(hmp):
    text = hmp("info mtree")
    assert "address-space: memory\r\n" in text
    # Default -m is 128 MiB at 0x80000000; the ns16550a has 8 registers at 0x10000000.
    assert re.search(r"^ +0000000080000000-0000000087ffffff \(prio 0, ram\): \S+\r$", text, re.MULTILINE), text
    assert re.search(r"^ +0000000010000000-0000000010000007 \(prio 0, i/o\): serial\r$", text, re.MULTILINE), text
    assert re.search(r"^ +0000000000100000-0000000000100fff \(prio 0, i/o\): \S+\r$", text, re.MULTILINE), text


def test_info_chardev_matches_query_chardev(board, hmp):
    expected = [f"{entry['label']}: filename={entry['filename']}" for entry in board.qmp.command("query-chardev")]
    assert lines_of(hmp("info chardev")) == expected
    assert f"serial0: filename=unix:{board.serial_socket},server=on" in expected


def test_info_version_matches_query_version(board, hmp):
    version = board.qmp.command("query-version")
    qemu = version["qemu"]
    # No separator between the number and the package string: QEMU prints them back to back.
    assert hmp("info version") == f"{qemu['major']}.{qemu['minor']}.{qemu['micro']}{version['package']}\r\n"


# ---- run control ----------------------------------------------------------------------

def test_stop_cont_and_reset_from_hmp(machine):
    vm = machine(PAUSED_BOARD)
    assert vm.hmp("c") == ""
    vm.wait_event("RESUME")
    assert vm.hmp("stop") == ""
    vm.wait_event("STOP")
    assert vm.hmp("cont") == ""
    vm.wait_event("RESUME")
    assert vm.hmp("s") == ""
    vm.wait_event("STOP")
    assert vm.hmp("system_reset") == ""
    assert vm.wait_event("RESET")["data"] == {"guest": False, "reason": "host-qmp-system-reset"}
    assert vm.qmp.command("query-status")["status"] == "prelaunch"


def test_quit_from_hmp(machine):
    vm = machine(PAUSED_BOARD)
    assert vm.hmp("quit") == ""
    assert vm.wait_event("SHUTDOWN")["data"] == {"guest": False, "reason": "host-qmp-quit"}
    assert vm.wait() == 0


# ---- memory -------------------------------------------------------------------------

def expected_dump(address, data, count, size, fmt="x"):
    """QEMU's memory_dump layout: 16 bytes per line (8 for bytes), "%016x:" then the values."""
    values = [int.from_bytes(data[i * size:(i + 1) * size], "little") for i in range(count)]
    per_line = (8 if size == 1 else 16) // size
    lines = []
    for start in range(0, count, per_line):
        if fmt == "x":
            words = [f"0x{value:0{size * 2}x}" for value in values[start:start + per_line]]
        else:  # "d": right-aligned in the widest decimal of that size
            width = (size * 8 * 10 + 32) // 33
            words = [f"{value:>{width}}" for value in values[start:start + per_line]]
        lines.append(f"{address + start * size:016x}: " + " ".join(words))
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.guest("demo")
@pytest.mark.parametrize("command, count, size, fmt", [
    ("x /4xw", 4, 4, "x"),
    ("x /8xw", 8, 4, "x"),
    ("x /2xg", 2, 8, "x"),
    ("x /3xh", 3, 2, "x"),
    ("x /10xb", 10, 1, "x"),
    ("x /2dw", 2, 4, "d"),
    ("xp /4xw", 4, 4, "x"),
    ("xp /12xb", 12, 1, "x"),
])
def test_memory_dump(demo_board, demo_code, command, count, size, fmt):
    address, data = demo_code
    demo_board.qmp.resync()
    assert demo_board.hmp(f"{command} 0x{address:x}") == expected_dump(address, data, count, size, fmt)


@pytest.mark.guest("demo")
@pytest.mark.parametrize("command", ["memsave", "pmemsave"])
def test_memsave_writes_the_bytes(demo_board, demo_code, tmp_path, command):
    address, data = demo_code
    output = tmp_path / f"{command}.bin"
    # Quoted: unquoted, "64 /tmp/..." would parse as the expression 64 / tmp.
    assert demo_board.hmp(f'{command} 0x{address:x} 48 "{output}"') == ""
    assert output.read_bytes() == data[:48]


# ---- print ------------------------------------------------------------------------------

@pytest.mark.parametrize("command, answer", [
    ("p/x 0x10 + 2", "0x12"),
    ("print/x 100", "0x64"),
    ("p/d 0x10", "16"),
    ("p/x (3 * 4) - 2", "0xa"),
    ("p/d -1", "-1"),
])
def test_print_expressions(hmp, command, answer):
    assert hmp(command) == answer + "\r\n"


def test_print_remembers_the_last_format(hmp):
    # Like gdb, a format given once stays the default for later commands, and
    # the memory left by one human-monitor-command is seen by the next.
    assert hmp("p/d 0x20") == "32\r\n"
    assert hmp("p 0x20") == "32\r\n"
    assert hmp("p/x 32") == "0x20\r\n"
    assert hmp("p 32") == "0x20\r\n"


def test_print_pc(hmp):
    answer = hmp("p/x $pc")
    if is_qemu():
        # QEMU 7.2 defines no monitor registers for RISC-V.
        assert answer == 'unknown register\r\nTry "help p" for more information\r\n'
    else:
        # emu may offer $pc; if it does, it is the pc that info registers shows.
        pc = registers_of(hmp("info registers"))["pc"]
        assert answer in ('unknown register\r\nTry "help p" for more information\r\n', f"0x{pc:x}\r\n")

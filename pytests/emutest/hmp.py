"""Reading the text of human monitor commands (QEMU 7.2's layouts, which emu copies), and
typing them at an interactive monitor."""

import re

# The interactive monitor's prompt; the answer to a typed line ends with the next one.
PROMPT = "(qemu) "
_UNTIL_PROMPT = re.compile(r"(.*?)\(qemu\) ", re.S)

# `info registers` on riscv64 prints, per CPU:
#     "CPU#0"
#     " V      =   0"                        (only with the hypervisor extension)
#     " pc       0000000080000000"           one register per line: " %-8s %016x"
#     " mhartid  0000000000000000"           ... CSRs, same layout
#     " x0/zero  0000000000000000 x1/ra    ..."   GPRs and FPRs, four per line
REGISTER_ENTRY = re.compile(r" (\S+) +([0-9a-f]{16})")

INTEGER_ABI_NAMES = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
]
FLOAT_ABI_NAMES = [
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
    "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
]


def split_cpus(text: str) -> dict:
    """{cpu index: that CPU's block of lines} from `info registers` (-a) output."""
    blocks = {}
    current = None
    for line in text.replace("\r\n", "\n").split("\n"):
        header = re.fullmatch(r"CPU#(\d+)", line)
        if header:
            current = int(header.group(1))
            blocks[current] = []
        elif current is not None and line:
            blocks[current].append(line)
    return blocks


def parse_registers(lines) -> dict:
    """{name: value} from one CPU's lines; "x10/a0" is stored under "x10/a0", "x10" and "a0"."""
    registers = {}
    for line in lines:
        for name, value in REGISTER_ENTRY.findall(line):
            registers[name] = int(value, 16)
            for part in name.split("/"):
                registers[part] = int(value, 16)
    return registers


def registers_of(text: str, cpu: int = 0) -> dict:
    """The registers of one CPU from `info registers` output."""
    blocks = split_cpus(text)
    if cpu not in blocks:
        raise ValueError(f"no CPU#{cpu} in info registers output:\n{text}")
    return parse_registers(blocks[cpu])


def answer_of(typed: str) -> str:
    """The answer in what a terminal showed between typing a line (Enter) and the next prompt.

    The monitor echoes the line first: QEMU redraws it after every key with escape
    sequences, emu echoes it plainly; either way the echo ends at the first line end.
    Line ends in the answer become "\\n".
    """
    typed = typed.replace("\r\r\n", "\r\n")  # a pty's output processing adds a \r to "\r\n"
    echo_end = typed.find("\r\n")
    return typed[echo_end + 2:].replace("\r\n", "\n") if echo_end >= 0 else ""


class HmpTerminal:
    """A person at an interactive HMP monitor: reads the prompt, types a line, reads the answer.

        terminal = vm.connect_monitor()          # Machine(..., monitor=True)
        terminal.banner                           # "QEMU 7.2.0 monitor - type 'help' ..."
        terminal.command("info status")           # -> "VM status: running\\n"

    `console` is an emutest Console on the monitor's socket (its output is the
    whole session, as the person saw it).
    """

    def __init__(self, console, *, timeout: float = None):
        self.console = console
        self.banner = console.expect(_UNTIL_PROMPT, timeout).group(1).replace("\r\n", "\n")

    def command(self, line: str, *, timeout: float = None) -> str:
        """Types `line` and Enter; returns the answer (without the echo and the next prompt)."""
        self.console.send(line + "\r")
        return answer_of(self.console.expect(_UNTIL_PROMPT, timeout).group(1))

    def quit(self, *, timeout: float = None) -> bool:
        """Types `q`; returns whether the monitor then closed the connection (the emulator exits)."""
        self.console.send("q\r")
        return self.console.wait_closed(timeout)

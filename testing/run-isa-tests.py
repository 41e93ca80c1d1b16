#!/usr/bin/python3
"""Runs emu's ISA test programs (built by guest-images/build-isa-tests.sh).

Each test is a bare-metal ELF for QEMU's riscv64 `virt` board that exits
through sifive_test: exit status 0 = pass, otherwise the number of the
failing case; the UART output says why. Every test runs as

    EMULATOR -M virt -bios none -nographic -m 128M -kernel TEST

on emu (default: build/emu-system-riscv64), on Debian's qemu-system-riscv64
(--peer) or on both (--both, two result columns). --emulator-args adds
arguments to emu's command line only (e.g. "-accel tcg,jit=off" runs the
interpreter instead of the JIT). One line per test, then a
final line "N passed, M failed". Exit status is non-zero if anything failed
or no test ran.

Standard library only; run with Debian's /usr/bin/python3.
"""

import argparse
import concurrent.futures
import fnmatch
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_EMULATOR = REPO / "build" / "emu-system-riscv64"
DEFAULT_TESTS = REPO / "guest-images" / "out" / "isa"
BUILD_SCRIPT = REPO / "guest-images" / "build-isa-tests.sh"
PEER = "qemu-system-riscv64"
MACHINE_ARGS = ["-M", "virt", "-bios", "none", "-nographic", "-m", "128M"]
OUTPUT_LIMIT = 4000  # characters of guest output shown for a failure


@dataclass
class Outcome:
    passed: bool
    summary: str  # "PASS", "FAIL (exit 3)", "TIMEOUT", ...
    output: str
    seconds: float


def run_one(emulator: str, extra_args: list[str], test: Path, timeout: float) -> Outcome:
    command = [emulator, *MACHINE_ARGS, *extra_args, "-kernel", str(test)]
    started = time.monotonic()
    try:
        # Own session, so a timeout kills the emulator and anything it spawned.
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as error:
        return Outcome(False, "ERROR", f"cannot start {emulator}: {error}", 0.0)
    try:
        output, _ = process.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        output, _ = process.communicate()
    seconds = time.monotonic() - started
    text = output.decode("utf-8", errors="replace")
    if timed_out:
        return Outcome(False, f"TIMEOUT ({timeout:g} s)", text, seconds)
    if process.returncode == 0:
        return Outcome(True, "PASS", text, seconds)
    if process.returncode < 0:
        return Outcome(False, f"FAIL (signal {-process.returncode})", text, seconds)
    return Outcome(False, f"FAIL (exit {process.returncode})", text, seconds)


def find_tests(directory: Path, patterns: list[str]) -> list[Path]:
    tests = sorted(path for path in directory.glob("rv64*-*-*")
                   if path.is_file() and not path.suffix and os.access(path, os.R_OK))
    if not patterns:
        return tests
    names = {test.name for test in tests}

    def selected(name: str) -> bool:
        for pattern in patterns:
            if pattern in names:  # an exact test name selects just that test
                if name == pattern:
                    return True
            elif any(c in pattern for c in "*?["):
                if fnmatch.fnmatch(name, pattern):
                    return True
            elif pattern in name:
                return True
        return False

    return [test for test in tests if selected(test.name)]


def indented(text: str) -> str:
    text = text.strip("\n")
    if len(text) > OUTPUT_LIMIT:
        text = "...\n" + text[-OUTPUT_LIMIT:]
    return "".join(f"    | {line}\n" for line in text.splitlines()) if text else "    | (no output)\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("patterns", nargs="*",
                        help="run only these tests: an exact name, a glob, or a substring")
    chooser = parser.add_mutually_exclusive_group()
    chooser.add_argument("--emulator", metavar="PATH", default=str(DEFAULT_EMULATOR),
                         help=f"emulator binary (default: {DEFAULT_EMULATOR.relative_to(REPO)})")
    chooser.add_argument("--peer", action="store_true", help=f"run on {PEER} instead of emu")
    parser.add_argument("--both", action="store_true",
                        help=f"run each test on emu (--emulator) and on {PEER}")
    parser.add_argument("--emulator-args", metavar="ARGS", default="",
                        help="extra arguments for emu only, one shell-quoted string "
                             "(e.g. '-accel tcg,jit=off')")
    parser.add_argument("--tests", metavar="DIR", type=Path, default=DEFAULT_TESTS,
                        help="directory with the built tests (default: guest-images/out/isa)")
    parser.add_argument("--no-build", action="store_true",
                        help="do not run the (incremental) build script first")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per run (default 10)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="parallel runs (default 2)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show guest output and run time for passing tests too")
    parser.add_argument("--list", action="store_true", help="list the selected tests and exit")
    arguments = parser.parse_args()

    if not arguments.no_build:
        build = subprocess.run([str(BUILD_SCRIPT), str(arguments.tests)])
        if build.returncode != 0:
            print("run-isa-tests: building the tests failed", file=sys.stderr)
            return 1
    if not arguments.tests.is_dir():
        print(f"run-isa-tests: no test directory {arguments.tests} "
              f"(build with {BUILD_SCRIPT.relative_to(REPO)})", file=sys.stderr)
        return 1
    tests = find_tests(arguments.tests, arguments.patterns)
    if arguments.list:
        for test in tests:
            print(test.name)
        return 0 if tests else 1

    emu_args = shlex.split(arguments.emulator_args)
    if arguments.both:
        columns = [("emu", arguments.emulator, emu_args), ("qemu", PEER, [])]
    elif arguments.peer:
        columns = [("qemu", PEER, [])]
    else:
        columns = [("emu", arguments.emulator, emu_args)]
    for label, emulator, _ in columns:
        if label == "emu" and not (Path(emulator).is_file() and os.access(emulator, os.X_OK)):
            print(f"run-isa-tests: emulator {emulator} not found or not executable", file=sys.stderr)
            return 1

    started = time.monotonic()
    jobs = [(test, label, emulator, extra) for test in tests for label, emulator, extra in columns]
    results: dict[tuple[str, str], Outcome] = {}
    passed = failed = 0
    per_column = {label: [0, 0] for label, _, _ in columns}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, arguments.jobs)) as pool:
        futures = {(test.name, label): pool.submit(run_one, emulator, extra, test, arguments.timeout)
                   for test, label, emulator, extra in jobs}
        # Report in name order as soon as each test's runs are all done.
        for test in tests:
            outcomes = []
            for label, _, _ in columns:
                outcome = futures[(test.name, label)].result()
                results[(test.name, label)] = outcome
                outcomes.append((label, outcome))
                per_column[label][0 if outcome.passed else 1] += 1
            test_passed = all(outcome.passed for _, outcome in outcomes)
            passed += test_passed
            failed += not test_passed
            if len(columns) == 1:
                status = outcomes[0][1].summary
            else:
                status = "  ".join(f"{label}: {outcome.summary:<16}" for label, outcome in outcomes)
            timing = ""
            if arguments.verbose:
                timing = "  [" + ", ".join(f"{o.seconds:.2f} s" for _, o in outcomes) + "]"
            print(f"{'PASS' if test_passed else 'FAIL'}  {test.name:<34} {status}{timing}", flush=True)
            for label, outcome in outcomes:
                if not outcome.passed or arguments.verbose:
                    if len(columns) > 1:
                        print(f"    {label}:")
                    print(indented(outcome.output), end="")

    elapsed = time.monotonic() - started
    if len(columns) > 1:
        print("; ".join(f"{label}: {counts[0]} passed, {counts[1]} failed"
                        for label, counts in per_column.items()))
    print(f"({len(tests)} tests in {elapsed:.1f} s)")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""pytest plugin: fixtures that start machines, guest-image markers, failure reports.

Fixtures
    machine       factory: machine(args, **Machine options) -> a started Machine; every machine
                  it made is shut down at teardown.
    vm            one started Machine built from @pytest.mark.machine_args(*args, **options),
                  or from DEFAULT_VM_ARGS (-M virt -bios none -S: a paused board, no guest).
    qmp           vm.qmp (negotiated QMP client)
    console       vm.console (serial console)
    guest_images  GuestImages: paths of the images named by @pytest.mark.guest(...)
    counter_guest a tiny ELF built at test time whose hart 0 counts in a0 forever
    echo_guest    a tiny ELF whose hart 0 echoes its serial input upper-cased
    emu_binary    the binary under test (EMU_BINARY), checked to exist

Markers
    guest(*names)           the test needs these guest images (demo, isa, bench, linux,
                            opensbi, uboot); a missing one is a test ERROR, never a skip.
    machine_args(*args, **options)   arguments (and Machine options) for the `vm` fixture.

On failure, every machine the test started (through the fixtures or by
constructing Machine directly), and every Machine that is the value of a
fixture it used (a module-scoped shared machine, say), adds report
sections: command line, serial console output, QMP transcript (each message
with its direction), stderr (and stdout if any). The same texts go into the
report's and the item's user_properties, so --junitxml carries them too.
"""

import pytest

from . import config as emu_config, machine as machine_module
from .guests import COUNTER_SOURCE, ECHO_SOURCE, GuestBuildError, build_bare_metal_elf
from .images import KNOWN_IMAGES, GuestImages
from .machine import Machine

DEFAULT_VM_ARGS = ("-M", "virt", "-bios", "none", "-S")

_machines_key = pytest.StashKey[list]()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "guest(*names): needs these guest images (" + ", ".join(KNOWN_IMAGES)
        + "); a missing image is an error, not a skip")
    config.addinivalue_line(
        "markers", "machine_args(*args, **options): command line and Machine options for the vm fixture")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Collects every Machine started while this test runs (setup, call, teardown)."""
    started = item.stash.setdefault(_machines_key, [])
    previous = machine_module.set_observer(started.append)
    try:
        yield
    finally:
        machine_module.set_observer(previous)
        # Drop the references: a Machine the test abandoned (no `with`, no fixture)
        # is then collected, and its finalizer kills and reaps the process.
        started.clear()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Checks the guest images before any fixture runs: missing ones fail the test as an error."""
    images = GuestImages()
    problems = []
    for marker in item.iter_markers(name="guest"):
        if not marker.args:
            problems.append("@pytest.mark.guest needs at least one image name")
        for name in marker.args:
            try:
                absent = images.missing(name)
            except KeyError as error:
                problems.append(str(error.args[0]))
                continue
            problems += [f"guest image {name!r}: {path} is missing" for path in absent]
    if problems:
        pytest.fail("\n".join(problems) + f"\n(EMU_GUEST_IMAGES={images.root}; build them with"
                    " `make guest-images`. A missing image is an error on purpose: it must not pass as a skip.)",
                    pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    for machine in _machines_of(item):
        for title, text in machine.report_sections():
            report.sections.append((title, text))
            report.user_properties.append((title, text))
            # junitxml writes the properties of the teardown report, which copies the item's.
            item.user_properties.append((title, text))


def _machines_of(item):
    """Machines started during the test, plus shared ones (module/session fixtures) it used."""
    machines = list(item.stash.get(_machines_key, []))
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, Machine) and all(value is not known for known in machines):
            machines.append(value)
    return machines


@pytest.fixture(scope="session")
def emu_binary():
    binary = emu_config.emulator_binary()
    if not binary.exists():
        pytest.fail(f"emulator binary {binary} not found: build it (make build) or set EMU_BINARY /"
                    " EMU_BUILD_DIR", pytrace=False)
    return binary


@pytest.fixture
def guest_images():
    return GuestImages()


def build_guest(tmp_path_factory, source: str, name: str):
    """Builds a bare-metal guest from assembly `source` for a fixture; a build failure fails the test."""
    try:
        return build_bare_metal_elf(source, tmp_path_factory.mktemp(f"{name}-guest") / f"{name}.elf")
    except GuestBuildError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def counter_guest(tmp_path_factory):
    """A bare-metal ELF (linked at 0x80000000) whose hart 0 counts in a0 forever."""
    return build_guest(tmp_path_factory, COUNTER_SOURCE, "counter")


@pytest.fixture(scope="session")
def echo_guest(tmp_path_factory):
    """A bare-metal ELF (linked at 0x80000000) that prints "echo guest ready" and echoes input upper-cased."""
    return build_guest(tmp_path_factory, ECHO_SOURCE, "echo")


@pytest.fixture
def machine(emu_binary):
    """Factory: machine(args, **options) -> started Machine; all are shut down at teardown."""
    started = []

    def start(args, **options):
        options.setdefault("name", f"machine{len(started)}")
        options.setdefault("binary", emu_binary)
        instance = Machine(args, **options)
        started.append(instance)
        return instance.start()

    yield start
    for instance in reversed(started):
        instance.shutdown()


@pytest.fixture
def vm(machine, request):
    marker = request.node.get_closest_marker("machine_args")
    if marker is None:
        return machine(list(DEFAULT_VM_ARGS), name="vm")
    options = dict(marker.kwargs)
    options.setdefault("name", "vm")
    args = list(marker.args[0]) if len(marker.args) == 1 and isinstance(marker.args[0], (list, tuple)) \
        else list(marker.args)
    return machine(args, **options)


@pytest.fixture
def qmp(vm):
    return vm.qmp


@pytest.fixture
def console(vm):
    return vm.console

"""QMP conformance: the protocol and the commands emu shares with QEMU 7.2.

Every expectation here was checked against Debian's qemu-system-riscv64 7.2
(run with EMU_BINARY=qemu-system-riscv64); emu must give the same answers.
Exact error classes and descriptions are asserted where management tools (and
people reading logs) see them. The few places where QEMU 7.2 and emu are
allowed to differ are marked with is_qemu() and say why.
"""

import json
import select
import socket
import threading
import time

import pytest

from emutest import Machine, QMPError, is_qemu
from emutest.hmp import registers_of

PAUSED_BOARD = ["-M", "virt", "-bios", "none", "-S"]

NEGOTIATION_REQUIRED = "Expecting capabilities negotiation with 'qmp_capabilities'"


@pytest.fixture(scope="module")
def shared_vm(emu_binary):
    """One paused board shared by the tests that only talk protocol (saves a start per test)."""
    with Machine(PAUSED_BOARD, binary=emu_binary, name="shared vm") as vm:
        yield vm


@pytest.fixture
def shared_qmp(shared_vm):
    """The shared board's QMP client, resynchronized: no leftovers from earlier tests."""
    if not shared_vm.is_running():
        pytest.fail("the shared VM has exited (an earlier test broke it)")
    shared_vm.qmp.resync()
    return shared_vm.qmp


def assert_error(response, error_class, desc=None):
    assert "return" not in response, response
    assert set(response["error"]) == {"class", "desc"}, response
    assert response["error"]["class"] == error_class, response
    assert isinstance(response["error"]["desc"], str) and response["error"]["desc"], response
    if desc is not None:
        assert response["error"]["desc"] == desc, response


def assert_timestamp(event):
    """QMP events carry the host's wall-clock time of emission as {seconds, microseconds}."""
    stamp = event["timestamp"]
    assert set(stamp) == {"seconds", "microseconds"}, event
    assert isinstance(stamp["seconds"], int) and isinstance(stamp["microseconds"], int), event
    assert 0 <= stamp["microseconds"] < 1_000_000, event
    assert abs(stamp["seconds"] + stamp["microseconds"] / 1e6 - time.time()) < 60, event


def drain_until_id(client, request_id, limit=20):
    """Responses up to and including the one carrying request_id."""
    responses = []
    while len(responses) < limit:
        response = client.receive()
        responses.append(response)
        if response.get("id") == request_id:
            return responses
    raise AssertionError(f"no response with id {request_id} among {responses}")


# ---- greeting and capabilities negotiation ---------------------------------

def test_greeting_announces_version_and_capabilities(machine):
    vm = machine(PAUSED_BOARD, negotiate=False)
    greeting = vm.qmp.greeting
    assert set(greeting) == {"QMP"}
    assert set(greeting["QMP"]) == {"version", "capabilities"}
    version = greeting["QMP"]["version"]
    assert set(version) == {"qemu", "package"}
    assert set(version["qemu"]) == {"major", "minor", "micro"}
    assert all(isinstance(version["qemu"][part], int) for part in ("major", "minor", "micro"))
    assert isinstance(version["package"], str)
    capabilities = greeting["QMP"]["capabilities"]
    assert isinstance(capabilities, list) and all(isinstance(name, str) for name in capabilities)


def test_commands_before_negotiation_are_refused_with_command_not_found(machine):
    vm = machine(PAUSED_BOARD, negotiate=False)
    assert_error(vm.qmp.execute("query-version"), "CommandNotFound", NEGOTIATION_REQUIRED)
    # Unknown commands get the same answer while negotiating, and the id is still echoed.
    response = vm.qmp.execute("no-such-command", id=7)
    assert_error(response, "CommandNotFound", NEGOTIATION_REQUIRED)
    assert response["id"] == 7
    assert vm.qmp.execute("qmp_capabilities") == {"return": {}}
    assert "qemu" in vm.qmp.command("query-version")


def test_negotiation_happens_once(shared_qmp):
    # The qmp fixture has negotiated already.
    assert_error(shared_qmp.execute("qmp_capabilities"), "CommandNotFound",
                 "Capabilities negotiation is already complete, command ignored")


def test_negotiation_rejects_unknown_capabilities(machine):
    vm = machine(PAUSED_BOARD, negotiate=False)
    assert_error(vm.qmp.execute("qmp_capabilities", {"enable": ["no-such-capability"]}), "GenericError")
    assert vm.qmp.execute("qmp_capabilities") == {"return": {}}


# ---- message framing and ids -------------------------------------------------

@pytest.mark.parametrize("request_id", [
    5, -7, 1.5, "text", "", True, False, None, [1, 2], {"a": [1, None], "b": {"c": "d"}}, [],
], ids=lambda value: json.dumps(value))
def test_id_is_echoed_verbatim(shared_qmp, request_id):
    response = shared_qmp.execute("query-status", id=request_id)
    assert "return" in response
    assert json.dumps(response["id"]) == json.dumps(request_id)


def test_id_is_echoed_on_errors(shared_qmp):
    response = shared_qmp.execute("no-such-command", id={"tag": [3]})
    assert_error(response, "CommandNotFound", "The command no-such-command has not been found")
    assert response["id"] == {"tag": [3]}


def test_response_without_id_has_no_id(shared_qmp):
    assert "id" not in shared_qmp.execute("query-status")


@pytest.mark.parametrize("text, desc", [
    ('{"execute": }', "JSON parse error, expecting value"),
    ('{"execute" "query-status"}', "JSON parse error, missing : in object pair"),
    ('{"execute": "query-status"]', "JSON parse error, expected separator in dict"),
    ('nonsense', "JSON parse error, invalid keyword 'nonsense'"),
    ('{"execute": tru}', "JSON parse error, invalid keyword 'tru'"),
])
def test_malformed_json_gets_one_error_and_the_connection_stays(shared_qmp, text, desc):
    shared_qmp.send_raw(text + "\n")
    shared_qmp.send_raw('{"execute": "query-status", "id": "after"}\n')
    responses = drain_until_id(shared_qmp, "after")
    assert len(responses) == 2, responses
    assert_error(responses[0], "GenericError", desc)
    assert "return" in responses[1]


@pytest.mark.parametrize("text, desc", [
    ("[1, 2]", "QMP input must be a JSON object"),
    ("42", "QMP input must be a JSON object"),
    ('"text"', "QMP input must be a JSON object"),
    ("null", "QMP input must be a JSON object"),
    ("{}", "QMP input lacks member 'execute'"),
    ('{"foo": 1}', "QMP input member 'foo' is unexpected"),
    ('{"execute": 5}', "QMP input member 'execute' must be a string"),
    ('{"execute": "query-status", "arguments": []}', "QMP input member 'arguments' must be an object"),
    ('{"execute": "query-status", "arguments": null}', "QMP input member 'arguments' must be an object"),
])
def test_valid_json_that_is_not_a_command(shared_qmp, text, desc):
    shared_qmp.send_raw(text + "\n")
    assert_error(shared_qmp.receive(), "GenericError", desc)
    assert "return" in shared_qmp.execute("query-status")


def test_unexpected_member_error_still_echoes_the_id(shared_qmp):
    shared_qmp.send_raw('{"execute": "query-status", "id": 1, "extra": 2}\n')
    response = shared_qmp.receive()
    assert_error(response, "GenericError", "QMP input member 'extra' is unexpected")
    assert response["id"] == 1


def test_single_quoted_strings_are_accepted(shared_qmp):
    # QEMU's JSON parser accepts 'single-quoted' strings (an extension clients use).
    shared_qmp.send_raw("{'execute': 'query-status', 'id': 'single'}\n")
    response = shared_qmp.receive()
    assert response["id"] == "single" and "return" in response


def test_pipelined_requests_are_answered_in_order(shared_qmp):
    commands = ["query-status", "query-name", "no-such-command", "query-kvm", "query-target"] * 4
    batch = "".join(json.dumps({"execute": name, "id": index}) for index, name in enumerate(commands))
    shared_qmp.send_raw(batch + "\n")
    responses = [shared_qmp.receive() for _ in commands]
    assert [response["id"] for response in responses] == list(range(len(commands)))
    for name, response in zip(commands, responses):
        if name == "no-such-command":
            assert_error(response, "CommandNotFound")
        else:
            assert "return" in response


def test_one_command_split_across_writes(shared_qmp):
    for piece in ['{"exe', 'cute": "query-', 'target", "id"', ': 9}\n']:
        shared_qmp.send_raw(piece)
        time.sleep(0.01)
    assert shared_qmp.receive() == {"return": {"arch": "riscv64"}, "id": 9}


# ---- argument checking ---------------------------------------------------------

def test_unknown_command(shared_qmp):
    assert_error(shared_qmp.execute("no-such-command"), "CommandNotFound",
                 "The command no-such-command has not been found")


def test_wrong_argument_type(shared_qmp):
    assert_error(shared_qmp.execute("human-monitor-command", {"command-line": 5}), "GenericError",
                 "Invalid parameter type for 'command-line', expected: string")


def test_missing_argument(shared_qmp):
    assert_error(shared_qmp.execute("human-monitor-command"), "GenericError", "Parameter 'command-line' is missing")
    assert_error(shared_qmp.execute("human-monitor-command", {}), "GenericError", "Parameter 'command-line' is missing")


def test_unexpected_argument(shared_qmp):
    assert_error(shared_qmp.execute("query-status", {"verbose": True}), "GenericError",
                 "Parameter 'verbose' is unexpected")
    assert_error(shared_qmp.execute("human-monitor-command", {"command-line": "info status", "bogus": 1}),
                 "GenericError", "Parameter 'bogus' is unexpected")


def test_command_helper_raises_with_class_and_desc(shared_qmp):
    with pytest.raises(QMPError) as raised:
        shared_qmp.command("no-such-command")
    assert raised.value.error_class == "CommandNotFound"
    assert raised.value.desc == "The command no-such-command has not been found"


# ---- queries ------------------------------------------------------------------------

REQUIRED_COMMANDS = {
    "qmp_capabilities", "query-version", "query-commands", "query-status", "query-name", "query-target",
    "query-machines", "query-cpus-fast", "query-chardev", "query-kvm", "stop", "cont", "system_reset", "quit",
    "human-monitor-command", "memsave", "pmemsave",
}


def test_query_version_matches_the_greeting(shared_qmp):
    assert shared_qmp.command("query-version") == shared_qmp.greeting["QMP"]["version"]


def test_query_commands_lists_the_required_set(shared_qmp):
    commands = shared_qmp.command("query-commands")
    assert all(set(entry) == {"name"} and isinstance(entry["name"], str) for entry in commands)
    names = [entry["name"] for entry in commands]
    assert len(names) == len(set(names))
    assert REQUIRED_COMMANDS <= set(names), REQUIRED_COMMANDS - set(names)


def test_query_status_prelaunch_with_dash_s(shared_qmp):
    assert shared_qmp.command("query-status") == {"status": "prelaunch", "running": False, "singlestep": False}


def test_query_status_running_without_dash_s(machine):
    vm = machine(["-M", "virt", "-bios", "none"])
    assert vm.qmp.command("query-status") == {"status": "running", "running": True, "singlestep": False}


def test_query_name(machine):
    assert machine(PAUSED_BOARD + ["-name", "conformance-vm"]).qmp.command("query-name") == {"name": "conformance-vm"}


def test_query_name_without_name_is_empty(shared_qmp):
    assert shared_qmp.command("query-name") == {}


def test_query_target(shared_qmp):
    assert shared_qmp.command("query-target") == {"arch": "riscv64"}


def test_query_machines_contains_virt(shared_qmp):
    machines = {entry["name"]: entry for entry in shared_qmp.command("query-machines")}
    assert "virt" in machines
    virt = machines["virt"]
    assert isinstance(virt["cpu-max"], int) and virt["cpu-max"] >= 8
    assert virt["hotpluggable-cpus"] is False and virt["deprecated"] is False


def test_query_cpus_fast_has_one_entry_per_hart(machine):
    vm = machine(PAUSED_BOARD + ["-smp", "2"])
    cpus = vm.qmp.command("query-cpus-fast")
    assert [cpu["cpu-index"] for cpu in cpus] == [0, 1]
    for index, cpu in enumerate(cpus):
        assert cpu["qom-path"] == f"/machine/soc0/harts[{index}]"
        assert cpu["target"] == "riscv64"
        assert cpu["props"] == {"core-id": index}
        assert isinstance(cpu["thread-id"], int)


def test_query_chardev_lists_monitor_and_serial(machine):
    vm = machine(PAUSED_BOARD, extra_qmp_monitors=1)
    chardevs = {entry["label"]: entry for entry in vm.qmp.command("query-chardev")}
    assert set(chardevs) == {"compat_monitor0", "compat_monitor1", "serial0"}
    assert all(set(entry) == {"label", "filename", "frontend-open"} for entry in chardevs.values())
    assert all(entry["frontend-open"] is True for entry in chardevs.values())
    # A connected server socket shows its address; one with no client is "disconnected:".
    assert chardevs["compat_monitor0"]["filename"] == f"unix:{vm.qmp_socket(0)},server=on"
    assert chardevs["compat_monitor1"]["filename"] == f"disconnected:unix:{vm.qmp_socket(1)},server=on"
    assert chardevs["serial0"]["filename"] == f"unix:{vm.serial_socket},server=on"


def test_query_kvm(shared_qmp):
    assert shared_qmp.command("query-kvm") == {"enabled": False, "present": False}


def test_human_monitor_command(shared_qmp):
    assert shared_qmp.hmp("info status") == "VM status: paused (prelaunch)\r\n"


# ---- run state and events ----------------------------------------------------------

def test_stop_and_cont_emit_stop_and_resume_before_the_response(qmp):
    assert qmp.command("cont") == {}
    resume = qmp.wait_event("RESUME")
    assert set(resume) == {"event", "timestamp"}
    assert_timestamp(resume)
    assert qmp.command("query-status")["status"] == "running"

    assert qmp.command("stop") == {}
    stop = qmp.wait_event("STOP")
    assert set(stop) == {"event", "timestamp"}
    assert_timestamp(stop)
    assert qmp.command("query-status") == {"status": "paused", "running": False, "singlestep": False}

    # The event is sent before the command's own response.
    kinds = [message.get("event", "response") for message in qmp.received_messages()]
    assert kinds.index("RESUME") < kinds.index("STOP")
    for event_name in ("RESUME", "STOP"):
        assert kinds[kinds.index(event_name) + 1] == "response"


def test_stop_when_stopped_and_cont_when_running_are_silent(qmp):
    qmp.command("stop")  # not running (prelaunch): nothing changes, no event
    assert qmp.command("query-status")["status"] == "prelaunch"
    qmp.command("cont")
    qmp.wait_event("RESUME")
    qmp.command("cont")
    qmp.command("stop")
    qmp.wait_event("STOP")
    qmp.command("stop")
    time.sleep(0.1)
    assert [event["event"] for event in qmp.events()] == ["RESUME", "STOP"]


def test_system_reset_emits_reset(qmp):
    assert qmp.command("system_reset") == {}
    reset = qmp.wait_event("RESET")
    assert reset["data"] == {"guest": False, "reason": "host-qmp-system-reset"}
    assert_timestamp(reset)


def test_system_reset_of_a_paused_vm_returns_it_to_prelaunch(qmp):
    qmp.command("cont")
    qmp.command("stop")
    assert qmp.command("query-status")["status"] == "paused"
    qmp.command("system_reset")
    qmp.wait_event("RESET")
    assert qmp.command("query-status")["status"] == "prelaunch"


def test_system_reset_of_a_running_vm_keeps_it_running(machine):
    vm = machine(["-M", "virt", "-bios", "none"])
    vm.qmp.command("system_reset")
    vm.wait_event("RESET")
    assert vm.qmp.command("query-status")["status"] == "running"


def test_quit_emits_shutdown_then_answers_then_exits(machine):
    vm = machine(PAUSED_BOARD)
    assert vm.qmp.execute("quit", id="bye") == {"return": {}, "id": "bye"}
    shutdown = vm.wait_event("SHUTDOWN")
    assert shutdown["data"] == {"guest": False, "reason": "host-qmp-quit"}
    assert_timestamp(shutdown)
    kinds = [message.get("event", "response") for message in vm.qmp.received_messages()]
    assert kinds[-2:] == ["SHUTDOWN", "response"]
    assert vm.qmp.wait_closed()
    assert vm.wait() == 0


@pytest.mark.guest("demo")
def test_guest_poweroff_exits_zero_and_closes_the_monitor(machine, guest_images):
    vm = machine(["-M", "virt", "-bios", "none", "-kernel", guest_images.demo])
    vm.console.expect("emu demo: powering off")
    assert vm.wait() == 0
    assert vm.qmp.wait_closed()
    shutdowns = vm.events("SHUTDOWN")
    if is_qemu():
        # QEMU 7.2's sifive_test finisher calls exit() directly: no SHUTDOWN event.
        # (Later QEMU versions send one; emu does, as below.)
        assert shutdowns == []
    else:
        assert len(shutdowns) == 1
        assert shutdowns[0]["data"] == {"guest": True, "reason": "guest-shutdown"}


# ---- several clients, disconnects, huge input ----------------------------------------

def test_two_monitors_at_once(machine):
    vm = machine(PAUSED_BOARD, extra_qmp_monitors=1)
    second = vm.connect_qmp(1, negotiate=False)
    assert second.greeting == vm.qmp.greeting
    # Negotiation is per connection: the second client is still negotiating.
    assert_error(second.execute("query-status"), "CommandNotFound", NEGOTIATION_REQUIRED)
    assert "return" in vm.qmp.execute("query-status")
    second.negotiate()
    # Commands from either client act on the same VM; events go to both.
    second.command("cont")
    first_view, second_view = vm.qmp.wait_event("RESUME"), second.wait_event("RESUME")
    assert first_view == second_view
    vm.qmp.command("stop")
    assert second.wait_event("STOP") == vm.qmp.wait_event("STOP")
    assert second.command("query-status")["status"] == "paused"


def test_client_disconnecting_mid_message_leaves_no_trace(machine):
    vm = machine(PAUSED_BOARD, extra_qmp_monitors=1)
    leaving = vm.connect_qmp(1)
    leaving.send_raw('{"execute": "query-sta')
    leaving.close()
    # A new connection starts over: fresh greeting, negotiation again, empty parser.
    returning = vm.connect_qmp(1, negotiate=False)
    assert "QMP" in returning.greeting
    assert_error(returning.execute("query-status"), "CommandNotFound", NEGOTIATION_REQUIRED)
    returning.negotiate()
    returning.send_raw('tus"}\n{"execute": "query-name", "id": "fresh"}\n')
    responses = drain_until_id(returning, "fresh")
    assert all(response.get("error", {}).get("class") == "GenericError" for response in responses[:-1]), responses
    assert len(responses) >= 2 and responses[-1] == {"return": {}, "id": "fresh"}
    assert vm.qmp.command("query-status")["status"] == "prelaunch"


def test_client_disconnecting_before_reading_its_response(machine):
    vm = machine(["-M", "virt", "-bios", "none"], extra_qmp_monitors=1)
    impatient = vm.connect_qmp(1)
    impatient.send_raw('{"execute": "query-commands"}\n{"execute": "human-monitor-command",'
                       ' "arguments": {"command-line": "info mtree"}}\n')
    impatient.close()
    assert vm.qmp.command("query-status")["status"] == "running"
    again = vm.connect_qmp(1)
    assert again.command("query-target") == {"arch": "riscv64"}
    assert vm.is_running()


def test_many_monitors_at_once(machine):
    # Eight monitors, each with a client, all talking at the same time from their own threads.
    vm = machine(PAUSED_BOARD, extra_qmp_monitors=7)
    clients = [vm.qmp] + [vm.connect_qmp(index) for index in range(1, 8)]
    answers = {}

    def ask(index, client):
        client.send_raw("".join(json.dumps({"execute": name, "id": [index, turn]}) + "\n"
                                for turn, name in enumerate(["query-status", "query-target", "query-name"] * 10)))
        answers[index] = [client.receive() for _ in range(30)]

    threads = [threading.Thread(target=ask, args=(index, client)) for index, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for index in range(8):
        # Each client gets its own answers, complete and in order.
        assert [answer["id"] for answer in answers[index]] == [[index, turn] for turn in range(30)]
        assert answers[index][1]["return"] == {"arch": "riscv64"}
    clients[5].command("cont")
    assert all(client.wait_event("RESUME") for client in clients)


def test_many_clients_connecting_to_one_monitor(machine):
    # A monitor serves one client at a time (QEMU's listen backlog is 1 as well): of
    # many simultaneous connects one is served, a few wait, the kernel refuses the rest.
    vm = machine(PAUSED_BOARD, extra_qmp_monitors=1)
    connections = []
    for _ in range(16):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.setblocking(False)
        try:
            connection.connect(str(vm.qmp_socket(1)))
        except BlockingIOError:  # EAGAIN: the backlog is full
            connection.close()
            continue
        connections.append(connection)
    assert connections
    try:
        served = 0
        while connections:
            readable, _, _ = select.select(connections, [], [], 2.0)
            assert len(readable) == 1, f"{len(readable)} clients greeted at once"
            client = readable[0]
            client.setblocking(True)
            assert b'"QMP"' in client.recv(65536)
            client.sendall(b'{"execute": "qmp_capabilities"}\n{"execute": "query-target", "id": 1}\n')
            received = b""
            while b'"id": 1' not in received:
                received += client.recv(65536)
            assert b'"arch": "riscv64"' in received
            client.close()
            connections.remove(client)
            served += 1
        assert served >= 1
    finally:
        for connection in connections:
            connection.close()
    # The machine and its other monitor never noticed.
    assert vm.qmp.command("query-status")["status"] == "prelaunch"
    assert vm.connect_qmp(1).command("query-target") == {"arch": "riscv64"}


def huge_size():
    # QEMU 7.2 reads monitor input one byte per main-loop iteration (about 50 us a
    # byte here), so 1 MiB takes it ~50 s; the peer gets a smaller "huge".
    return 32 * 1024 if is_qemu() else 1024 * 1024


def test_huge_command_name_is_answered_with_an_error(machine):
    vm = machine(["-M", "virt", "-bios", "none"])
    name = "x" * huge_size()
    response = vm.qmp.execute(name, id="huge")
    assert_error(response, "CommandNotFound", f"The command {name} has not been found")
    assert response["id"] == "huge"
    assert vm.qmp.command("query-status")["status"] == "running"
    assert vm.is_running()


def test_huge_id_is_echoed(shared_qmp):
    request_id = "y" * huge_size()
    response = shared_qmp.execute("query-target", id=request_id)
    assert response == {"return": {"arch": "riscv64"}, "id": request_id}
    assert shared_qmp.command("query-kvm") == {"enabled": False, "present": False}


def test_json_nesting_limit(shared_qmp):
    # QEMU rejects nesting deeper than 1024; the leftover closing brackets then
    # produce a stream of further errors (1026 of them here) before it is back in sync.
    shared_qmp.send_raw("[" * 1100 + "]" * 1100 + "\n")
    shared_qmp.send_raw('{"execute": "query-status", "id": "after"}\n')
    responses = drain_until_id(shared_qmp, "after", limit=2000)
    assert_error(responses[0], "GenericError", "JSON nesting depth limit exceeded")
    assert all(response["error"]["class"] == "GenericError" for response in responses[1:-1])
    assert "return" in responses[-1]


# ---- virtual time --------------------------------------------------------------------

def test_a_stopped_vm_does_not_run(machine, counter_guest):
    vm = machine(["-M", "virt", "-bios", "none", "-icount", "shift=0", "-kernel", counter_guest])
    time.sleep(0.2)
    vm.qmp.command("stop")
    vm.wait_event("STOP")
    before = registers_of(vm.hmp("info registers"))
    time.sleep(0.3)
    after = registers_of(vm.hmp("info registers"))
    assert (after["pc"], after["a0"]) == (before["pc"], before["a0"])
    assert before["a0"] > 0  # it did count while running
    vm.qmp.command("cont")
    vm.wait_event("RESUME")
    time.sleep(0.2)
    vm.qmp.command("stop")
    resumed = registers_of(vm.hmp("info registers"))
    assert resumed["a0"] > after["a0"]

// The QEMU-style command-line parser (emu/cli/options.h): option syntax,
// key=value lists with implied keys, sizes, help output and error messages.
#include "emu/cli/options.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "emu/target/riscv/trace_log.h"

namespace emu::cli {
namespace {

ParseResult parse(std::vector<std::string> args) { return parse_command_line(args); }

MachineConfig config(std::vector<std::string> args) {
  ParseResult result = parse(std::move(args));
  EXPECT_EQ(result.action, ParseResult::Action::Run);
  return result.config;
}

// The OptionError message, or "" if parsing succeeded.
std::string error(std::vector<std::string> args) {
  try {
    parse(std::move(args));
  } catch (const OptionError& failure) {
    return failure.what();
  }
  return "";
}

TEST(OptionsTest, DefaultsMatchQemuVirt) {
  MachineConfig machine = config({});
  EXPECT_EQ(machine.machine_type, "virt");
  EXPECT_EQ(machine.harts, 1u);
  EXPECT_EQ(machine.ram_size, 128u << 20);
  EXPECT_EQ(machine.firmware, FirmwareChoice::Default);
  EXPECT_EQ(machine.icount_shift, 0u);
  ASSERT_EQ(machine.serial_ids.size(), 1u);  // the default serial goes to an invisible console
  const ChardevSpec* serial = machine.find_chardev(machine.serial_ids[0]);
  ASSERT_NE(serial, nullptr);
  EXPECT_EQ(serial->backend, ChardevSpec::Backend::Null);
}

TEST(OptionsTest, TypicalLinuxCommandLine) {
  MachineConfig machine = config({"-M", "virt", "-m", "256M", "-smp", "2", "-bios", "none", "-nographic", "-kernel",
                                  "Image", "-initrd", "rootfs.cpio", "-append", "console=ttyS0 earlycon",
                                  "-no-reboot", "-icount", "shift=3", "-name", "guest1", "-accel", "tcg",
                                  "-display", "none", "-cpu", "rv64"});
  EXPECT_EQ(machine.ram_size, 256u << 20);
  EXPECT_EQ(machine.harts, 2u);
  EXPECT_EQ(machine.firmware, FirmwareChoice::None);
  EXPECT_EQ(machine.kernel_path, "Image");
  EXPECT_EQ(machine.initrd_path, "rootfs.cpio");
  EXPECT_EQ(machine.append, "console=ttyS0 earlycon");
  EXPECT_TRUE(machine.no_reboot);
  EXPECT_TRUE(machine.nographic);
  EXPECT_EQ(machine.icount_shift, 3u);
  EXPECT_EQ(machine.name, "guest1");
  ASSERT_EQ(machine.serial_ids.size(), 1u);
  const ChardevSpec* serial = machine.find_chardev(machine.serial_ids[0]);
  ASSERT_NE(serial, nullptr);
  EXPECT_EQ(serial->backend, ChardevSpec::Backend::Stdio);
  EXPECT_TRUE(serial->mux) << "-nographic muxes the serial port with the (future) monitor";
  EXPECT_FALSE(serial->signal) << "Ctrl-C goes to the guest, as in QEMU";
}

TEST(OptionsTest, DoubleDashFormsAreAcceptedButNotEqualsForms) {
  EXPECT_EQ(config({"--machine", "virt", "--m", "64"}).ram_size, 64u << 20);
  EXPECT_EQ(error({"--machine=virt"}), "--machine=virt: invalid option");
  EXPECT_EQ(error({"-m=256M"}), "-m=256M: invalid option");
}

TEST(OptionsTest, ImpliedKeysAndExplicitKeysMeanTheSame) {
  EXPECT_EQ(config({"-smp", "4"}).harts, 4u);
  EXPECT_EQ(config({"-smp", "cpus=4"}).harts, 4u);
  EXPECT_EQ(config({"-smp", "sockets=2,cores=2"}).harts, 4u);
  EXPECT_EQ(config({"-smp", "4,sockets=2"}).harts, 4u);
  EXPECT_EQ(config({"-m", "size=1G"}).ram_size, 1u << 30);
  EXPECT_EQ(config({"-icount", "5"}).icount_shift, 5u);
  EXPECT_EQ(config({"-M", "type=virt,dumpdtb=out.dtb"}).dumpdtb_path, "out.dtb");
  EXPECT_EQ(config({"-M", "virt,dumpdtb=out.dtb"}).dumpdtb_path, "out.dtb");
  EXPECT_EQ(config({"-cpu", "any"}).cpu_model, "rv64");
}

TEST(OptionsTest, KeyValueListsFollowQemuOptsRules) {
  KeyValueList list = parse_key_value_list("virt,dumpdtb=a,,b.dtb,aclint", "type");
  ASSERT_EQ(list.entries.size(), 3u);
  EXPECT_EQ(list.get("type"), "virt");
  EXPECT_EQ(list.get("dumpdtb"), "a,b.dtb") << "',,' is a literal comma";
  EXPECT_EQ(list.get("aclint"), "on") << "a bare key is a boolean switched on";
  EXPECT_FALSE(list.help);
  EXPECT_TRUE(parse_key_value_list("virtio-net-device,help", "driver").help);
  EXPECT_EQ(parse_key_value_list("shift=1,shift=2", "shift").get("shift"), "2") << "the last one wins";
  EXPECT_FALSE(parse_key_value_list("", "").get("x"));
}

TEST(OptionsTest, SizesUseQemuSuffixes) {
  constexpr uint64_t MiB = uint64_t{1} << 20;
  EXPECT_EQ(parse_size("256", MiB), 256 * MiB) << "a plain number is in the default unit";
  EXPECT_EQ(parse_size("256M", MiB), 256 * MiB);
  EXPECT_EQ(parse_size("256m", MiB), 256 * MiB);
  EXPECT_EQ(parse_size("1G", MiB), 1024 * MiB);
  EXPECT_EQ(parse_size("2T", MiB), uint64_t{2} << 40);
  EXPECT_EQ(parse_size("512k", MiB), 512u << 10);
  EXPECT_EQ(parse_size("4096B", MiB), 4096u);
  EXPECT_EQ(parse_size("1.5G", MiB), 1536 * MiB);
  EXPECT_EQ(parse_size("0x100", MiB), 256 * MiB);
  EXPECT_EQ(parse_size("1E", 1), uint64_t{1} << 60);
  for (const char* bad : {"", "12Q", "M", "-1", "+1", " 1", "1.G", "1MB", "16E", "99999999999999999999", "1.5B"}) {
    EXPECT_FALSE(parse_size(bad, MiB)) << bad;
  }
}

TEST(OptionsTest, MemorySizesAreRoundedAndBounded) {
  EXPECT_EQ(config({"-m", "1001k"}).ram_size, 1032192u) << "QEMU rounds up to 8 KiB";
  EXPECT_EQ(config({"-m", "0"}).ram_size, 128u << 20) << "0 means the default";
  EXPECT_EQ(error({"-m", "12Q"}), "-m 12Q: invalid size (expected a number with an optional suffix K, M, G or T)");
  EXPECT_EQ(error({"-m", "1T"}), "-m 1T: RAM size too large for emu (at most 16G)");
  EXPECT_EQ(error({"-m", "256M,maxmem=1G"}), "-m 256M,maxmem=1G: memory hotplug (maxmem) is not supported in emu");
}

TEST(OptionsTest, BadOptionsAndValuesNameTheCulprit) {
  EXPECT_EQ(error({"-foo"}), "-foo: invalid option");
  EXPECT_EQ(error({"-netdev", "user,id=n0"}), "-netdev: not supported in emu");
  EXPECT_EQ(error({"-m"}), "-m: requires an argument");
  EXPECT_EQ(error({"disk.img"}), "disk.img: a disk image without an option (QEMU's -hda) is not supported in emu");
  EXPECT_EQ(error({"-M", "pc"}), "-M pc: unsupported machine type 'pc' (use -machine help to list supported machines)");
  EXPECT_EQ(error({"-M", "virt,foo=1"}), "-M virt,foo=1: Property 'virt-machine.foo' not found");
  EXPECT_EQ(error({"-cpu", "host"}), "-cpu host: unable to find CPU model 'host'");
  EXPECT_EQ(error({"-smp", "9"}), "-smp 9: Invalid SMP CPUs 9. The max CPUs supported by machine 'virt' is 8");
  EXPECT_EQ(error({"-smp", "two"}), "-smp two: Parameter 'smp.cpus' expects integer");
  EXPECT_EQ(error({"-smp", "0"}), "-smp 0: CPU topology parameter 'cpus' must be greater than zero");
  EXPECT_EQ(error({"-smp", "2,maxcpus=4"}), "-smp 2,maxcpus=4: maxcpus above cpus (CPU hotplug) is not supported in emu");
  EXPECT_NE(error({"-smp", "cpus=2,sockets=3"}).find("Invalid CPU topology"), std::string::npos);
  EXPECT_EQ(error({"-icount", "shift=11"}), "-icount shift=11: icount: Invalid shift value");
  EXPECT_EQ(error({"-icount", "rr=record"}), "-icount rr=record: rr=record and rr=replay need rrfile=FILE");
  EXPECT_EQ(error({"-icount", "rr=sideways,rrfile=x"}), "-icount rr=sideways,rrfile=x: Invalid value 'sideways' for 'rr' (expected record, replay or off)");
  EXPECT_EQ(error({"-icount", "foo=1"}), "-icount foo=1: Invalid parameter 'foo'");
  EXPECT_EQ(error({"-accel", "kvm"}), "-accel kvm: invalid accelerator kvm");
  EXPECT_EQ(error({"-display", "gtk"}), "Display 'gtk' is not available.");
  EXPECT_EQ(error({"-name", "a,bar=1"}), "-name a,bar=1: Invalid parameter 'bar'");
  EXPECT_EQ(error({"-initrd", "x"}), "-initrd only allowed with -kernel option");
  EXPECT_EQ(error({"-append", "x"}), "-append only allowed with -kernel option");
  EXPECT_EQ(error({"-d", "in_asm,bogus"}), "-d in_asm,bogus: unknown log item 'bogus' (-d help lists them)");
  EXPECT_EQ(error({"-D", ""}), "-D : empty file name");
  EXPECT_EQ(config({"-monitor", "stdio"}).monitors.size(), 1u);
  EXPECT_EQ(config({"-monitor", "none", "-net", "none", "-nic", "none", "-vga", "none", "-parallel", "none"}).harts, 1u);
  EXPECT_EQ(error({"-device", "foo"}), "-device foo: 'foo' is not a valid device model name");
  EXPECT_EQ(error({"-device", "foo,help"}), "-device foo,help: Device 'foo' not found");
}

TEST(OptionsTest, SerialAndChardevBackends) {
  MachineConfig file = config({"-serial", "file:out.log"});
  const ChardevSpec* spec = file.find_chardev(file.serial_ids.at(0));
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->backend, ChardevSpec::Backend::File);
  EXPECT_EQ(spec->path, "out.log");

  MachineConfig by_id = config({"-serial", "chardev:c0", "-chardev", "file,id=c0,path=x.log,append=on"});
  ASSERT_EQ(by_id.serial_ids.at(0), "c0") << "-serial may name a -chardev that comes later";
  EXPECT_TRUE(by_id.find_chardev("c0")->append);

  MachineConfig none = config({"-serial", "none"});
  EXPECT_EQ(none.serial_ids.at(0), "");
  EXPECT_TRUE(config({"-nodefaults"}).serial_ids.empty());

  MachineConfig plain_stdio = config({"-serial", "stdio"});
  EXPECT_TRUE(plain_stdio.find_chardev(plain_stdio.serial_ids.at(0))->signal) << "plain stdio keeps Ctrl-C = SIGINT";
  EXPECT_FALSE(plain_stdio.find_chardev(plain_stdio.serial_ids.at(0))->mux);
  MachineConfig monitor_stdio = config({"-serial", "mon:stdio"});
  EXPECT_TRUE(monitor_stdio.find_chardev(monitor_stdio.serial_ids.at(0))->mux);

  MachineConfig signal_off = config({"-chardev", "stdio,id=s,signal=off,mux=on", "-serial", "chardev:s"});
  EXPECT_FALSE(signal_off.find_chardev("s")->signal);
  EXPECT_TRUE(signal_off.find_chardev("s")->mux);

  EXPECT_EQ(error({"-chardev", "stdio"}), "-chardev stdio: chardev: no id specified");
  EXPECT_EQ(error({"-chardev", "file,id=f"}), "-chardev file,id=f: chardev: file: no filename given");
  EXPECT_EQ(error({"-chardev", "foo,id=x"}), "-chardev foo,id=x: 'foo' is not a valid char driver name");
  EXPECT_EQ(error({"-chardev", "socket,id=x,port=4444"}), "");
  EXPECT_EQ(error({"-chardev", "null,id=a", "-chardev", "null,id=a"}), "-chardev null,id=a: Duplicate ID 'a' for chardev");
  EXPECT_EQ(error({"-serial", "foo"}), "-serial foo: 'foo' is not a valid char driver");
  EXPECT_EQ(error({"-serial", "tcp::4444,server"}), "");
  EXPECT_EQ(error({"-serial", "chardev:zz"}),
            "-serial chardev:zz: could not connect serial device to character backend 'chardev:zz'");
  EXPECT_EQ(error({"-serial", "stdio", "-chardev", "stdio,id=x"}),
            "-serial stdio: cannot use stdio by multiple character devices");
}

TEST(OptionsTest, QemuRecordReplayManualCommandLine) {
  // docs/system/replay.rst's disk setup: a snapshot drive under a blkreplay filter.
  MachineConfig machine = config({"-icount", "shift=auto,rr=record,rrfile=replay.bin", "-drive",
                                  "file=disk.img,if=none,snapshot,id=img-direct", "-drive",
                                  "driver=blkreplay,if=none,image=img-direct,id=img-blkreplay"});
  EXPECT_EQ(machine.icount_shift, 3u);  // auto: QEMU's starting shift, fixed
  EXPECT_EQ(machine.rr, MachineConfig::RecordReplay::Record);
  ASSERT_EQ(machine.drives.size(), 2u);
  EXPECT_TRUE(machine.drives[0].snapshot);
  EXPECT_EQ(machine.drives[0].claimed_by, "img-blkreplay");
  EXPECT_EQ(machine.drives[1].id, "img-blkreplay");
  EXPECT_EQ(machine.drives[1].file, "disk.img");
  EXPECT_TRUE(machine.drives[1].snapshot);
  EXPECT_FALSE(config({"-drive", "file=d.img,if=none,snapshot=off"}).drives[0].snapshot);

  EXPECT_EQ(error({"-drive", "driver=blkreplay,if=none,id=r"}),
            "-drive driver=blkreplay,if=none,id=r: A block device must be specified for \"image\"");
  EXPECT_EQ(error({"-drive", "driver=blkreplay,if=none,image=x,id=r"}),
            "-drive driver=blkreplay,if=none,image=x,id=r: Cannot find device='x' nor node-name='x'");
  EXPECT_EQ(error({"-drive", "file=a,if=none,id=a", "-drive", "driver=blkreplay,if=none,image=a,id=r", "-drive",
                   "driver=blkreplay,if=none,image=a,id=s"}),
            "-drive driver=blkreplay,if=none,image=a,id=s: Drive 'a' is already in use");
  EXPECT_EQ(error({"-drive", "file=a,if=none,image=b"}), "-drive file=a,if=none,image=b: Block format 'raw' does not support the option 'image'");
  EXPECT_EQ(error({"-drive", "file=a,if=none,snapshot=maybe"}), "-drive file=a,if=none,snapshot=maybe: Parameter 'snapshot' expects 'on' or 'off'");
  EXPECT_EQ(error({"-drive", "driver=qcow9,file=a"}), "-drive driver=qcow9,file=a: Unknown driver 'qcow9'");

  // emu's own replay suboptions.
  MachineConfig live = config({"-icount", "shift=0,rr=replay,rrfile=r.rr,rrend=live,rrimages=warn"});
  EXPECT_EQ(live.rr_end, MachineConfig::ReplayEnd::Live);
  EXPECT_TRUE(live.rr_allow_changed_images);
  EXPECT_EQ(config({"-icount", "rr=replay,rrfile=r.rr,rrend=stop"}).rr_end, MachineConfig::ReplayEnd::Stop);
  EXPECT_EQ(config({"-icount", "rr=replay,rrfile=r.rr"}).rr_end, MachineConfig::ReplayEnd::Exit);
  EXPECT_EQ(error({"-icount", "rr=replay,rrfile=r.rr,rrend=later"}),
            "-icount rr=replay,rrfile=r.rr,rrend=later: Invalid value 'later' for 'rrend' (expected exit, stop or live)");
  EXPECT_EQ(error({"-icount", "rr=replay,rrfile=r.rr,rrimages=ignore"}),
            "-icount rr=replay,rrfile=r.rr,rrimages=ignore: Invalid value 'ignore' for 'rrimages' (expected check or warn)");
}

TEST(OptionsTest, FirmwareChoices) {
  EXPECT_EQ(config({"-bios", "default"}).firmware, FirmwareChoice::Default);
  EXPECT_EQ(config({"-bios", "none"}).firmware, FirmwareChoice::None);
  MachineConfig file = config({"-bios", "fw.bin"});
  EXPECT_EQ(file.firmware, FirmwareChoice::File);
  EXPECT_EQ(file.firmware_path, "fw.bin");
}

TEST(OptionsTest, HelpListsChoicesInQemuFormat) {
  ParseResult machines = parse({"-M", "help"});
  EXPECT_EQ(machines.action, ParseResult::Action::PrintAndExit);
  EXPECT_EQ(machines.output, "Supported machines are:\nvirt                 RISC-V VirtIO board (default)\n");
  EXPECT_EQ(parse({"-machine", "?"}).output, machines.output);
  EXPECT_EQ(parse({"-cpu", "help"}).output, "any\nrv64\n");
  EXPECT_EQ(parse({"-chardev", "help"}).output, "Available chardev backend types: \n  file\n  null\n  pipe\n  socket\n  stdio\n");
  EXPECT_NE(parse({"-M", "virt,help"}).output.find("dumpdtb=<string>"), std::string::npos);
  // QEMU's first lines, then emu's engine switch (tcg's jit property).
  std::string accel_help = parse({"-accel", "help"}).output;
  EXPECT_EQ(accel_help.rfind("Accelerators supported in emu binary:\ntcg\n", 0), 0u);
  EXPECT_NE(accel_help.find("jit=on|off"), std::string::npos);
  EXPECT_EQ(parse({"-display", "help"}).output, "Available display backend types:\nnone\n");
  EXPECT_EQ(parse({"-device", "help"}).action, ParseResult::Action::PrintAndExit);
  EXPECT_NE(parse({"-h"}).output.find("usage: emu-system-riscv64"), std::string::npos);
  EXPECT_NE(parse({"-version"}).output.find("emu version"), std::string::npos);
  // An error anywhere on the line still wins over a help request.
  EXPECT_EQ(error({"-M", "help", "-foo"}), "-foo: invalid option");
}

TEST(OptionsTest, TraceItemsAndLogFile) {
  MachineConfig traced = config({"-d", "in_asm,exec", "-D", "trace.log"});
  EXPECT_EQ(traced.trace_items, unsigned{riscv::kTraceInAsm | riscv::kTraceExec});
  EXPECT_EQ(traced.trace_file, "trace.log");
  EXPECT_EQ(config({"-d", "cpu"}).trace_items, unsigned{riscv::kTraceCpu});
  EXPECT_EQ(config({}).trace_items, 0u);
  EXPECT_TRUE(config({}).trace_file.empty());
  ParseResult help = parse({"-d", "help"});
  EXPECT_EQ(help.action, ParseResult::Action::PrintAndExit);
  EXPECT_EQ(help.output.rfind("Log items (comma separated):\nin_asm          show target assembly", 0), 0u);
}

TEST(OptionsTest, DeviceRegistryPlugsIntoDeviceHelpAndParsing) {
  DeviceRegistry::instance().add(DeviceTypeInfo{
      "test-widget", "System", "Misc devices", "a widget for tests", {{"speed", "uint32", "how fast"}}});
  EXPECT_NE(parse({"-device", "help"}).output.find("Misc devices:\nname \"test-widget\", bus System, desc \"a widget for tests\"\n"),
            std::string::npos);
  EXPECT_EQ(parse({"-device", "test-widget,help"}).output, "test-widget options:\n  speed=<uint32>         - how fast\n");
  MachineConfig machine = config({"-device", "test-widget,speed=3,id=w0"});
  ASSERT_EQ(machine.devices.size(), 1u);
  EXPECT_EQ(machine.devices[0].type, "test-widget");
  EXPECT_EQ(machine.devices[0].properties.get("speed"), "3");
  EXPECT_EQ(error({"-device", "test-widget,colour=red"}), "-device test-widget,colour=red: Property 'test-widget.colour' not found");
}

// Any argument vector either parses or fails with an OptionError: never
// another exception, never a crash.
RC_GTEST_PROP(OptionsProperty, ArbitraryArgumentsNeverCrash, ()) {
  static const std::vector<std::string> kPieces = {
      "-M", "virt", "-m", "-smp", "-chardev", "-serial", "-icount", "-device", "help", ",", ",,", "=", "id=x",
      "stdio", "file:", "chardev:x", "0", "9", "1G", "-kernel", "-cpu", "-name", "--m", "?", "shift=", "mon:stdio",
      "-nographic", "-bios", "none", "-accel", "tcg", "sockets=0", "cores=3"};
  std::vector<std::string> args;
  auto count = *rc::gen::inRange(0, 8);
  for (int i = 0; i < count; ++i) {
    auto parts = *rc::gen::container<std::vector<size_t>>(*rc::gen::inRange<size_t>(1, 4),
                                                          rc::gen::inRange<size_t>(0, kPieces.size()));
    std::string argument;
    for (size_t part : parts) argument += kPieces[part];
    args.push_back(argument);
  }
  try {
    ParseResult result = parse_command_line(args);
    if (result.action == ParseResult::Action::Run) {
      RC_ASSERT(result.config.harts >= 1u);
      RC_ASSERT(result.config.harts <= 8u);
      RC_ASSERT(result.config.ram_size > 0u);
      for (const std::string& id : result.config.serial_ids) RC_ASSERT(id.empty() || result.config.find_chardev(id));
    }
  } catch (const OptionError&) {
  }
}

}  // namespace
}  // namespace emu::cli

// -drive parsing (emu/cli/options.h) and the step from -drive/-device to the
// board's virtio device list (emu/cli/virt_devices.h): plug order, QEMU's
// generated drive ids, and the one-line errors.
#include "emu/cli/virt_devices.h"

#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace emu::cli {
namespace {

using Kind = virt::VirtioDeviceConfig::Kind;

MachineConfig config(std::vector<std::string> args) {
  register_virt_device_types();
  ParseResult result = parse_command_line(args);
  EXPECT_EQ(result.action, ParseResult::Action::Run);
  return result.config;
}

// The OptionError message from parsing and resolving, or "" on success.
std::string error(std::vector<std::string> args) {
  try {
    register_virt_device_types();
    ParseResult result = parse_command_line(args);
    resolve_virtio_devices(result.config);
  } catch (const OptionError& failure) {
    return failure.what();
  }
  return "";
}

// A file that exists (drives the parser accepts but no device uses are checked for access).
class VirtDevicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/virt-devices-test-XXXXXX";
    int fd = mkstemp(name);
    ASSERT_GE(fd, 0);
    close(fd);
    disk_ = name;
  }
  void TearDown() override { std::remove(disk_.c_str()); }
  std::string disk_;
};

TEST_F(VirtDevicesTest, DriveOptionsAreParsed) {
  MachineConfig machine = config({"-drive", "file=" + disk_ + ",format=raw,if=none,id=d0,readonly=on",
                                  "-drive", "file=" + disk_ + ",if=virtio"});
  ASSERT_EQ(machine.drives.size(), 2u);
  EXPECT_EQ(machine.drives[0].id, "d0");
  EXPECT_EQ(machine.drives[0].file, disk_);
  EXPECT_TRUE(machine.drives[0].read_only);
  EXPECT_EQ(machine.drives[0].interface, DriveSpec::Interface::None);
  EXPECT_EQ(machine.drives[1].id, "virtio0");  // QEMU's generated name
  EXPECT_FALSE(machine.drives[1].read_only);
  EXPECT_EQ(machine.drives[1].interface, DriveSpec::Interface::Virtio);
}

TEST_F(VirtDevicesTest, DevicesComeInCommandLineOrderThenIfVirtioDrives) {
  MachineConfig machine = config({"-drive", "file=" + disk_ + ",if=virtio", "-device", "virtio-rng-device",
                                  "-drive", "file=" + disk_ + ",format=raw,if=none,id=d0",
                                  "-device", "virtio-blk-device,drive=d0,serial=SN1"});
  std::vector<virt::VirtioDeviceConfig> devices = resolve_virtio_devices(machine);
  ASSERT_EQ(devices.size(), 3u);
  EXPECT_EQ(devices[0].kind, Kind::Entropy);
  EXPECT_EQ(devices[1].kind, Kind::Block);
  EXPECT_EQ(devices[1].drive_id, "d0");
  EXPECT_EQ(devices[1].serial, "SN1");
  EXPECT_EQ(devices[1].origin, "-drive file=" + disk_ + ",format=raw,if=none,id=d0");
  EXPECT_EQ(devices[2].kind, Kind::Block);
  EXPECT_EQ(devices[2].drive_id, "virtio0");
}

TEST_F(VirtDevicesTest, ErrorsUseQemusWording) {
  const std::string drive = "file=" + disk_ + ",format=raw,if=none,id=d0";
  EXPECT_EQ(error({"-drive", "file=x,format=qcow3"}), "-drive file=x,format=qcow3: Unknown driver 'qcow3'");
  EXPECT_EQ(error({"-drive", "file=x,format=qcow2"}),
            "-drive file=x,format=qcow2: format 'qcow2' is not supported in emu (raw only)");
  EXPECT_EQ(error({"-drive", "format=raw,if=none"}),
            "-drive format=raw,if=none: A block device must be specified for \"file\"");
  EXPECT_EQ(error({"-drive", "file=x,if=scsi"}), "-drive file=x,if=scsi: machine type does not support if=scsi,bus=0,unit=0");
  EXPECT_EQ(error({"-drive", "file=x,if=none,readonly=maybe"}),
            "-drive file=x,if=none,readonly=maybe: Parameter 'read-only' expects 'on' or 'off'");
  EXPECT_EQ(error({"-drive", "file=x,if=none,bogus=1"}),
            "-drive file=x,if=none,bogus=1: Block format 'raw' does not support the option 'bogus'");
  EXPECT_EQ(error({"-drive", drive, "-drive", drive}), "-drive " + drive + ": Duplicate ID 'd0' for drive");
  EXPECT_EQ(error({"-device", "virtio-blk-device"}), "-device virtio-blk-device: drive property not set");
  EXPECT_EQ(error({"-device", "virtio-blk-device,drive=zz"}),
            "-device virtio-blk-device,drive=zz: Property 'virtio-blk-device.drive' can't find value 'zz'");
  EXPECT_EQ(error({"-drive", drive, "-device", "virtio-blk-device,drive=d0", "-device", "virtio-blk-device,drive=d0"}),
            "-device virtio-blk-device,drive=d0: Drive 'd0' is already in use by another device");
  EXPECT_EQ(error({"-device", "virtio-blk-device,drive=d0,colour=red"}),
            "-device virtio-blk-device,drive=d0,colour=red: Property 'virtio-blk-device.colour' not found");
  EXPECT_EQ(error({"-drive", "file=/nonexistent/x.img,if=none,id=d0"}),
            "-drive file=/nonexistent/x.img,if=none,id=d0: could not open '/nonexistent/x.img': No such file or directory");
  EXPECT_EQ(error({"-drive", drive}), "");  // an unused drive is fine when its file exists
}

TEST_F(VirtDevicesTest, BlkHelpListsItsProperties) {
  register_virt_device_types();
  std::vector<std::string> args = {"-device", "virtio-blk-device,help"};
  ParseResult result = parse_command_line(args);
  ASSERT_EQ(result.action, ParseResult::Action::PrintAndExit);
  EXPECT_EQ(result.output.rfind("virtio-blk-device options:\n  drive=<str>", 0), 0u) << result.output;
  EXPECT_NE(result.output.find("  serial=<str>"), std::string::npos);
}

}  // namespace
}  // namespace emu::cli

#include "emu/cli/virt_devices.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

namespace emu::cli {

void register_virt_device_types() {
  DeviceRegistry& registry = DeviceRegistry::instance();
  if (registry.find("virtio-blk-device")) return;
  registry.add(DeviceTypeInfo{"virtio-blk-device",
                              "virtio-bus",
                              "Storage devices",
                              "",
                              {
                                  {"drive", "str", "Node name or ID of a block device to use as a backend"},
                                  {"serial", "str", "what GET_ID returns, at most 20 bytes (default: \"\")"},
                              }});
  registry.add(DeviceTypeInfo{"virtio-rng-device", "virtio-bus", "Misc devices", "", {}});
}

namespace {

virt::VirtioDeviceConfig block_device(const DriveSpec& drive, std::string serial) {
  virt::VirtioDeviceConfig device;
  device.kind = virt::VirtioDeviceConfig::Kind::Block;
  device.drive_id = drive.id;
  device.file = drive.file;
  device.read_only = drive.read_only;
  device.snapshot = drive.snapshot;
  device.serial = std::move(serial);
  device.origin = drive.location;
  return device;
}

}  // namespace

std::vector<virt::VirtioDeviceConfig> resolve_virtio_devices(const MachineConfig& machine) {
  std::vector<virt::VirtioDeviceConfig> devices;
  std::set<std::string> used_drives;
  for (const DeviceRequest& request : machine.devices) {
    if (request.type == "virtio-rng-device") {
      devices.push_back(virt::VirtioDeviceConfig{virt::VirtioDeviceConfig::Kind::Entropy, {}, {}, false, {}, {}});
      continue;
    }
    if (request.type != "virtio-blk-device") throw OptionError(request.location + ": not supported on this board yet");
    std::optional<std::string> drive_id = request.properties.get("drive");
    if (!drive_id || drive_id->empty()) throw OptionError(request.location + ": drive property not set");
    auto drive = std::find_if(machine.drives.begin(), machine.drives.end(),
                              [&](const DriveSpec& spec) { return spec.id == *drive_id; });
    if (drive == machine.drives.end()) {
      throw OptionError(request.location + ": Property 'virtio-blk-device.drive' can't find value '" + *drive_id + "'");
    }
    if (drive->interface == DriveSpec::Interface::Virtio || !drive->claimed_by.empty() ||
        !used_drives.insert(*drive_id).second) {
      throw OptionError(request.location + ": Drive '" + *drive_id + "' is already in use by another device");
    }
    devices.push_back(block_device(*drive, request.properties.get("serial").value_or("")));
  }
  for (const DriveSpec& drive : machine.drives) {
    // QEMU opens every drive, used or not: a missing file fails here too
    // (the board opens the ones devices use).
    if (drive.interface == DriveSpec::Interface::None && !used_drives.count(drive.id) &&
        ::access(drive.file.c_str(), R_OK) != 0) {
      throw OptionError(drive.location + ": could not open '" + drive.file + "': " + std::strerror(errno));
    }
    if (drive.interface != DriveSpec::Interface::Virtio) continue;
    // QEMU 7.2 would make a virtio-blk-pci; emu has no PCI yet, so the
    // drive gets a virtio-mmio slot (Linux still sees /dev/vdX).
    devices.push_back(block_device(drive, ""));
  }
  return devices;
}

}  // namespace emu::cli

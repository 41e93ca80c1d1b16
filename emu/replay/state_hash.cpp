#include "emu/replay/state_hash.h"

#include <xxhash.h>

#include <cstdio>

namespace emu::replay {

uint64_t xxh3(std::span<const uint8_t> bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

std::string hash_hex(uint64_t hash) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

namespace {
std::string hex_address(uint64_t address) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(address));
  return text;
}
}  // namespace

void StateHasher::add(std::string name, std::span<const uint8_t> bytes) {
  const uint64_t hash = xxh3(bytes);
  components_.push_back(StateComponent{std::move(name), hash});
  page_level_.push_back(hash);
}

void StateHasher::add_u64(std::string name, uint64_t value) {
  add(std::move(name), std::span(reinterpret_cast<const uint8_t*>(&value), sizeof value));
}

void StateHasher::add_hart(const riscv::Hart& hart) {
  const std::string prefix = "hart" + std::to_string(hart.hart_id) + ".";
  add_u64(prefix + "pc", hart.pc);
  add_u64(prefix + "priv", static_cast<uint64_t>(hart.privilege));
  for (unsigned i = 1; i < 32; ++i) add_u64(prefix + "x" + std::to_string(i), hart.x[i]);
  for (unsigned i = 0; i < 32; ++i) add_u64(prefix + "f" + std::to_string(i), hart.f[i]);
  const riscv::Hart::Csrs& c = hart.csr;
  const std::pair<const char*, uint64_t> csrs[] = {
      {"mstatus", c.mstatus}, {"misa", c.misa}, {"medeleg", c.medeleg}, {"mideleg", c.mideleg},
      {"mie", c.mie}, {"mip", c.mip}, {"mtvec", c.mtvec}, {"mcounteren", c.mcounteren},
      {"mscratch", c.mscratch}, {"mepc", c.mepc}, {"mcause", c.mcause}, {"mtval", c.mtval},
      {"menvcfg", c.menvcfg}, {"mcountinhibit", c.mcountinhibit}, {"stvec", c.stvec},
      {"scounteren", c.scounteren}, {"sscratch", c.sscratch}, {"sepc", c.sepc}, {"scause", c.scause},
      {"stval", c.stval}, {"senvcfg", c.senvcfg}, {"satp", c.satp}, {"fflags", c.fflags}, {"frm", c.frm},
      {"tselect", c.tselect}, {"tdata1", c.tdata[0]}, {"tdata2", c.tdata[1]}, {"tdata3", c.tdata[2]},
  };
  for (const auto& [name, value] : csrs) add_u64(prefix + name, value);
  for (unsigned i = 0; i < c.pmpcfg.size(); ++i) add_u64(prefix + "pmpcfg" + std::to_string(i), c.pmpcfg[i]);
  for (unsigned i = 0; i < c.pmpaddr.size(); ++i) add_u64(prefix + "pmpaddr" + std::to_string(i), c.pmpaddr[i]);
  add_u64(prefix + "instret", hart.instret);
  add_u64(prefix + "cycle_offset", hart.cycle_offset);
  add_u64(prefix + "instret_offset", hart.instret_offset);
  add_u64(prefix + "interrupt_lines", hart.interrupt_lines);
  add_u64(prefix + "reservation", hart.reservation_valid ? hart.reservation_address : ~uint64_t{0});
  add_u64(prefix + "wfi", hart.waiting_for_interrupt);
}

void StateHasher::add_memory(const PhysicalBus& bus) {
  for (const PhysicalBus::Region& region : bus.regions()) {
    if (region.host == nullptr) continue;
    for (uint64_t group = 0; group < region.size; group += memory_group_bytes_) {
      const uint64_t group_end = std::min(region.size, group + memory_group_bytes_);
      std::vector<uint64_t> pages;
      for (uint64_t page = group; page < group_end; page += kPageBytes) {
        const uint64_t length = std::min(kPageBytes, group_end - page);
        pages.push_back(xxh3(std::span(region.host + page, length)));
      }
      page_level_.insert(page_level_.end(), pages.begin(), pages.end());
      const uint64_t hash = pages.size() == 1 ? pages[0]
                                              : xxh3(std::span(reinterpret_cast<const uint8_t*>(pages.data()), pages.size() * 8));
      components_.push_back(StateComponent{"mem@" + hex_address(region.base + group), hash});
    }
  }
}

void StateHasher::add_device(std::string_view name, const Device& device) {
  StateWriter writer;
  device.save(writer);
  add("dev." + std::string(name), writer.data());
}

std::string first_difference(const std::vector<StateComponent>& current, const std::vector<uint64_t>& recorded) {
  if (current.size() != recorded.size()) return "component count";
  for (size_t i = 0; i < current.size(); ++i) {
    if (current[i].hash != recorded[i]) return current[i].name;
  }
  return {};
}

}  // namespace emu::replay

#include "emu/target/riscv/trace_log.h"

#include <cinttypes>
#include <stdexcept>

#include "emu/target/riscv/hart.h"

namespace emu::riscv {

namespace {

constexpr TraceItemInfo kItems[] = {
    {"in_asm", kTraceInAsm, "show target assembly code for each compiled TB"},
    {"exec", kTraceExec, "show trace before each executed TB (lots of logs)"},
    {"cpu", kTraceCpu, "show CPU registers before entering a TB (lots of logs)"},
    {"out_asm", kTraceOutAsm, "show generated host assembly code for each compiled TB"},
};

}  // namespace

std::span<const TraceItemInfo> trace_items() { return kItems; }

unsigned parse_trace_items(std::string_view list) {
  unsigned items = 0;
  while (true) {
    const size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    bool known = false;
    for (const TraceItemInfo& info : kItems) {
      if (info.name == name) {
        items |= info.item;
        known = true;
      }
    }
    if (!known) throw std::invalid_argument("unknown log item '" + std::string(name) + "' (-d help lists them)");
    if (comma == std::string_view::npos) return items;
    list.remove_prefix(comma + 1);
  }
}

std::string trace_items_help() {
  std::string text = "Log items (comma separated):\n";
  for (const TraceItemInfo& info : kItems) {
    text += std::string(info.name);
    text.append(info.name.size() < 16 ? 16 - info.name.size() : 1, ' ');
    text += std::string(info.help) + "\n";
  }
  text += "\nWith -accel tcg,jit=off there are no TBs: in_asm shows each instruction the first time it\n"
          "executes, exec and cpu trace every instruction and out_asm shows nothing (docs/jit.md, \"Tracing\").\n";
  return text;
}

TraceLog::TraceLog(unsigned items, std::FILE* out, RegisterFormatter format_registers)
    : items_(items), out_(out), format_registers_(std::move(format_registers)) {}

// QEMU 7.2's riscv in_asm line: address, raw bits, mnemonic column, operands.
void TraceLog::write_instruction(const DecodedInstruction& instruction, uint64_t pc) {
  std::string text = disassemble(instruction, pc);
  const size_t space = text.find(' ');
  const std::string mnemonic = text.substr(0, space);
  const std::string operands = space == std::string::npos ? "" : text.substr(space + 1);
  if (instruction.length == 2) {
    std::fprintf(out_, "0x%016" PRIx64 ":  %04x              %-23s %s\n", pc, instruction.bits & 0xffff,
                 mnemonic.c_str(), operands.c_str());
  } else {
    std::fprintf(out_, "0x%016" PRIx64 ":  %08x          %-23s %s\n", pc, instruction.bits, mnemonic.c_str(),
                 operands.c_str());
  }
}

void TraceLog::write_exec_and_cpu(const Hart& hart) {
  if (items_ & kTraceExec) {
    std::fprintf(out_, "Trace %" PRIu64 ": [%016" PRIx64 "/%016" PRIx64 "/%u]\n", hart.hart_id, hart.hart_id, hart.pc,
                 static_cast<unsigned>(hart.privilege));
  }
  if (items_ & kTraceCpu) std::fputs(format_registers_(hart).c_str(), out_);
}

void TraceLog::block_translated(std::span<const DecodedInstruction> instructions, std::span<const uint64_t> pcs) {
  if ((items_ & kTraceInAsm) == 0) return;
  std::fputs("----------------\nIN: \n", out_);
  for (size_t i = 0; i < instructions.size(); ++i) write_instruction(instructions[i], pcs[i]);
  std::fputs("\n", out_);
}

void TraceLog::block_emitted(std::string_view assembly, size_t size) {
  if ((items_ & kTraceOutAsm) == 0) return;
  std::fprintf(out_, "OUT: [size=%zu]\n", size);
  std::fwrite(assembly.data(), 1, assembly.size(), out_);
  std::fputs("\n", out_);
}

void TraceLog::block_starting(const Hart& hart) { write_exec_and_cpu(hart); }

void TraceLog::instruction_starting(const Hart& hart, const DecodedInstruction& instruction) {
  if ((items_ & kTraceInAsm) != 0 && interpreted_pcs_seen_.insert(hart.pc).second) {
    std::fputs("----------------\nIN: \n", out_);
    write_instruction(instruction, hart.pc);
    std::fputs("\n", out_);
  }
  write_exec_and_cpu(hart);
}

}  // namespace emu::riscv

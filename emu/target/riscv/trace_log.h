// QEMU-style `-d` tracing (in_asm, exec, cpu) for both execution engines,
// written to the `-D` file or stderr. Tracing only reads guest state: a run
// with tracing retires the same instructions with the same results as one
// without (pytests/test_trace.py). Engines call it only when
// Hart::trace_log is set, so tracing off costs one predictable branch per
// block (JIT) or instruction (interpreter). Formats: docs/jit.md, "Tracing".
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>

#include "emu/target/riscv/decoder.h"

namespace emu::riscv {

class Hart;

enum TraceItem : unsigned {
  kTraceInAsm = 1u << 0,  // guest code when first translated (JIT) or first executed (interpreter)
  kTraceExec = 1u << 1,   // one line per block (JIT) or instruction (interpreter) run
  kTraceCpu = 1u << 2,    // register dump before each of those
  kTraceOutAsm = 1u << 3, // host code generated for each block (JIT only)
};

struct TraceItemInfo {
  std::string_view name;
  unsigned item;
  std::string_view help;
};

// The items `-d` accepts, in `-d help` order.
std::span<const TraceItemInfo> trace_items();

// Parses QEMU's `-d item1,item2,...`; throws std::invalid_argument with
// QEMU's message for an unknown item. "help" is the caller's business.
unsigned parse_trace_items(std::string_view list);

// The `-d help` text.
std::string trace_items_help();

class TraceLog {
 public:
  // `format_registers` renders the `cpu` dump (the monitor's `info registers`
  // layout, injected so the target layer does not depend on the monitor).
  using RegisterFormatter = std::function<std::string(const Hart&)>;
  TraceLog(unsigned items, std::FILE* out, RegisterFormatter format_registers);

  // JIT: a block was translated; `pcs[i]` is the virtual pc of `instructions[i]`.
  void block_translated(std::span<const DecodedInstruction> instructions, std::span<const uint64_t> pcs);
  // JIT: whether block_emitted wants the host code's text (asking the
  // assembler for it costs time, so only when out_asm is on).
  bool wants_host_code() const { return (items_ & kTraceOutAsm) != 0; }
  // JIT: the block just translated became `size` bytes of host code,
  // `assembly` as the assembler wrote it.
  void block_emitted(std::string_view assembly, size_t size);
  // JIT: the dispatcher is about to run the block at hart.pc.
  void block_starting(const Hart& hart);
  // Interpreter: `instruction`, fetched at hart.pc, is about to execute.
  void instruction_starting(const Hart& hart, const DecodedInstruction& instruction);

 private:
  void write_instruction(const DecodedInstruction& instruction, uint64_t pc);
  void write_exec_and_cpu(const Hart& hart);

  unsigned items_;
  std::FILE* out_;
  RegisterFormatter format_registers_;
  std::unordered_set<uint64_t> interpreted_pcs_seen_;  // in_asm under the interpreter: first execution only
};

}  // namespace emu::riscv

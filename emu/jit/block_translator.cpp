#include "emu/jit/block_translator.h"

#include <algorithm>
#include <cstring>

#include "emu/jit/x86_64_float_emitter.h"
#include "emu/target/riscv/csr_numbers.h"
#include "emu/target/riscv/host_float.h"

namespace emu::jit {

using riscv::Op;

bool is_emittable(Op op) {
  switch (op) {
    case Op::lui: case Op::auipc: case Op::jal: case Op::jalr:
    case Op::beq: case Op::bne: case Op::blt: case Op::bge: case Op::bltu: case Op::bgeu:
    case Op::lb: case Op::lh: case Op::lw: case Op::ld: case Op::lbu: case Op::lhu: case Op::lwu:
    case Op::sb: case Op::sh: case Op::sw: case Op::sd:
    case Op::flw: case Op::fld: case Op::fsw: case Op::fsd:
    case Op::addi: case Op::slti: case Op::sltiu: case Op::xori: case Op::ori: case Op::andi:
    case Op::slli: case Op::srli: case Op::srai:
    case Op::add: case Op::sub: case Op::sll: case Op::slt: case Op::sltu: case Op::xor_:
    case Op::srl: case Op::sra: case Op::or_: case Op::and_:
    case Op::fence:
    case Op::addiw: case Op::slliw: case Op::srliw: case Op::sraiw:
    case Op::addw: case Op::subw: case Op::sllw: case Op::srlw: case Op::sraw:
    case Op::mul: case Op::mulh: case Op::mulhsu: case Op::mulhu:
    case Op::div: case Op::divu: case Op::rem: case Op::remu:
    case Op::mulw: case Op::divw: case Op::divuw: case Op::remw: case Op::remuw:
      return true;
    default:
      return false;
  }
}

// A Zicsr instruction that only reads: csrrs/csrrc with rs1 = x0 and
// csrrsi/csrrci with uimm = 0 never write the CSR (Zicsr 9.1), and a CSR read
// has no side effect here (csr.cpp, read_csr). The counters derived from
// instret (cycle, instret, mcycle, minstret) are left out: the engine adds a
// block's retired instructions to hart.instret only after the block.
bool reads_csr_only(const riscv::DecodedInstruction& instruction) {
  switch (instruction.op) {
    case Op::csrrs: case Op::csrrc: case Op::csrrsi: case Op::csrrci: break;
    default: return false;
  }
  if (instruction.rs1 != 0) return false;
  namespace n = riscv::csr_number;
  switch (instruction.csr) {
    case n::cycle: case n::instret: case n::mcycle: case n::minstret: return false;
    default: return true;
  }
}

bool runs_in_helper(const riscv::DecodedInstruction& instruction) {
  if (instruction.length != 4 || instruction.op == Op::illegal) return false;
  if (reads_csr_only(instruction)) return true;
  switch (instruction.bits & 0x7f) {
    case 0x53:                                // OP-FP
    case 0x43: case 0x47: case 0x4b: case 0x4f:  // FMADD, FMSUB, FNMSUB, FNMADD
    case 0x2f:                                // AMO: LR, SC and the AMOs (A, chapter 8)
      return true;
    default:
      return false;
  }
}

bool has_native_float_path(const riscv::DecodedInstruction& instruction) {
  if (!runs_in_helper(instruction) || !riscv::host_float::host_path_available()) return false;
  const unsigned rm = instruction.rm;
  switch (float_path_kind(instruction.op)) {
    case FloatPathKind::None: return false;
    case FloatPathKind::NoRoundingMode: return true;
    case FloatPathKind::Exact: return rm <= 4 || rm == 7;
    case FloatPathKind::Rounding: return rm == 0 || rm == 7;
    case FloatPathKind::ToInteger: return rm == 0 || rm == 1 || rm == 7;
    case FloatPathKind::FusedRounding: return (rm == 0 || rm == 7) && riscv::host_float::host_fma_available();
  }
  return false;
}

bool ends_block(Op op) { return op == Op::jal || op == Op::jalr; }

bool is_conditional_branch(Op op) {
  switch (op) {
    case Op::beq: case Op::bne: case Op::blt: case Op::bge: case Op::bltu: case Op::bgeu:
      return true;
    default:
      return false;
  }
}

namespace {

// One way through the code from virtual_pc. With follow_taken_over_jumps,
// a forward conditional branch in the page whose fall-through is a plain
// jump (jal x0) continues the block at its target instead: the
// loop-entry test compilers put before a rotated loop ("bnez a2, body;
// j exit; ... body: ...; bnez a2, head"). The block then takes the
// not-taken edge as its side exit.
BlockPlan plan_path(const uint8_t* host_code, uint64_t virtual_pc, bool follow_taken_over_jumps,
                    bool* followed) {
  constexpr unsigned kPageSize = 4096;
  BlockPlan plan;
  plan.virtual_pc = virtual_pc;
  const unsigned start_offset = static_cast<unsigned>(virtual_pc & (kPageSize - 1));
  unsigned offset = start_offset;  // of the next instruction in the page
  unsigned end = start_offset;     // one past the furthest byte planned
  // The instruction at `at` (a page offset), or false past the page end.
  const auto fetch = [&](unsigned at, riscv::DecodedInstruction& out, unsigned& length) {
    if (at + 2 > kPageSize) return false;
    uint16_t low = 0;
    std::memcpy(&low, host_code + (at - start_offset), 2);
    length = riscv::instruction_length(low);
    if (at + length > kPageSize) return false;  // the second parcel is on the next page
    uint32_t bits = low;
    if (length == 4) {
      uint16_t high = 0;
      std::memcpy(&high, host_code + (at - start_offset) + 2, 2);
      bits |= uint32_t{high} << 16;
    }
    out = riscv::decode(bits);
    return true;
  };
  while (plan.instructions.size() < kMaxBlockInstructions) {
    riscv::DecodedInstruction instruction;
    unsigned length = 0;
    if (!fetch(offset, instruction, length)) break;
    if (!is_emittable(instruction.op) && !runs_in_helper(instruction)) break;
    const uint64_t pc = (virtual_pc & ~uint64_t{kPageSize - 1}) + offset;
    plan.instructions.push_back(instruction);
    plan.pcs.push_back(pc);
    offset += length;
    end = std::max(end, offset);
    if (ends_block(instruction.op)) break;
    if (!is_conditional_branch(instruction.op)) continue;
    const uint64_t target = pc + static_cast<uint64_t>(instruction.imm);
    // A branch back to the block's start closes a loop: the block ends
    // there, so a round uses only the loop body's slots (the loop goes on
    // while the budget covers one more round, and at a budget's end fewer
    // instructions are left to the interpreter) and the registers cached
    // are the loop's. The code after the loop is the next block.
    if (target == virtual_pc) break;
    riscv::DecodedInstruction next;
    unsigned next_length = 0;
    if (follow_taken_over_jumps && target > pc + length && (target >> 12) == (pc >> 12) &&
        fetch(offset, next, next_length) && next.op == riscv::Op::jal && next.rd == 0) {
      offset = static_cast<unsigned>(target & (kPageSize - 1));
      *followed = true;
    }
  }
  plan.byte_length = end - start_offset;
  return plan;
}

}  // namespace

BlockPlan plan_block(const uint8_t* host_code, uint64_t virtual_pc) {
  BlockPlan straight = plan_path(host_code, virtual_pc, false, nullptr);
  // Following a taken edge pays when it closes a loop back to the start
  // (the whole loop then runs in one block, its registers cached); else
  // the straight block is kept, as it would be if the branch were not
  // taken.
  bool followed = false;
  BlockPlan through = plan_path(host_code, virtual_pc, true, &followed);
  if (!followed || through.instructions.empty()) return straight;
  const riscv::DecodedInstruction& last = through.instructions.back();
  const bool closes_loop = is_conditional_branch(last.op) &&
                           through.pcs.back() + static_cast<uint64_t>(last.imm) == virtual_pc;
  return closes_loop ? through : straight;
}

}  // namespace emu::jit

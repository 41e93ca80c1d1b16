// x86-64 code for the instructions is_emittable() accepts. Every case mirrors
// the interpreter's (emu/target/riscv/interpreter.cpp), which cites the spec;
// comments here explain only how the x86 code reaches the same result.
//
// Block exits (the closed set, docs/jit.md):
//   1. fall-through after the last instruction (page end, length limit, or
//      a non-emittable instruction next): pc = next pc;
//   2. a jump (the last instruction) or the taken edge of a conditional
//      branch anywhere in the block (a side exit; its not-taken edge goes
//      on inside the block): pc = the target, slots = the instructions up
//      to and including the branch;
//   3. a load/store that took the slow path and completed: pc = next pc
//      (so MMIO side effects, e.g. interrupt lines, and stores into code
//      pages are seen at the next instruction boundary, as the interpreter
//      would see them);
//   4. a load/store whose slow path trapped: pc = trap handler (set by the
//      hart), the slot counts but the instruction does not retire.
// Every exit writes hart.pc and hart.instruction_bits (the bits of the last
// attempted instruction, as the interpreter leaves them).
//
// Register caching (docs/jit.md): the guest registers a block uses most are
// loaded into host registers when the block is entered and stay there while
// it runs (also across its loop-backs); a cached register that may differ
// from hart.x (dirty) is written back before every exit and before every
// helper call, so a trap, the interpreter and the dispatcher always see the
// exact state in hart.x.
#include "emu/jit/x86_64_emitter.h"

#include "emu/jit/x86_64_float_emitter.h"

#include <algorithm>
#include <array>
#include <cstddef>

namespace emu::jit {
namespace {

using namespace asmjit;
using riscv::DecodedInstruction;
using riscv::Op;
using riscv::Tlb;

constexpr int32_t kEntrySize = static_cast<int32_t>(sizeof(Tlb::Entry));
constexpr int32_t kEntryTag = static_cast<int32_t>(offsetof(Tlb::Entry, tag));
constexpr int32_t kEntryHostAddend = static_cast<int32_t>(offsetof(Tlb::Entry, host_addend));
constexpr int32_t kEntryPhysicalPage = static_cast<int32_t>(offsetof(Tlb::Entry, physical_page));
constexpr int32_t kEntryFlags = static_cast<int32_t>(offsetof(Tlb::Entry, flags));

static_assert(kEntrySize == 40, "TLB entries are addressed as index * 5 * 8");

const x86::Gp kHart = x86::rbx;
const x86::Gp kContext = x86::r12;

// Host registers that cache guest registers, callee-saved ones first (they
// survive helper calls; r8..r11 are reloaded after a call the block goes on
// from).
constexpr unsigned kCalleeSavedCacheRegisters = 4;
const std::array<x86::Gp, 8> kCacheRegisters = {x86::rbp, x86::r13, x86::r14, x86::r15,
                                                x86::r8,  x86::r9,  x86::r10, x86::r11};
// A block that loops back to its own start keeps JitContext::loop_budget in
// this register (the first cache register, which it then does not use for a
// guest register) and stores it at every exit.
const x86::Gp kLoopBudget = kCacheRegisters[0];

// Which integer registers an emitted instruction reads and writes (for the
// register allocation; instructions run in a helper access hart.x themselves).
struct RegisterUse {
  bool rs1 = false, rs2 = false, rd = false;
};
RegisterUse register_use(const DecodedInstruction& in) {
  switch (in.op) {
    case Op::lui: case Op::auipc: case Op::jal: return {false, false, true};
    case Op::fence: return {};
    case Op::jalr: return {true, false, true};
    case Op::beq: case Op::bne: case Op::blt: case Op::bge: case Op::bltu: case Op::bgeu: return {true, true, false};
    case Op::lb: case Op::lh: case Op::lw: case Op::ld: case Op::lbu: case Op::lhu: case Op::lwu:
      return {true, false, true};
    case Op::sb: case Op::sh: case Op::sw: case Op::sd: return {true, true, false};
    case Op::flw: case Op::fld: case Op::fsw: case Op::fsd: return {true, false, false};
    case Op::addi: case Op::slti: case Op::sltiu: case Op::xori: case Op::ori: case Op::andi:
    case Op::slli: case Op::srli: case Op::srai:
    case Op::addiw: case Op::slliw: case Op::srliw: case Op::sraiw:
      return {true, false, true};
    default: return {true, true, true};  // register-register ALU and M
  }
}

class BlockEmitter {
 public:
  BlockEmitter(x86::Assembler& a, const EmitterTarget& target) : a_(a), target_(target) {}

  void emit(const BlockPlan& plan);
  Label entry() const { return entry_; }

 private:
  x86::Mem x_slot(unsigned r) const { return x86::qword_ptr(kHart, target_.x_offset + static_cast<int32_t>(8 * r)); }
  bool cached(unsigned r) const { return r != 0 && host_index_[r] >= 0; }
  const x86::Gp& host(unsigned r) const { return kCacheRegisters[static_cast<unsigned>(host_index_[r])]; }
  // Copies guest register r into reg.
  void load_x(const x86::Gp& reg, unsigned r) {
    if (r == 0) a_.xor_(reg.r32(), reg.r32());
    else if (cached(r)) a_.mov(reg, host(r));
    else a_.mov(reg, x_slot(r));
  }
  // The register holding guest register r: its cache register, or `scratch`
  // loaded with it.
  x86::Gp source(unsigned r, const x86::Gp& scratch) {
    if (cached(r)) return host(r);
    load_x(scratch, r);
    return scratch;
  }
  // Writes reg into guest register rd (x0: nothing).
  void store_x(unsigned rd, const x86::Gp& reg) {
    if (rd == 0) return;
    if (cached(rd)) {
      if (host(rd) != reg) a_.mov(host(rd), reg);
      dirty_ |= 1u << rd;
    } else {
      a_.mov(x_slot(rd), reg);
    }
  }
  // Stores the dirty cache registers into hart.x (before an exit or a
  // helper call); the cache state of the code that follows is unchanged.
  void write_back() {
    for (unsigned r = 1; r < 32; ++r) {
      if (cached(r) && (dirty_ >> r & 1) != 0) a_.mov(x_slot(r), host(r));
    }
    if (loops_) a_.mov(x86::qword_ptr(kContext, offsetof(JitContext, loop_budget)), kLoopBudget);
  }
  // Loads the cache registers selected by `selected` (a predicate on the
  // host register's index) from hart.x.
  template <typename Selected>
  void reload(Selected selected) {
    for (unsigned r = 1; r < 32; ++r) {
      if (cached(r) && selected(static_cast<unsigned>(host_index_[r]), r)) a_.mov(host(r), x_slot(r));
    }
  }
  void allocate_registers(const BlockPlan& plan);
  // Address of field `field_offset` of the TLB entry for the page of the
  // address in `address` in the table at `table_offset` (clobbers rax).
  x86::Mem tlb_entry(const x86::Gp& address, int32_t table_offset, int32_t field_offset) {
    a_.mov(x86::rax, address);
    a_.shr(x86::rax, 12);
    a_.movzx(x86::eax, x86::al);  // index mod Tlb::kEntries (256)
    a_.lea(x86::rax, x86::ptr(x86::rax, x86::rax, 2));
    return x86::qword_ptr(kHart, x86::rax, 3, table_offset + field_offset);
  }
  void set_pc(uint64_t pc) {
    a_.mov(x86::rax, pc);
    a_.mov(x86::qword_ptr(kHart, target_.pc_offset), x86::rax);
  }
  // Writes instruction_bits and the return value, then leaves the block.
  void finish(uint32_t bits, uint64_t slots, bool trapped) {
    a_.mov(x86::dword_ptr(kHart, target_.instruction_bits_offset), bits);
    a_.mov(x86::eax, static_cast<uint32_t>((slots << 1) | (trapped ? 1 : 0)));
    a_.jmp(epilogue_);
  }

  // Returns true if the instruction ended the block (emitted its own exit).
  bool emit_instruction(const DecodedInstruction& in, uint64_t pc, uint64_t slot);
  void emit_alu(const DecodedInstruction& in, uint64_t pc);
  void emit_branch(const DecodedInstruction& in, uint64_t pc, uint64_t slot);
  void emit_divide(const DecodedInstruction& in);
  void emit_memory(const DecodedInstruction& in, uint64_t pc, uint64_t slot, bool is_store, unsigned size,
                   bool is_signed);

  // The taken edge of a jump back to the block's own start after `slots`
  // slots of this run: run the block again in place while the budget allows
  // a full run (docs/jit.md, "Loops").
  void emit_loop_back(uint64_t slots);
  void emit_in_helper(const DecodedInstruction* in, uint64_t pc, uint64_t slot);
  // An F/D computation with a native fast path (x86_64_float_emitter.h) and
  // emit_in_helper as its fallback.
  void emit_native_float(const DecodedInstruction* in, uint64_t pc, uint64_t slot);
  // A normal exit to the constant `target`: chains to the next block through
  // an exit cell when the target is in this block's page, else through the
  // jump cache.
  void exit_to(uint64_t target, uint32_t bits, uint64_t slots);
  // A normal exit to the pc in rsi (cache registers already written back):
  // continues in the block the jump cache holds for it if that block is
  // valid here, else leaves to the dispatcher.
  void exit_through_jump_cache(uint32_t bits, uint64_t slots);
  void enter_chain_target(int32_t slots, Label fallback);

  x86::Assembler& a_;
  const EmitterTarget& target_;
  Label epilogue_;
  Label entry_;               // after the prologue: chained blocks enter here
  Label top_;                 // the first instruction, after the cache registers are loaded
  uint64_t start_pc_ = 0;     // the block's virtual pc
  uint64_t length_ = 0;       // instructions in the block
  unsigned cells_used_ = 0;
  bool loops_ = false;                   // the block may jump back to its own start
  std::array<int8_t, 32> host_index_{};  // guest register -> index into kCacheRegisters, or -1
  uint32_t dirty_ = 0;                   // cached guest registers that may differ from hart.x
  FloatBlockState float_state_;          // what the block's F/D instructions so far established about FS
};

// The guest registers the block uses most get the cache registers; one used
// once gains nothing unless the block loops.
void BlockEmitter::allocate_registers(const BlockPlan& plan) {
  host_index_.fill(-1);
  std::array<unsigned, 32> uses{};
  uint32_t written = 0;
  for (const DecodedInstruction& in : plan.instructions) {
    RegisterUse use;
    if (has_native_float_path(in)) {  // its fast path reads x[rs1] or writes x[rd] through the cache
      const FloatIntegerUse integer_use = float_integer_use(in);
      use = {integer_use.reads_rs1, false, integer_use.writes_rd};
    } else if (runs_in_helper(in)) {
      continue;
    } else {
      use = register_use(in);
    }
    if (use.rs1) ++uses[in.rs1];
    if (use.rs2) ++uses[in.rs2];
    if (use.rd) {
      ++uses[in.rd];
      written |= 1u << in.rd;
    }
  }
  bool loops = false;
  for (size_t i = 0; i < plan.instructions.size(); ++i) {
    const DecodedInstruction& in = plan.instructions[i];
    if ((in.op == Op::jal || is_conditional_branch(in.op)) &&
        plan.pcs[i] + static_cast<uint64_t>(in.imm) == plan.virtual_pc) {
      loops = true;
    }
  }
  loops_ = loops;
  std::array<unsigned, 31> order{};
  for (unsigned r = 1; r < 32; ++r) order[r - 1] = r;
  std::stable_sort(order.begin(), order.end(), [&](unsigned a, unsigned b) { return uses[a] > uses[b]; });
  unsigned next = loops ? 1 : 0;  // kLoopBudget
  for (unsigned r : order) {
    if (next == kCacheRegisters.size() || uses[r] == 0 || (uses[r] == 1 && !loops)) break;
    host_index_[r] = static_cast<int8_t>(next++);
  }
  // Entering through the loop-back, any register the block writes may be
  // newer than hart.x.
  dirty_ = loops ? written : 0;
}

void BlockEmitter::emit(const BlockPlan& plan) {
  epilogue_ = a_.newLabel();
  // Every block has this same frame, so a chained block's epilogue undoes
  // the prologue of the block the dispatcher called. Six pushes and 8 bytes
  // after the return address leave rsp 16-byte aligned for calls.
  a_.push(x86::rbx);
  a_.push(x86::rbp);
  a_.push(x86::r12);
  a_.push(x86::r13);
  a_.push(x86::r14);
  a_.push(x86::r15);
  a_.sub(x86::rsp, 8);
  a_.mov(kHart, x86::rdi);
  a_.mov(kContext, x86::rsi);
  entry_ = a_.newLabel();
  top_ = a_.newLabel();
  start_pc_ = plan.virtual_pc;
  length_ = plan.instructions.size();
  allocate_registers(plan);
  a_.bind(entry_);
  reload([](unsigned, unsigned) { return true; });
  if (loops_) a_.mov(kLoopBudget, x86::qword_ptr(kContext, offsetof(JitContext, loop_budget)));
  a_.bind(top_);

  bool ended = false;
  for (size_t i = 0; i < plan.instructions.size() && !ended; ++i) {
    if (runs_in_helper(plan.instructions[i])) {
      if (has_native_float_path(plan.instructions[i])) emit_native_float(&target_.instructions[i], plan.pcs[i], i + 1);
      else emit_in_helper(&target_.instructions[i], plan.pcs[i], i + 1);
      continue;
    }
    // The block's own copy: its address is stable (the FP slow path passes it).
    ended = emit_instruction(target_.instructions[i], plan.pcs[i], i + 1);
  }
  if (!ended) {  // exit 1: fall through to the next instruction
    const DecodedInstruction& last = plan.instructions.back();
    exit_to(plan.pcs.back() + last.length, last.bits, plan.instructions.size());
  }

  a_.bind(epilogue_);
  a_.add(x86::rsp, 8);
  a_.pop(x86::r15);
  a_.pop(x86::r14);
  a_.pop(x86::r13);
  a_.pop(x86::r12);
  a_.pop(x86::rbp);
  a_.pop(x86::rbx);
  a_.ret();
}

bool BlockEmitter::emit_instruction(const DecodedInstruction& in, uint64_t pc, uint64_t slot) {
  switch (in.op) {
    case Op::jal:
    case Op::jalr:
      emit_branch(in, pc, slot);
      return true;
    case Op::beq: case Op::bne: case Op::blt: case Op::bge: case Op::bltu: case Op::bgeu:
      emit_branch(in, pc, slot);  // the not-taken edge goes on in the block
      return false;
    case Op::lb: emit_memory(in, pc, slot, false, 1, true); return false;
    case Op::lh: emit_memory(in, pc, slot, false, 2, true); return false;
    case Op::lw: emit_memory(in, pc, slot, false, 4, true); return false;
    case Op::ld: emit_memory(in, pc, slot, false, 8, false); return false;
    case Op::lbu: emit_memory(in, pc, slot, false, 1, false); return false;
    case Op::lhu: emit_memory(in, pc, slot, false, 2, false); return false;
    case Op::lwu: emit_memory(in, pc, slot, false, 4, false); return false;
    case Op::sb: emit_memory(in, pc, slot, true, 1, false); return false;
    case Op::sh: emit_memory(in, pc, slot, true, 2, false); return false;
    case Op::sw: emit_memory(in, pc, slot, true, 4, false); return false;
    case Op::sd: emit_memory(in, pc, slot, true, 8, false); return false;
    case Op::flw: emit_memory(in, pc, slot, false, 4, false); return false;
    case Op::fld: emit_memory(in, pc, slot, false, 8, false); return false;
    case Op::fsw: emit_memory(in, pc, slot, true, 4, false); return false;
    case Op::fsd: emit_memory(in, pc, slot, true, 8, false); return false;
    case Op::div: case Op::divu: case Op::rem: case Op::remu:
    case Op::divw: case Op::divuw: case Op::remw: case Op::remuw:
      emit_divide(in);
      return false;
    default:
      emit_alu(in, pc);
      return false;
  }
}

void BlockEmitter::emit_alu(const DecodedInstruction& in, uint64_t pc) {
  using x86::rax;
  using x86::rcx;
  using x86::rdx;
  using x86::eax;
  using x86::ecx;
  const unsigned rd = in.rd;
  const int32_t imm = static_cast<int32_t>(in.imm);  // 12-bit I-type immediates and shift amounts
  if (in.op == Op::fence) return;                     // nothing to order on one in-order hart
  if (rd == 0) return;  // every remaining case only writes rd and cannot trap
  const auto operands = [&] {
    load_x(rax, in.rs1);
    load_x(rcx, in.rs2);
  };
  switch (in.op) {
    case Op::lui: a_.mov(rax, static_cast<uint64_t>(in.imm)); break;
    case Op::auipc: a_.mov(rax, pc + static_cast<uint64_t>(in.imm)); break;
    case Op::addi: load_x(rax, in.rs1); a_.add(rax, imm); break;
    case Op::slti:
      load_x(rax, in.rs1);
      a_.cmp(rax, imm);
      a_.setl(x86::al);
      a_.movzx(eax, x86::al);
      break;
    case Op::sltiu:  // cmp sign-extends imm to 64 bits, then setb compares unsigned
      load_x(rax, in.rs1);
      a_.cmp(rax, imm);
      a_.setb(x86::al);
      a_.movzx(eax, x86::al);
      break;
    case Op::xori: load_x(rax, in.rs1); a_.xor_(rax, imm); break;
    case Op::ori: load_x(rax, in.rs1); a_.or_(rax, imm); break;
    case Op::andi: load_x(rax, in.rs1); a_.and_(rax, imm); break;
    case Op::slli: load_x(rax, in.rs1); a_.shl(rax, imm & 63); break;
    case Op::srli: load_x(rax, in.rs1); a_.shr(rax, imm & 63); break;
    case Op::srai: load_x(rax, in.rs1); a_.sar(rax, imm & 63); break;
    case Op::add: operands(); a_.add(rax, rcx); break;
    case Op::sub: operands(); a_.sub(rax, rcx); break;
    // x86 masks 64-bit shift counts to 6 bits and 32-bit ones to 5, as RISC-V does.
    case Op::sll: operands(); a_.shl(rax, x86::cl); break;
    case Op::srl: operands(); a_.shr(rax, x86::cl); break;
    case Op::sra: operands(); a_.sar(rax, x86::cl); break;
    case Op::slt:
      operands();
      a_.cmp(rax, rcx);
      a_.setl(x86::al);
      a_.movzx(eax, x86::al);
      break;
    case Op::sltu:
      operands();
      a_.cmp(rax, rcx);
      a_.setb(x86::al);
      a_.movzx(eax, x86::al);
      break;
    case Op::xor_: operands(); a_.xor_(rax, rcx); break;
    case Op::or_: operands(); a_.or_(rax, rcx); break;
    case Op::and_: operands(); a_.and_(rax, rcx); break;
    // W forms: 32-bit x86 operations, then sign-extend the low word.
    case Op::addiw: load_x(rax, in.rs1); a_.add(eax, imm); a_.movsxd(rax, eax); break;
    case Op::slliw: load_x(rax, in.rs1); a_.shl(eax, imm & 31); a_.movsxd(rax, eax); break;
    case Op::srliw: load_x(rax, in.rs1); a_.shr(eax, imm & 31); a_.movsxd(rax, eax); break;
    case Op::sraiw: load_x(rax, in.rs1); a_.sar(eax, imm & 31); a_.movsxd(rax, eax); break;
    case Op::addw: operands(); a_.add(eax, ecx); a_.movsxd(rax, eax); break;
    case Op::subw: operands(); a_.sub(eax, ecx); a_.movsxd(rax, eax); break;
    case Op::sllw: operands(); a_.shl(eax, x86::cl); a_.movsxd(rax, eax); break;
    case Op::srlw: operands(); a_.shr(eax, x86::cl); a_.movsxd(rax, eax); break;
    case Op::sraw: operands(); a_.sar(eax, x86::cl); a_.movsxd(rax, eax); break;
    case Op::mul: operands(); a_.imul(rax, rcx); break;
    case Op::mulw: operands(); a_.imul(eax, ecx); a_.movsxd(rax, eax); break;
    case Op::mulh: operands(); a_.imul(rdx, rax, rcx); a_.mov(rax, rdx); break;
    case Op::mulhu: operands(); a_.mul(rdx, rax, rcx); a_.mov(rax, rdx); break;
    case Op::mulhsu:
      // signed a = unsigned a - 2^64 [a < 0], so the high word of a*b is
      // the unsigned high word minus (a < 0 ? b : 0).
      operands();
      a_.mov(x86::rsi, rax);
      a_.mul(rdx, rax, rcx);
      a_.sar(x86::rsi, 63);
      a_.and_(x86::rsi, rcx);
      a_.sub(rdx, x86::rsi);
      a_.mov(rax, rdx);
      break;
    default: return;  // unreachable: is_emittable() admits only the cases above
  }
  store_x(rd, rax);
}

// M division (table 7.1): the zero divisor and the signed overflow case
// (most negative / -1) are handled before any x86 div/idiv, which would
// raise #DE on them.
void BlockEmitter::emit_divide(const DecodedInstruction& in) {
  using x86::rax;
  using x86::rcx;
  using x86::rdx;
  using x86::eax;
  using x86::ecx;
  using x86::edx;
  if (in.rd == 0) return;
  const bool word = in.op == Op::divw || in.op == Op::divuw || in.op == Op::remw || in.op == Op::remuw;
  const bool is_signed = in.op == Op::div || in.op == Op::rem || in.op == Op::divw || in.op == Op::remw;
  const bool remainder = in.op == Op::rem || in.op == Op::remu || in.op == Op::remw || in.op == Op::remuw;
  const x86::Gp a = word ? x86::Gp(eax) : x86::Gp(rax);
  const x86::Gp b = word ? x86::Gp(ecx) : x86::Gp(rcx);
  const x86::Gp high = word ? x86::Gp(edx) : x86::Gp(rdx);
  Label by_zero = a_.newLabel(), done = a_.newLabel();
  load_x(rax, in.rs1);
  load_x(rcx, in.rs2);
  a_.test(b, b);
  a_.jz(by_zero);
  if (is_signed) {
    Label ordinary = a_.newLabel();
    a_.cmp(b, -1);
    a_.jne(ordinary);
    // Division by -1: the quotient is -a (wrapping, so the most negative
    // value stays itself, the overflow result), the remainder 0.
    if (remainder) a_.xor_(eax, eax);
    else a_.neg(a);
    a_.jmp(done);
    a_.bind(ordinary);
    if (word) a_.cdq(edx, eax);
    else a_.cqo(rdx, rax);
    a_.idiv(high, a, b);
  } else {
    a_.xor_(edx, edx);
    a_.div(high, a, b);
  }
  if (remainder) a_.mov(a, high);
  a_.jmp(done);
  a_.bind(by_zero);
  // Quotient all ones, remainder the dividend (already in rax).
  if (!remainder) a_.mov(rax, -1);
  a_.bind(done);
  if (word) a_.movsxd(rax, eax);
  store_x(in.rd, rax);
}

void BlockEmitter::emit_branch(const DecodedInstruction& in, uint64_t pc, uint64_t slot) {
  const uint64_t next_pc = pc + in.length;
  const uint64_t target = pc + static_cast<uint64_t>(in.imm);
  // Targets are always even (IALIGN = 16 and jalr clears bit 0), so the
  // interpreter's misaligned-target trap cannot fire; see jump() there.
  if (in.op == Op::jal) {
    if (in.rd != 0) {
      a_.mov(x86::rax, next_pc);
      store_x(in.rd, x86::rax);
    }
    if (target == start_pc_) emit_loop_back(slot);
    exit_to(target, in.bits, slot);
    return;
  }
  if (in.op == Op::jalr) {
    load_x(x86::rsi, in.rs1);  // before rd is written: rd may be rs1
    a_.add(x86::rsi, static_cast<int32_t>(in.imm));
    a_.and_(x86::rsi, -2);
    if (in.rd != 0) {
      a_.mov(x86::rcx, next_pc);
      store_x(in.rd, x86::rcx);
    }
    write_back();
    exit_through_jump_cache(in.bits, slot);
    return;
  }
  // Conditional branch: the not-taken edge goes on in the block (the cache
  // registers stay as they are; if this is the last instruction, emit()
  // adds the fall-through exit), the taken edge is a side exit that has
  // used `slot` slots: the instructions up to and including this one.
  Label not_taken = a_.newLabel();
  a_.cmp(source(in.rs1, x86::rcx), source(in.rs2, x86::rdx));
  switch (in.op) {  // the inverse condition skips the side exit
    case Op::beq: a_.jne(not_taken); break;
    case Op::bne: a_.je(not_taken); break;
    case Op::blt: a_.jge(not_taken); break;
    case Op::bge: a_.jl(not_taken); break;
    case Op::bltu: a_.jae(not_taken); break;
    default: a_.jb(not_taken); break;  // bgeu
  }
  if (target == start_pc_) emit_loop_back(slot);
  exit_to(target, in.bits, slot);
  a_.bind(not_taken);
}

// An instruction the interpreter runs in place (runs_in_helper): hart.pc
// must hold its pc (the executor reads it, a trap records it as epc).
// The interpreter reads and writes hart.x, so the cache registers are
// written back before the call; afterwards rd (it may have been written) and
// the caller-saved cache registers are loaded again.
void BlockEmitter::emit_in_helper(const DecodedInstruction* in, uint64_t pc, uint64_t slot) {
  write_back();
  dirty_ = 0;
  set_pc(pc);
  a_.mov(x86::rdi, kContext);
  a_.mov(x86::rsi, reinterpret_cast<uint64_t>(in));
  a_.mov(x86::rax, reinterpret_cast<uint64_t>(&jit_execute_helper));
  a_.call(x86::rax);
  Label completed = a_.newLabel();
  a_.test(x86::eax, x86::eax);
  a_.jz(completed);
  finish(in->bits, slot, true);  // exit 4: pc was set by the trap
  a_.bind(completed);
  const unsigned rd = in->rd;
  reload([rd](unsigned index, unsigned r) { return index >= kCalleeSavedCacheRegisters || r == rd; });
}

// The fast path falls through having completed the instruction (an integer
// result in rax) or jumps to the fallback having written nothing, and the
// fallback is emit_in_helper. Both paths leave every cache register holding
// its guest register (the fast path touches none but rd; the helper path
// reloads), so at the join the cache is valid and a register is dirty if it
// may be on either path.
void BlockEmitter::emit_native_float(const DecodedInstruction* in, uint64_t pc, uint64_t slot) {
  const FloatIntegerUse integer_use = float_integer_use(*in);
  Label fallback = a_.newLabel(), done = a_.newLabel();
  const uint32_t dirty_before = dirty_;
  const x86::Gp integer_source = integer_use.reads_rs1 ? source(in->rs1, x86::rsi) : x86::Gp(x86::rsi);
  const FloatTarget float_target{kHart, kContext, target_.f_offset, target_.mstatus_offset, target_.fflags_offset,
                                 target_.frm_offset};
  emit_float_fast_path(a_, float_target, *in, integer_source, fallback, float_state_);
  if (integer_use.writes_rd) store_x(in->rd, x86::rax);
  const uint32_t dirty_after_fast_path = dirty_;
  a_.jmp(done);
  a_.bind(fallback);
  dirty_ = dirty_before;
  emit_in_helper(in, pc, slot);
  a_.bind(done);
  dirty_ |= dirty_after_fast_path;
}

// The tail both chained exits share: with a ChainTarget in rax, enter its
// block if its bytes were checked in the current write epoch and its full
// length fits the budget left after this block's `slots`; else go to
// `fallback` (budget untouched). Clobbers rcx.
void BlockEmitter::enter_chain_target(int32_t slots, Label fallback) {
  using x86::rax;
  using x86::rcx;
  a_.mov(rcx, x86::qword_ptr(kContext, offsetof(JitContext, write_epoch)));
  a_.cmp(rcx, x86::qword_ptr(rax, offsetof(ChainTarget, verified_epoch)));
  a_.jne(fallback);
  a_.mov(rcx, x86::qword_ptr(kContext, offsetof(JitContext, loop_budget)));
  a_.sub(rcx, slots);
  a_.cmp(rcx, x86::qword_ptr(rax, offsetof(ChainTarget, length)));
  a_.jb(fallback);
  a_.mov(x86::qword_ptr(kContext, offsetof(JitContext, loop_budget)), rcx);
  a_.jmp(x86::qword_ptr(rax, offsetof(ChainTarget, entry)));
}

// Chained exit: only reached after this run of the block completed in
// generated code (as for loops), so the dispatcher would find the same target
// block (same page and mode: the cell is only ever set to such a block) and
// take no interrupt. The target is entered if its guest bytes were checked
// in the current write epoch and its full length fits the budget left.
void BlockEmitter::exit_to(uint64_t target, uint32_t bits, uint64_t slots) {
  using x86::rax;
  using x86::rcx;
  using x86::rdx;
  write_back();
  if ((target >> 12) != (start_pc_ >> 12) || cells_used_ >= kExitCellsPerBlock) {
    a_.mov(x86::rsi, target);
    exit_through_jump_cache(bits, slots);
    return;
  }
  ExitCell* cell = &target_.exit_cells[cells_used_++];
  cell->target_pc = target;
  cell->physical_page = target_.physical_page;
  cell->mode = target_.mode;
  Label plain = a_.newLabel();
  const auto slots32 = static_cast<int32_t>(slots);
  a_.mov(rdx, reinterpret_cast<uint64_t>(cell));
  a_.mov(rax, x86::qword_ptr(rdx, offsetof(ExitCell, target)));
  a_.test(rax, rax);
  a_.jz(plain);
  enter_chain_target(slots32, plain);
  a_.bind(plain);
  a_.mov(x86::qword_ptr(kContext, offsetof(JitContext, last_exit)), rdx);
  set_pc(target);
  finish(bits, slots, false);
}

// Indirect jumps and exits to another page. As for exit cells, this exit is
// only reached after the block ran entirely in generated code, so the
// dispatcher would take no interrupt here and would run the block it finds
// for the pc in rsi; that is the jump-cache entry's block when the entry's
// key is what the dispatcher would compute now: same virtual pc and mode,
// and the physical pc the fetch TLB gives for the pc (the mapping may have
// changed since the entry was made; a fetch-TLB miss or an MMIO page goes to
// the dispatcher). The block is entered if its bytes were checked in this
// write epoch and it fits the budget left.
void BlockEmitter::exit_through_jump_cache(uint32_t bits, uint64_t slots) {
  using x86::rax;
  using x86::rcx;
  using x86::rdx;
  using x86::rdi;
  using x86::rsi;
  static_assert(sizeof(JumpCacheEntry) == 40, "jump cache entries are addressed as index * 5 * 8");
  Label miss = a_.newLabel();
  const auto slots32 = static_cast<int32_t>(slots);
  a_.mov(rdi, x86::qword_ptr(kContext, offsetof(JitContext, jump_cache)));
  a_.test(rdi, rdi);
  a_.jz(miss);
  a_.mov(x86::eax, x86::esi);
  a_.shr(x86::eax, 1);
  a_.and_(x86::eax, static_cast<int32_t>(kJumpCacheEntries - 1));
  a_.lea(rax, x86::ptr(rax, rax, 2));
  a_.lea(rdi, x86::ptr(rdi, rax, 3));
  a_.cmp(rsi, x86::qword_ptr(rdi, offsetof(JumpCacheEntry, key) + offsetof(BlockKey, virtual_pc)));
  a_.jne(miss);
  a_.cmp(x86::qword_ptr(rdi, offsetof(JumpCacheEntry, key) + offsetof(BlockKey, mode)),
         static_cast<int32_t>(target_.mode));
  a_.jne(miss);
  const x86::Mem tag = tlb_entry(rsi, target_.fetch_table_offset, kEntryTag);
  a_.mov(rcx, rsi);
  a_.and_(rcx, -static_cast<int32_t>(Tlb::kPageSize));
  a_.or_(rcx, static_cast<int32_t>(target_.fetch_context));
  a_.cmp(rcx, tag);
  a_.jne(miss);
  x86::Mem flags = tag;
  flags.addOffset(kEntryFlags - kEntryTag);
  flags.setSize(1);
  a_.cmp(flags, 0);
  a_.jne(miss);
  x86::Mem physical_page = tag;
  physical_page.addOffset(kEntryPhysicalPage - kEntryTag);
  a_.mov(x86::ecx, x86::esi);
  a_.and_(x86::ecx, static_cast<int32_t>(Tlb::kPageOffsetMask));
  a_.or_(rcx, physical_page);
  a_.cmp(rcx, x86::qword_ptr(rdi, offsetof(JumpCacheEntry, key) + offsetof(BlockKey, physical_pc)));
  a_.jne(miss);
  a_.mov(rax, x86::qword_ptr(rdi, offsetof(JumpCacheEntry, target)));
  a_.test(rax, rax);
  a_.jz(miss);
  enter_chain_target(slots32, miss);
  a_.bind(miss);
  a_.mov(x86::qword_ptr(kHart, target_.pc_offset), rsi);
  finish(bits, slots, false);
}

// Only reached when every instruction of this run of the block completed in
// generated code (a slow-path access exits the block), so nothing that could
// change interrupt state, translation or code happened (docs/jit.md, "Exact
// instruction counting"): running the block again is what the dispatcher
// would do, minus the lookup. This run used `slots` slots (the jump back may
// be a side exit before the block's end); the next run may use the whole
// block, so the block goes round again only while the budget left after this
// run covers its full length, and otherwise falls through to the normal exit.
void BlockEmitter::emit_loop_back(uint64_t slots) {
  const auto length = static_cast<int32_t>(length_);
  Label exit = a_.newLabel();
  a_.lea(x86::rax, x86::ptr(kLoopBudget, -static_cast<int32_t>(slots)));
  a_.cmp(x86::rax, length);
  a_.jb(exit);
  a_.mov(kLoopBudget, x86::rax);
  a_.jmp(top_);
  a_.bind(exit);
}

// Loads and stores. Fast path (the same test as Hart::load/store's): the
// access lies within one page, the TLB entry of this access kind matches
// tag = page | context, and its flags are clear (host-backed); stores also
// require that the physical page holds no translated code (code-page bitmap),
// so a store that may modify code always goes through the slow path and ends
// the block. Slow path: the helper calls hart.load/store.
void BlockEmitter::emit_memory(const DecodedInstruction& in, uint64_t pc, uint64_t slot, bool is_store,
                               unsigned size, bool is_signed) {
  using x86::rax;
  using x86::rcx;
  using x86::rsi;
  Label slow = a_.newLabel(), done = a_.newLabel();
  const bool fp = in.op == Op::flw || in.op == Op::fld || in.op == Op::fsw || in.op == Op::fsd;
  const auto f_slot = [this](unsigned r) {
    return x86::qword_ptr(kHart, target_.f_offset + static_cast<int32_t>(8 * r));
  };
  if (fp) {  // 11.1: mstatus.FS = Off makes it illegal; the slow path raises that
    a_.test(x86::qword_ptr(kHart, target_.mstatus_offset), static_cast<int32_t>(riscv::kMstatusFS));
    a_.jz(slow);
  }
  load_x(rsi, in.rs1);
  if (in.imm != 0) a_.add(rsi, static_cast<int32_t>(in.imm));
  if (size > 1) {
    a_.mov(x86::eax, x86::esi);
    a_.and_(x86::eax, static_cast<int32_t>(Tlb::kPageOffsetMask));
    a_.cmp(x86::eax, static_cast<int32_t>(Tlb::kPageSize - size));
    a_.ja(slow);
  }
  const x86::Mem tag =
      tlb_entry(rsi, is_store ? target_.store_table_offset : target_.load_table_offset, kEntryTag);
  const auto field = [&tag](int32_t offset, uint32_t size_bytes) {
    x86::Mem mem = tag;
    mem.addOffset(offset - kEntryTag);
    mem.setSize(size_bytes);
    return mem;
  };
  a_.mov(rcx, rsi);
  a_.and_(rcx, -static_cast<int32_t>(Tlb::kPageSize));
  a_.or_(rcx, static_cast<int32_t>(is_store ? target_.store_context : target_.load_context));
  a_.cmp(rcx, tag);
  a_.jne(slow);
  a_.cmp(field(kEntryFlags, 1), 0);
  a_.jne(slow);
  if (is_store) {  // bit (physical page) of the code-page bitmap
    a_.mov(rcx, field(kEntryPhysicalPage, 8));
    a_.shr(rcx, 12);
    a_.cmp(rcx, static_cast<int32_t>(kCodeBitmapPages));
    a_.jae(slow);
    a_.mov(x86::rdi, x86::qword_ptr(kContext, offsetof(JitContext, code_page_bitmap)));
    a_.mov(x86::rdx, rcx);
    a_.shr(x86::rdx, 6);
    a_.mov(x86::rdx, x86::qword_ptr(x86::rdi, x86::rdx, 3));
    a_.bt(x86::rdx, rcx);  // the bit offset is taken mod 64
    a_.jc(slow);
  }
  a_.add(rsi, field(kEntryHostAddend, 8));
  if (is_store && fp) {  // raw bits of f[rs2] (11.5, 12.3)
    a_.mov(rcx, f_slot(in.rs2));
    if (size == 4) a_.mov(x86::dword_ptr(rsi), x86::ecx);
    else a_.mov(x86::qword_ptr(rsi), rcx);
  } else if (fp) {  // the value NaN-boxed for flw (12.2), then FS = Dirty as write_s/write_d do
    if (size == 4) {
      a_.mov(x86::eax, x86::dword_ptr(rsi));
      a_.mov(rcx, 0xffffffff00000000ull);
      a_.or_(rax, rcx);
    } else {
      a_.mov(rax, x86::qword_ptr(rsi));
    }
    a_.mov(f_slot(in.rd), rax);
    // Stored only when not already dirty: an unconditional read-modify-write
    // of mstatus would chain every FP load and computation of a loop through
    // store forwarding.
    Label already_dirty = a_.newLabel();
    a_.mov(rcx, riscv::kMstatusFS | riscv::kMstatusSD);
    a_.mov(x86::rdx, x86::qword_ptr(kHart, target_.mstatus_offset));
    a_.and_(x86::rdx, rcx);
    a_.cmp(x86::rdx, rcx);
    a_.je(already_dirty);
    a_.or_(x86::qword_ptr(kHart, target_.mstatus_offset), rcx);
    a_.bind(already_dirty);
  } else if (is_store) {
    const x86::Gp value = source(in.rs2, rcx);
    switch (size) {
      case 1: a_.mov(x86::byte_ptr(rsi), value.r8()); break;
      case 2: a_.mov(x86::word_ptr(rsi), value.r16()); break;
      case 4: a_.mov(x86::dword_ptr(rsi), value.r32()); break;
      default: a_.mov(x86::qword_ptr(rsi), value); break;
    }
  } else if (in.rd != 0) {
    const x86::Gp value = cached(in.rd) ? host(in.rd) : rax;
    switch (size) {
      case 1:
        is_signed ? a_.movsx(value, x86::byte_ptr(rsi)) : a_.movzx(value.r32(), x86::byte_ptr(rsi));
        break;
      case 2:
        is_signed ? a_.movsx(value, x86::word_ptr(rsi)) : a_.movzx(value.r32(), x86::word_ptr(rsi));
        break;
      case 4:
        is_signed ? a_.movsxd(value, x86::dword_ptr(rsi)) : a_.mov(value.r32(), x86::dword_ptr(rsi));
        break;
      default: a_.mov(value, x86::qword_ptr(rsi)); break;
    }
    store_x(in.rd, value);
  }
  a_.jmp(done);

  // Slow path: hart.pc must hold this instruction's pc in case of a trap;
  // hart.x must be exact (the block ends after it either way).
  a_.bind(slow);
  write_back();
  set_pc(pc);
  if (fp) {
    // The interpreter's executor does the whole instruction (FS check,
    // access, NaN-boxing, FS dirty); it may touch memory or a device, so it
    // counts as a helper call and the block ends after it, as below.
    a_.add(x86::qword_ptr(kContext, offsetof(JitContext, helper_calls)), 1);
    a_.mov(x86::rdi, kContext);
    a_.mov(rsi, reinterpret_cast<uint64_t>(&in));
    a_.mov(rax, reinterpret_cast<uint64_t>(&jit_execute_helper));
  } else if (is_store) {
    a_.mov(x86::edx, size);
    load_x(rcx, in.rs2);
    a_.mov(rax, reinterpret_cast<uint64_t>(&jit_store_helper));
  } else {
    a_.mov(x86::edx, size | (is_signed ? static_cast<uint32_t>(kLoadSigned) : 0u));
    a_.mov(rax, reinterpret_cast<uint64_t>(&jit_load_helper));
  }
  if (!fp) a_.mov(x86::rdi, kContext);  // rsi still holds the address
  a_.call(rax);
  Label completed = a_.newLabel();
  a_.test(x86::eax, x86::eax);
  a_.jz(completed);
  finish(in.bits, slot, true);  // exit 4: pc was set by the trap
  a_.bind(completed);
  if (!fp && !is_store && in.rd != 0) {  // into hart.x: the cache registers are not written back again
    a_.mov(rax, x86::qword_ptr(kContext, offsetof(JitContext, scratch)));
    a_.mov(x_slot(in.rd), rax);
  }
  set_pc(pc + in.length);  // exit 3
  finish(in.bits, slot, false);
  a_.bind(done);
}

}  // namespace

BlockFunction emit_block(JitRuntime& runtime, const BlockPlan& plan, const EmitterTarget& target,
                         const void** chain_entry) {
  CodeHolder code;
  if (code.init(runtime.environment()) != kErrorOk) return nullptr;
  x86::Assembler assembler(&code);
  BlockEmitter emitter(assembler, target);
  emitter.emit(plan);
  BlockFunction function = nullptr;
  if (runtime.add(&function, &code) != kErrorOk) return nullptr;
  *chain_entry = reinterpret_cast<const uint8_t*>(function) + code.labelOffsetFromBase(emitter.entry());
  return function;
}

}  // namespace emu::jit

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
//   3. a load/store whose slow path, or an atomic that, reached a device
//      or wrote translated code: pc = next pc (so MMIO side effects, e.g.
//      interrupt lines, and stores into code are seen at the next
//      instruction boundary, as the interpreter would see them); a slow
//      path or an atomic that reached plain RAM lets the block go on;
//   4. a load/store whose slow path trapped, or an instruction run in the
//      interpreter in place that trapped: pc = trap handler (set by the
//      hart), the slot counts but the instruction does not retire.
// Exits 1 and 2 leave through the runtime stubs (ExitCell), 3 and 4 with
// the helper's return value. Every exit writes hart.pc and
// hart.instruction_bits (the bits of the last attempted instruction, as the
// interpreter leaves them).
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
#include <functional>
#include <vector>
#include <cstddef>

namespace emu::jit {
namespace {

using namespace asmjit;
using riscv::DecodedInstruction;
using riscv::Op;
using riscv::Tlb;

constexpr int32_t kEntryTag = static_cast<int32_t>(offsetof(Tlb::Entry, tag));
constexpr int32_t kEntryHostAddend = static_cast<int32_t>(offsetof(Tlb::Entry, host_addend));
constexpr int32_t kEntryPhysicalPage = static_cast<int32_t>(offsetof(Tlb::Entry, physical_page));

// The byte offset of an address's TLB entry in its table is
// (address >> kEntryIndexShift) & kEntryIndexMask: the virtual page number
// mod Tlb::kEntries, times the entry size.
static_assert(sizeof(Tlb::Entry) == 32 && Tlb::kPageSize == 4096);
constexpr int kEntryIndexShift = 12 - 5;
constexpr int32_t kEntryIndexMask = (Tlb::kEntries - 1) * 32;

const x86::Gp kHart = x86::rbx;
const x86::Gp kContext = x86::r12;

// Host registers that cache guest registers, callee-saved ones first (they
// survive helper calls; r8..r11 and rdi are reloaded after a call the block goes on
// from).
constexpr unsigned kCalleeSavedCacheRegisters = 4;
const std::array<x86::Gp, 9> kCacheRegisters = {x86::rbp, x86::r13, x86::r14, x86::r15, x86::r8,
                                                x86::r9,  x86::r10, x86::r11, x86::rdi};
// A block that loops back to its own start keeps JitContext::loop_budget
// minus its own length in this register (the first cache register, which
// it then does not use for a guest register), so that the loop-back's
// budget test is one subtraction, and stores the budget at every exit.
const x86::Gp kLoopBudget = kCacheRegisters[0];

// Which integer registers an emitted instruction reads and writes (for the
// register allocation; instructions run in a helper access hart.x themselves).
struct RegisterUse {
  bool rs1 = false, rs2 = false, rd = false;
};
RegisterUse integer_register_use(const DecodedInstruction& in) {
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

// What the block's generated code does with integer registers through the
// cache: an F/D fast path reads x[rs1] or writes x[rd]; an instruction run
// in a helper uses hart.x itself.
RegisterUse cached_register_use(const DecodedInstruction& in) {
  if (has_native_float_path(in)) {
    const FloatIntegerUse integer_use = float_integer_use(in);
    return {integer_use.reads_rs1, false, integer_use.writes_rd};
  }
  if (runs_in_helper(in)) return {};
  return integer_register_use(in);
}

class BlockEmitter {
 public:
  BlockEmitter(x86::Assembler& a, const EmitterTarget& target) : a_(a), target_(target) {}

  void emit(const BlockPlan& plan);
  // The patchable jumps of the block's same-page exits: after the code is
  // placed, each cell learns where its rel32 is and where it points
  // unlinked.
  struct PatchSite {
    ExitCell* cell;
    Label after_jump;
    Label unlinked;
  };
  const std::vector<PatchSite>& patch_sites() const { return patch_sites_; }

 private:
  x86::Mem x_slot(unsigned r) const { return x86::qword_ptr(kHart, target_.x_offset + static_cast<int32_t>(8 * r)); }
  x86::Mem context_field(size_t offset) const { return x86::qword_ptr(kContext, static_cast<int32_t>(offset)); }
  bool cached(unsigned r) const { return r != 0 && host_index_[r] >= 0; }
  const x86::Gp& host(unsigned r) const { return kCacheRegisters[static_cast<unsigned>(host_index_[r])]; }
  // Copies guest register r into reg.
  void load_x(const x86::Gp& reg, unsigned r) {
    if (r == 0) a_.xor_(reg.r32(), reg.r32());
    else if (!cached(r)) a_.mov(reg, x_slot(r));
    else if (host(r) != reg) a_.mov(reg, host(r));
  }
  // The register holding guest register r: its cache register, or `scratch`
  // loaded with it.
  x86::Gp source(unsigned r, const x86::Gp& scratch) {
    if (cached(r)) return host(r);
    load_x(scratch, r);
    return scratch;
  }
  // Where an instruction computes rd: its cache register, else rax.
  x86::Gp destination(unsigned rd) const { return cached(rd) ? host(rd) : x86::rax; }
  // Writes reg into guest register rd (x0: nothing).
  void store_x(unsigned rd, const x86::Gp& reg) {
    if (rd == 0) return;
    if (cached(rd)) {
      if (host(rd) != reg) a_.mov(host(rd), reg);
      dirty_ |= 1u << rd;
      loaded_ |= 1u << rd;
    } else {
      a_.mov(x_slot(rd), reg);
    }
  }
  // Stores the dirty cache registers into hart.x (before an exit or a
  // helper call) and leaves in JitContext::loop_budget the budget left
  // after `slots_taken` more slots (clobbers rax); the cache state of the
  // code that follows is unchanged.
  void write_back(uint64_t slots_taken = 0) {
    for (unsigned r = 1; r < 32; ++r) {
      if (cached(r) && (dirty_ >> r & 1) != 0) a_.mov(x_slot(r), host(r));
    }
    const x86::Mem budget = context_field(offsetof(JitContext, loop_budget));
    if (loops_) {  // kLoopBudget holds the budget minus the block's length
      a_.lea(x86::rax, x86::ptr(kLoopBudget, static_cast<int32_t>(length_ - slots_taken)));
      a_.mov(budget, x86::rax);
    } else if (slots_taken != 0) {
      a_.sub(budget, static_cast<int32_t>(slots_taken));
    }
  }
  // Loads the cache registers selected by `selected` (a predicate on the
  // host register's index and the guest register) from hart.x.
  template <typename Selected>
  void reload(Selected selected) {
    for (unsigned r = 1; r < 32; ++r) {
      if (cached(r) && selected(static_cast<unsigned>(host_index_[r]), r)) a_.mov(host(r), x_slot(r));
    }
  }
  void allocate_registers(const BlockPlan& plan);
  // Loads the cache registers of the guest registers `in` reads that are
  // not loaded yet (see emit).
  void load_sources(const DecodedInstruction& in) {
    const RegisterUse use = cached_register_use(in);
    for (const auto& [reads, r] : {std::pair{use.rs1, in.rs1}, std::pair{use.rs2, in.rs2}}) {
      if (reads && cached(r) && (loaded_ >> r & 1) == 0) {
        a_.mov(host(r), x_slot(r));
        loaded_ |= 1u << r;
      }
    }
  }
  HelperCallSite* new_site(const DecodedInstruction& in, uint64_t pc, uint64_t slot) {
    HelperCallSite& site = target_.chaining->helper_sites.at(sites_used_++);
    site.pc = pc;
    site.next_pc = pc + in.length;
    site.instruction = &in;
    site.bits = in.bits;
    site.slots = static_cast<uint32_t>(slot);
    return &site;
  }
  ExitCell* new_cell(uint64_t target_pc, uint32_t bits, uint64_t slots) {
    ExitCell& cell = target_.chaining->exits.at(cells_used_++);
    cell.target_pc = target_pc;
    cell.physical_page = target_.physical_page;
    cell.mode = target_.mode;
    cell.fetch_context = target_.fetch_context;
    cell.bits = bits;
    cell.slots = static_cast<uint32_t>(slots);
    return &cell;
  }
  // After a helper call: the helper's return value in rax is either
  // kContinueBlock or the block's return value (leave with it at once).
  void leave_unless_continuing() {
    a_.test(x86::rax, x86::rax);
    a_.jnz(leave_);
  }

  // Returns true if the instruction ended the block (emitted its own exit).
  bool emit_instruction(const DecodedInstruction& in, uint64_t pc, uint64_t slot);
  void emit_alu(const DecodedInstruction& in, uint64_t pc);
  // rd = rs1 OP rs2 with the two-operand x86 instruction `operation`
  // (word: on the low 32 bits, then sign-extended, the RV64 W forms).
  template <typename Operation>
  void emit_binary(const DecodedInstruction& in, bool commutative, bool word, Operation operation);
  void emit_shift(const DecodedInstruction& in, bool word);
  void emit_branch(const DecodedInstruction& in, uint64_t pc, uint64_t slot);
  void emit_divide(const DecodedInstruction& in);
  void emit_memory(const DecodedInstruction& in, uint64_t pc, uint64_t slot, bool is_store, unsigned size,
                   bool is_signed);
  // The fast paths' checks for an access of `size` bytes at base + imm:
  // they leave in rsi what to add to the address for the host address, or
  // jump to `slow` (both clobber rax and rcx).
  void emit_tlb_check(const x86::Gp& base, int32_t imm, unsigned size, bool is_store, Label slow);
  void emit_direct_ram_check(const x86::Gp& base, int32_t imm, unsigned size, Label slow);

  // The taken edge of a jump back to the block's own start after `slots`
  // slots of this run: run the block again in place while the budget allows
  // a full run (docs/jit.md, "Loops").
  void emit_loop_back(uint64_t slots);
  void emit_in_helper(const DecodedInstruction& in, uint64_t pc, uint64_t slot);
  // An F/D computation with a native fast path (x86_64_float_emitter.h) and
  // emit_in_helper as its fallback.
  void emit_native_float(const DecodedInstruction& in, uint64_t pc, uint64_t slot);
  // A normal exit to the constant `target`: through an exit cell (which may
  // chain) when the target is in this block's page, else through the jump
  // cache.
  void exit_to(uint64_t target, uint32_t bits, uint64_t slots);

  x86::Assembler& a_;
  const EmitterTarget& target_;
  Label leave_;               // jmp [context.leave]: rax holds the return value
  Label top_;                 // the first instruction, after the cache registers are loaded
  uint64_t start_pc_ = 0;     // the block's virtual pc
  uint64_t length_ = 0;       // instructions in the block
  uint64_t next_planned_pc_ = 0;  // the pc of the instruction after the one being emitted (0: none)
  size_t cells_used_ = 0;
  size_t sites_used_ = 0;
  bool loops_ = false;                   // the block may jump back to its own start
  std::array<int8_t, 32> host_index_{};  // guest register -> index into kCacheRegisters, or -1
  uint32_t dirty_ = 0;                   // cached guest registers that may differ from hart.x
  uint32_t loaded_ = 0;                  // cached guest registers whose cache register holds their value
  FloatBlockState float_state_;          // what the block's F/D instructions so far established about FS
  // Slow paths, emitted after the block's main line so that the fast paths
  // fall straight through (each restores the cache state it was made in).
  std::vector<std::function<void()>> out_of_line_;
  std::vector<PatchSite> patch_sites_;
};

// The guest registers the block uses most get the cache registers; one used
// once gains nothing unless the block loops. In a looping block the
// instructions up to the last jump back to its start (the loop body) count
// many times over: they run on every round, the rest once.
void BlockEmitter::allocate_registers(const BlockPlan& plan) {
  host_index_.fill(-1);
  size_t loop_end = 0;  // one past the last instruction that jumps back to the start
  for (size_t i = 0; i < plan.instructions.size(); ++i) {
    const DecodedInstruction& in = plan.instructions[i];
    if ((in.op == Op::jal || is_conditional_branch(in.op)) &&
        plan.pcs[i] + static_cast<uint64_t>(in.imm) == plan.virtual_pc) {
      loop_end = i + 1;
    }
  }
  const bool loops = loop_end != 0;
  constexpr unsigned kLoopBodyWeight = 16;
  std::array<unsigned, 32> uses{};
  uint32_t written = 0;
  for (size_t i = 0; i < plan.instructions.size(); ++i) {
    const DecodedInstruction& in = plan.instructions[i];
    const RegisterUse use = cached_register_use(in);
    const unsigned weight = i < loop_end ? kLoopBodyWeight : 1;
    if (use.rs1) uses[in.rs1] += weight;
    if (use.rs2) uses[in.rs2] += weight;
    if (use.rd) {
      uses[in.rd] += weight;
      written |= 1u << in.rd;
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
  leave_ = a_.newLabel();
  top_ = a_.newLabel();
  start_pc_ = plan.virtual_pc;
  length_ = plan.instructions.size();
  allocate_registers(plan);
  // Entered from RuntimeStubs::enter or from a chaining block, with the
  // pinned registers set and the budget left in JitContext::loop_budget: a
  // chaining block has taken its slots already, and the whole of this block
  // must still fit (else leave with no slots of its own, at its start pc).
  // Then a looping block loads its cache registers; a block that does not
  // loop loads each one just before the first instruction that reads it
  // (load_sources), so a side exit taken earlier has loaded nothing it did
  // not use. Until its first write or load a cache register is clean, so
  // no exit or helper call stores its stale value, and a helper reads the
  // guest register from hart.x. The main line is straight code, so a load
  // there covers everything after it; the slow paths that rejoin it reload
  // every caller-saved cache register.
  Label too_long = a_.newLabel();
  a_.cmp(context_field(offsetof(JitContext, loop_budget)), static_cast<int32_t>(length_));
  a_.jb(too_long);
  out_of_line_.push_back([this, too_long] {
    a_.bind(too_long);
    a_.mov(x86::rax, start_pc_);
    a_.mov(x86::qword_ptr(kHart, target_.pc_offset), x86::rax);
    a_.xor_(x86::eax, x86::eax);
    a_.jmp(leave_);
  });
  if (loops_) {
    reload([](unsigned, unsigned) { return true; });
    loaded_ = ~0u;
    a_.mov(kLoopBudget, context_field(offsetof(JitContext, loop_budget)));
    a_.sub(kLoopBudget, static_cast<int32_t>(length_));
  }
  a_.bind(top_);

  bool ended = false;
  for (size_t i = 0; i < plan.instructions.size() && !ended; ++i) {
    // The block's own copy: its address is stable (helper call sites point at it).
    const DecodedInstruction& in = target_.chaining->instructions[i];
    next_planned_pc_ = i + 1 < plan.pcs.size() ? plan.pcs[i + 1] : 0;
    load_sources(in);
    if (runs_in_helper(in)) {
      if (has_native_float_path(in)) emit_native_float(in, plan.pcs[i], i + 1);
      else emit_in_helper(in, plan.pcs[i], i + 1);
      continue;
    }
    ended = emit_instruction(in, plan.pcs[i], i + 1);
  }
  if (!ended) {  // exit 1: fall through to the next instruction
    const DecodedInstruction& last = plan.instructions.back();
    exit_to(plan.pcs.back() + last.length, last.bits, plan.instructions.size());
  }
  // Out-of-line code may add more (a side exit's unlinked path): run each
  // from a copy, as the vector may grow meanwhile.
  for (size_t i = 0; i < out_of_line_.size(); ++i) {
    const std::function<void()> emit_out_of_line = out_of_line_[i];
    emit_out_of_line();
  }
  a_.bind(leave_);
  a_.jmp(context_field(offsetof(JitContext, leave)));
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

template <typename Operation>
void BlockEmitter::emit_binary(const DecodedInstruction& in, bool commutative, bool word, Operation operation) {
  const x86::Gp dst = destination(in.rd);
  const auto apply = [&](const x86::Gp& target, unsigned r) {
    if (r != 0 && !cached(r)) {  // straight from hart.x (its low word for a W form)
      x86::Mem slot = x_slot(r);
      if (word) slot.setSize(4);
      operation(word ? target.r32() : target, slot);
      return;
    }
    const x86::Gp operand = source(r, x86::rcx);
    if (word) operation(target.r32(), operand.r32());
    else operation(target, operand);
  };
  if (cached(in.rs2) && host(in.rs2) == dst && in.rs1 != in.rs2) {
    // rd is rs2's cache register and rs1 is another register.
    if (commutative) {
      apply(dst, in.rs1);
    } else {
      load_x(x86::rax, in.rs1);
      apply(x86::rax, in.rs2);
      a_.mov(dst, x86::rax);
    }
  } else {
    load_x(dst, in.rs1);
    apply(dst, in.rs2);
  }
  if (word) a_.movsxd(dst, dst.r32());
  store_x(in.rd, dst);
}

// x86 masks 64-bit shift counts to 6 bits and 32-bit ones to 5, as RISC-V
// does (sll/srl/sra and the W forms).
void BlockEmitter::emit_shift(const DecodedInstruction& in, bool word) {
  const x86::Gp dst = destination(in.rd);
  load_x(x86::rcx, in.rs2);  // first: dst may be rs2's cache register
  load_x(dst, in.rs1);
  const x86::Gp target = word ? dst.r32() : dst;
  switch (in.op) {
    case Op::sll: case Op::sllw: a_.shl(target, x86::cl); break;
    case Op::srl: case Op::srlw: a_.shr(target, x86::cl); break;
    default: a_.sar(target, x86::cl); break;  // sra, sraw
  }
  if (word) a_.movsxd(dst, dst.r32());
  store_x(in.rd, dst);
}

void BlockEmitter::emit_alu(const DecodedInstruction& in, uint64_t pc) {
  using x86::rax;
  using x86::rcx;
  using x86::rdx;
  const unsigned rd = in.rd;
  const int32_t imm = static_cast<int32_t>(in.imm);  // 12-bit I-type immediates and shift amounts
  if (in.op == Op::fence) return;                     // nothing to order on one in-order hart
  if (rd == 0) return;  // every remaining case only writes rd and cannot trap
  const x86::Gp dst = destination(rd);
  // rd = rs1, then `then(dst)` on it (immediate forms).
  const auto unary = [&](auto then) {
    load_x(dst, in.rs1);
    then(dst);
    store_x(rd, dst);
  };
  const auto set_from_flags = [&](auto set_condition) {  // slt/sltu/slti/sltiu after the cmp
    set_condition(x86::al);
    a_.movzx(dst.r32(), x86::al);
    store_x(rd, dst);
  };
  // add/or/xor with x0 as one operand, or sub of x0, is a copy (c.mv is add rd, x0, rs2).
  const bool identity_op = in.op == Op::add || in.op == Op::or_ || in.op == Op::xor_ || in.op == Op::sub;
  if (identity_op && (in.rs2 == 0 || (in.rs1 == 0 && in.op != Op::sub))) {
    load_x(dst, in.rs1 == 0 ? in.rs2 : in.rs1);
    store_x(rd, dst);
    return;
  }
  if ((in.op == Op::sub || in.op == Op::subw) && in.rs1 == 0) {  // neg, negw
    load_x(dst, in.rs2);
    if (in.op == Op::subw) {
      a_.neg(dst.r32());
      a_.movsxd(dst, dst.r32());
    } else {
      a_.neg(dst);
    }
    store_x(rd, dst);
    return;
  }
  switch (in.op) {
    case Op::lui: a_.mov(dst, static_cast<uint64_t>(in.imm)); store_x(rd, dst); return;
    case Op::auipc: a_.mov(dst, pc + static_cast<uint64_t>(in.imm)); store_x(rd, dst); return;
    case Op::addi:
      if (in.rs1 == 0) {  // li
        a_.mov(dst, static_cast<int64_t>(imm));
        store_x(rd, dst);
        return;
      }
      if (cached(in.rs1) && host(in.rs1) != dst && imm != 0) {
        a_.lea(dst, x86::ptr(host(in.rs1), imm));
        store_x(rd, dst);
        return;
      }
      unary([&](const x86::Gp& d) { if (imm != 0) a_.add(d, imm); });
      return;
    case Op::xori: unary([&](const x86::Gp& d) { a_.xor_(d, imm); }); return;
    case Op::ori: unary([&](const x86::Gp& d) { a_.or_(d, imm); }); return;
    case Op::andi: unary([&](const x86::Gp& d) { a_.and_(d, imm); }); return;
    case Op::slli: unary([&](const x86::Gp& d) { a_.shl(d, imm & 63); }); return;
    case Op::srli: unary([&](const x86::Gp& d) { a_.shr(d, imm & 63); }); return;
    case Op::srai: unary([&](const x86::Gp& d) { a_.sar(d, imm & 63); }); return;
    // W forms: 32-bit x86 operations, then sign-extend the low word.
    case Op::addiw:
      if (cached(in.rs1) && host(in.rs1) != dst && imm != 0) {
        a_.lea(dst.r32(), x86::ptr(host(in.rs1), imm));
        a_.movsxd(dst, dst.r32());
        store_x(rd, dst);
        return;
      }
      unary([&](const x86::Gp& d) {
        if (imm != 0) a_.add(d.r32(), imm);
        a_.movsxd(d, d.r32());
      });
      return;
    case Op::slliw: unary([&](const x86::Gp& d) { a_.shl(d.r32(), imm & 31); a_.movsxd(d, d.r32()); }); return;
    case Op::srliw: unary([&](const x86::Gp& d) { a_.shr(d.r32(), imm & 31); a_.movsxd(d, d.r32()); }); return;
    case Op::sraiw: unary([&](const x86::Gp& d) { a_.sar(d.r32(), imm & 31); a_.movsxd(d, d.r32()); }); return;
    case Op::slti:  // cmp sign-extends imm to 64 bits
      a_.cmp(source(in.rs1, rax), imm);
      set_from_flags([&](const x86::Gp& low) { a_.setl(low); });
      return;
    case Op::sltiu:  // ... and setb compares unsigned
      a_.cmp(source(in.rs1, rax), imm);
      set_from_flags([&](const x86::Gp& low) { a_.setb(low); });
      return;
    case Op::slt:
      a_.cmp(source(in.rs1, rax), source(in.rs2, rcx));
      set_from_flags([&](const x86::Gp& low) { a_.setl(low); });
      return;
    case Op::sltu:
      a_.cmp(source(in.rs1, rax), source(in.rs2, rcx));
      set_from_flags([&](const x86::Gp& low) { a_.setb(low); });
      return;
    case Op::add: emit_binary(in, true, false, [&](auto d, auto s) { a_.add(d, s); }); return;
    case Op::sub: emit_binary(in, false, false, [&](auto d, auto s) { a_.sub(d, s); }); return;
    case Op::xor_: emit_binary(in, true, false, [&](auto d, auto s) { a_.xor_(d, s); }); return;
    case Op::or_: emit_binary(in, true, false, [&](auto d, auto s) { a_.or_(d, s); }); return;
    case Op::and_: emit_binary(in, true, false, [&](auto d, auto s) { a_.and_(d, s); }); return;
    case Op::mul: emit_binary(in, true, false, [&](auto d, auto s) { a_.imul(d, s); }); return;
    case Op::addw: emit_binary(in, true, true, [&](auto d, auto s) { a_.add(d, s); }); return;
    case Op::subw: emit_binary(in, false, true, [&](auto d, auto s) { a_.sub(d, s); }); return;
    case Op::mulw: emit_binary(in, true, true, [&](auto d, auto s) { a_.imul(d, s); }); return;
    case Op::sll: case Op::srl: case Op::sra: emit_shift(in, false); return;
    case Op::sllw: case Op::srlw: case Op::sraw: emit_shift(in, true); return;
    case Op::mulh:
      load_x(rax, in.rs1);
      a_.imul(rdx, rax, source(in.rs2, rcx));
      store_x(rd, rdx);
      return;
    case Op::mulhu:
      load_x(rax, in.rs1);
      a_.mul(rdx, rax, source(in.rs2, rcx));
      store_x(rd, rdx);
      return;
    case Op::mulhsu:
      // signed a = unsigned a - 2^64 [a < 0], so the high word of a*b is
      // the unsigned high word minus (a < 0 ? b : 0).
      load_x(rax, in.rs1);
      load_x(rcx, in.rs2);
      a_.mov(x86::rsi, rax);
      a_.mul(rdx, rax, rcx);
      a_.sar(x86::rsi, 63);
      a_.and_(x86::rsi, rcx);
      a_.sub(rdx, x86::rsi);
      store_x(rd, rdx);
      return;
    default: return;  // unreachable: is_emittable() admits only the cases above
  }
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
      a_.mov(destination(in.rd), next_pc);
      store_x(in.rd, destination(in.rd));
    }
    if (target == start_pc_) emit_loop_back(slot);
    exit_to(target, in.bits, slot);
    return;
  }
  if (in.op == Op::jalr) {
    // The target into rsi before rd is written (rd may be rs1).
    if (cached(in.rs1)) {
      a_.lea(x86::rsi, x86::ptr(host(in.rs1), static_cast<int32_t>(in.imm)));
    } else {
      load_x(x86::rsi, in.rs1);
      if (in.imm != 0) a_.add(x86::rsi, static_cast<int32_t>(in.imm));
    }
    a_.and_(x86::rsi, -2);
    if (in.rd != 0) {
      a_.mov(destination(in.rd), next_pc);
      store_x(in.rd, destination(in.rd));
    }
    write_back();
    a_.mov(x86::rdx, reinterpret_cast<uint64_t>(new_cell(0, in.bits, slot)));
    a_.call(context_field(offsetof(JitContext, exit_through_jump_cache)));
    a_.jmp(x86::rax);
    return;
  }
  // Conditional branch: the not-taken edge goes on in the block (the cache
  // registers stay as they are; if this is the last instruction, emit()
  // adds the fall-through exit), the taken edge is a side exit that has
  // used `slot` slots: the instructions up to and including this one.
  if (in.rs2 == 0) {
    const x86::Gp value = source(in.rs1, x86::rcx);
    a_.test(value, value);
  } else if (!cached(in.rs2)) {  // rs2 straight from hart.x
    a_.cmp(source(in.rs1, x86::rcx), x_slot(in.rs2));
  } else if (in.rs1 != 0 && !cached(in.rs1)) {  // rs1 straight from hart.x
    a_.cmp(x_slot(in.rs1), host(in.rs2));
  } else {
    a_.cmp(source(in.rs1, x86::rcx), host(in.rs2));
  }
  const auto jump_if = [this](Op op, bool inverse, Label label) {
    switch (op) {
      case Op::beq: inverse ? a_.jne(label) : a_.je(label); break;
      case Op::bne: inverse ? a_.je(label) : a_.jne(label); break;
      case Op::blt: inverse ? a_.jge(label) : a_.jl(label); break;
      case Op::bge: inverse ? a_.jl(label) : a_.jge(label); break;
      case Op::bltu: inverse ? a_.jae(label) : a_.jb(label); break;
      default: inverse ? a_.jb(label) : a_.jae(label); break;  // bgeu
    }
  };
  if (target == start_pc_) {
    // The loop's own branch (the block's last instruction, see
    // plan_block): the taken edge, the common one, stays in line.
    Label not_taken = a_.newLabel();
    jump_if(in.op, true, not_taken);
    emit_loop_back(slot);
    exit_to(target, in.bits, slot);
    a_.bind(not_taken);
    return;
  }
  // A side exit goes out of line, with the cache state of this point, so
  // that the block's main line falls straight through its branches. If the
  // plan follows the taken edge (plan_block: a branch over a jump), the
  // not-taken edge is the side exit.
  const bool taken_in_line = target == next_planned_pc_ && target != next_pc;
  Label side_exit = a_.newLabel();
  jump_if(in.op, taken_in_line, side_exit);
  const uint32_t dirty_here = dirty_;
  const uint64_t exit_pc = taken_in_line ? next_pc : target;
  out_of_line_.push_back([this, side_exit, exit_pc, bits = in.bits, slot, dirty_here] {
    const uint32_t main_line_dirty = dirty_;
    dirty_ = dirty_here;
    a_.bind(side_exit);
    exit_to(exit_pc, bits, slot);
    dirty_ = main_line_dirty;
  });
}

// An instruction the interpreter runs in place (runs_in_helper). The
// interpreter reads and writes hart.x, so the cache registers are written
// back before the call (and count as clean after it); afterwards rd (it may
// have been written) and the caller-saved cache registers are loaded again.
void BlockEmitter::emit_in_helper(const DecodedInstruction& in, uint64_t pc, uint64_t slot) {
  write_back();
  dirty_ = 0;
  HelperCallSite* site = new_site(in, pc, slot);
  if ((in.bits & 0x7f) == 0x2f) {  // an atomic: LR loads, SC and the AMOs store (A, 8.2-8.4)
    const bool load = in.op == Op::lr_w || in.op == Op::lr_d;
    site->access = load ? HelperCallSite::Access::Load : HelperCallSite::Access::Store;
    site->size = ((in.bits >> 12) & 7) == 2 ? 4 : 8;  // funct3: .w or .d
    site->tlb_context = load ? target_.load_context : target_.store_context;
  }
  a_.mov(x86::rdi, kContext);
  a_.mov(x86::rsi, reinterpret_cast<uint64_t>(site));
  a_.call(context_field(offsetof(JitContext, execute_helper)));
  leave_unless_continuing();  // exit 4: it trapped (or 3: an atomic reached a device or code)
  const unsigned rd = in.rd;
  reload([rd](unsigned index, unsigned r) { return index >= kCalleeSavedCacheRegisters || r == rd; });
}

// The fast path falls through having completed the instruction (an integer
// result in rax) or jumps to the fallback having written nothing, and the
// fallback is emit_in_helper. Both paths leave every cache register holding
// its guest register (the fast path touches none but rd; the helper path
// reloads), so at the join the cache is valid and a register is dirty if it
// may be on either path.
void BlockEmitter::emit_native_float(const DecodedInstruction& in, uint64_t pc, uint64_t slot) {
  const FloatIntegerUse integer_use = float_integer_use(in);
  Label fallback = a_.newLabel(), done = a_.newLabel();
  const uint32_t dirty_before = dirty_;
  const x86::Gp integer_source = integer_use.reads_rs1 ? source(in.rs1, x86::rsi) : x86::Gp(x86::rsi);
  const FloatTarget float_target{kHart, kContext, target_.f_offset, target_.mstatus_offset, target_.fflags_offset,
                                 target_.frm_offset};
  emit_float_fast_path(a_, float_target, in, integer_source, fallback, float_state_);
  if (integer_use.writes_rd) store_x(in.rd, x86::rax);
  const uint32_t dirty_after_fast_path = dirty_;
  a_.jmp(done);
  a_.bind(fallback);
  dirty_ = dirty_before;
  emit_in_helper(in, pc, slot);
  a_.bind(done);
  dirty_ |= dirty_after_fast_path;
}

// A normal exit to a constant pc: the cell stub chains when the cell is
// linked (same page, see ExitCell), else the jump-cache stub looks the
// target up (docs/jit.md, "Loops, chaining, dispatch").
void BlockEmitter::exit_to(uint64_t target, uint32_t bits, uint64_t slots) {
  ExitCell* cell = new_cell(target, bits, slots);
  if ((target >> 12) != (start_pc_ >> 12)) {
    write_back();  // the stub takes the cell's slots
    a_.mov(x86::rsi, target);
    a_.mov(x86::rdx, reinterpret_cast<uint64_t>(cell));
    a_.call(context_field(offsetof(JitContext, exit_through_jump_cache)));
    // The stub returns where to go: the next block's code, or its own code
    // that leaves. Jumping from here rather than from the shared stub gives
    // every exit its own indirect branch, which the host predicts per site.
    a_.jmp(x86::rax);
    return;
  }
  // A patchable direct jump (docs/jit.md, "Chaining"): this run's slots are
  // taken from the budget and the bits stored first, so the next block only
  // checks that its own length still fits. Unlinked, the jump goes to code
  // that leaves through the cell.
  write_back(slots);
  a_.mov(x86::dword_ptr(kHart, target_.instruction_bits_offset), bits);
  Label unlinked = a_.newLabel(), after_jump = a_.newLabel();
  a_.long_().jmp(unlinked);
  a_.bind(after_jump);
  patch_sites_.push_back(PatchSite{cell, after_jump, unlinked});
  out_of_line_.push_back([this, cell, unlinked] {
    a_.bind(unlinked);
    a_.mov(x86::rdx, reinterpret_cast<uint64_t>(cell));
    a_.jmp(context_field(offsetof(JitContext, exit_through_cell)));
  });
}

// Only reached when every instruction of this run of the block completed in
// generated code or continued after a helper that reached plain RAM, so
// nothing that could change interrupt state, translation or code happened
// (docs/jit.md, "Exact instruction counting"): running the block again is
// what the dispatcher would do, minus the lookup. This run used `slots`
// slots (the jump back may be a side exit before the block's end); the next
// run may use the whole block, so the block goes round again only while the
// budget left after this run covers its full length, and otherwise falls
// through to the normal exit.
void BlockEmitter::emit_loop_back(uint64_t slots) {
  // kLoopBudget = budget - length, so budget - slots >= length exactly when
  // subtracting `slots` from it does not borrow; if it does, it is put back
  // for the exit that follows.
  const auto slots32 = static_cast<int32_t>(slots);
  a_.sub(kLoopBudget, slots32);
  a_.jae(top_);
  a_.add(kLoopBudget, slots32);
}

// Loads and stores. Fast path (the same test as Hart::load/store's): the
// access lies within one page, the TLB entry of this access kind matches
// tag = page | context, and its flags are clear (host-backed; store entries
// of pages holding translated code carry a flag). One compare does all
// three: the tag of the access's last byte with the stored tag, which
// carries Tlb::kTagFlagged while the entry has flags. Slow path (out of line):
// the helper calls hart.load/store and says whether the block goes on.
void BlockEmitter::emit_tlb_check(const x86::Gp& base, int32_t imm, unsigned size, bool is_store, Label slow) {
  using x86::rax;
  using x86::rcx;
  // The tag compared is that of the access's last byte: an access that
  // crosses into the next page compares that page with the entry of its
  // first byte's page, which never holds it (consecutive pages have
  // consecutive indices), so the one compare also sends page-crossing
  // accesses to the slow path, as Hart::load/store does.
  a_.lea(rcx, x86::ptr(base, imm + static_cast<int32_t>(size) - 1));
  a_.lea(x86::eax, x86::ptr(base, imm));
  a_.shr(x86::eax, kEntryIndexShift);
  a_.and_(x86::eax, kEntryIndexMask);
  const int32_t table = is_store ? target_.store_table_offset : target_.load_table_offset;
  a_.and_(rcx, -static_cast<int32_t>(Tlb::kPageSize));
  a_.or_(rcx, static_cast<int32_t>(is_store ? target_.store_context : target_.load_context));
  // A flagged entry's tag never matches (Tlb::kTagFlagged).
  a_.cmp(rcx, x86::qword_ptr(kHart, rax, 0, table + kEntryTag));
  a_.jne(slow);
  a_.mov(x86::rsi, x86::qword_ptr(kHart, rax, 0, table + kEntryHostAddend));
}

// Direct RAM loads (docs/jit.md): the whole access lies in the region, i.e.
// address - region base <= region size - size (unsigned, so an address
// below the base fails too); then the host address is address + (host -
// base). Reading RAM has no side effect to track, so nothing else is checked.
void BlockEmitter::emit_direct_ram_check(const x86::Gp& base, int32_t imm, unsigned size, Label slow) {
  using x86::rax;
  using x86::rcx;
  const uint64_t region_base = target_.direct_ram_base;
  const auto fits_int32 = [](int64_t value) { return value >= INT32_MIN && value <= INT32_MAX; };
  const int64_t displacement = int64_t{imm} - static_cast<int64_t>(region_base);
  if (fits_int32(displacement)) {
    a_.lea(rcx, x86::ptr(base, static_cast<int32_t>(displacement)));
  } else {
    a_.lea(rcx, x86::ptr(base, imm));
    a_.mov(rax, region_base);
    a_.sub(rcx, rax);
  }
  const uint64_t limit = target_.direct_ram_size - size;
  if (limit <= INT32_MAX) {
    a_.cmp(rcx, static_cast<int32_t>(limit));
  } else {
    a_.mov(rax, limit);
    a_.cmp(rcx, rax);
  }
  a_.ja(slow);
  a_.mov(x86::rsi, reinterpret_cast<uint64_t>(target_.direct_ram_host) - region_base);
}

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
  // The slow path's cache state: before this instruction writes rd (a trap
  // leaves rd as it was; until its first write a register not loaded at
  // the block's entry holds nothing to store).
  const uint32_t dirty_here = dirty_;
  HelperCallSite* site = new_site(in, pc, slot);
  site->access = is_store ? HelperCallSite::Access::Store : HelperCallSite::Access::Load;
  site->size = static_cast<uint8_t>(size);
  site->sign_extend = is_signed;
  site->tlb_context = is_store ? target_.store_context : target_.load_context;
  // The address is base + imm: base is rs1's cache register, or rdx loaded
  // with rs1 (loaded first: the slow path computes the address from it).
  // The fast path's check leaves in rsi what to add to the address for the
  // host address, or goes to `slow`.
  const x86::Gp base = cached(in.rs1) ? host(in.rs1) : x86::rdx;
  load_x(base, in.rs1);
  const auto imm = static_cast<int32_t>(in.imm);
  if (fp) {  // 11.1: mstatus.FS = Off makes it illegal; the slow path raises that
    a_.test(x86::qword_ptr(kHart, target_.mstatus_offset), static_cast<int32_t>(riscv::kMstatusFS));
    a_.jz(slow);
  }
  if (!is_store && target_.direct_ram_size >= size) {
    emit_direct_ram_check(base, imm, size, slow);
  } else {
    emit_tlb_check(base, imm, size, is_store, slow);
  }
  // The host address: virtual address + rsi.
  const auto host_memory = [&](uint32_t size_bytes) {
    x86::Mem mem = x86::ptr(rsi, base, 0, imm);
    mem.setSize(size_bytes);
    return mem;
  };
  if (is_store && fp) {  // raw bits of f[rs2] (11.5, 12.3)
    a_.mov(rcx, f_slot(in.rs2));
    if (size == 4) a_.mov(host_memory(4), x86::ecx);
    else a_.mov(host_memory(8), rcx);
  } else if (fp) {  // the value NaN-boxed for flw (12.2), then FS = Dirty as write_s/write_d do
    if (size == 4) {
      a_.mov(x86::eax, host_memory(4));
      a_.mov(rcx, 0xffffffff00000000ull);
      a_.or_(rax, rcx);
    } else {
      a_.mov(rax, host_memory(8));
    }
    a_.mov(f_slot(in.rd), rax);
    emit_set_fs_dirty(a_, kHart, target_.mstatus_offset);
  } else if (is_store) {
    const x86::Gp value = source(in.rs2, rcx);
    switch (size) {
      case 1: a_.mov(host_memory(1), value.r8()); break;
      case 2: a_.mov(host_memory(2), value.r16()); break;
      case 4: a_.mov(host_memory(4), value.r32()); break;
      default: a_.mov(host_memory(8), value); break;
    }
  } else if (in.rd != 0) {
    const x86::Gp value = destination(in.rd);
    switch (size) {
      case 1: is_signed ? a_.movsx(value, host_memory(1)) : a_.movzx(value.r32(), host_memory(1)); break;
      case 2: is_signed ? a_.movsx(value, host_memory(2)) : a_.movzx(value.r32(), host_memory(2)); break;
      case 4: is_signed ? a_.movsxd(value, host_memory(4)) : a_.mov(value.r32(), host_memory(4)); break;
      default: a_.mov(value, host_memory(8)); break;
    }
    store_x(in.rd, value);
  }
  a_.bind(done);

  // The slow path, with the cache state from before the access: the dirty
  // cache registers are written back (the helper and a trap see hart.x
  // exact), the load/store helper gets the address in rsi. If the helper
  // lets the block go on, the caller-saved cache registers and rd (written
  // by the helper into hart.x) are loaded again and the main line resumes
  // after the access, where rd counts as dirty (as after the fast path).
  out_of_line_.push_back([this, &in, is_store, fp, slow, done, site, dirty_here, base, imm] {
    const uint32_t main_line_dirty = dirty_;
    dirty_ = dirty_here;
    a_.bind(slow);
    write_back();
    if (!fp) {  // before rdi (a cache register) gets the context and rdx (maybe base) the site
      a_.lea(x86::rsi, x86::ptr(base, imm));
      if (is_store) load_x(x86::rcx, in.rs2);
    }
    a_.mov(x86::rdi, kContext);
    if (fp) {  // the interpreter runs the whole instruction
      a_.mov(x86::rsi, reinterpret_cast<uint64_t>(site));
      a_.call(context_field(offsetof(JitContext, execute_helper)));
    } else {
      a_.mov(x86::rdx, reinterpret_cast<uint64_t>(site));
      a_.call(context_field(is_store ? offsetof(JitContext, store_helper) : offsetof(JitContext, load_helper)));
    }
    leave_unless_continuing();
    const unsigned rd = !is_store && !fp ? in.rd : 0;
    reload([rd](unsigned index, unsigned r) { return index >= kCalleeSavedCacheRegisters || r == rd; });
    a_.jmp(done);
    dirty_ = main_line_dirty;
  });
}

}  // namespace

void size_block_data(const BlockPlan& plan, BlockChaining& chaining) {
  size_t exits = 1;  // the fall-through
  size_t sites = 0;
  for (const DecodedInstruction& in : plan.instructions) {
    if (is_conditional_branch(in.op) || in.op == Op::jal || in.op == Op::jalr) ++exits;
    switch (in.op) {
      case Op::lb: case Op::lh: case Op::lw: case Op::ld: case Op::lbu: case Op::lhu: case Op::lwu:
      case Op::sb: case Op::sh: case Op::sw: case Op::sd:
      case Op::flw: case Op::fld: case Op::fsw: case Op::fsd:
        ++sites;
        break;
      default:
        if (runs_in_helper(in)) ++sites;
        break;
    }
  }
  chaining.exits.assign(exits, ExitCell{});
  chaining.helper_sites.assign(sites, HelperCallSite{});
}

const void* emit_block(JitRuntime& runtime, const BlockPlan& plan, const EmitterTarget& target, size_t* code_size,
                       std::string* host_assembly) {
  CodeHolder code;
  if (code.init(runtime.environment()) != kErrorOk) return nullptr;
  StringLogger logger;
  if (host_assembly != nullptr) code.setLogger(&logger);
  x86::Assembler assembler(&code);
  BlockEmitter emitter(assembler, target);
  emitter.emit(plan);
  const void* function = nullptr;
  if (runtime.add(&function, &code) != kErrorOk) return nullptr;
  *code_size = code.codeSize();
  if (host_assembly != nullptr) *host_assembly = logger.data();
  const auto* base = static_cast<uint8_t*>(const_cast<void*>(function));
  for (const BlockEmitter::PatchSite& site : emitter.patch_sites()) {
    site.cell->jump_site = const_cast<uint8_t*>(base) + code.labelOffsetFromBase(site.after_jump) - 4;
    site.cell->unlinked = base + code.labelOffsetFromBase(site.unlinked);
  }
  return function;
}

// The code every block shares (see RuntimeStubs).
bool emit_runtime_stubs(JitRuntime& runtime, const EmitterTarget& target, RuntimeStubs* stubs) {
  using x86::rax;
  using x86::rcx;
  using x86::rdx;
  using x86::rdi;
  using x86::rsi;
  using x86::r8;
  CodeHolder code;
  if (code.init(runtime.environment()) != kErrorOk) return false;
  x86::Assembler a(&code);
  const auto field = [](size_t offset) { return x86::qword_ptr(kContext, static_cast<int32_t>(offset)); };
  Label enter = a.newLabel(), leave = a.newLabel(), through_cell = a.newLabel(),
        through_jump_cache = a.newLabel(), leave_through_jump_cache = a.newLabel();

  // enter(hart, context, code): the callee-saved registers the blocks use,
  // pushed by enter and popped in reverse by leave; six pushes and 8 bytes
  // after the return address leave rsp 16-byte aligned for the blocks'
  // helper calls.
  const std::array<x86::Gp, 6> saved = {x86::rbx, x86::rbp, x86::r12, x86::r13, x86::r14, x86::r15};
  a.bind(enter);
  for (const x86::Gp& reg : saved) a.push(reg);
  a.sub(x86::rsp, 8);
  a.mov(kHart, rdi);
  a.mov(kContext, rsi);
  a.jmp(rdx);

  a.bind(leave);
  a.add(x86::rsp, 8);
  for (auto reg = saved.rbegin(); reg != saved.rend(); ++reg) a.pop(*reg);
  a.ret();

  // With a ChainTarget in rax and the ExitCell in rdx: the target may be
  // entered if its bytes were checked in the current write epoch; then take
  // the cell's slots from the budget, store its bits and return the
  // target's code (which checks that its length fits), else go to
  // `fallback`.
  const auto chain_target = [&](Label fallback) {
    a.mov(rcx, field(offsetof(JitContext, write_epoch)));
    a.cmp(rcx, x86::qword_ptr(rax, offsetof(ChainTarget, verified_epoch)));
    a.jne(fallback);
    a.mov(x86::ecx, x86::dword_ptr(rdx, offsetof(ExitCell, slots)));
    a.sub(field(offsetof(JitContext, loop_budget)), rcx);
    a.mov(x86::ecx, x86::dword_ptr(rdx, offsetof(ExitCell, bits)));
    a.mov(x86::dword_ptr(kHart, target.instruction_bits_offset), x86::ecx);
    a.mov(rax, x86::qword_ptr(rax, offsetof(ChainTarget, entry)));
    a.ret();
  };
  // Leave with the cell's bits and slots; the pc is already in hart.pc.
  const auto leave_through = [&]() {
    a.mov(x86::eax, x86::dword_ptr(rdx, offsetof(ExitCell, bits)));
    a.mov(x86::dword_ptr(kHart, target.instruction_bits_offset), x86::eax);
    a.mov(x86::eax, x86::dword_ptr(rdx, offsetof(ExitCell, slots)));
    a.add(rax, rax);
    a.jmp(leave);
  };

  // An unlinked same-page exit (rdx = ExitCell*, jumped to): its slots are
  // already taken from the budget and its bits stored, so it leaves with
  // no slots of its own at the cell's pc, noting the cell for linking.
  a.bind(through_cell);
  a.mov(field(offsetof(JitContext, last_exit)), rdx);
  a.mov(rax, x86::qword_ptr(rdx, offsetof(ExitCell, target_pc)));
  a.mov(x86::qword_ptr(kHart, target.pc_offset), rax);
  a.xor_(x86::eax, x86::eax);
  a.jmp(leave);

  // Indirect jumps and exits to another page. As for exit cells, this exit
  // is only reached after the block ran entirely in generated code, so the
  // dispatcher would take no interrupt here and would run the block it finds
  // for the pc in rsi; that is the jump-cache entry's block when the entry's
  // key is what the dispatcher would compute now: same virtual pc and mode,
  // and the physical pc the fetch TLB gives for the pc (the mapping may have
  // changed since the entry was made; a fetch-TLB miss or an MMIO page goes
  // to the dispatcher).
  a.bind(through_jump_cache);
  {
    static_assert(sizeof(JumpCacheEntry) == 40, "jump cache entries are addressed as index * 5 * 8");
    Label miss = a.newLabel();
    a.mov(rdi, field(offsetof(JitContext, jump_cache)));
    a.test(rdi, rdi);
    a.jz(miss);
    a.mov(x86::eax, x86::esi);
    a.shr(x86::eax, 1);
    a.and_(x86::eax, static_cast<int32_t>(kJumpCacheEntries - 1));
    a.lea(rax, x86::ptr(rax, rax, 2));
    a.lea(rdi, x86::ptr(rdi, rax, 3));
    a.cmp(rsi, x86::qword_ptr(rdi, offsetof(JumpCacheEntry, key) + offsetof(BlockKey, virtual_pc)));
    a.jne(miss);
    a.mov(rcx, x86::qword_ptr(rdx, offsetof(ExitCell, mode)));
    a.cmp(rcx, x86::qword_ptr(rdi, offsetof(JumpCacheEntry, key) + offsetof(BlockKey, mode)));
    a.jne(miss);
    a.mov(x86::eax, x86::esi);
    a.shr(x86::eax, kEntryIndexShift);
    a.and_(x86::eax, kEntryIndexMask);
    const x86::Mem tag = x86::qword_ptr(kHart, rax, 0, target.fetch_table_offset + kEntryTag);
    a.mov(rcx, rsi);
    a.and_(rcx, -static_cast<int32_t>(Tlb::kPageSize));
    a.or_(rcx, x86::qword_ptr(rdx, offsetof(ExitCell, fetch_context)));
    a.cmp(rcx, tag);  // host-backed: a flagged entry's tag never matches (Tlb::kTagFlagged)
    a.jne(miss);
    x86::Mem physical_page = tag;
    physical_page.addOffset(kEntryPhysicalPage - kEntryTag);
    a.mov(x86::ecx, x86::esi);
    a.and_(x86::ecx, static_cast<int32_t>(Tlb::kPageOffsetMask));
    a.or_(rcx, physical_page);
    a.cmp(rcx, x86::qword_ptr(rdi, offsetof(JumpCacheEntry, key) + offsetof(BlockKey, physical_pc)));
    a.jne(miss);
    a.mov(rax, x86::qword_ptr(rdi, offsetof(JumpCacheEntry, target)));
    a.test(rax, rax);
    a.jz(miss);
    chain_target(miss);
    a.bind(miss);
    a.lea(rax, x86::ptr(leave_through_jump_cache));
    a.ret();
    a.bind(leave_through_jump_cache);
    a.mov(x86::qword_ptr(kHart, target.pc_offset), rsi);
    leave_through();
  }

  const void* base = nullptr;
  if (runtime.add(&base, &code) != kErrorOk) return false;
  const auto at = [&](Label label) { return static_cast<const uint8_t*>(base) + code.labelOffsetFromBase(label); };
  stubs->enter = reinterpret_cast<uint64_t (*)(riscv::Hart*, JitContext*, const void*)>(
      reinterpret_cast<uintptr_t>(at(enter)));
  stubs->exit_through_cell = at(through_cell);
  stubs->exit_through_jump_cache = at(through_jump_cache);
  stubs->leave = at(leave);
  return true;
}

}  // namespace emu::jit

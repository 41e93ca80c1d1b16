// The reference interpreter: fetch, decode, execute, one instruction at a
// time. It is the oracle the JIT is compared against, so every instruction is
// written the way the spec states it (unprivileged ISA 20191213, privileged
// ISA 1.12) rather than the fastest way.
//
// Contract with the rest of the hart (see hart.h, "Error model"): an operation
// that faults has already taken the trap when it returns false; the executing
// instruction then stops without writing rd or advancing pc. Every write to
// architectural state happens after the last operation that can fault.
//
// Choices where the spec leaves freedom, made to match QEMU 7.2 (checked by
// running small bare-metal programs on Debian's qemu-system-riscv64 7.2):
//   - illegal instruction: tval = the instruction bits (16 bits if compressed),
//   - EBREAK / C.EBREAK: tval = 0 (privileged 1.12 section 3.1.16 allows zero
//     or the pc; QEMU 7.2 writes zero).
#include <array>
#include <cstdint>
#include <limits>
#include <memory>

#include "emu/target/riscv/decoder.h"
#include "emu/target/riscv/hart.h"
#include "emu/target/riscv/host_float.h"
#include "emu/target/riscv/softfloat.h"
#include "emu/target/riscv/trace_log.h"

namespace emu::riscv {
namespace {

using softfloat::RoundingMode;

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

constexpr uint64_t kMcountinhibitIR = 1ull << 2;  // privileged 1.12 section 3.1.12
constexpr uint64_t kSignBit32 = 1ull << 31;
constexpr uint64_t kSignBit64 = 1ull << 63;
constexpr uint64_t kNaNBoxUpper = 0xffffffff00000000ull;

// Sign-extends the low `bits` bits of value to 64 bits.
constexpr uint64_t sign_extend(uint64_t value, unsigned bits) {
  const unsigned shift = 64 - bits;
  return static_cast<uint64_t>(static_cast<int64_t>(value << shift) >> shift);
}
constexpr uint64_t sign_extend_32(uint64_t value) { return sign_extend(value, 32); }

// ---- M extension, table 7.1: division by zero and signed overflow have
// defined results and never trap. These helpers keep C++ away from the two
// undefined cases (x / 0 and INT_MIN / -1). ----
template <typename Signed>
Signed divide_signed(Signed dividend, Signed divisor) {
  if (divisor == 0) return -1;
  if (dividend == std::numeric_limits<Signed>::min() && divisor == -1) return dividend;
  return dividend / divisor;
}
template <typename Signed>
Signed remainder_signed(Signed dividend, Signed divisor) {
  if (divisor == 0) return dividend;
  if (dividend == std::numeric_limits<Signed>::min() && divisor == -1) return 0;
  return dividend % divisor;
}
template <typename Unsigned>
Unsigned divide_unsigned(Unsigned dividend, Unsigned divisor) {
  if (divisor == 0) return std::numeric_limits<Unsigned>::max();
  return dividend / divisor;
}
template <typename Unsigned>
Unsigned remainder_unsigned(Unsigned dividend, Unsigned divisor) {
  if (divisor == 0) return dividend;
  return dividend % divisor;
}

// Instructions are a pure function of their bits, so decoded instructions are
// cached by raw bits: no invalidation is ever needed (self-modifying code
// changes the bits fetched, which selects another entry). Direct-mapped.
class DecodeCache {
 public:
  const DecodedInstruction& lookup(uint32_t bits) {
    Entry& entry = entries_[(bits * 0x9e3779b1u) >> (32 - kIndexBits)];
    if (!entry.valid || entry.bits != bits) {
      entry.decoded = decode(bits);
      entry.bits = bits;
      entry.valid = true;
    }
    return entry.decoded;
  }

 private:
  static constexpr unsigned kIndexBits = 12;
  struct Entry {
    uint32_t bits = 0;
    bool valid = false;
    DecodedInstruction decoded;
  };
  std::array<Entry, 1u << kIndexBits> entries_{};
};

// One cache per host thread (harts of one machine share its thread), so no
// locking; allocated on first use to keep 160 KiB out of every thread's TLS.
DecodeCache& decode_cache() {
  thread_local std::unique_ptr<DecodeCache> cache;
  if (!cache) cache = std::make_unique<DecodeCache>();
  return *cache;
}

class Executor {
 public:
  explicit Executor(Hart& hart) : hart_(hart) {}

  // Executes `in`, located at hart.pc. Returns true when the instruction
  // completed (it retires: pc and rd are updated), false when it trapped.
  bool execute(const DecodedInstruction& in);

 private:
  // ---- state access ----
  void set_x(unsigned rd, uint64_t value) {
    if (rd != 0) hart_.x[rd] = value;
  }
  bool advance(const DecodedInstruction& in) {
    hart_.pc += in.length;
    return true;
  }
  bool illegal(const DecodedInstruction& in) {
    hart_.take_trap(Exception::IllegalInstruction, in.bits);
    return false;
  }

  // ---- control transfer ----
  // Unprivileged 2.5: a taken jump or branch to an address that is not
  // IALIGN-aligned raises instruction-address-misaligned with tval = target.
  // C is always present (IALIGN = 16) and every target computation here
  // yields an even address (pc and offsets are even, jalr clears bit 0), so
  // this never fires; it is kept so the rule stays visible and checked.
  bool jump(uint64_t target) {
    if (target & 1) {
      hart_.take_trap(Exception::InstructionAddressMisaligned, target);
      return false;
    }
    hart_.pc = target;
    return true;
  }
  bool branch(const DecodedInstruction& in, bool taken) {
    if (!taken) return advance(in);
    return jump(hart_.pc + static_cast<uint64_t>(in.imm));
  }

  // ---- memory ----
  uint64_t effective_address(const DecodedInstruction& in) const {
    return hart_.x[in.rs1] + static_cast<uint64_t>(in.imm);
  }
  bool load(const DecodedInstruction& in, unsigned size, bool is_signed) {
    uint64_t value = 0;
    if (!hart_.load(effective_address(in), size, value)) return false;
    set_x(in.rd, is_signed ? sign_extend(value, size * 8) : value);
    return advance(in);
  }
  bool store(const DecodedInstruction& in, unsigned size) {
    if (!hart_.store(effective_address(in), size, hart_.x[in.rs2])) return false;
    return advance(in);
  }
  // A extension (chapter 8). The hart returns the raw memory value
  // zero-extended; word forms sign-extend it into rd.
  uint64_t atomic_result(uint64_t value, unsigned size) { return size == 4 ? sign_extend_32(value) : value; }
  bool load_reserved(const DecodedInstruction& in, unsigned size) {
    uint64_t value = 0;
    if (!hart_.load_reserved(hart_.x[in.rs1], size, value)) return false;
    set_x(in.rd, atomic_result(value, size));
    return advance(in);
  }
  bool store_conditional(const DecodedInstruction& in, unsigned size) {
    bool succeeded = false;
    if (!hart_.store_conditional(hart_.x[in.rs1], size, hart_.x[in.rs2], succeeded)) return false;
    set_x(in.rd, succeeded ? 0 : 1);  // 8.3: zero on success, nonzero (here 1) on failure
    return advance(in);
  }
  bool atomic(const DecodedInstruction& in, AmoOperation operation, unsigned size) {
    uint64_t old_value = 0;
    if (!hart_.amo(operation, hart_.x[in.rs1], size, hart_.x[in.rs2], old_value)) return false;
    set_x(in.rd, atomic_result(old_value, size));
    return advance(in);
  }

  // ---- Zicsr (chapter 9) ----
  // csrrw/csrrwi always write and read only when rd != x0, so side effects
  // of reading (and the illegal-instruction check for reads) do not happen.
  bool csr_write(const DecodedInstruction& in, uint64_t new_value) {
    const bool read = in.rd != 0;
    uint64_t old_value = 0;
    if (!hart_.csr_access(in.csr, read, true, old_value, new_value)) return false;
    if (read) set_x(in.rd, old_value);
    return advance(in);
  }
  // csrrs/csrrc(+i) always read and write only when the mask comes from a
  // register other than x0 or a nonzero uimm: `csrrs a0, mhartid, x0` reads a
  // read-only CSR without trapping.
  bool csr_set_or_clear(const DecodedInstruction& in, uint64_t mask, bool write, bool clear) {
    uint64_t old_value = 0, new_value = 0;
    if (write) {
      if (!hart_.csr_read_for_update(in.csr, old_value)) return false;
      new_value = clear ? old_value & ~mask : old_value | mask;
    }
    if (!hart_.csr_access(in.csr, true, write, old_value, new_value)) return false;
    set_x(in.rd, old_value);
    return advance(in);
  }

  // ---- F and D (chapters 11, 12) ----
  bool execute_float(const DecodedInstruction& in);

  // NaN-boxing (12.2): a single-precision operand whose upper 32 bits are not
  // all ones reads as the canonical NaN; results are written boxed.
  uint32_t read_s(unsigned r) const {
    const uint64_t value = hart_.f[r];
    return (value & kNaNBoxUpper) == kNaNBoxUpper ? static_cast<uint32_t>(value) : softfloat::kCanonicalNaN32;
  }
  uint64_t read_d(unsigned r) const { return hart_.f[r]; }
  void write_s(unsigned rd, uint32_t value) {
    hart_.f[rd] = kNaNBoxUpper | value;
    hart_.mark_fp_dirty();
  }
  void write_d(unsigned rd, uint64_t value) {
    hart_.f[rd] = value;
    hart_.mark_fp_dirty();
  }
  // 11.2: rm = 7 selects frm; 5 and 6 (in rm or frm) and 7 in frm are
  // reserved and raise illegal instruction.
  bool rounding_mode(const DecodedInstruction& in, RoundingMode& mode) {
    const unsigned rm = in.rm == 7 ? hart_.csr.frm : in.rm;
    if (rm > 4) return illegal(in);
    mode = static_cast<RoundingMode>(rm);
    return true;
  }
  // Completes an FP instruction: accrues the exception flags, advances pc.
  bool finish_float(const DecodedInstruction& in, uint8_t flags) {
    hart_.accrue_fflags(flags);
    return advance(in);
  }

  template <typename Operation>
  bool binary_s(const DecodedInstruction& in, Operation operation) {
    RoundingMode mode;
    if (!rounding_mode(in, mode)) return false;
    uint8_t flags = 0;
    write_s(in.rd, operation(read_s(in.rs1), read_s(in.rs2), mode, flags));
    return finish_float(in, flags);
  }
  template <typename Operation>
  bool binary_d(const DecodedInstruction& in, Operation operation) {
    RoundingMode mode;
    if (!rounding_mode(in, mode)) return false;
    uint8_t flags = 0;
    write_d(in.rd, operation(read_d(in.rs1), read_d(in.rs2), mode, flags));
    return finish_float(in, flags);
  }
  // The fused forms differ only in operand signs (11.6): fmadd = a*b+c,
  // fmsub = a*b-c, fnmsub = -(a*b)+c, fnmadd = -(a*b)-c; negating a
  // product negates one factor.
  bool fused_s(const DecodedInstruction& in, bool negate_product, bool negate_addend) {
    RoundingMode mode;
    if (!rounding_mode(in, mode)) return false;
    const uint32_t a = read_s(in.rs1) ^ (negate_product ? static_cast<uint32_t>(kSignBit32) : 0u);
    const uint32_t c = read_s(in.rs3) ^ (negate_addend ? static_cast<uint32_t>(kSignBit32) : 0u);
    uint8_t flags = 0;
    write_s(in.rd, host_float::f32_fma(a, read_s(in.rs2), c, mode, flags));
    return finish_float(in, flags);
  }
  bool fused_d(const DecodedInstruction& in, bool negate_product, bool negate_addend) {
    RoundingMode mode;
    if (!rounding_mode(in, mode)) return false;
    const uint64_t a = read_d(in.rs1) ^ (negate_product ? kSignBit64 : 0);
    const uint64_t c = read_d(in.rs3) ^ (negate_addend ? kSignBit64 : 0);
    uint8_t flags = 0;
    write_d(in.rd, host_float::f64_fma(a, read_d(in.rs2), c, mode, flags));
    return finish_float(in, flags);
  }
  // Sign injection (11.7): magnitude of rs1, sign from rs2 (kind: 0 = copy,
  // 1 = negated, 2 = xor with rs1's sign). No flags, NaNs are not canonicalized.
  template <typename Bits>
  static Bits inject_sign(Bits magnitude_source, Bits sign_source, Bits sign_bit, int kind) {
    const Bits sign = kind == 0 ? (sign_source & sign_bit)
                      : kind == 1 ? (~sign_source & sign_bit)
                                  : ((magnitude_source ^ sign_source) & sign_bit);
    return (magnitude_source & ~sign_bit) | sign;
  }
  bool sign_injection_s(const DecodedInstruction& in, int kind) {
    write_s(in.rd, inject_sign<uint32_t>(read_s(in.rs1), read_s(in.rs2), static_cast<uint32_t>(kSignBit32), kind));
    return advance(in);
  }
  bool sign_injection_d(const DecodedInstruction& in, int kind) {
    write_d(in.rd, inject_sign<uint64_t>(read_d(in.rs1), read_d(in.rs2), kSignBit64, kind));
    return advance(in);
  }
  template <typename Operation>
  bool min_max_s(const DecodedInstruction& in, Operation operation) {
    uint8_t flags = 0;
    write_s(in.rd, operation(read_s(in.rs1), read_s(in.rs2), flags));
    return finish_float(in, flags);
  }
  template <typename Operation>
  bool min_max_d(const DecodedInstruction& in, Operation operation) {
    uint8_t flags = 0;
    write_d(in.rd, operation(read_d(in.rs1), read_d(in.rs2), flags));
    return finish_float(in, flags);
  }
  template <typename Operation>
  bool compare_s(const DecodedInstruction& in, Operation operation) {
    uint8_t flags = 0;
    set_x(in.rd, operation(read_s(in.rs1), read_s(in.rs2), flags) ? 1 : 0);
    return finish_float(in, flags);
  }
  template <typename Operation>
  bool compare_d(const DecodedInstruction& in, Operation operation) {
    uint8_t flags = 0;
    set_x(in.rd, operation(read_d(in.rs1), read_d(in.rs2), flags) ? 1 : 0);
    return finish_float(in, flags);
  }
  // Float -> integer (11.7): the result is sign-extended from its width into
  // rd, also for the unsigned word forms (fcvt.wu.s of 3e9 gives
  // 0xffffffffb2d05e00).
  template <typename Operation>
  bool to_integer_s(const DecodedInstruction& in, Operation operation) {
    RoundingMode mode;
    if (!rounding_mode(in, mode)) return false;
    uint8_t flags = 0;
    const auto result = operation(read_s(in.rs1), mode, flags);
    set_x(in.rd, extend_integer_result(result));
    return finish_float(in, flags);
  }
  template <typename Operation>
  bool to_integer_d(const DecodedInstruction& in, Operation operation) {
    RoundingMode mode;
    if (!rounding_mode(in, mode)) return false;
    uint8_t flags = 0;
    const auto result = operation(read_d(in.rs1), mode, flags);
    set_x(in.rd, extend_integer_result(result));
    return finish_float(in, flags);
  }
  template <typename Integer>
  static uint64_t extend_integer_result(Integer value) {
    if constexpr (sizeof(Integer) == 4) return sign_extend_32(static_cast<uint32_t>(value));
    else return static_cast<uint64_t>(value);
  }
  // Integer -> float: the word forms use the low 32 bits of rs1.
  template <typename Operation>
  bool from_integer_s(const DecodedInstruction& in, Operation operation) {
    RoundingMode mode;
    if (!rounding_mode(in, mode)) return false;
    uint8_t flags = 0;
    write_s(in.rd, operation(hart_.x[in.rs1], mode, flags));
    return finish_float(in, flags);
  }
  template <typename Operation>
  bool from_integer_d(const DecodedInstruction& in, Operation operation) {
    RoundingMode mode;
    if (!rounding_mode(in, mode)) return false;
    uint8_t flags = 0;
    write_d(in.rd, operation(hart_.x[in.rs1], mode, flags));
    return finish_float(in, flags);
  }

  Hart& hart_;
};

bool Executor::execute(const DecodedInstruction& in) {
  const uint64_t pc = hart_.pc;
  const uint64_t next_pc = pc + in.length;
  // Operands are read before anything is written (rd may equal rs1/rs2).
  const uint64_t a = hart_.x[in.rs1];
  const uint64_t b = hart_.x[in.rs2];
  const uint64_t imm = static_cast<uint64_t>(in.imm);
  const unsigned rd = in.rd;

  switch (in.op) {
    // ---- RV64I (chapters 2 and 5) ----
    case Op::lui: set_x(rd, imm); return advance(in);
    case Op::auipc: set_x(rd, pc + imm); return advance(in);
    case Op::jal: {
      if (!jump(pc + imm)) return false;
      set_x(rd, next_pc);
      return true;
    }
    case Op::jalr: {
      if (!jump((a + imm) & ~uint64_t{1})) return false;
      set_x(rd, next_pc);
      return true;
    }
    case Op::beq: return branch(in, a == b);
    case Op::bne: return branch(in, a != b);
    case Op::blt: return branch(in, static_cast<int64_t>(a) < static_cast<int64_t>(b));
    case Op::bge: return branch(in, static_cast<int64_t>(a) >= static_cast<int64_t>(b));
    case Op::bltu: return branch(in, a < b);
    case Op::bgeu: return branch(in, a >= b);
    case Op::lb: return load(in, 1, true);
    case Op::lh: return load(in, 2, true);
    case Op::lw: return load(in, 4, true);
    case Op::ld: return load(in, 8, false);
    case Op::lbu: return load(in, 1, false);
    case Op::lhu: return load(in, 2, false);
    case Op::lwu: return load(in, 4, false);
    case Op::sb: return store(in, 1);
    case Op::sh: return store(in, 2);
    case Op::sw: return store(in, 4);
    case Op::sd: return store(in, 8);
    case Op::addi: set_x(rd, a + imm); return advance(in);
    case Op::slti: set_x(rd, static_cast<int64_t>(a) < in.imm ? 1 : 0); return advance(in);
    case Op::sltiu: set_x(rd, a < imm ? 1 : 0); return advance(in);  // imm sign-extended, then unsigned compare
    case Op::xori: set_x(rd, a ^ imm); return advance(in);
    case Op::ori: set_x(rd, a | imm); return advance(in);
    case Op::andi: set_x(rd, a & imm); return advance(in);
    case Op::slli: set_x(rd, a << (imm & 63)); return advance(in);
    case Op::srli: set_x(rd, a >> (imm & 63)); return advance(in);
    case Op::srai: set_x(rd, static_cast<uint64_t>(static_cast<int64_t>(a) >> (imm & 63))); return advance(in);
    case Op::add: set_x(rd, a + b); return advance(in);
    case Op::sub: set_x(rd, a - b); return advance(in);
    case Op::sll: set_x(rd, a << (b & 63)); return advance(in);
    case Op::slt: set_x(rd, static_cast<int64_t>(a) < static_cast<int64_t>(b) ? 1 : 0); return advance(in);
    case Op::sltu: set_x(rd, a < b ? 1 : 0); return advance(in);
    case Op::xor_: set_x(rd, a ^ b); return advance(in);
    case Op::srl: set_x(rd, a >> (b & 63)); return advance(in);
    case Op::sra: set_x(rd, static_cast<uint64_t>(static_cast<int64_t>(a) >> (b & 63))); return advance(in);
    case Op::or_: set_x(rd, a | b); return advance(in);
    case Op::and_: set_x(rd, a & b); return advance(in);
    // fence: one hart executes in order and devices see accesses in program
    // order, so there is nothing to order. Reserved fields are ignored (2.7).
    case Op::fence: return advance(in);
    case Op::ecall: {
      // Privileged 3.3.1: the cause names the privilege the ecall came from;
      // the ecall does not retire.
      const Exception cause = hart_.privilege == Privilege::User         ? Exception::EcallFromUser
                              : hart_.privilege == Privilege::Supervisor ? Exception::EcallFromSupervisor
                                                                         : Exception::EcallFromMachine;
      hart_.take_trap(cause, 0);
      return false;
    }
    case Op::ebreak: hart_.take_trap(Exception::Breakpoint, 0); return false;  // tval 0: see the file comment
    // W forms (5.2, 5.3): operate on the low 32 bits, sign-extend the result.
    case Op::addiw: set_x(rd, sign_extend_32(a + imm)); return advance(in);
    case Op::slliw: set_x(rd, sign_extend_32(static_cast<uint32_t>(a) << (imm & 31))); return advance(in);
    case Op::srliw: set_x(rd, sign_extend_32(static_cast<uint32_t>(a) >> (imm & 31))); return advance(in);
    case Op::sraiw:
      set_x(rd, sign_extend_32(static_cast<uint32_t>(static_cast<int32_t>(a) >> (imm & 31))));
      return advance(in);
    case Op::addw: set_x(rd, sign_extend_32(a + b)); return advance(in);
    case Op::subw: set_x(rd, sign_extend_32(a - b)); return advance(in);
    case Op::sllw: set_x(rd, sign_extend_32(static_cast<uint32_t>(a) << (b & 31))); return advance(in);
    case Op::srlw: set_x(rd, sign_extend_32(static_cast<uint32_t>(a) >> (b & 31))); return advance(in);
    case Op::sraw:
      set_x(rd, sign_extend_32(static_cast<uint32_t>(static_cast<int32_t>(a) >> (b & 31))));
      return advance(in);

    // ---- Zifencei, Zicsr ----
    case Op::fence_i:
      // Decoded instructions are cached by their bits (nothing to drop here);
      // the JIT's translations are dropped through its hook.
      if (hart_.on_fence_i) hart_.on_fence_i(hart_);
      return advance(in);
    case Op::csrrw: return csr_write(in, a);
    case Op::csrrs: return csr_set_or_clear(in, a, in.rs1 != 0, false);
    case Op::csrrc: return csr_set_or_clear(in, a, in.rs1 != 0, true);
    case Op::csrrwi: return csr_write(in, in.rs1);
    case Op::csrrsi: return csr_set_or_clear(in, in.rs1, in.rs1 != 0, false);
    case Op::csrrci: return csr_set_or_clear(in, in.rs1, in.rs1 != 0, true);

    // ---- Privileged: the hart checks privilege (and TSR/TW/TVM) itself ----
    case Op::sret: return hart_.execute_sret();  // sets pc to sepc
    case Op::mret: return hart_.execute_mret();  // sets pc to mepc
    case Op::wfi:
      if (!hart_.execute_wfi()) return false;
      return advance(in);  // the run loop stalls while waiting_for_interrupt
    case Op::sfence_vma:
      if (!hart_.execute_sfence_vma(in.rs1, in.rs2)) return false;
      return advance(in);

    // ---- M (chapter 7) ----
    case Op::mul: set_x(rd, a * b); return advance(in);
    case Op::mulh: {
      const Int128 product = Int128{static_cast<int64_t>(a)} * Int128{static_cast<int64_t>(b)};
      set_x(rd, static_cast<uint64_t>(static_cast<UInt128>(product) >> 64));
      return advance(in);
    }
    case Op::mulhsu: {
      // |a| <= 2^63 and b < 2^64, so the signed product fits in 128 bits.
      const Int128 product = Int128{static_cast<int64_t>(a)} * static_cast<Int128>(b);
      set_x(rd, static_cast<uint64_t>(static_cast<UInt128>(product) >> 64));
      return advance(in);
    }
    case Op::mulhu: set_x(rd, static_cast<uint64_t>((UInt128{a} * UInt128{b}) >> 64)); return advance(in);
    case Op::div:
      set_x(rd, static_cast<uint64_t>(divide_signed(static_cast<int64_t>(a), static_cast<int64_t>(b))));
      return advance(in);
    case Op::divu: set_x(rd, divide_unsigned(a, b)); return advance(in);
    case Op::rem:
      set_x(rd, static_cast<uint64_t>(remainder_signed(static_cast<int64_t>(a), static_cast<int64_t>(b))));
      return advance(in);
    case Op::remu: set_x(rd, remainder_unsigned(a, b)); return advance(in);
    case Op::mulw: set_x(rd, sign_extend_32(static_cast<uint32_t>(a) * static_cast<uint32_t>(b))); return advance(in);
    case Op::divw:
      set_x(rd, sign_extend_32(static_cast<uint32_t>(divide_signed(static_cast<int32_t>(a), static_cast<int32_t>(b)))));
      return advance(in);
    case Op::divuw:
      set_x(rd, sign_extend_32(divide_unsigned(static_cast<uint32_t>(a), static_cast<uint32_t>(b))));
      return advance(in);
    case Op::remw:
      set_x(rd,
            sign_extend_32(static_cast<uint32_t>(remainder_signed(static_cast<int32_t>(a), static_cast<int32_t>(b)))));
      return advance(in);
    case Op::remuw:
      set_x(rd, sign_extend_32(remainder_unsigned(static_cast<uint32_t>(a), static_cast<uint32_t>(b))));
      return advance(in);

    // ---- A (chapter 8); aq/rl need nothing on one in-order hart ----
    case Op::lr_w: return load_reserved(in, 4);
    case Op::sc_w: return store_conditional(in, 4);
    case Op::amoswap_w: return atomic(in, AmoOperation::Swap, 4);
    case Op::amoadd_w: return atomic(in, AmoOperation::Add, 4);
    case Op::amoxor_w: return atomic(in, AmoOperation::Xor, 4);
    case Op::amoand_w: return atomic(in, AmoOperation::And, 4);
    case Op::amoor_w: return atomic(in, AmoOperation::Or, 4);
    case Op::amomin_w: return atomic(in, AmoOperation::Min, 4);
    case Op::amomax_w: return atomic(in, AmoOperation::Max, 4);
    case Op::amominu_w: return atomic(in, AmoOperation::MinUnsigned, 4);
    case Op::amomaxu_w: return atomic(in, AmoOperation::MaxUnsigned, 4);
    case Op::lr_d: return load_reserved(in, 8);
    case Op::sc_d: return store_conditional(in, 8);
    case Op::amoswap_d: return atomic(in, AmoOperation::Swap, 8);
    case Op::amoadd_d: return atomic(in, AmoOperation::Add, 8);
    case Op::amoxor_d: return atomic(in, AmoOperation::Xor, 8);
    case Op::amoand_d: return atomic(in, AmoOperation::And, 8);
    case Op::amoor_d: return atomic(in, AmoOperation::Or, 8);
    case Op::amomin_d: return atomic(in, AmoOperation::Min, 8);
    case Op::amomax_d: return atomic(in, AmoOperation::Max, 8);
    case Op::amominu_d: return atomic(in, AmoOperation::MinUnsigned, 8);
    case Op::amomaxu_d: return atomic(in, AmoOperation::MaxUnsigned, 8);

    // ---- F and D ----
    case Op::flw: case Op::fsw: case Op::fmadd_s: case Op::fmsub_s: case Op::fnmsub_s: case Op::fnmadd_s:
    case Op::fadd_s: case Op::fsub_s: case Op::fmul_s: case Op::fdiv_s: case Op::fsqrt_s: case Op::fsgnj_s:
    case Op::fsgnjn_s: case Op::fsgnjx_s: case Op::fmin_s: case Op::fmax_s: case Op::fcvt_w_s:
    case Op::fcvt_wu_s: case Op::fcvt_l_s: case Op::fcvt_lu_s: case Op::fmv_x_w: case Op::fclass_s:
    case Op::feq_s: case Op::flt_s: case Op::fle_s: case Op::fcvt_s_w: case Op::fcvt_s_wu: case Op::fcvt_s_l:
    case Op::fcvt_s_lu: case Op::fmv_w_x:
    case Op::fld: case Op::fsd: case Op::fmadd_d: case Op::fmsub_d: case Op::fnmsub_d: case Op::fnmadd_d:
    case Op::fadd_d: case Op::fsub_d: case Op::fmul_d: case Op::fdiv_d: case Op::fsqrt_d: case Op::fsgnj_d:
    case Op::fsgnjn_d: case Op::fsgnjx_d: case Op::fmin_d: case Op::fmax_d: case Op::fcvt_s_d:
    case Op::fcvt_d_s: case Op::feq_d: case Op::flt_d: case Op::fle_d: case Op::fclass_d: case Op::fcvt_w_d:
    case Op::fcvt_wu_d: case Op::fcvt_l_d: case Op::fcvt_lu_d: case Op::fcvt_d_w: case Op::fcvt_d_wu:
    case Op::fcvt_d_l: case Op::fcvt_d_lu: case Op::fmv_x_d: case Op::fmv_d_x:
      return execute_float(in);

    case Op::illegal:
    case Op::kCount:
      return illegal(in);
  }
  return illegal(in);
}

bool Executor::execute_float(const DecodedInstruction& in) {
  namespace sf = softfloat;
  // The arithmetic goes through the host FPU where that is bit-identical (host_float.h).
  namespace hf = host_float;
  // 11.1: with mstatus.FS = Off every F/D instruction (and fcsr access) is illegal.
  if (!hart_.fp_enabled()) return illegal(in);

  switch (in.op) {
    // ---- loads and stores move raw bits (11.5, 12.3) ----
    case Op::flw: {
      uint64_t value = 0;
      if (!hart_.load(effective_address(in), 4, value)) return false;
      write_s(in.rd, static_cast<uint32_t>(value));
      return advance(in);
    }
    case Op::fld: {
      uint64_t value = 0;
      if (!hart_.load(effective_address(in), 8, value)) return false;
      write_d(in.rd, value);
      return advance(in);
    }
    case Op::fsw:
      if (!hart_.store(effective_address(in), 4, hart_.f[in.rs2] & 0xffffffffu)) return false;
      return advance(in);
    case Op::fsd:
      if (!hart_.store(effective_address(in), 8, hart_.f[in.rs2])) return false;
      return advance(in);

    // ---- single precision ----
    case Op::fmadd_s: return fused_s(in, false, false);
    case Op::fmsub_s: return fused_s(in, false, true);
    case Op::fnmsub_s: return fused_s(in, true, false);
    case Op::fnmadd_s: return fused_s(in, true, true);
    case Op::fadd_s: return binary_s(in, hf::f32_add);
    case Op::fsub_s: return binary_s(in, hf::f32_sub);
    case Op::fmul_s: return binary_s(in, hf::f32_mul);
    case Op::fdiv_s: return binary_s(in, hf::f32_div);
    case Op::fsqrt_s: {
      RoundingMode mode;
      if (!rounding_mode(in, mode)) return false;
      uint8_t flags = 0;
      write_s(in.rd, hf::f32_sqrt(read_s(in.rs1), mode, flags));
      return finish_float(in, flags);
    }
    case Op::fsgnj_s: return sign_injection_s(in, 0);
    case Op::fsgnjn_s: return sign_injection_s(in, 1);
    case Op::fsgnjx_s: return sign_injection_s(in, 2);
    case Op::fmin_s: return min_max_s(in, sf::f32_min);
    case Op::fmax_s: return min_max_s(in, sf::f32_max);
    case Op::fcvt_w_s: return to_integer_s(in, sf::f32_to_i32);
    case Op::fcvt_wu_s: return to_integer_s(in, sf::f32_to_u32);
    case Op::fcvt_l_s: return to_integer_s(in, sf::f32_to_i64);
    case Op::fcvt_lu_s: return to_integer_s(in, sf::f32_to_u64);
    // fmv.x.w is a transfer, not an operation on a value: it takes the low 32
    // bits whatever the boxing (12.2) and sign-extends them (11.7).
    case Op::fmv_x_w: set_x(in.rd, sign_extend_32(hart_.f[in.rs1])); return advance(in);
    case Op::fclass_s: set_x(in.rd, sf::f32_classify(read_s(in.rs1))); return advance(in);
    case Op::feq_s: return compare_s(in, sf::f32_eq);
    case Op::flt_s: return compare_s(in, sf::f32_lt);
    case Op::fle_s: return compare_s(in, sf::f32_le);
    case Op::fcvt_s_w:
      return from_integer_s(in, [](uint64_t value, RoundingMode mode, uint8_t& flags) {
        return sf::i32_to_f32(static_cast<int32_t>(value), mode, flags);
      });
    case Op::fcvt_s_wu:
      return from_integer_s(in, [](uint64_t value, RoundingMode mode, uint8_t& flags) {
        return sf::u32_to_f32(static_cast<uint32_t>(value), mode, flags);
      });
    case Op::fcvt_s_l:
      return from_integer_s(in, [](uint64_t value, RoundingMode mode, uint8_t& flags) {
        return sf::i64_to_f32(static_cast<int64_t>(value), mode, flags);
      });
    case Op::fcvt_s_lu: return from_integer_s(in, sf::u64_to_f32);
    case Op::fmv_w_x: write_s(in.rd, static_cast<uint32_t>(hart_.x[in.rs1])); return advance(in);

    // ---- double precision ----
    case Op::fmadd_d: return fused_d(in, false, false);
    case Op::fmsub_d: return fused_d(in, false, true);
    case Op::fnmsub_d: return fused_d(in, true, false);
    case Op::fnmadd_d: return fused_d(in, true, true);
    case Op::fadd_d: return binary_d(in, hf::f64_add);
    case Op::fsub_d: return binary_d(in, hf::f64_sub);
    case Op::fmul_d: return binary_d(in, hf::f64_mul);
    case Op::fdiv_d: return binary_d(in, hf::f64_div);
    case Op::fsqrt_d: {
      RoundingMode mode;
      if (!rounding_mode(in, mode)) return false;
      uint8_t flags = 0;
      write_d(in.rd, hf::f64_sqrt(read_d(in.rs1), mode, flags));
      return finish_float(in, flags);
    }
    case Op::fsgnj_d: return sign_injection_d(in, 0);
    case Op::fsgnjn_d: return sign_injection_d(in, 1);
    case Op::fsgnjx_d: return sign_injection_d(in, 2);
    case Op::fmin_d: return min_max_d(in, sf::f64_min);
    case Op::fmax_d: return min_max_d(in, sf::f64_max);
    case Op::fcvt_s_d: {
      RoundingMode mode;
      if (!rounding_mode(in, mode)) return false;
      uint8_t flags = 0;
      write_s(in.rd, sf::f64_to_f32(read_d(in.rs1), mode, flags));
      return finish_float(in, flags);
    }
    case Op::fcvt_d_s: {
      // Exact, but a reserved rm is still illegal (11.2: any instruction with
      // a reserved rounding mode is illegal).
      RoundingMode mode;
      if (!rounding_mode(in, mode)) return false;
      uint8_t flags = 0;
      write_d(in.rd, sf::f32_to_f64(read_s(in.rs1), flags));
      return finish_float(in, flags);
    }
    case Op::feq_d: return compare_d(in, sf::f64_eq);
    case Op::flt_d: return compare_d(in, sf::f64_lt);
    case Op::fle_d: return compare_d(in, sf::f64_le);
    case Op::fclass_d: set_x(in.rd, sf::f64_classify(read_d(in.rs1))); return advance(in);
    case Op::fcvt_w_d: return to_integer_d(in, sf::f64_to_i32);
    case Op::fcvt_wu_d: return to_integer_d(in, sf::f64_to_u32);
    case Op::fcvt_l_d: return to_integer_d(in, sf::f64_to_i64);
    case Op::fcvt_lu_d: return to_integer_d(in, sf::f64_to_u64);
    case Op::fcvt_d_w:
      return from_integer_d(in, [](uint64_t value, RoundingMode mode, uint8_t& flags) {
        return sf::i32_to_f64(static_cast<int32_t>(value), mode, flags);
      });
    case Op::fcvt_d_wu:
      return from_integer_d(in, [](uint64_t value, RoundingMode mode, uint8_t& flags) {
        return sf::u32_to_f64(static_cast<uint32_t>(value), mode, flags);
      });
    case Op::fcvt_d_l:
      return from_integer_d(in, [](uint64_t value, RoundingMode mode, uint8_t& flags) {
        return sf::i64_to_f64(static_cast<int64_t>(value), mode, flags);
      });
    case Op::fcvt_d_lu: return from_integer_d(in, sf::u64_to_f64);
    case Op::fmv_x_d: set_x(in.rd, hart_.f[in.rs1]); return advance(in);
    case Op::fmv_d_x: write_d(in.rd, hart_.x[in.rs1]); return advance(in);

    default:
      return illegal(in);  // not an FP operation: execute() never sends one here
  }
}

}  // namespace

uint64_t Hart::run(uint64_t budget) {
  DecodeCache& cache = decode_cache();
  Executor executor(*this);
  uint64_t used = 0;
  while (used < budget && !stop_requested) {
    // Interrupts are taken between instructions (privileged 3.1.9). Taking
    // one uses no slot: the handler's first instruction runs in this slot.
    if (interrupt_pending_for_wfi()) {
      waiting_for_interrupt = false;  // WFI wakes on pending & enabled-in-mie, whatever the global enables
      take_pending_interrupt();
    } else if (waiting_for_interrupt) {
      break;  // stalled in WFI: the machine skips virtual time to the next event
    }
    ++used;  // an attempted instruction uses a slot even if it traps
    uint32_t bits = 0;
    if (!fetch(pc, bits)) continue;
    if (instruction_length(bits) == 2) bits &= 0xffff;
    instruction_bits = bits;  // tval for illegal-instruction raised inside csr_access and execute_*
    const DecodedInstruction& instruction = cache.lookup(bits);
    if (trace_log != nullptr) [[unlikely]] trace_log->instruction_starting(*this, instruction);
    if (executor.execute(instruction) && (csr.mcountinhibit & kMcountinhibitIR) == 0) ++instret;
  }
  return used;
}

bool Hart::execute_decoded(const DecodedInstruction& in) {
  instruction_bits = in.bits;
  return Executor(*this).execute(in);
}

// run(1): exactly one instruction, preceded by taking a pending interrupt if
// there is one. A hart stalled in WFI with nothing pending does nothing.
void Hart::step() { run(1); }

}  // namespace emu::riscv

// Native fast paths for F/D computations (the interface is in the header;
// docs/jit.md, "F/D in generated code"). Each mirrors the interpreter's case
// (emu/target/riscv/interpreter.cpp, execute_float) and completes only where
// its result is provably that one; everything else jumps to the fallback,
// which runs the instruction in the interpreter.
//
// Guards common to all (checked before anything is written):
//   - mstatus.FS != Off (11.1; Off makes the instruction illegal: the
//     fallback raises that);
//   - the rounding mode: the classifier passes only a static rm of 0 (round
//     to nearest even) or 7 (dynamic) to the rounding operations, and the
//     code checks frm == 0 for 7; the exact operations (fcvt.d.s, integer to
//     float within the precision) accept any valid mode, so with rm = 7 they
//     check frm <= 4 (5..7 in frm are reserved: the fallback traps);
//   - single-precision operands must be NaN-boxed (12.2): an unboxed one
//     reads as the canonical NaN, whose results the fallback produces.
// Afterwards the fast path writes what the interpreter writes: the f
// register (a single boxed) with mstatus.FS = Dirty and SD (write_s/write_d),
// fflags |= NX where the operation was inexact (accrue_fflags), or x[rd]
// (through the caller) for moves and compares, which mark nothing dirty.
//
// Rounding operations: add, sub, mul, div and sqrt are host_float's
// round-to-nearest-even path (exactness tests, no MXCSR access; see
// emit_nearest_sum and emit_nearest_product). The fused forms and fcvt.s.d
// are host_float's MXCSR path (host_float.h/.cpp, try_host and keep), in
// generated code: load MXCSR = 0x1f80 (round to nearest even, exceptions
// masked, sticky flags clear, FTZ/DAZ off), run the one SSE/FMA3 instruction,
// store MXCSR and keep the result only if it is finite and either exact
// (PE clear) or inexact with a magnitude strictly between the smallest normal
// and the largest finite value. IEEE 754 requires the host result to be
// correctly rounded, so its bits are the softfloat's; under those conditions
// the only flag either side can raise is NX, which is PE (keep()'s comment in
// host_float.cpp gives the case analysis: invalid gives a NaN, division by
// zero an infinity, overflow is inexact and at least the largest finite
// value, an inexact result above the smallest normal was not tiny before or
// after rounding, so the tininess conventions of x86 and RISC-V cannot
// disagree). NaN results are never kept, so NaN canonicalization never
// arises. MXCSR is left at 0x1f80 with the sticky flags set, as host_float
// leaves it after the same path; nobody reads those flags.
//
// Exact operations need no MXCSR: sign injection and moves are bit copies;
// compares of two non-NaN values raise nothing (a NaN operand, quiet or
// not, makes ucomis* unordered and goes to the fallback, which decides NV);
// fcvt.d.s of a non-NaN value and integer-to-float conversions of integers
// below 2^precision in magnitude are exact, so they raise nothing and the
// rounding mode does not matter. These rely on the default MXCSR
// (DAZ off) that the rest of emu keeps (host_float.cpp).
#include "emu/jit/x86_64_float_emitter.h"

#include <bit>
#include <cstddef>

#include "emu/jit/jit_helpers.h"
#include "emu/target/riscv/csr_numbers.h"

namespace emu::jit {

using namespace asmjit;
using riscv::DecodedInstruction;
using riscv::Op;

namespace {

constexpr uint32_t kMxcsrDefault = 0x1f80;  // Intel SDM vol. 1, 10.2.3
constexpr uint8_t kMxcsrInexact = 1u << 5;  // PE
constexpr int32_t kScratch = static_cast<int32_t>(offsetof(JitContext, scratch));

enum class Format { Single, Double };

// What an operation does with its operands; see the file comment.
enum class Kind {
  Add, Sub, Mul, Div, Sqrt, Fused, NarrowToSingle,  // rounding: the MXCSR path
  SignInject,                                        // fsgnj, fsgnjn, fsgnjx
  Compare,                                           // feq, flt, fle
  MoveToInteger,                                     // fmv.x.w, fmv.x.d
  MoveFromInteger,                                   // fmv.w.x, fmv.d.x
  FromInteger,                                       // fcvt.{s,d}.{w,wu,l,lu}
  WidenToDouble,                                     // fcvt.d.s
  ToInteger,                                         // fcvt.{w,wu,l,lu}.{s,d}
};

struct Form {
  Kind kind;
  Format format;  // of the result (of the operands for Compare, SignInject, MoveToInteger)
  int variant = 0;  // SignInject: 0 copy, 1 negated, 2 xor; Compare: 0 eq, 1 lt, 2 le;
                    // Fused: bit 0 negate the product, bit 1 negate the addend;
                    // FromInteger: 0 w, 1 wu, 2 l, 3 lu
};

bool form_of(Op op, Form& form) {
  using K = Kind;
  constexpr Format S = Format::Single, D = Format::Double;
  switch (op) {
    case Op::fadd_s: form = {K::Add, S}; return true;
    case Op::fsub_s: form = {K::Sub, S}; return true;
    case Op::fmul_s: form = {K::Mul, S}; return true;
    case Op::fdiv_s: form = {K::Div, S}; return true;
    case Op::fsqrt_s: form = {K::Sqrt, S}; return true;
    case Op::fmadd_s: form = {K::Fused, S, 0}; return true;
    case Op::fmsub_s: form = {K::Fused, S, 2}; return true;
    case Op::fnmsub_s: form = {K::Fused, S, 1}; return true;
    case Op::fnmadd_s: form = {K::Fused, S, 3}; return true;
    case Op::fadd_d: form = {K::Add, D}; return true;
    case Op::fsub_d: form = {K::Sub, D}; return true;
    case Op::fmul_d: form = {K::Mul, D}; return true;
    case Op::fdiv_d: form = {K::Div, D}; return true;
    case Op::fsqrt_d: form = {K::Sqrt, D}; return true;
    case Op::fmadd_d: form = {K::Fused, D, 0}; return true;
    case Op::fmsub_d: form = {K::Fused, D, 2}; return true;
    case Op::fnmsub_d: form = {K::Fused, D, 1}; return true;
    case Op::fnmadd_d: form = {K::Fused, D, 3}; return true;
    case Op::fcvt_s_d: form = {K::NarrowToSingle, S}; return true;
    case Op::fsgnj_s: form = {K::SignInject, S, 0}; return true;
    case Op::fsgnjn_s: form = {K::SignInject, S, 1}; return true;
    case Op::fsgnjx_s: form = {K::SignInject, S, 2}; return true;
    case Op::fsgnj_d: form = {K::SignInject, D, 0}; return true;
    case Op::fsgnjn_d: form = {K::SignInject, D, 1}; return true;
    case Op::fsgnjx_d: form = {K::SignInject, D, 2}; return true;
    case Op::feq_s: form = {K::Compare, S, 0}; return true;
    case Op::flt_s: form = {K::Compare, S, 1}; return true;
    case Op::fle_s: form = {K::Compare, S, 2}; return true;
    case Op::feq_d: form = {K::Compare, D, 0}; return true;
    case Op::flt_d: form = {K::Compare, D, 1}; return true;
    case Op::fle_d: form = {K::Compare, D, 2}; return true;
    case Op::fmv_x_w: form = {K::MoveToInteger, S}; return true;
    case Op::fmv_x_d: form = {K::MoveToInteger, D}; return true;
    case Op::fmv_w_x: form = {K::MoveFromInteger, S}; return true;
    case Op::fmv_d_x: form = {K::MoveFromInteger, D}; return true;
    case Op::fcvt_s_w: form = {K::FromInteger, S, 0}; return true;
    case Op::fcvt_s_wu: form = {K::FromInteger, S, 1}; return true;
    case Op::fcvt_s_l: form = {K::FromInteger, S, 2}; return true;
    case Op::fcvt_s_lu: form = {K::FromInteger, S, 3}; return true;
    case Op::fcvt_d_w: form = {K::FromInteger, D, 0}; return true;
    case Op::fcvt_d_wu: form = {K::FromInteger, D, 1}; return true;
    case Op::fcvt_d_l: form = {K::FromInteger, D, 2}; return true;
    case Op::fcvt_d_lu: form = {K::FromInteger, D, 3}; return true;
    case Op::fcvt_d_s: form = {K::WidenToDouble, D}; return true;
    case Op::fcvt_w_s: form = {K::ToInteger, S, 0}; return true;
    case Op::fcvt_wu_s: form = {K::ToInteger, S, 1}; return true;
    case Op::fcvt_l_s: form = {K::ToInteger, S, 2}; return true;
    case Op::fcvt_lu_s: form = {K::ToInteger, S, 3}; return true;
    case Op::fcvt_w_d: form = {K::ToInteger, D, 0}; return true;
    case Op::fcvt_wu_d: form = {K::ToInteger, D, 1}; return true;
    case Op::fcvt_l_d: form = {K::ToInteger, D, 2}; return true;
    case Op::fcvt_lu_d: form = {K::ToInteger, D, 3}; return true;
    default: return false;
  }
}

bool rounds(Kind kind) {
  switch (kind) {
    case Kind::Add: case Kind::Sub: case Kind::Mul: case Kind::Div: case Kind::Sqrt: case Kind::Fused:
    case Kind::NarrowToSingle:
      return true;
    default:
      return false;
  }
}
// Instructions whose rm field is a rounding mode (11.2); the others use
// funct3 to select the operation.
bool has_rounding_mode(Kind kind) {
  return rounds(kind) || kind == Kind::FromInteger || kind == Kind::WidenToDouble || kind == Kind::ToInteger;
}
// Exact operations: any valid rounding mode gives the same result.
bool any_valid_mode(Kind kind) { return kind == Kind::FromInteger || kind == Kind::WidenToDouble; }

class FloatEmitter {
 public:
  FloatEmitter(x86::Assembler& a, const FloatTarget& target, const DecodedInstruction& in, const Label& fallback,
               const FloatBlockState& state)
      : a_(a), t_(target), in_(in), fallback_(fallback), state_(state) {}

  void emit(const Form& form, const x86::Gp& integer_source);

 private:
  x86::Mem f_slot(unsigned r, int32_t extra = 0, uint32_t size = 8) const {
    x86::Mem mem = x86::ptr(t_.hart, t_.f_offset + static_cast<int32_t>(8 * r) + extra);
    mem.setSize(size);
    return mem;
  }
  x86::Mem f_low(unsigned r) const { return f_slot(r, 0, 4); }
  // 12.2: the upper half of a boxed single is all ones.
  void require_boxed(unsigned r) {
    a_.cmp(f_slot(r, 4, 4), -1);
    a_.jne(fallback_);
  }
  void require_enabled() {
    if (state_.enabled) return;
    a_.test(x86::qword_ptr(t_.hart, t_.mstatus_offset), static_cast<int32_t>(riscv::kMstatusFS));
    a_.jz(fallback_);
  }
  // The classifier passed rm 0 or 7 for rounding operations (also 1 for
  // float to integer), 0..4 or 7 for exact ones; 7 reads frm, which must be
  // round to nearest even for the former and valid for the latter.
  void require_rounding_mode(bool exact) {
    if (in_.rm != 7) return;
    a_.cmp(x86::byte_ptr(t_.hart, t_.frm_offset), exact ? 4 : 0);
    if (exact) a_.ja(fallback_);
    else a_.jne(fallback_);
  }
  // write_s/write_d: FS = Dirty, SD (unless this block already made it so).
  // Clobbers rcx, rdx.
  void mark_dirty() {
    if (!state_.dirty) emit_set_fs_dirty(a_, t_.hart, t_.mstatus_offset);
  }
  // fflags |= NX (accrue_fflags; the write marks FS dirty anyway), stored
  // only when NX is not already set, for the same reason.
  void accrue_inexact() {
    Label set = a_.newLabel();
    a_.test(x86::byte_ptr(t_.hart, t_.fflags_offset), static_cast<int32_t>(riscv::kFflagNX));
    a_.jnz(set);
    a_.or_(x86::byte_ptr(t_.hart, t_.fflags_offset), static_cast<int32_t>(riscv::kFflagNX));
    a_.bind(set);
  }
  // f[rd] = the result in rax (a single in eax, written boxed).
  void write_result(Format format) {
    if (format == Format::Single) {
      a_.mov(f_low(in_.rd), x86::eax);
      a_.mov(f_slot(in_.rd, 4, 4), -1);
    } else {
      a_.mov(f_slot(in_.rd), x86::rax);
    }
    mark_dirty();
  }

  void emit_with_mxcsr(const Form& form);
  void emit_nearest_sum(const Form& form);
  void emit_nearest_product(const Form& form);
  // The result bits in rax (eax): go to `outside` (the fallback unless
  // given) unless strictly inside the normal range (inside_normal_range in
  // host_float.cpp); clobbers rcx, rdx.
  void require_inside_normal_range(Format format) { require_inside_normal_range(format, fallback_); }
  void require_inside_normal_range(Format format, const Label& outside) {
    if (format == Format::Single) {
      a_.mov(x86::ecx, x86::eax);
      a_.and_(x86::ecx, 0x7fffffff);
      a_.cmp(x86::ecx, 0x7f7fffff);
      a_.jae(outside);
      a_.cmp(x86::ecx, 0x00800000);
      a_.jbe(outside);
    } else {
      a_.mov(x86::rcx, x86::rax);
      a_.btr(x86::rcx, 63);
      a_.mov(x86::rdx, 0x7fefffffffffffffull);
      a_.cmp(x86::rcx, x86::rdx);
      a_.jae(outside);
      a_.mov(x86::rdx, uint64_t{1} << 52);
      a_.cmp(x86::rcx, x86::rdx);
      a_.jbe(outside);
    }
  }
  void emit_host_operation(const Form& form);
  void emit_when_inexact_already_set(const Form& form, const Label& done);
  void emit_sign_injection(const Form& form);
  void emit_compare(const Form& form);
  void emit_from_integer(const Form& form, const x86::Gp& source);
  void emit_widen();
  void emit_to_integer(const Form& form);

  x86::Assembler& a_;
  const FloatTarget& t_;
  const DecodedInstruction& in_;
  Label fallback_;
  const FloatBlockState state_;  // before this instruction
};

// Whether the operation writes an f register (write_s/write_d in the
// interpreter, which mark FS dirty whenever the instruction completes).
bool writes_f_register(Kind kind) {
  return kind != Kind::Compare && kind != Kind::MoveToInteger && kind != Kind::ToInteger;
}

void FloatEmitter::emit(const Form& form, const x86::Gp& integer_source) {
  require_enabled();
  if (has_rounding_mode(form.kind)) require_rounding_mode(any_valid_mode(form.kind));
  switch (form.kind) {
    case Kind::SignInject: emit_sign_injection(form); return;
    case Kind::Compare: emit_compare(form); return;
    case Kind::MoveToInteger:  // a transfer: the low 32 bits whatever the boxing, sign-extended (11.7)
      if (form.format == Format::Single) a_.movsxd(x86::rax, f_low(in_.rs1));
      else a_.mov(x86::rax, f_slot(in_.rs1));
      return;
    case Kind::MoveFromInteger:
      a_.mov(x86::rax, integer_source);
      write_result(form.format);
      return;
    case Kind::FromInteger: emit_from_integer(form, integer_source); return;
    case Kind::WidenToDouble: emit_widen(); return;
    case Kind::ToInteger: emit_to_integer(form); return;
    case Kind::Add: case Kind::Sub: emit_nearest_sum(form); return;
    case Kind::Mul: case Kind::Div: case Kind::Sqrt: emit_nearest_product(form); return;
    default: emit_with_mxcsr(form); return;
  }
}

// Round to nearest even (the only mode the classifier and the frm check let
// through) without touching MXCSR: host_float's try_nearest_binary for + and
// -, in generated code. TwoSum gives the exact rounding error of x + y
// (no step overflows: both operands are below 2^(emax-3), as host_float
// bounds them); the sum is exact iff the error is zero. An exact sum is kept
// whatever its magnitude (it raised nothing; an exact sum of finite values
// is finite), an inexact one only strictly inside the normal range (NX
// alone). Relies on MXCSR's default round-to-nearest, FTZ/DAZ off, as
// host_float's path does. Operands: x in xmm0, -y or y in xmm1.
void FloatEmitter::emit_nearest_sum(const Form& form) {
  using x86::xmm0;
  using x86::xmm1;
  using x86::xmm2;
  using x86::xmm3;
  using x86::xmm4;
  const bool single = form.format == Format::Single;
  if (single) {
    require_boxed(in_.rs1);
    require_boxed(in_.rs2);
  }
  Label done = a_.newLabel();
  emit_when_inexact_already_set(form, done);
  // |x|, |y| < infinity - 4 ulp-of-exponent steps (host_float's kLimit).
  for (unsigned r : {in_.rs1, in_.rs2}) {
    if (single) {
      a_.mov(x86::eax, f_low(r));
      a_.and_(x86::eax, 0x7fffffff);
      a_.cmp(x86::eax, 0x7f800000 - (4 << 23));
    } else {
      a_.mov(x86::rax, f_slot(r));
      a_.btr(x86::rax, 63);
      a_.mov(x86::rdx, 0x7ff0000000000000ull - (uint64_t{4} << 52));
      a_.cmp(x86::rax, x86::rdx);
    }
    a_.jae(fallback_);
  }
  if (single) {
    a_.movss(xmm0, f_low(in_.rs1));
    a_.mov(x86::eax, f_low(in_.rs2));
    if (form.kind == Kind::Sub) a_.btc(x86::eax, 31);
    a_.movd(xmm1, x86::eax);
    a_.movaps(xmm2, xmm0);
    a_.addss(xmm2, xmm1);  // value = x + addend
    a_.movaps(xmm3, xmm2);
    a_.subss(xmm3, xmm0);  // addend_part = value - x
    a_.movaps(xmm4, xmm2);
    a_.subss(xmm4, xmm3);  // x_part = value - addend_part
    a_.subss(xmm0, xmm4);  // x - x_part
    a_.subss(xmm1, xmm3);  // addend - addend_part
    a_.addss(xmm0, xmm1);  // error
    a_.xorps(xmm3, xmm3);
    a_.ucomiss(xmm0, xmm3);
    a_.movd(x86::eax, xmm2);
  } else {
    a_.movsd(xmm0, f_slot(in_.rs1));
    a_.mov(x86::rax, f_slot(in_.rs2));
    if (form.kind == Kind::Sub) a_.btc(x86::rax, 63);
    a_.movq(xmm1, x86::rax);
    a_.movapd(xmm2, xmm0);
    a_.addsd(xmm2, xmm1);
    a_.movapd(xmm3, xmm2);
    a_.subsd(xmm3, xmm0);
    a_.movapd(xmm4, xmm2);
    a_.subsd(xmm4, xmm3);
    a_.subsd(xmm0, xmm4);
    a_.subsd(xmm1, xmm3);
    a_.addsd(xmm0, xmm1);
    a_.xorpd(xmm3, xmm3);
    a_.ucomisd(xmm0, xmm3);
    a_.movq(x86::rax, xmm2);
  }
  Label commit = a_.newLabel();
  a_.jp(fallback_);  // cannot happen (the error of a bounded finite sum is finite); be safe
  a_.je(commit);     // error == 0: exact
  require_inside_normal_range(form.format);
  accrue_inexact();
  a_.bind(commit);
  write_result(form.format);
  a_.bind(done);
}

// Round to nearest even, host_float's try_nearest_binary for * and / and
// try_nearest_sqrt, without MXCSR: the operands normal (sqrt: positive
// normal), the host result strictly inside the normal range (always so for
// a root). With odd(v) the significand of v without its trailing zeros:
//   - the exact product is odd(a) * odd(b) * 2^k, representable exactly
//     when that odd integer fits in the precision: NX = odd(a) * odd(b) >=
//     2^precision;
//   - value * b == a exactly iff odd(value) * odd(b) == odd(a) (a power-of-two
//     mismatch is impossible: value is a/b within half an ulp); likewise a
//     root is exact iff odd(root)^2 == odd(a).
void FloatEmitter::emit_nearest_product(const Form& form) {
  const bool single = form.format == Format::Single;
  const bool sqrt = form.kind == Kind::Sqrt;
  if (single) {
    require_boxed(in_.rs1);
    if (!sqrt) require_boxed(in_.rs2);
  }
  Label done = a_.newLabel();
  emit_when_inexact_already_set(form, done);
  // Normal: minimum normal <= magnitude < infinity, i.e.
  // magnitude - min_normal < infinity - min_normal (unsigned); for sqrt the
  // sign bit is left in, so a negative operand fails the test too.
  for (unsigned r : {in_.rs1, in_.rs2}) {
    if (single) {
      a_.mov(x86::eax, f_low(r));
      if (!sqrt) a_.and_(x86::eax, 0x7fffffff);
      a_.sub(x86::eax, 0x00800000);
      a_.cmp(x86::eax, 0x7f800000 - 0x00800000);
    } else {
      a_.mov(x86::rax, f_slot(r));
      if (!sqrt) a_.btr(x86::rax, 63);
      a_.mov(x86::rdx, uint64_t{1} << 52);
      a_.sub(x86::rax, x86::rdx);
      a_.mov(x86::rdx, 0x7ff0000000000000ull - (uint64_t{1} << 52));
      a_.cmp(x86::rax, x86::rdx);
    }
    a_.jae(fallback_);
    if (sqrt) break;
  }
  emit_host_operation(form);
  require_inside_normal_range(form.format);
  // reg = odd(reg's bits) (clobbers rcx, rsi; rdi is a cache register).
  const auto odd_significand = [&](const x86::Gp& reg) {
    a_.mov(x86::rsi, (uint64_t{1} << (single ? 23 : 52)) - 1);
    a_.and_(reg, x86::rsi);
    a_.inc(x86::rsi);  // the hidden bit
    a_.or_(reg, x86::rsi);
    a_.bsf(x86::rcx, reg);
    a_.shr(reg, x86::cl);
  };
  const auto load_bits = [&](const x86::Gp& reg, unsigned r) {
    if (single) a_.mov(reg.r32(), f_low(r));
    else a_.mov(reg, f_slot(r));
  };
  // rdx = the first factor's odd part, rax = the second's; for / and sqrt
  // odd(a) waits in xmm1 for the comparison.
  if (form.kind == Kind::Mul) {
    load_bits(x86::rdx, in_.rs1);
    odd_significand(x86::rdx);
    load_bits(x86::rax, in_.rs2);
    odd_significand(x86::rax);
  } else {
    load_bits(x86::rdx, in_.rs1);
    odd_significand(x86::rdx);
    a_.movq(x86::xmm1, x86::rdx);
    a_.movq(x86::rdx, x86::xmm0);  // the result
    if (single) a_.mov(x86::edx, x86::edx);
    odd_significand(x86::rdx);
    if (sqrt) {
      a_.mov(x86::rax, x86::rdx);
    } else {
      load_bits(x86::rax, in_.rs2);
      odd_significand(x86::rax);
    }
  }
  Label commit = a_.newLabel();
  if (single) {  // both odd parts below 2^24: the product fits in 64 bits
    a_.imul(x86::rax, x86::rdx);
    if (form.kind == Kind::Mul) {
      a_.shr(x86::rax, 24);
    } else {
      a_.movq(x86::rcx, x86::xmm1);
      a_.xor_(x86::rax, x86::rcx);
    }
  } else {  // rdx:rax = the product of the odd parts, below 2^106
    a_.mov(x86::rcx, x86::rdx);
    a_.mul(x86::rdx, x86::rax, x86::rcx);
    if (form.kind == Kind::Mul) {
      a_.shr(x86::rax, 53);
    } else {
      a_.movq(x86::rcx, x86::xmm1);
      a_.xor_(x86::rax, x86::rcx);
    }
    a_.or_(x86::rax, x86::rdx);
  }
  a_.jz(commit);  // exact
  accrue_inexact();
  a_.bind(commit);
  if (single) a_.movd(x86::eax, x86::xmm0);
  else a_.movq(x86::rax, x86::xmm0);
  write_result(form.format);
  a_.bind(done);
}

// xmm0 = f[rs1] OP f[rs2] (sqrt: of f[rs1]) with the one SSE instruction
// in the default MXCSR (round to nearest even), its bits in rax (eax).
void FloatEmitter::emit_host_operation(const Form& form) {
  if (form.format == Format::Single) {
    a_.movss(x86::xmm0, f_low(in_.rs1));
    switch (form.kind) {
      case Kind::Add: a_.addss(x86::xmm0, f_low(in_.rs2)); break;
      case Kind::Sub: a_.subss(x86::xmm0, f_low(in_.rs2)); break;
      case Kind::Mul: a_.mulss(x86::xmm0, f_low(in_.rs2)); break;
      case Kind::Div: a_.divss(x86::xmm0, f_low(in_.rs2)); break;
      default: a_.sqrtss(x86::xmm0, x86::xmm0); break;
    }
    a_.movd(x86::eax, x86::xmm0);
  } else {
    a_.movsd(x86::xmm0, f_slot(in_.rs1));
    switch (form.kind) {
      case Kind::Add: a_.addsd(x86::xmm0, f_slot(in_.rs2)); break;
      case Kind::Sub: a_.subsd(x86::xmm0, f_slot(in_.rs2)); break;
      case Kind::Mul: a_.mulsd(x86::xmm0, f_slot(in_.rs2)); break;
      case Kind::Div: a_.divsd(x86::xmm0, f_slot(in_.rs2)); break;
      default: a_.sqrtsd(x86::xmm0, x86::xmm0); break;
    }
    a_.movq(x86::rax, x86::xmm0);
  }
}

// QEMU's shortcut (the inexact-flag test of its can_use_fpu): once fflags.NX
// is set, an add, sub, mul, div or sqrt in round to nearest even whose host
// result lies strictly inside the normal range raises nothing new - exact,
// nothing; inexact, NX alone (the file comment: no other flag can arise
// there), which is already set - so its exactness need not be tested and
// its operands need no guard (a NaN or infinite operand, or an overflow,
// gives a result outside the range). Then the one SSE instruction is the
// whole operation: write the result and go to `done`. NX clear, or a result
// outside the range: fall through to the full path, which computes again.
void FloatEmitter::emit_when_inexact_already_set(const Form& form, const Label& done) {
  Label full = a_.newLabel();
  a_.test(x86::byte_ptr(t_.hart, t_.fflags_offset), static_cast<int32_t>(riscv::kFflagNX));
  a_.jz(full);
  emit_host_operation(form);
  require_inside_normal_range(form.format, full);
  write_result(form.format);
  a_.jmp(done);
  a_.bind(full);
}

// The MXCSR path (file comment), for the fused forms and fcvt.s.d. Operands
// in xmm0 (rs1), xmm1 (rs2), xmm2 (rs3), result in xmm0.
void FloatEmitter::emit_with_mxcsr(const Form& form) {
  using x86::xmm0;
  using x86::xmm1;
  using x86::xmm2;
  // Operand format: fcvt.s.d reads a double; all others read their result format.
  const bool single = form.format == Format::Single && form.kind != Kind::NarrowToSingle;
  const unsigned operands = form.kind == Kind::Fused ? 3 : 1;
  if (single) {
    require_boxed(in_.rs1);
    if (operands >= 2) require_boxed(in_.rs2);
    if (operands == 3) require_boxed(in_.rs3);
  }
  // An operand into xmm, its sign flipped if asked (the fused forms negate
  // a factor and the addend exactly as the interpreter does, 11.6).
  const auto load = [&](const x86::Xmm& xmm, unsigned r, bool negate) {
    if (!negate) {
      single ? a_.movss(xmm, f_low(r)) : a_.movsd(xmm, f_slot(r));
      return;
    }
    if (single) {
      a_.mov(x86::eax, f_low(r));
      a_.btc(x86::eax, 31);
      a_.movd(xmm, x86::eax);
    } else {
      a_.mov(x86::rax, f_slot(r));
      a_.btc(x86::rax, 63);
      a_.movq(xmm, x86::rax);
    }
  };
  load(xmm0, in_.rs1, form.kind == Kind::Fused && (form.variant & 1) != 0);
  if (form.kind == Kind::Fused) {
    load(xmm1, in_.rs2, false);
    load(xmm2, in_.rs3, (form.variant & 2) != 0);
  }
  const x86::Mem control = x86::dword_ptr(t_.context, kScratch);
  const x86::Mem status = x86::dword_ptr(t_.context, kScratch + 4);
  a_.mov(control, kMxcsrDefault);
  a_.ldmxcsr(control);
  if (form.kind == Kind::Fused) {  // xmm0 = xmm1 * xmm0 + xmm2, one rounding
    single ? a_.vfmadd213ss(xmm0, xmm1, xmm2) : a_.vfmadd213sd(xmm0, xmm1, xmm2);
  } else {  // NarrowToSingle
    a_.cvtsd2ss(xmm0, xmm0);
  }
  a_.stmxcsr(status);
  // keep() (host_float.cpp) on the result bits: magnitude in rcx, bounds in rdx.
  const bool single_result = form.format == Format::Single;
  Label inexact = a_.newLabel(), commit = a_.newLabel();
  if (single_result) {
    a_.movd(x86::eax, xmm0);
    a_.mov(x86::ecx, x86::eax);
    a_.and_(x86::ecx, 0x7fffffff);
    a_.test(x86::byte_ptr(t_.context, kScratch + 4), kMxcsrInexact);
    a_.jnz(inexact);
    a_.cmp(x86::ecx, 0x7f7fffff);  // largest finite
    a_.ja(fallback_);
    a_.jmp(commit);
    a_.bind(inexact);
    a_.cmp(x86::ecx, 0x7f7fffff);
    a_.jae(fallback_);
    a_.cmp(x86::ecx, 0x00800000);  // smallest normal
    a_.jbe(fallback_);
  } else {
    a_.movq(x86::rax, xmm0);
    a_.mov(x86::rcx, x86::rax);
    a_.btr(x86::rcx, 63);
    a_.mov(x86::rdx, 0x7fefffffffffffffull);  // largest finite
    a_.test(x86::byte_ptr(t_.context, kScratch + 4), kMxcsrInexact);
    a_.jnz(inexact);
    a_.cmp(x86::rcx, x86::rdx);
    a_.ja(fallback_);
    a_.jmp(commit);
    a_.bind(inexact);
    a_.cmp(x86::rcx, x86::rdx);
    a_.jae(fallback_);
    a_.mov(x86::rdx, uint64_t{1} << 52);  // smallest normal
    a_.cmp(x86::rcx, x86::rdx);
    a_.jbe(fallback_);
  }
  accrue_inexact();
  a_.bind(commit);
  write_result(form.format);
}

// 11.7: the magnitude of rs1 with the sign of rs2 (variant 0), its inverse
// (1), or the xor of both signs (2). NaNs are copied, not canonicalized;
// an unboxed single operand (the canonical NaN) goes to the fallback.
void FloatEmitter::emit_sign_injection(const Form& form) {
  const bool single = form.format == Format::Single;
  if (single) {
    require_boxed(in_.rs1);
    require_boxed(in_.rs2);
  }
  const x86::Gp value = single ? x86::Gp(x86::eax) : x86::Gp(x86::rax);
  const x86::Gp sign = single ? x86::Gp(x86::ecx) : x86::Gp(x86::rcx);
  const uint32_t sign_bit = single ? 31 : 63;
  if (single) {
    a_.mov(value, f_low(in_.rs1));
    a_.mov(sign, f_low(in_.rs2));
  } else {
    a_.mov(value, f_slot(in_.rs1));
    a_.mov(sign, f_slot(in_.rs2));
  }
  if (form.variant == 1) a_.not_(sign);
  if (form.variant == 2) a_.xor_(sign, value);
  a_.shr(sign, sign_bit);
  a_.shl(sign, sign_bit);
  a_.btr(value, sign_bit);
  a_.or_(value, sign);
  write_result(form.format);
}

// feq/flt/fle of two non-NaN values: no flags, x[rd] = 0 or 1 in rax. A NaN
// operand makes ucomis* unordered (PF set): the fallback decides NV.
void FloatEmitter::emit_compare(const Form& form) {
  const bool single = form.format == Format::Single;
  if (single) {
    require_boxed(in_.rs1);
    require_boxed(in_.rs2);
    a_.movss(x86::xmm0, f_low(in_.rs1));
    a_.ucomiss(x86::xmm0, f_low(in_.rs2));
  } else {
    a_.movsd(x86::xmm0, f_slot(in_.rs1));
    a_.ucomisd(x86::xmm0, f_slot(in_.rs2));
  }
  a_.jp(fallback_);
  // Ordered: ZF = equal, CF = rs1 < rs2 (+0 and -0 compare equal, as in 11.8).
  switch (form.variant) {
    case 0: a_.sete(x86::al); break;
    case 1: a_.setb(x86::al); break;
    default: a_.setbe(x86::al); break;
  }
  a_.movzx(x86::eax, x86::al);
}

// An integer of magnitude below 2^precision (24 or 53 bits) converts exactly
// in every rounding mode: no flags. Larger ones may round: fallback.
void FloatEmitter::emit_from_integer(const Form& form, const x86::Gp& source) {
  const bool single = form.format == Format::Single;
  const unsigned precision = single ? 24 : 53;
  const bool is_signed = form.variant == 0 || form.variant == 2;
  switch (form.variant) {
    case 0: a_.movsxd(x86::rax, source.r32()); break;  // w: the low 32 bits, signed
    case 1: a_.mov(x86::eax, source.r32()); break;      // wu: unsigned
    default: a_.mov(x86::rax, source); break;
  }
  const bool always_exact = !single && form.variant <= 1;  // 32-bit integers fit in 53 bits
  if (!always_exact) {
    a_.mov(x86::rcx, x86::rax);
    if (is_signed) {  // -2^p <= value < 2^p  <=>  (value + 2^p) >> (p + 1) == 0 (unsigned, wrapping)
      a_.mov(x86::rdx, uint64_t{1} << precision);
      a_.add(x86::rcx, x86::rdx);
      a_.shr(x86::rcx, precision + 1);
    } else {
      a_.shr(x86::rcx, precision);
    }
    a_.jnz(fallback_);
  }
  // Within range the value is the same as a signed 64-bit integer.
  a_.xorps(x86::xmm0, x86::xmm0);
  if (single) {
    a_.cvtsi2ss(x86::xmm0, x86::rax);
    a_.movd(x86::eax, x86::xmm0);
  } else {
    a_.cvtsi2sd(x86::xmm0, x86::rax);
    a_.movq(x86::rax, x86::xmm0);
  }
  write_result(form.format);
}

// fcvt.d.s of a boxed non-NaN single: exact (every binary32 value is a
// binary64 value), no flags. A NaN (NV for a signaling one, canonical
// result) goes to the fallback.
void FloatEmitter::emit_widen() {
  require_boxed(in_.rs1);
  a_.mov(x86::eax, f_low(in_.rs1));
  a_.and_(x86::eax, 0x7fffffff);
  a_.cmp(x86::eax, 0x7f800000);
  a_.ja(fallback_);
  a_.cvtss2sd(x86::xmm0, f_low(in_.rs1));
  a_.movq(x86::rax, x86::xmm0);
  write_result(Format::Double);
}

// Float to integer (11.7) for a value whose rounded integer is certainly in
// the destination's range: lo <= x <= hi with hi = 2^31 - 1 for the word
// forms (a rounded |x| <= 2^31 - 1 fits in int32; wu takes only x >= 0, where
// its result, sign-extended from 32 bits, is the same non-negative value) and
// hi = 2^63 - 1024 (the largest double below 2^63) for the long forms (lu:
// x >= 0). Then no NV, and the rounding is cvtsd2si's in round to nearest
// even (rm 0, or 7 with frm 0: the default MXCSR) or cvttsd2si's toward zero
// (rm 1); NX iff the integer differs from x (converting it back is exact: an
// integer of magnitude above 2^53 came from an x that was already an
// integer). A single is widened first (exact, same value). NaN operands are
// unordered and go to the fallback, like everything out of range. x[rd] =
// the 64-bit integer in rax; an NX also marks FS dirty (accrue_fflags).
void FloatEmitter::emit_to_integer(const Form& form) {
  using x86::xmm0;
  using x86::xmm1;
  if (form.format == Format::Single) {
    require_boxed(in_.rs1);
    a_.cvtss2sd(xmm0, f_low(in_.rs1));
  } else {
    a_.movsd(xmm0, f_slot(in_.rs1));
  }
  const bool word = form.variant <= 1, is_unsigned = form.variant == 1 || form.variant == 3;
  const double hi = word ? 2147483647.0 : 9223372036854774784.0;
  a_.mov(x86::rax, std::bit_cast<uint64_t>(hi));
  a_.movq(xmm1, x86::rax);
  a_.ucomisd(xmm0, xmm1);  // x <= hi, ordered
  a_.jp(fallback_);
  a_.ja(fallback_);
  if (is_unsigned) {
    a_.xorpd(xmm1, xmm1);  // lo = 0 (-0 compares equal: its result is 0, exact)
  } else {
    a_.mov(x86::rax, std::bit_cast<uint64_t>(-hi));
    a_.movq(xmm1, x86::rax);
  }
  a_.ucomisd(xmm0, xmm1);  // x >= lo
  a_.jb(fallback_);
  if (in_.rm == 1) a_.cvttsd2si(x86::rax, xmm0);
  else a_.cvtsd2si(x86::rax, xmm0);
  Label exact = a_.newLabel();
  a_.cvtsi2sd(xmm1, x86::rax);
  a_.ucomisd(xmm1, xmm0);
  a_.je(exact);
  accrue_inexact();
  mark_dirty();  // clobbers rcx, rdx, not the result
  a_.bind(exact);
}

}  // namespace

FloatPathKind float_path_kind(Op op) {
  Form form{};
  if (!form_of(op, form)) return FloatPathKind::None;
  if (form.kind == Kind::Fused) return FloatPathKind::FusedRounding;
  if (rounds(form.kind)) return FloatPathKind::Rounding;
  if (form.kind == Kind::ToInteger) return FloatPathKind::ToInteger;
  if (has_rounding_mode(form.kind)) return FloatPathKind::Exact;
  return FloatPathKind::NoRoundingMode;
}

FloatIntegerUse float_integer_use(const DecodedInstruction& instruction) {
  Form form{};
  if (!form_of(instruction.op, form)) return {};
  switch (form.kind) {
    case Kind::Compare: case Kind::MoveToInteger: case Kind::ToInteger: return {false, true};
    case Kind::MoveFromInteger: case Kind::FromInteger: return {true, false};
    default: return {};
  }
}

void emit_set_fs_dirty(x86::Assembler& a, const x86::Gp& hart, int32_t mstatus_offset) {
  Label dirty = a.newLabel();
  a.mov(x86::rcx, riscv::kMstatusFS | riscv::kMstatusSD);
  a.mov(x86::rdx, x86::qword_ptr(hart, mstatus_offset));
  a.and_(x86::rdx, x86::rcx);
  a.cmp(x86::rdx, x86::rcx);
  a.je(dirty);
  a.or_(x86::qword_ptr(hart, mstatus_offset), x86::rcx);
  a.bind(dirty);
}

void emit_float_fast_path(x86::Assembler& a, const FloatTarget& target, const DecodedInstruction& instruction,
                          const x86::Gp& integer_source, const Label& fallback, FloatBlockState& state) {
  Form form{};
  if (!form_of(instruction.op, form)) {  // the classifier never sends one; be safe anyway
    a.jmp(fallback);
    return;
  }
  FloatEmitter(a, target, instruction, fallback, state).emit(form, integer_source);
  // Completed on either path: FS was not Off (else illegal instruction, and
  // the block has left), and an f register write made it Dirty.
  state.enabled = true;
  if (writes_f_register(form.kind)) state.dirty = true;
}

}  // namespace emu::jit

// Simultaneously pending interrupts: the privileged spec (3.1.9) orders them
// MEI, MSI, MTI, SEI, SSI, STI. QEMU 7.2 (without AIA) takes the lowest-
// numbered pending interrupt among those targeting the same mode, which
// agrees with the spec only for MSI before MTI and SSI before STI; those
// pairs are tested here (plus each S-level interrupt alone: undelegated, it
// traps to M). SSIP, STIP and SEIP are set through mip (writable by M;
// menvcfg.STCE = 0 so STIP is not tied to stimecmp). A test handler records
// each cause and masks it in mie.
#include "test_macros.h"
#include "clint.h"
/* enable `bits` in mie, open MIE for one instruction, close it again */
#define TAKE_PENDING(bits)                                 \
  li a1, bits; csrs mie, a1;                               \
  li a1, MSTATUS_MIE; csrs mstatus, a1; nop;               \
  csrc mstatus, a1
TEST_BEGIN_M
  csrw menvcfg, zero
  MTIMECMP_NEVER
  la t0, record_handler
  csrw mtvec, t0
  // MSI and MTI together: MSI first
  la s2, causes
  SET_MSIP(1)
  WRITE_MTIMECMP(zero)
  TEST_CASE(2, a0, MIP_MSIP | MIP_MTIP, csrr a1, mip; andi a0, a1, MIP_MSIP | MIP_MTIP)
  TAKE_PENDING(MIP_MSIP | MIP_MTIP)
  TEST_CASE(3, a0, 2, la a1, causes; sub a0, s2, a1)
  TEST_CASE(4, a0, IRQ_M_SOFT, la a1, causes; lbu a0, 0(a1))
  TEST_CASE(5, a0, IRQ_M_TIMER, la a1, causes; lbu a0, 1(a1))
  TEST_CASE(6, a0, 0x80, la a1, causes; lbu a0, 15(a1))   // mcause had the interrupt bit
  SET_MSIP(0)
  MTIMECMP_NEVER
  // SSI and STI together (not delegated, so taken in M): SSI first
  la s2, causes
  li a1, MIP_SSIP | MIP_STIP
  csrs mip, a1
  TAKE_PENDING(MIP_SSIP | MIP_STIP)
  TEST_CASE(7, a0, 2, la a1, causes; sub a0, s2, a1)
  TEST_CASE(8, a0, IRQ_S_SOFT, la a1, causes; lbu a0, 0(a1))
  TEST_CASE(9, a0, IRQ_S_TIMER, la a1, causes; lbu a0, 1(a1))
  // SEI alone
  la s2, causes
  li a1, MIP_SEIP
  csrs mip, a1
  TAKE_PENDING(MIP_SEIP)
  TEST_CASE(10, a0, 1, la a1, causes; sub a0, s2, a1)
  TEST_CASE(11, a0, IRQ_S_EXT, la a1, causes; lbu a0, 0(a1))
  // the S-level bits in mip stay set until software clears them
  TEST_CASE(12, a0, MIP_SSIP | MIP_STIP | MIP_SEIP, csrr a1, mip; li a2, MIP_SSIP | MIP_STIP | MIP_SEIP; and a0, a1, a2)
  TEST_CASE(13, a0, 0, li a1, MIP_SSIP | MIP_STIP | MIP_SEIP; csrc mip, a1; csrr a1, mip; li a2, MIP_SSIP | MIP_STIP | MIP_SEIP; and a0, a1, a2)
  // nothing pending any more: opening MIE takes nothing
  TEST_CASE(14, a0, 0, la s2, causes; TAKE_PENDING(MIP_MSIP | MIP_MTIP | MIP_SSIP | MIP_STIP | MIP_SEIP); la a1, causes; sub a0, s2, a1)
  csrw mie, zero
  la t0, m_trap_entry
  csrw mtvec, t0
TEST_END

// Records the cause code in causes[] (and mcause[63:56] in causes[15]) and
// masks the interrupt. Uses s2 (cursor), s3, s4, s5.
  .balign 4
record_handler:
  csrr s3, mcause
  bgez s3, 1f
  sb s3, 0(s2)
  addi s2, s2, 1
  srli s4, s3, 56
  la s5, causes
  sb s4, 15(s5)
  li s4, 1
  sll s4, s4, s3
  csrc mie, s4
  mret
1:
  j fail

  .data
causes: .skip 16

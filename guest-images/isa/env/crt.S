/* Shared start-up code, trap handlers and exit paths for emu's ISA tests.
 * See test.h for the contract with the test programs. Assembled once per
 * environment: -DENV_P (physical) or -DENV_V (Sv39, body at VIRT_RAM_BASE).
 *
 * Reset state on QEMU's virt with -bios none: the boot ROM at 0x1000 jumps
 * here (RAM_BASE) in M-mode with a0 = mhartid, a1 = device tree. */
#include "test.h"

  .section .text.init, "ax", @progbits
  .option norvc
  .globl _start
_start:
  csrr t0, mhartid
  bnez t0, park_hart

  /* Deterministic register state for the body. */
  li x1, 0
  li x2, 0
  li x3, 0
  li x4, 0
  li x5, 0
  li x6, 0
  li x7, 0
  li x8, 0
  li x9, 0
  li x10, 0
  li x11, 0
  li x12, 0
  li x13, 0
  li x14, 0
  li x15, 0
  li x16, 0
  li x17, 0
  li x18, 0
  li x19, 0
  li x20, 0
  li x21, 0
  li x22, 0
  li x23, 0
  li x24, 0
  li x25, 0
  li x26, 0
  li x27, 0
  li x28, 0
  li x29, 0
  li x30, 0
  li x31, 0

  /* Trap vectors first, so that anything below that traps is reported. */
  la t0, m_trap_entry
  csrw mtvec, t0
  la t0, m_save_area
  csrw mscratch, t0
  la sp, stack_top

  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:
  la t0, s_trap_entry
  csrw stvec, t0
  la t0, s_save_area
  csrw sscratch, t0

  /* With PMP implemented and no entry matching, S and U accesses fail
   * (privileged spec 3.7.1): grant everything through entry 0. */
  li t0, -1
  csrw pmpaddr0, t0
  li t0, PMP_NAPOT | PMP_R | PMP_W | PMP_X
  csrw pmpcfg0, t0

  csrw medeleg, zero
  csrw mideleg, zero
  csrw mie, zero
  csrw mip, zero
  csrw satp, zero
  li t0, -1
  csrw mcounteren, t0
  csrw scounteren, t0

  li t0, MSTATUS_MIE | MSTATUS_SIE | MSTATUS_MPIE | MSTATUS_SPIE | MSTATUS_MPP | MSTATUS_SPP | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_FS
  csrc mstatus, t0
  li t0, MSTATUS_FS_INITIAL
  csrs mstatus, t0
  csrwi fcsr, 0
  fmv.d.x f0, zero
  fmv.d.x f1, zero
  fmv.d.x f2, zero
  fmv.d.x f3, zero
  fmv.d.x f4, zero
  fmv.d.x f5, zero
  fmv.d.x f6, zero
  fmv.d.x f7, zero
  fmv.d.x f8, zero
  fmv.d.x f9, zero
  fmv.d.x f10, zero
  fmv.d.x f11, zero
  fmv.d.x f12, zero
  fmv.d.x f13, zero
  fmv.d.x f14, zero
  fmv.d.x f15, zero
  fmv.d.x f16, zero
  fmv.d.x f17, zero
  fmv.d.x f18, zero
  fmv.d.x f19, zero
  fmv.d.x f20, zero
  fmv.d.x f21, zero
  fmv.d.x f22, zero
  fmv.d.x f23, zero
  fmv.d.x f24, zero
  fmv.d.x f25, zero
  fmv.d.x f26, zero
  fmv.d.x f27, zero
  fmv.d.x f28, zero
  fmv.d.x f29, zero
  fmv.d.x f30, zero
  fmv.d.x f31, zero

  la t0, test_body_mode
  lw s0, 0(t0)
  la s1, test_main

#ifdef ENV_V
  mv a0, s0
  call build_page_tables
  csrw satp, a0
  sfence.vma
  li t0, VIRT_OFFSET
  add s1, s1, t0
  add sp, sp, t0
#endif

  li t0, PRV_M
  beq s0, t0, enter_machine_body
  csrw mepc, s1
  slli s0, s0, 11
  csrs mstatus, s0
  li s0, 0
  li s1, 0
  li t0, 0
  mret
enter_machine_body:
  li s0, 0
  li t0, 0
  jr s1

park_hart:
  wfi
  j park_hart

#ifdef ENV_V
/* Builds the Sv39 tables in M-mode (bare physical addresses).
 * a0 = body privilege; returns the satp value in a0.
 *   VA [0, 1 GiB)                    -> PA same (gigapage; devices), RW
 *   VA VIRT_RAM_BASE + [0, 2 MiB)    -> RAM_BASE + same, 4 KiB pages, RWX
 *   VA VIRT_RAM_BASE + [2, 128 MiB)  -> RAM_BASE + same, 2 MiB pages, RWX
 * A and D are preset (the u* tests are not about hardware A/D updating);
 * U is set when the body runs in U-mode. */
build_page_tables:
  li t6, 0
  bnez a0, 1f
  li t6, PTE_U
1:
  /* root[0]: devices */
  la t0, page_table_root
  li t1, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  or t1, t1, t6
  sd t1, 0(t0)
  /* root[VPN2 of VIRT_RAM_BASE] -> level-1 table */
  la t1, page_table_l1
  srli t1, t1, PAGE_SHIFT
  slli t1, t1, PTE_PPN_SHIFT
  ori t1, t1, PTE_V
  li t2, (VIRT_RAM_BASE >> 30) & 0x1ff
  slli t2, t2, 3
  add t2, t0, t2
  sd t1, 0(t2)
  /* level-1[0] -> level-0 table */
  la t0, page_table_l1
  la t1, page_table_l0
  srli t1, t1, PAGE_SHIFT
  slli t1, t1, PTE_PPN_SHIFT
  ori t1, t1, PTE_V
  sd t1, 0(t0)
  /* level-1[1..63]: 2 MiB leaves */
  li t5, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
  or t5, t5, t6
  li t2, 1
  li t3, 64
2:
  slli t1, t2, 21
  li t4, RAM_BASE
  add t1, t1, t4
  srli t1, t1, PAGE_SHIFT
  slli t1, t1, PTE_PPN_SHIFT
  or t1, t1, t5
  slli t4, t2, 3
  add t4, t0, t4
  sd t1, 0(t4)
  addi t2, t2, 1
  bltu t2, t3, 2b
  /* level-0[0..511]: 4 KiB leaves */
  la t0, page_table_l0
  li t2, 0
  li t3, 512
3:
  slli t1, t2, 12
  li t4, RAM_BASE
  add t1, t1, t4
  srli t1, t1, PAGE_SHIFT
  slli t1, t1, PTE_PPN_SHIFT
  or t1, t1, t5
  slli t4, t2, 3
  add t4, t0, t4
  sd t1, 0(t4)
  addi t2, t2, 1
  bltu t2, t3, 3b
  la a0, page_table_root
  srli a0, a0, PAGE_SHIFT
  li t0, SATP_SV39
  or a0, a0, t0
  li t6, 0
  ret
#endif

/* ------------------------------------------------------------------ */
/* Trap handlers. Both save what they use in their own save area, whose */
/* address sits in mscratch/sscratch (tests that change those restore). */

  .balign 64
  .globl m_trap_entry
m_trap_entry:
  csrrw sp, mscratch, sp
  sd ra, 0(sp)
  sd t0, 8(sp)
  sd t1, 16(sp)
  sd t2, 24(sp)
  sd a0, 32(sp)
  sd a1, 40(sp)
  la t0, trap_state
  ld t1, TS_EXPECT(t0)
  beqz t1, m_unexpected
  sd zero, TS_EXPECT(t0)
  csrr t2, mcause
  sd t2, TS_CAUSE(t0)
  csrr a0, mepc
  sd a0, TS_EPC(t0)
  csrr a0, mtval
  sd a0, TS_TVAL(t0)
  csrr a0, mstatus
  sd a0, TS_STATUS(t0)
  li a0, PRV_M
  sd a0, TS_MODE(t0)
  ld a0, TS_COUNT(t0)
  addi a0, a0, 1
  sd a0, TS_COUNT(t0)
  bgez t2, 1f
  li a0, 1
  sll a0, a0, t2
  csrc mie, a0
1:
  li a0, 1
  beq t1, a0, 2f
  csrw mepc, t1
2:
  ld a1, TS_NEXT_MODE(t0)
  beqz a1, 3f
  sd zero, TS_NEXT_MODE(t0)
  addi a1, a1, -1
  slli a1, a1, 11
  li a0, MSTATUS_MPP | MSTATUS_MPIE
  csrc mstatus, a0
  csrs mstatus, a1
3:
  ld ra, 0(sp)
  ld t0, 8(sp)
  ld t1, 16(sp)
  ld t2, 24(sp)
  ld a0, 32(sp)
  ld a1, 40(sp)
  csrrw sp, mscratch, sp
  mret
m_unexpected:
  csrr a0, mcause
  csrr a1, mepc
  csrr a2, mtval
  li a3, 'M'
  j report_unexpected_trap

  .balign 64
  .globl s_trap_entry
s_trap_entry:
  csrrw sp, sscratch, sp
  sd ra, 0(sp)
  sd t0, 8(sp)
  sd t1, 16(sp)
  sd t2, 24(sp)
  sd a0, 32(sp)
  sd a1, 40(sp)
  la t0, trap_state
  ld t1, TS_EXPECT(t0)
  beqz t1, s_unexpected
  sd zero, TS_EXPECT(t0)
  csrr t2, scause
  sd t2, TS_CAUSE(t0)
  csrr a0, sepc
  sd a0, TS_EPC(t0)
  csrr a0, stval
  sd a0, TS_TVAL(t0)
  csrr a0, sstatus
  sd a0, TS_STATUS(t0)
  li a0, PRV_S
  sd a0, TS_MODE(t0)
  ld a0, TS_COUNT(t0)
  addi a0, a0, 1
  sd a0, TS_COUNT(t0)
  bgez t2, 1f
  li a0, 1
  sll a0, a0, t2
  csrc sie, a0
1:
  li a0, 1
  beq t1, a0, 2f
  csrw sepc, t1
2:
  ld a1, TS_NEXT_MODE(t0)
  beqz a1, 3f
  sd zero, TS_NEXT_MODE(t0)
  li a0, MSTATUS_SPP | MSTATUS_SPIE
  csrc sstatus, a0
  addi a1, a1, -1
  beqz a1, 3f
  li a0, MSTATUS_SPP
  csrs sstatus, a0
3:
  ld ra, 0(sp)
  ld t0, 8(sp)
  ld t1, 16(sp)
  ld t2, 24(sp)
  ld a0, 32(sp)
  ld a1, 40(sp)
  csrrw sp, sscratch, sp
  sret
s_unexpected:
  csrr a0, scause
  csrr a1, sepc
  csrr a2, stval
  li a3, 'S'
  j report_unexpected_trap

/* ------------------------------------------------------------------ */
/* Exits and reporting. Callable from any mode that can reach the UART  */
/* and sifive_test (all modes in p and v).                              */

  .globl test_pass
test_pass:
  li t0, SIFIVE_TEST_BASE
  li t1, SIFIVE_TEST_PASS
  sw t1, 0(t0)
1:
  j 1b

  .globl test_fail
test_fail:
  la a0, message_fail
  call uart_puts
  mv a0, TESTNUM
  call uart_putdec
  li a0, '\n'
  call uart_putc
  mv a0, TESTNUM
  j exit_with_code

/* a0 = cause, a1 = epc, a2 = tval, a3 = 'M' or 'S' (handler) */
report_unexpected_trap:
  mv s2, a0
  mv s3, a1
  mv s4, a2
  mv s5, a3
  la a0, message_trap
  call uart_puts
  mv a0, s5
  call uart_putc
  la a0, message_trap_case
  call uart_puts
  mv a0, TESTNUM
  call uart_putdec
  la a0, message_cause
  call uart_puts
  mv a0, s2
  call uart_puthex
  la a0, message_epc
  call uart_puts
  mv a0, s3
  call uart_puthex
  la a0, message_tval
  call uart_puts
  mv a0, s4
  call uart_puthex
  li a0, '\n'
  call uart_putc
  mv a0, TESTNUM
  j exit_with_code

/* a0 = case number; exit status must be 1..255 (QEMU passes the code to
 * exit(), which keeps only 8 bits). */
exit_with_code:
  beqz a0, 1f
  li t0, 255
  bleu a0, t0, 2f
1:
  li a0, 255
2:
  slli a0, a0, 16
  li t0, SIFIVE_TEST_FAIL
  or a0, a0, t0
  li t0, SIFIVE_TEST_BASE
  sw a0, 0(t0)
3:
  j 3b

/* a0 = character. Clobbers t0-t2. Polls THRE a bounded number of times,
 * so a UART model without LSR still gets the bytes. */
  .globl uart_putc
uart_putc:
  li t0, UART0_BASE
  li t1, 100000
1:
  lbu t2, UART_LSR(t0)
  andi t2, t2, UART_LSR_THRE
  bnez t2, 2f
  addi t1, t1, -1
  bnez t1, 1b
2:
  sb a0, UART_THR(t0)
  ret

/* a0 = NUL-terminated string. Clobbers a0, t0-t3. */
  .globl uart_puts
uart_puts:
  mv t3, ra
  mv a1, a0
1:
  lbu a0, 0(a1)
  beqz a0, 2f
  call uart_putc
  addi a1, a1, 1
  j 1b
2:
  mv ra, t3
  ret

/* a0 = value, printed as 0x + 16 hex digits. Clobbers a0-a2, t0-t3. */
  .globl uart_puthex
uart_puthex:
  mv t3, ra
  mv a1, a0
  li a0, '0'
  call uart_putc
  li a0, 'x'
  call uart_putc
  li a2, 60
1:
  srl a0, a1, a2
  andi a0, a0, 15
  addi a0, a0, '0'
  li t0, '9'
  bleu a0, t0, 2f
  addi a0, a0, 'a' - '0' - 10
2:
  call uart_putc
  addi a2, a2, -4
  bgez a2, 1b
  mv ra, t3
  ret

/* a0 = unsigned value, printed in decimal. Uses no memory (the stack
 * pointer may be anything when a test fails). Clobbers a0-a3, t0-t2, t4. */
  .globl uart_putdec
uart_putdec:
  mv t4, ra
  mv a1, a0
  li a2, 1
  li a3, 10
1:
  divu t0, a1, a3
  bgtu a2, t0, 2f
  mul a2, a2, a3
  j 1b
2:
  divu a0, a1, a2
  remu a1, a1, a2
  addi a0, a0, '0'
  call uart_putc
  divu a2, a2, a3
  bnez a2, 2b
  mv ra, t4
  ret

  .section .rodata
message_fail:      .asciz "FAIL: case "
message_trap:      .asciz "FAIL: unexpected trap (handled in "
message_trap_case: .asciz "-mode) in case "
message_cause:     .asciz ": cause="
message_epc:       .asciz " epc="
message_tval:      .asciz " tval="

  .bss
  .balign 64
  .globl trap_state
trap_state:  .skip TS_SIZE
m_save_area: .skip 256
s_save_area: .skip 256
  .balign 16
stack_bottom: .skip 16384
  .globl stack_top
stack_top:
#ifdef ENV_V
  .balign 4096
page_table_root: .skip 4096
page_table_l1:   .skip 4096
page_table_l0:   .skip 4096
#endif

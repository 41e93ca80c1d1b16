/* Page tables for the S-mode virtual-memory tests (privileged spec 4.3-4.4).
 *
 * VM_BUILD_SV39 / VM_BUILD_SV48 fill the tables (with satp = 0, physical
 * addresses) and leave the satp value in a0. The address space they make,
 * where "giga" is a 1 GiB leaf:
 *
 *   VA 0x00000000 (giga)  -> PA 0x00000000   devices, RW, S only
 *   VA 0x40000000 ...     -> pt_l1 -> pt_l0  the test window: 4 KiB pages
 *                                            the test maps with MAP_TEST_PAGE
 *   VA 0x80000000 (giga)  -> PA 0x80000000   RAM identity, RWX, S only
 *   VA 0xc0000000 (giga)  -> PA 0x80000000   RAM alias, RWX + U (U_ALIAS)
 *
 * For Sv48 the same four entries sit in a level-2 table below pt_root.
 * All leaves have A and D set unless a test says otherwise. Code keeps
 * running after satp is written because RAM is identity mapped; U-mode code
 * runs through the alias: U_ALIAS(reg) turns a RAM address into it.
 */
#ifndef EMU_ISA_VM_H
#define EMU_ISA_VM_H

#define TEST_WINDOW  0x40000000
#define ALIAS_OFFSET 0x40000000
#define LEAF_FLAGS   (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

/* reg += alias offset (RAM address -> U-accessible alias) */
#define U_ALIAS(reg) li t0, ALIAS_OFFSET; add reg, reg, t0

/* S-mode (identity-mapped code) -> U-mode at the alias of `label`. */
#define ENTER_U_AT_ALIAS(label)                            \
  li t0, MSTATUS_SPP; csrc sstatus, t0;                    \
  la t1, label; li t0, ALIAS_OFFSET; add t1, t1, t0;       \
  csrw sepc, t1; sret
/* U-mode code running at the alias -> ecall -> S-mode at the identity
 * address of `label` (through the M handler). Clobbers t0, t1. */
#define ECALL_TO_S_FROM_ALIAS(label)                       \
  la t0, label; li t1, ALIAS_OFFSET; sub t0, t0, t1;      \
  la t1, trap_state; sd t0, TS_EXPECT(t1);                 \
  li t0, PRV_S + 1; sd t0, TS_NEXT_MODE(t1);               \
  ecall; j fail

/* reg = PTE for the physical address in pa_reg with flags (clobbers t0) */
#define MAKE_PTE(reg, pa_reg, flags)                       \
  srli reg, pa_reg, PAGE_SHIFT; slli reg, reg, PTE_PPN_SHIFT; \
  li t0, flags; or reg, reg, t0

/* table[index] = value_reg (clobbers t0) */
#define STORE_PTE(table, index, value_reg)                 \
  la t0, table + (index) * 8; sd value_reg, 0(t0)

/* test window page `index` (0..511) -> pa_reg, flags; then sfence.vma.
 * Clobbers t0, t1. */
#define MAP_TEST_PAGE(index, pa_reg, flags)                \
  MAKE_PTE(t1, pa_reg, flags); STORE_PTE(pt_l0, index, t1); sfence.vma

/* reg = virtual address of test window page `index` + offset */
#define TEST_VA(reg, index, offset) li reg, TEST_WINDOW + (index) * PAGE_SIZE + (offset)

/* Switch translation on with the satp value in a0. */
#define VM_ENABLE csrw satp, a0; sfence.vma

/* Emit once (after TEST_END): the table storage and the builders. */
#define VM_SUPPORT_CODE                                    \
vm_build_common:                                           \
  /* zero the five tables */                               \
  la t1, pt_root; li t2, 5 * PAGE_SIZE; add t2, t1, t2;   \
1: sd zero, 0(t1); addi t1, t1, 8; bltu t1, t2, 1b;        \
  /* the four level-2 entries go into a1 (a table) */      \
  li t1, 0; MAKE_PTE(t2, t1, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D); sd t2, 0(a1); \
  la t1, pt_l1; MAKE_PTE(t2, t1, PTE_V); sd t2, 8(a1);    \
  li t1, RAM_BASE; MAKE_PTE(t2, t1, LEAF_FLAGS); sd t2, 16(a1); \
  li t1, RAM_BASE; MAKE_PTE(t2, t1, LEAF_FLAGS | PTE_U); sd t2, 24(a1); \
  la t1, pt_l0; MAKE_PTE(t2, t1, PTE_V); la t1, pt_l1; sd t2, 0(t1); \
  ret;                                                     \
vm_build_sv39:                                             \
  mv a2, ra; la a1, pt_root; call vm_build_common; mv ra, a2; \
  la a0, pt_root; srli a0, a0, PAGE_SHIFT; li t0, SATP_SV39; or a0, a0, t0; \
  ret;                                                     \
vm_build_sv48:                                             \
  mv a2, ra; la a1, pt_l2; call vm_build_common; mv ra, a2; \
  la t1, pt_l2; MAKE_PTE(t2, t1, PTE_V); la t1, pt_root; sd t2, 0(t1); \
  la a0, pt_root; srli a0, a0, PAGE_SHIFT; li t0, SATP_SV48; or a0, a0, t0; \
  ret;                                                     \
  .pushsection .bss;                                       \
  .balign PAGE_SIZE;                                       \
pt_root: .skip PAGE_SIZE;                                  \
pt_l2:   .skip PAGE_SIZE;                                  \
pt_l1:   .skip PAGE_SIZE;                                  \
pt_l0:   .skip PAGE_SIZE;                                  \
pt_spare: .skip PAGE_SIZE;                                 \
  .popsection

#define VM_BUILD_SV39 call vm_build_sv39
#define VM_BUILD_SV48 call vm_build_sv48

#endif

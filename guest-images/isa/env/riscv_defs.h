/* Architectural constants used by emu's ISA tests: CSR field masks, trap
 * causes, page-table entry bits and the QEMU 7.2 `virt` board addresses the
 * tests rely on. Values are from the RISC-V privileged specification 1.12
 * (section numbers in the comments) and QEMU's hw/riscv/virt.c memory map.
 * Usable from assembly (.S files go through the C preprocessor). */
#ifndef EMU_ISA_RISCV_DEFS_H
#define EMU_ISA_RISCV_DEFS_H

/* ---- board (QEMU 7.2 virt) ---- */
#define RAM_BASE            0x80000000
#define SIFIVE_TEST_BASE    0x00100000
#define SIFIVE_TEST_PASS    0x5555      /* QEMU exits with status 0 */
#define SIFIVE_TEST_FAIL    0x3333      /* (code << 16) | 0x3333: exit status code */
#define UART0_BASE          0x10000000  /* ns16550a, byte registers */
#define UART_THR            0
#define UART_LSR            5
#define UART_LSR_THRE       0x20
#define CLINT_BASE          0x02000000
#define CLINT_MSIP          (CLINT_BASE + 0x0)      /* hart 0 */
#define CLINT_MTIMECMP      (CLINT_BASE + 0x4000)   /* hart 0 */
#define CLINT_MTIME         (CLINT_BASE + 0xbff8)
#define PLIC_BASE           0x0c000000
#define UNMAPPED_ADDRESS    0x00200000  /* nothing decodes here on virt */

/* ---- mstatus (3.1.6) ---- */
#define MSTATUS_SIE   (1 << 1)
#define MSTATUS_MIE   (1 << 3)
#define MSTATUS_SPIE  (1 << 5)
#define MSTATUS_UBE   (1 << 6)
#define MSTATUS_MPIE  (1 << 7)
#define MSTATUS_SPP   (1 << 8)
#define MSTATUS_VS    (3 << 9)
#define MSTATUS_MPP   (3 << 11)
#define MSTATUS_MPP_S (1 << 11)
#define MSTATUS_MPP_M (3 << 11)
#define MSTATUS_FS    (3 << 13)
#define MSTATUS_FS_INITIAL (1 << 13)
#define MSTATUS_FS_CLEAN   (2 << 13)
#define MSTATUS_FS_DIRTY   (3 << 13)
#define MSTATUS_XS    (3 << 15)
#define MSTATUS_MPRV  (1 << 17)
#define MSTATUS_SUM   (1 << 18)
#define MSTATUS_MXR   (1 << 19)
#define MSTATUS_TVM   (1 << 20)
#define MSTATUS_TW    (1 << 21)
#define MSTATUS_TSR   (1 << 22)
#define MSTATUS_UXL   (3 << 32)
#define MSTATUS_SXL   (3 << 34)
#define MSTATUS_SD    (1 << 63)

/* ---- privilege levels as encoded in MPP/SPP ---- */
#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* ---- mcause / scause (3.1.15) ---- */
#define CAUSE_MISALIGNED_FETCH    0
#define CAUSE_FETCH_ACCESS        1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT          3
#define CAUSE_MISALIGNED_LOAD     4
#define CAUSE_LOAD_ACCESS         5
#define CAUSE_MISALIGNED_STORE    6
#define CAUSE_STORE_ACCESS        7
#define CAUSE_USER_ECALL          8
#define CAUSE_SUPERVISOR_ECALL    9
#define CAUSE_MACHINE_ECALL       11
#define CAUSE_FETCH_PAGE_FAULT    12
#define CAUSE_LOAD_PAGE_FAULT     13
#define CAUSE_STORE_PAGE_FAULT    15
#define CAUSE_INTERRUPT           (1 << 63)

/* interrupt numbers = bit positions in mip/mie (3.1.9) */
#define IRQ_S_SOFT   1
#define IRQ_M_SOFT   3
#define IRQ_S_TIMER  5
#define IRQ_M_TIMER  7
#define IRQ_S_EXT    9
#define IRQ_M_EXT    11
#define MIP_SSIP (1 << IRQ_S_SOFT)
#define MIP_MSIP (1 << IRQ_M_SOFT)
#define MIP_STIP (1 << IRQ_S_TIMER)
#define MIP_MTIP (1 << IRQ_M_TIMER)
#define MIP_SEIP (1 << IRQ_S_EXT)
#define MIP_MEIP (1 << IRQ_M_EXT)

/* ---- misa (3.1.1) ---- */
#define MISA_EXT(letter) (1 << ((letter) - 'A'))

/* ---- satp (4.1.11) ---- */
#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE  0
#define SATP_MODE_SV39  8
#define SATP_MODE_SV48  9
#define SATP_MODE_SV57  10
#define SATP_SV39       (SATP_MODE_SV39 << SATP_MODE_SHIFT)
#define SATP_SV48       (SATP_MODE_SV48 << SATP_MODE_SHIFT)
#define SATP_SV57       (SATP_MODE_SV57 << SATP_MODE_SHIFT)
#define SATP_PPN_MASK   0xfffffffffff

/* ---- page-table entries (4.3.1 / 4.4.1) ---- */
#define PTE_V (1 << 0)
#define PTE_R (1 << 1)
#define PTE_W (1 << 2)
#define PTE_X (1 << 3)
#define PTE_U (1 << 4)
#define PTE_G (1 << 5)
#define PTE_A (1 << 6)
#define PTE_D (1 << 7)
#define PTE_PPN_SHIFT 10
#define PAGE_SHIFT 12
#define PAGE_SIZE  4096
/* PTE pointing at physical address pa with the given flags */
#define PTE_FOR(pa, flags) ((((pa) >> PAGE_SHIFT) << PTE_PPN_SHIFT) | (flags))

/* ---- PMP (3.7) ---- */
#define PMP_R     0x01
#define PMP_W     0x02
#define PMP_X     0x04
#define PMP_OFF   0x00
#define PMP_TOR   0x08
#define PMP_NA4   0x10
#define PMP_NAPOT 0x18
#define PMP_L     0x80

/* ---- fflags (unprivileged spec 11.2) ---- */
#define FFLAG_NX 0x01
#define FFLAG_UF 0x02
#define FFLAG_OF 0x04
#define FFLAG_DZ 0x08
#define FFLAG_NV 0x10
/* frm encodings */
#define FRM_RNE 0
#define FRM_RTZ 1
#define FRM_RDN 2
#define FRM_RUP 3
#define FRM_RMM 4

/* fclass result bits */
#define FCLASS_NEG_INF       (1 << 0)
#define FCLASS_NEG_NORMAL    (1 << 1)
#define FCLASS_NEG_SUBNORMAL (1 << 2)
#define FCLASS_NEG_ZERO      (1 << 3)
#define FCLASS_POS_ZERO      (1 << 4)
#define FCLASS_POS_SUBNORMAL (1 << 5)
#define FCLASS_POS_NORMAL    (1 << 6)
#define FCLASS_POS_INF       (1 << 7)
#define FCLASS_SNAN          (1 << 8)
#define FCLASS_QNAN          (1 << 9)

#endif

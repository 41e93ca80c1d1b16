// CSR addresses and status-register fields, from the privileged spec 1.12
// (tables 2.2-2.5, section 3.1.6) and the F extension (fcsr).
#pragma once

#include <cstdint>

namespace emu::riscv {

namespace csr_number {
// Unprivileged floating-point and counters
inline constexpr uint16_t fflags = 0x001, frm = 0x002, fcsr = 0x003;
inline constexpr uint16_t cycle = 0xC00, time = 0xC01, instret = 0xC02;
inline constexpr uint16_t hpmcounter3 = 0xC03, hpmcounter31 = 0xC1F;
// Supervisor
inline constexpr uint16_t sstatus = 0x100, sie = 0x104, stvec = 0x105, scounteren = 0x106;
inline constexpr uint16_t senvcfg = 0x10A;
inline constexpr uint16_t sscratch = 0x140, sepc = 0x141, scause = 0x142, stval = 0x143, sip = 0x144;
inline constexpr uint16_t satp = 0x180;
// Machine information
inline constexpr uint16_t mvendorid = 0xF11, marchid = 0xF12, mimpid = 0xF13, mhartid = 0xF14;
inline constexpr uint16_t mconfigptr = 0xF15;
// Machine trap setup and handling
inline constexpr uint16_t mstatus = 0x300, misa = 0x301, medeleg = 0x302, mideleg = 0x303;
inline constexpr uint16_t mie = 0x304, mtvec = 0x305, mcounteren = 0x306;
inline constexpr uint16_t menvcfg = 0x30A;
inline constexpr uint16_t mcountinhibit = 0x320;
inline constexpr uint16_t mhpmevent3 = 0x323, mhpmevent31 = 0x33F;
inline constexpr uint16_t mscratch = 0x340, mepc = 0x341, mcause = 0x342, mtval = 0x343, mip = 0x344;
// Memory protection
inline constexpr uint16_t pmpcfg0 = 0x3A0, pmpcfg15 = 0x3AF;
inline constexpr uint16_t pmpaddr0 = 0x3B0, pmpaddr63 = 0x3EF;
// Counters
inline constexpr uint16_t mcycle = 0xB00, minstret = 0xB02;
inline constexpr uint16_t mhpmcounter3 = 0xB03, mhpmcounter31 = 0xB1F;
// Debug/trace triggers
inline constexpr uint16_t tselect = 0x7A0, tdata1 = 0x7A1, tdata2 = 0x7A2, tdata3 = 0x7A3;
}  // namespace csr_number

// mstatus fields (privileged spec 3.1.6, RV64 layout)
inline constexpr uint64_t kMstatusSIE = 1ull << 1;
inline constexpr uint64_t kMstatusMIE = 1ull << 3;
inline constexpr uint64_t kMstatusSPIE = 1ull << 5;
inline constexpr uint64_t kMstatusUBE = 1ull << 6;
inline constexpr uint64_t kMstatusMPIE = 1ull << 7;
inline constexpr uint64_t kMstatusSPP = 1ull << 8;
inline constexpr uint64_t kMstatusVS = 3ull << 9;
inline constexpr uint64_t kMstatusMPP = 3ull << 11;
inline constexpr uint64_t kMstatusFS = 3ull << 13;
inline constexpr uint64_t kMstatusXS = 3ull << 15;
inline constexpr uint64_t kMstatusMPRV = 1ull << 17;
inline constexpr uint64_t kMstatusSUM = 1ull << 18;
inline constexpr uint64_t kMstatusMXR = 1ull << 19;
inline constexpr uint64_t kMstatusTVM = 1ull << 20;
inline constexpr uint64_t kMstatusTW = 1ull << 21;
inline constexpr uint64_t kMstatusTSR = 1ull << 22;
inline constexpr uint64_t kMstatusUXL = 3ull << 32;
inline constexpr uint64_t kMstatusSXL = 3ull << 34;
inline constexpr uint64_t kMstatusSBE = 1ull << 36;
inline constexpr uint64_t kMstatusMBE = 1ull << 37;
inline constexpr uint64_t kMstatusSD = 1ull << 63;

// fflags bits (unprivileged spec 11.2)
inline constexpr uint8_t kFflagNX = 1, kFflagUF = 2, kFflagOF = 4, kFflagDZ = 8, kFflagNV = 16;

}  // namespace emu::riscv

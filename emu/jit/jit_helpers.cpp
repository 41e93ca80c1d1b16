#include "emu/jit/jit_helpers.h"

namespace emu::jit {
namespace {

using riscv::Hart;
using riscv::Tlb;

uint64_t exit_after(Hart& hart, const HelperCallSite& site) {
  hart.pc = site.next_pc;
  hart.instruction_bits = site.bits;
  return uint64_t{site.slots} << 1;
}

uint64_t exit_trapped(Hart& hart, const HelperCallSite& site) {
  hart.instruction_bits = site.bits;  // pc: the trap handler, set by take_trap
  return (uint64_t{site.slots} << 1) | 1;
}

// After a completed slow-path access: may the block go on? Only if nothing
// happened that the dispatcher would have to see at this instruction
// boundary: the access reached host-backed RAM (the TLB entry it used or
// filled is host-backed; a device access may raise an interrupt line, stop
// the hart or start DMA), within one page, and it wrote no translated code
// (the write epoch did not move). A RAM access changes no interrupt state,
// privilege or translation mode, so the rest of the block is what the
// interpreter would run next.
uint64_t continue_or_exit(const JitContext& context, uint64_t epoch_before, uint64_t address,
                          const HelperCallSite& site) {
  Hart& hart = *context.hart;
  if (context.write_epoch == epoch_before && (address & Tlb::kPageOffsetMask) + site.size <= Tlb::kPageSize) {
    const auto access = site.access == HelperCallSite::Access::Load ? Tlb::Access::Load : Tlb::Access::Store;
    const Tlb::Entry* entry = hart.tlb.lookup(access, address, site.tlb_context);
    if (entry != nullptr && (entry->flags & Tlb::kFlagNotHostBacked) == 0) return kContinueBlock;
  }
  return exit_after(hart, site);
}

}  // namespace

uint64_t jit_load_helper(JitContext* context, uint64_t address, const HelperCallSite* site) noexcept {
  Hart& hart = *context->hart;
  hart.pc = site->pc;  // the epc if it traps
  const uint64_t epoch = context->write_epoch;
  uint64_t value = 0;
  if (!hart.load(address, site->size, value)) return exit_trapped(hart, *site);
  if (site->sign_extend && site->size < 8) {
    const unsigned shift = 64 - 8 * site->size;
    value = static_cast<uint64_t>(static_cast<int64_t>(value << shift) >> shift);
  }
  if (site->instruction->rd != 0) hart.x[site->instruction->rd] = value;
  return continue_or_exit(*context, epoch, address, *site);
}

uint64_t jit_store_helper(JitContext* context, uint64_t address, const HelperCallSite* site, uint64_t value) noexcept {
  Hart& hart = *context->hart;
  hart.pc = site->pc;
  const uint64_t epoch = context->write_epoch;
  if (!hart.store(address, site->size, value)) return exit_trapped(hart, *site);
  return continue_or_exit(*context, epoch, address, *site);
}

uint64_t jit_execute_helper(JitContext* context, const HelperCallSite* site) noexcept {
  ++context->execute_helper_calls;
  Hart& hart = *context->hart;
  hart.pc = site->pc;  // the executor reads it (auipc-like forms, epc)
  const uint64_t epoch = context->write_epoch;
  // FP loads and stores address x[rs1] + imm, atomics x[rs1] (imm 0): taken
  // before the instruction, which may write rs1 (an atomic's rd).
  const uint64_t address = hart.x[site->instruction->rs1] + static_cast<uint64_t>(site->instruction->imm);
  if (!hart.execute_decoded(*site->instruction)) return exit_trapped(hart, *site);
  if (site->access == HelperCallSite::Access::None) return kContinueBlock;
  return continue_or_exit(*context, epoch, address, *site);
}

}  // namespace emu::jit

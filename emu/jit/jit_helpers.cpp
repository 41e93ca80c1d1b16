#include "emu/jit/jit_helpers.h"

namespace emu::jit {

uint32_t jit_load_helper(JitContext* context, uint64_t address, uint64_t kind) noexcept {
  ++context->helper_calls;
  const unsigned size = static_cast<unsigned>(kind & 0xff);
  uint64_t value = 0;
  if (!context->hart->load(address, size, value)) return kHelperTrapped;
  if ((kind & kLoadSigned) != 0 && size < 8) {
    const unsigned shift = 64 - 8 * size;
    value = static_cast<uint64_t>(static_cast<int64_t>(value << shift) >> shift);
  }
  context->scratch = value;
  return kHelperCompleted;
}

uint32_t jit_execute_helper(JitContext* context, const riscv::DecodedInstruction* instruction) noexcept {
  ++context->execute_helper_calls;
  return context->hart->execute_decoded(*instruction) ? kHelperCompleted : kHelperTrapped;
}

uint32_t jit_store_helper(JitContext* context, uint64_t address, uint64_t size, uint64_t value) noexcept {
  ++context->helper_calls;
  return context->hart->store(address, static_cast<unsigned>(size), value) ? kHelperCompleted : kHelperTrapped;
}

}  // namespace emu::jit

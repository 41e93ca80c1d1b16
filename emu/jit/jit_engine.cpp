#include "emu/jit/jit_engine.h"

#include <cstring>
#include <mutex>
#include <unordered_map>

#include "emu/jit/block_translator.h"
#include "emu/jit/x86_64_emitter.h"
#include "emu/target/riscv/trace_log.h"

namespace emu::jit {
namespace {

using riscv::Hart;
using riscv::Privilege;
using riscv::Tlb;

constexpr uint64_t kMcountinhibitIR = 1ull << 2;  // privileged 1.12 section 3.1.12

// Hart::on_fence_i is a plain function pointer, so the engine of a hart is
// found through this registry (touched only at construction, destruction
// and FENCE.I).
std::mutex registry_mutex;
std::unordered_map<const Hart*, JitEngine*>& registry() {
  static std::unordered_map<const Hart*, JitEngine*> engines;
  return engines;
}

void fence_i_hook(Hart& hart) {
  JitEngine* engine = nullptr;
  {
    std::lock_guard lock(registry_mutex);
    auto it = registry().find(&hart);
    if (it != registry().end()) engine = it->second;
  }
  if (engine != nullptr) engine->on_fence_i();
}

int32_t offset_in_hart(const Hart& hart, const void* field) {
  return static_cast<int32_t>(static_cast<const char*>(field) - reinterpret_cast<const char*>(&hart));
}

// The TLB contexts of data accesses, computed exactly as mmu.cpp does
// (effective_privilege and tlb_context there): MPRV makes M-mode loads and
// stores use MPP (3.1.6.3); SUM matters for S-mode data accesses, MXR for
// loads only.
struct DataContexts {
  uint64_t load = 0;
  uint64_t store = 0;
};
DataContexts data_contexts(const Hart& hart) {
  const uint64_t mstatus = hart.csr.mstatus;
  Privilege privilege = hart.privilege;
  if (privilege == Privilege::Machine && (mstatus & riscv::kMstatusMPRV) != 0) {
    privilege = static_cast<Privilege>((mstatus & riscv::kMstatusMPP) >> 11);
  }
  const bool sum = privilege == Privilege::Supervisor && (mstatus & riscv::kMstatusSUM) != 0;
  const bool mxr = (mstatus & riscv::kMstatusMXR) != 0;
  const auto effective = static_cast<unsigned>(privilege);
  return {Tlb::make_context(effective, sum, mxr), Tlb::make_context(effective, sum, false)};
}

}  // namespace

JitEngine::JitEngine(Hart& hart) : hart_(hart) {
  context_.hart = &hart;
  context_.code_page_bitmap = cache_.code_page_bitmap();
  previous_fence_i_hook_ = hart.on_fence_i;
  hart.on_fence_i = &fence_i_hook;
  std::lock_guard lock(registry_mutex);
  registry()[&hart] = this;
}

JitEngine::~JitEngine() {
  {
    std::lock_guard lock(registry_mutex);
    registry().erase(&hart_);
  }
  hart_.on_fence_i = previous_fence_i_hook_;
  invalidate_all();
}

void JitEngine::invalidate_all() {
  ++statistics_.invalidations;
  ++drops_;
  clear_jump_cache();
  cache_.clear([this](BlockFunction code) { runtime_.release(code); });
}

void JitEngine::set_single_instruction_blocks(bool on) {
  if (on == single_instruction_blocks_) return;
  single_instruction_blocks_ = on;
  invalidate_all();
}

Block JitEngine::translate(const uint8_t* host_code, const BlockKey& key, uint64_t load_context,
                           uint64_t store_context) {
  Block block;
  BlockPlan plan = plan_block(host_code, hart_.pc);
  if (plan.instructions.empty()) return block;  // interpret this instruction every time
  if (single_instruction_blocks_ && plan.instructions.size() > 1) {
    plan.byte_length = static_cast<unsigned>(plan.pcs[1] - plan.pcs[0]);
    plan.instructions.resize(1);
    plan.pcs.resize(1);
  }
  EmitterTarget target;
  target.x_offset = offset_in_hart(hart_, &hart_.x[0]);
  target.fetch_table_offset = offset_in_hart(hart_, hart_.tlb.table(Tlb::Access::Fetch));
  target.load_table_offset = offset_in_hart(hart_, hart_.tlb.table(Tlb::Access::Load));
  target.store_table_offset = offset_in_hart(hart_, hart_.tlb.table(Tlb::Access::Store));
  target.fetch_context = Tlb::make_context(static_cast<unsigned>(hart_.privilege), false, false);
  target.mode = key.mode;
  target.physical_page = key.physical_pc >> 12;
  target.pc_offset = offset_in_hart(hart_, &hart_.pc);
  target.f_offset = offset_in_hart(hart_, &hart_.f[0]);
  target.mstatus_offset = offset_in_hart(hart_, &hart_.csr.mstatus);
  target.fflags_offset = offset_in_hart(hart_, &hart_.csr.fflags);
  target.frm_offset = offset_in_hart(hart_, &hart_.csr.frm);
  target.instruction_bits_offset = offset_in_hart(hart_, &hart_.instruction_bits);
  target.load_context = load_context;
  target.store_context = store_context;
  target.exit_cells = block.chaining->exits;
  block.instructions = plan.instructions;
  target.instructions = block.instructions.data();
  block.code = emit_block(runtime_, plan, target, &block.chaining->self.entry);
  if (block.code == nullptr) return block;
  if (hart_.trace_log != nullptr) [[unlikely]] hart_.trace_log->block_translated(plan.instructions, plan.pcs);
  block.length = static_cast<uint32_t>(plan.instructions.size());
  block.chaining->self.length = block.length;
  block.host_code = host_code;
  block.guest_bytes.assign(host_code, host_code + plan.byte_length);
  // From now on stores to this page take the slow path and end their block.
  cache_.mark_code_page(key.physical_pc);
  ++statistics_.blocks_translated;
  return block;
}

Block* JitEngine::block_at_pc() {
  const uint64_t pc = hart_.pc;
  // The fetch the interpreter would do: a fetch-TLB hit on a host-backed
  // page (an entry covers the whole page with one decision, and nothing in
  // a block can change it). Anything else - a miss, MMIO, an odd pc - is
  // left to the interpreter, whose fetch walks, faults or fills the TLB.
  const uint64_t fetch_context = Tlb::make_context(static_cast<unsigned>(hart_.privilege), false, false);
  const Tlb::Entry* entry = hart_.tlb.lookup(Tlb::Access::Fetch, pc, fetch_context);
  if (entry == nullptr || entry->flags != 0 || (pc & 1) != 0) return nullptr;
  const uint64_t physical_pc = entry->physical_page | (pc & Tlb::kPageOffsetMask);
  if ((physical_pc >> 12) >= kCodeBitmapPages) return nullptr;
  const DataContexts contexts = data_contexts(hart_);
  const BlockKey key{pc, physical_pc,
                     static_cast<uint64_t>(hart_.privilege) | (contexts.load << 8) | (contexts.store << 16)};
  const auto* host_code = reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(pc + entry->host_addend));
  JumpCacheEntry& slot = jump_cache_[jump_cache_index(pc)];
  Block* block = slot.block != nullptr && slot.key == key ? slot.block : cache_.find(key);
  if (block != nullptr && block->code != nullptr && block->chaining->self.verified_epoch != context_.write_epoch) {
    if (std::memcmp(block->host_code, block->guest_bytes.data(), block->guest_bytes.size()) != 0) {
      // The guest rewrote this block's code (a store from this hart, another
      // hart or a device): translate again from the current bytes.
      ++statistics_.stale_blocks;
      runtime_.release(block->code);
      cache_.erase(key);
      clear_jump_cache();
      ++drops_;
      block = nullptr;
    } else {
      block->chaining->self.verified_epoch = context_.write_epoch;
    }
  }
  if (block == nullptr) {
    if (cache_.size() >= kMaxBlocks) invalidate_all();  // the size bound (docs/jit.md)
    block = &cache_.insert(key, translate(host_code, key, contexts.load, contexts.store));
    block->chaining->self.verified_epoch = context_.write_epoch;
  }
  dispatched_key_ = key;
  // Map nodes never move, so the pointers stay valid until erase/clear (which clear this cache).
  slot = JumpCacheEntry{key, block->code != nullptr ? &block->chaining->self : nullptr, block};
  return block->code != nullptr ? block : nullptr;
}

// Mirrors Hart::run (interpreter.cpp) slot for slot. Between blocks the
// interrupt check is the interpreter's. Inside a block it would be a no-op:
// interrupt state (mip, mie, mstatus, privilege, mideleg, device lines)
// changes only through CSR instructions, traps, xRET and device accesses,
// and none of those happen inside a block (MMIO goes through the slow path,
// which ends the block after the instruction). After an interrupt has been
// taken, a second check in the same slot takes nothing (the new mode masks
// everything not already masked before), so Hart::run(1) may repeat it.
uint64_t JitEngine::run(uint64_t budget) {
  uint64_t used = 0;
  ++context_.write_epoch;  // other harts, devices and the monitor ran since the last run
  // Generated code follows the jump cache only when chaining is on (not while tracing).
  context_.jump_cache = hart_.trace_log == nullptr && !single_instruction_blocks_ ? jump_cache_.data() : nullptr;
  ExitCell* exit_taken = nullptr;  // the chainable exit the previous block left through
  uint64_t exit_drops = 0;         // drops_ when it left
  while (used < budget && !hart_.stop_requested) {  // Hart::stop_requested: a device ended the run
    if (hart_.interrupt_pending_for_wfi()) {
      hart_.waiting_for_interrupt = false;
      hart_.take_pending_interrupt();
    } else if (hart_.waiting_for_interrupt) {
      break;
    }
    Block* block = block_at_pc();
    // Tracing leaves blocks unchained so that every block run passes here
    // (QEMU's -d nochain); chaining changes nothing the guest can see.
    if (block != nullptr && exit_taken != nullptr && exit_drops == drops_ && hart_.trace_log == nullptr &&
        !single_instruction_blocks_) {
      // The previous block left through a chainable exit and the dispatcher
      // found this block right there (docs/jit.md, "Chaining"): link them if
      // the target is the block that exit always leads to - same page (the
      // cell's target pc is in its block's virtual page), same mode (an
      // interrupt taken in between changes pc or mode).
      const BlockKey& key = dispatched_key_;
      if (key.virtual_pc == exit_taken->target_pc && key.mode == exit_taken->mode &&
          (key.physical_pc >> 12) == exit_taken->physical_page) {
        exit_taken->target = &block->chaining->self;
      }
    }
    exit_taken = nullptr;
    if (block == nullptr || block->length > budget - used) {
      // Not translatable, or the budget ends inside the block: this one
      // instruction runs in the interpreter.
      used += hart_.run(1);
      ++statistics_.interpreted_slots;
      ++context_.write_epoch;
      continue;
    }
    if (hart_.trace_log != nullptr) [[unlikely]] hart_.trace_log->block_starting(hart_);
    const uint64_t helper_calls = context_.helper_calls;
    const uint64_t budget_left = budget - used;
    context_.loop_budget = budget_left;
    context_.last_exit = nullptr;
    const uint64_t result = block->code(&hart_, &context_);
    if (context_.helper_calls != helper_calls) ++context_.write_epoch;
    exit_taken = static_cast<ExitCell*>(context_.last_exit);
    exit_drops = drops_;
    const uint64_t slots = (result >> 1) + (budget_left - context_.loop_budget);
    const uint64_t retired = slots - (result & 1);
    used += slots;
    if ((hart_.csr.mcountinhibit & kMcountinhibitIR) == 0) hart_.instret += retired;
    ++statistics_.block_runs;
  }
  return used;
}

}  // namespace emu::jit

#include "emu/jit/jit_engine.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "emu/jit/block_translator.h"
#include "emu/jit/x86_64_emitter.h"
#include "emu/target/riscv/trace_log.h"

#include <unistd.h>

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
  Privilege privilege = Privilege::Machine;  // the effective privilege of loads and stores
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
  return {Tlb::make_context(effective, sum, mxr), Tlb::make_context(effective, sum, false), privilege};
}

// Whether a block's loads may read RAM directly (kModeDirectRamLoads): M-mode
// data accesses (after MPRV, 3.1.6.3) are not translated, and PMP checks
// them only against locked entries (3.7.1).
bool direct_ram_loads(const Hart& hart, const DataContexts& contexts) {
  if (contexts.privilege != Privilege::Machine) return false;
  uint64_t configs[2];
  static_assert(sizeof configs == sizeof hart.csr.pmpcfg);
  std::memcpy(configs, hart.csr.pmpcfg.data(), sizeof configs);
  constexpr uint64_t kLockBits = 0x8080808080808080;  // pmpcfg.L of each entry byte
  return ((configs[0] | configs[1]) & kLockBits) == 0;
}

// Profiling aid: with EMU_JIT_PERF_MAP set in the environment, every
// translated block is listed in /tmp/perf-<pid>.map (the format perf reads
// for JIT code: "start size name", hex), so `perf report` names the guest
// pc a hot host address belongs to. Off by default; guest-invisible.
std::FILE* perf_map() {
  static std::FILE* file = [] {
    if (std::getenv("EMU_JIT_PERF_MAP") == nullptr) return static_cast<std::FILE*>(nullptr);
    char path[64];
    std::snprintf(path, sizeof path, "/tmp/perf-%d.map", static_cast<int>(getpid()));
    return std::fopen(path, "w");
  }();
  return file;
}

}  // namespace

JitEngine::JitEngine(Hart& hart, uint32_t translation_threshold)
    : hart_(hart),
      code_watcher_(hart.bus.dirty_pages(),
                    [this](uint64_t address, uint64_t length) { return overlaps_code(address, length); },
                    [this](uint64_t page_address) { page_unwatched(page_address); }) {
  context_.hart = &hart;
  // Without executable memory for the stubs nothing is ever translated:
  // every instruction runs in the interpreter (equally exact, slower).
  stubs_available_ = emit_runtime_stubs(runtime_, hart_offsets(), &stubs_);
  context_.exit_through_cell = stubs_.exit_through_cell;
  context_.exit_through_jump_cache = stubs_.exit_through_jump_cache;
  context_.leave = stubs_.leave;
  context_.load_helper = reinterpret_cast<const void*>(&jit_load_helper);
  context_.store_helper = reinterpret_cast<const void*>(&jit_store_helper);
  context_.execute_helper = reinterpret_cast<const void*>(&jit_execute_helper);
  translation_threshold_ = std::max<uint32_t>(translation_threshold, 1);
  code_is_patchable_ =
      !asmjit::Support::test(asmjit::VirtMem::hardenedRuntimeInfo().flags, asmjit::VirtMem::HardenedRuntimeFlags::kEnabled);
  previous_fence_i_hook_ = hart.on_fence_i;
  hart.on_fence_i = &fence_i_hook;
  std::lock_guard lock(registry_mutex);
  registry()[&hart] = this;
}

JitEngine::~JitEngine() {
  // Diagnostics for whoever tunes the JIT (docs/jit.md, "Measuring").
  if (std::getenv("EMU_JIT_STATISTICS") != nullptr) {
    const Statistics& s = statistics_;
    std::fprintf(stderr,
                 "jit: %" PRIu64 " blocks translated, %" PRIu64 " block runs, %" PRIu64 " interpreted slots, %" PRIu64
                 " invalidations, %" PRIu64 " stale, %" PRIu64 " dispatches, %" PRIu64 " byte checks, %" PRIu64
                 " jump-cache misses, %" PRIu64 " links, %" PRIu64 " epochs\n",
                 s.blocks_translated, s.block_runs, s.interpreted_slots, s.invalidations, s.stale_blocks,
                 s.dispatches, s.byte_checks, s.jump_cache_misses, s.links, s.epochs);
  }
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
  linked_cells_.clear();  // their code goes now
  std::fill(block_filter_.begin(), block_filter_.end(), 0);
  cache_.clear([this](const void* code) { runtime_.release(code); });
}

void JitEngine::set_single_instruction_blocks(bool on) {
  if (on == single_instruction_blocks_) return;
  single_instruction_blocks_ = on;
  invalidate_all();
}

void JitEngine::advance_write_epoch() {
  ++context_.write_epoch;
  ++statistics_.epochs;
  // A linked jump enters its target without checking the target's bytes;
  // every target must be verified again in the new epoch first.
  unlink_all();
}

// Patches the exit's direct jump (x86_64_emitter.cpp, exit_to) to enter
// `target`, if the displacement fits and the code may be written in place
// (a hardened runtime without writable+executable memory keeps every exit
// unlinked: slower, equally exact).
void JitEngine::link(ExitCell& cell, Block& target) {
  if (cell.jump_site == nullptr || cell.target != nullptr || !code_is_patchable_) return;
  const auto* destination = static_cast<const uint8_t*>(target.code);
  const int64_t displacement = destination - (cell.jump_site + 4);
  if (displacement != static_cast<int32_t>(displacement)) return;
  const auto rel32 = static_cast<int32_t>(displacement);
  std::memcpy(cell.jump_site, &rel32, sizeof rel32);
  cell.target = &target.chaining->self;
  linked_cells_.push_back(&cell);
  ++statistics_.links;
}

void JitEngine::unlink_all() {
  for (ExitCell* cell : linked_cells_) {
    const auto rel32 = static_cast<int32_t>(cell->unlinked - (cell->jump_site + 4));
    std::memcpy(cell->jump_site, &rel32, sizeof rel32);
    cell->target = nullptr;
  }
  linked_cells_.clear();
}

// 64-byte chunks of one page, as bits: [address, address + length) must lie within the page.
uint64_t JitEngine::code_chunks(uint64_t address, uint64_t length) {
  const unsigned first = static_cast<unsigned>((address & Tlb::kPageOffsetMask) >> 6);
  const unsigned last = static_cast<unsigned>(((address & Tlb::kPageOffsetMask) + length - 1) >> 6);
  const uint64_t up_to_last = last == 63 ? ~uint64_t{0} : (uint64_t{1} << (last + 1)) - 1;
  return up_to_last & ~((uint64_t{1} << first) - 1);
}

void JitEngine::watch_code(uint64_t physical_pc, uint64_t length) {
  code_chunks_[physical_pc >> 12] |= code_chunks(physical_pc, length);
  hart_.bus.dirty_pages().watch(physical_pc);
}

bool JitEngine::overlaps_code(uint64_t address, uint64_t length) const {
  auto it = code_chunks_.find(address >> 12);
  return it != code_chunks_.end() && (it->second & code_chunks(address, length)) != 0;
}

void JitEngine::page_unwatched(uint64_t page_address) {
  // Translations from this page may now be stale and nothing watches for
  // further writes: every block's bytes are checked before it runs again
  // (the check watches its page again).
  if (code_chunks_.erase(page_address >> 12) != 0) advance_write_epoch();
}

EmitterTarget JitEngine::hart_offsets() const {
  EmitterTarget target;
  target.x_offset = offset_in_hart(hart_, &hart_.x[0]);
  target.fetch_table_offset = offset_in_hart(hart_, hart_.tlb.table(Tlb::Access::Fetch));
  target.load_table_offset = offset_in_hart(hart_, hart_.tlb.table(Tlb::Access::Load));
  target.store_table_offset = offset_in_hart(hart_, hart_.tlb.table(Tlb::Access::Store));
  target.pc_offset = offset_in_hart(hart_, &hart_.pc);
  target.f_offset = offset_in_hart(hart_, &hart_.f[0]);
  target.mstatus_offset = offset_in_hart(hart_, &hart_.csr.mstatus);
  target.fflags_offset = offset_in_hart(hart_, &hart_.csr.fflags);
  target.frm_offset = offset_in_hart(hart_, &hart_.csr.frm);
  target.instruction_bits_offset = offset_in_hart(hart_, &hart_.instruction_bits);
  return target;
}

Block JitEngine::translate(const uint8_t* host_code, const BlockKey& key, uint64_t load_context,
                           uint64_t store_context) {
  Block block;
  BlockPlan plan = plan_block(host_code, hart_.pc);
  if (plan.instructions.empty()) return block;  // interpret this instruction every time
  if (single_instruction_blocks_ && plan.instructions.size() > 1) {
    plan.byte_length = plan.instructions[0].length;
    plan.instructions.resize(1);
    plan.pcs.resize(1);
  }
  EmitterTarget target = hart_offsets();
  target.fetch_context = Tlb::make_context(static_cast<unsigned>(hart_.privilege), false, false);
  target.mode = key.mode;
  target.physical_page = key.physical_pc >> 12;
  target.load_context = load_context;
  target.store_context = store_context;
  if ((key.mode & kModeDirectRamLoads) != 0) {
    // The RAM region the block's code is in: bare-metal code and firmware
    // keep their data there.
    const PhysicalBus::Region* region = hart_.bus.find(key.physical_pc);
    if (region != nullptr && region->host != nullptr && region->writable && region->device == nullptr) {
      target.direct_ram_base = region->base;
      target.direct_ram_size = region->size;
      target.direct_ram_host = region->host;
    }
  }
  target.chaining = block.chaining.get();
  block.chaining->instructions = plan.instructions;
  size_block_data(plan, *block.chaining);
  size_t code_size = 0;
  std::string host_assembly;
  const bool log_host_code = hart_.trace_log != nullptr && hart_.trace_log->wants_host_code();
  block.code = emit_block(runtime_, plan, target, &code_size, log_host_code ? &host_assembly : nullptr);
  if (block.code == nullptr) return block;
  if (std::FILE* map = perf_map(); map != nullptr) [[unlikely]] {
    std::fprintf(map, "%lx %zx guest_%llx_n%zu\n", reinterpret_cast<unsigned long>(block.code), code_size,
                 static_cast<unsigned long long>(hart_.pc), plan.instructions.size());
    std::fflush(map);
  }
  if (hart_.trace_log != nullptr) [[unlikely]] {
    hart_.trace_log->block_translated(plan.instructions, plan.pcs);
    hart_.trace_log->block_emitted(host_assembly, code_size);
  }
  block.length = static_cast<uint32_t>(plan.instructions.size());
  block.chaining->self.entry = block.code;
  block.host_code = host_code;
  block.guest_bytes.assign(host_code, host_code + plan.byte_length);
  // From now on every write to these bytes is seen (page_unwatched).
  watch_code(key.physical_pc, plan.byte_length);
  ++statistics_.blocks_translated;
  return block;
}

Block* JitEngine::block_at_pc(bool* cold) {
  *cold = false;
  if (!stubs_available_) [[unlikely]] return nullptr;
  const uint64_t pc = hart_.pc;
  // The fetch the interpreter would do: a fetch-TLB hit on a host-backed
  // page (an entry covers the whole page with one decision, and nothing in
  // a block can change it). Anything else - a miss, MMIO, an odd pc - is
  // left to the interpreter, whose fetch walks, faults or fills the TLB.
  const uint64_t fetch_context = Tlb::make_context(static_cast<unsigned>(hart_.privilege), false, false);
  const Tlb::Entry* entry = hart_.tlb.lookup(Tlb::Access::Fetch, pc, fetch_context);
  if (entry == nullptr || entry->flags != 0 || (pc & 1) != 0) return nullptr;
  const uint64_t physical_pc = entry->physical_page | (pc & Tlb::kPageOffsetMask);
  const DataContexts contexts = data_contexts(hart_);
  const BlockKey key{pc, physical_pc,
                     static_cast<uint64_t>(hart_.privilege) | (contexts.load << 8) | (contexts.store << 16) |
                         (direct_ram_loads(hart_, contexts) ? kModeDirectRamLoads : 0)};
  const auto* host_code = reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(pc + entry->host_addend));
  const size_t index = jump_cache_index(pc);
  JumpCacheEntry& slot = jump_cache_[index];
  ++statistics_.dispatches;
  Block* block = slot.block != nullptr && slot.key == key ? slot.block : nullptr;
  // A cold key has no block (reset when it gets one); nor has a pc whose
  // filter bit is clear.
  if (block == nullptr && cold_keys_[index] != key && may_have_block(pc)) {
    ++statistics_.jump_cache_misses;
    block = cache_.find(key);
  }
  if (block != nullptr && block->code != nullptr && block->chaining->self.verified_epoch != context_.write_epoch) {
    ++statistics_.byte_checks;
    if (std::memcmp(block->host_code, block->guest_bytes.data(), block->guest_bytes.size()) != 0) {
      // The guest rewrote this block's code (a store from this hart, another
      // hart or a device): translate again from the current bytes.
      ++statistics_.stale_blocks;
      unlink_all();
      runtime_.release(block->code);
      cache_.erase(key);
      clear_jump_cache();
      ++drops_;
      block = nullptr;
    } else {
      block->chaining->self.verified_epoch = context_.write_epoch;
      watch_code(key.physical_pc, block->guest_bytes.size());
    }
  }
  if (block == nullptr) {
    // Code that runs only a few times (much of a kernel's boot) costs less
    // in the interpreter than its translation does.
    const uint32_t threshold = single_instruction_blocks_ ? 1 : translation_threshold_;
    if (cold_keys_[index] != key) {
      cold_keys_[index] = key;
      cold_counts_[index] = 0;
    }
    if (++cold_counts_[index] < threshold) {
      *cold = true;
      return nullptr;
    }
    cold_keys_[index] = BlockKey{};  // never a real key: the mode word is never 0
    if (cache_.size() >= kMaxBlocks) invalidate_all();  // the size bound (docs/jit.md)
    block = &cache_.insert(key, translate(host_code, key, contexts.load, contexts.store));
    note_block(pc);
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
    bool cold = false;
    Block* block = block_at_pc(&cold);
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
        link(*exit_taken, *block);
      }
    }
    exit_taken = nullptr;
    if (block == nullptr) {
      // Not translatable here (a fetch-TLB miss, MMIO, ...): this one
      // instruction runs in the interpreter, and the next is dispatched.
      // Not translated yet (cold): the interpreter runs this instruction
      // and those after it in straight line (a not-taken branch included)
      // up to a jump, a trap or interrupt, the page end, or a block's
      // length. The pcs inside are not block starts, so they are not
      // dispatched (each lookup would cost more than the instruction).
      // Grouping changes nothing the guest sees: every instruction runs
      // exactly as run(1) runs it.
      unsigned run_length = 0;
      while (true) {
        const uint64_t pc = hart_.pc;
        const uint64_t slots = hart_.run(1);
        used += slots;
        statistics_.interpreted_slots += slots;
        if (!cold || slots == 0 || used >= budget || hart_.stop_requested) break;
        const uint64_t next_pc = pc + riscv::instruction_length(hart_.instruction_bits);
        if (hart_.pc != next_pc || (next_pc >> 12) != (pc >> 12) || ++run_length >= kMaxBlockInstructions) break;
      }
      continue;
    }
    if (block->length > budget - used) {
      // The budget ends inside the block: the rest of it (fewer slots than
      // a block has) runs in the interpreter in one go - what this loop
      // would do one dispatch at a time, at a third of the cost.
      const uint64_t slots = hart_.run(budget - used);
      used += slots;
      statistics_.interpreted_slots += slots;
      continue;  // the loop ends: budget used, WFI or a stop request
    }
    if (hart_.trace_log != nullptr) [[unlikely]] hart_.trace_log->block_starting(hart_);
    const uint64_t budget_left = budget - used;
    context_.loop_budget = budget_left;
    context_.last_exit = nullptr;
    const uint64_t result = stubs_.enter(&hart_, &context_, block->code);
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

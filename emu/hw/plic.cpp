// SiFive PLIC; see plic.h for the register map and gateway rules.
// Spec: RISC-V PLIC Specification 1.0.0 (memory map, claim/complete), and
// QEMU 7.2's virt parameters (96 sources, 7 priorities, MS contexts per hart).
#include "emu/hw/plic.h"

#include <algorithm>
#include <bit>
#include <utility>

namespace emu {

namespace {

constexpr uint64_t kPriorityBase = 0x000000;
constexpr uint64_t kPendingBase = 0x001000;
constexpr uint64_t kEnableBase = 0x002000;
constexpr uint64_t kEnableStride = 0x80;
constexpr uint64_t kContextBase = 0x200000;
constexpr uint64_t kContextStride = 0x1000;
constexpr uint64_t kThresholdOffset = 0x0;
constexpr uint64_t kClaimCompleteOffset = 0x4;

// Priorities and thresholds are WARL fields of 3 bits: QEMU keeps
// value % (num_priorities + 1) when num_priorities + 1 is a power of two.
constexpr uint32_t kPriorityMask = Plic::kMaxPriority;

constexpr uint8_t kStateVersion = 1;

}  // namespace

Plic::Plic(unsigned sources, unsigned contexts, std::vector<InterruptLine*> context_lines)
    : sources_(std::clamp(sources, 1u, kMaxSources)),
      contexts_(std::min(contexts, kMaxContexts)),
      words_((sources_ + 31) / 32),
      context_lines_(std::move(context_lines)),
      priority_(sources_),
      pending_(words_),
      claimed_(words_),
      level_(words_),
      enable_(static_cast<size_t>(contexts_) * words_),
      threshold_(contexts_) {
  context_lines_.resize(contexts_, nullptr);
  reset();
}

bool Plic::bit(const std::vector<uint32_t>& words, unsigned index) { return (words[index / 32] >> (index % 32)) & 1; }

void Plic::set_bit(std::vector<uint32_t>& words, unsigned index, bool value) {
  uint32_t mask = uint32_t{1} << (index % 32);
  if (value) {
    words[index / 32] |= mask;
  } else {
    words[index / 32] &= ~mask;
  }
}

void Plic::set_source_level(unsigned source, bool level) {
  if (source == 0 || source >= sources_) return;
  set_bit(level_, source, level);
  // Falling clears a request not yet claimed, as QEMU's gateway does; a
  // claimed source is not re-pended until it is completed.
  set_bit(pending_, source, level && !bit(claimed_, source));
  update_outputs();
}

unsigned Plic::best_source(unsigned context) const {
  unsigned best = 0;
  uint32_t best_priority = threshold_[context];
  const uint32_t* enable = &enable_[static_cast<size_t>(context) * words_];
  for (unsigned word = 0; word < words_; ++word) {
    uint32_t candidates = pending_[word] & ~claimed_[word] & enable[word];
    while (candidates != 0) {
      unsigned source = word * 32 + static_cast<unsigned>(std::countr_zero(candidates));
      candidates &= candidates - 1;
      if (source >= sources_) break;
      // Strictly greater: ties keep the lower id found first.
      if (priority_[source] > best_priority) {
        best = source;
        best_priority = priority_[source];
      }
    }
  }
  return best;
}

unsigned Plic::claim(unsigned context) {
  unsigned source = best_source(context);
  if (source != 0) {
    set_bit(pending_, source, false);
    set_bit(claimed_, source, true);
  }
  update_outputs();
  return source;
}

void Plic::complete(unsigned context, uint64_t source) {
  // QEMU accepts a completion for any valid id, enabled for this context or
  // not (the spec says it may be ignored; Linux copes with both).
  (void)context;
  if (source == 0 || source >= sources_) return;
  auto id = static_cast<unsigned>(source);
  if (!bit(claimed_, id)) return;
  set_bit(claimed_, id, false);
  set_bit(pending_, id, bit(level_, id));
  update_outputs();
}

void Plic::update_outputs() {
  for (unsigned context = 0; context < contexts_; ++context) {
    if (context_lines_[context]) context_lines_[context]->set(best_source(context) != 0);
  }
}

uint64_t Plic::read(uint64_t offset, unsigned size) {
  if (size != 4 || (offset & 3) != 0) return 0;
  if (offset >= kPriorityBase && offset < kPriorityBase + 4ull * sources_) {
    return priority_[(offset - kPriorityBase) / 4];
  }
  if (offset >= kPendingBase && offset < kPendingBase + 4ull * words_) {
    return pending_[(offset - kPendingBase) / 4];
  }
  if (offset >= kEnableBase && offset < kEnableBase + kEnableStride * contexts_) {
    uint64_t context = (offset - kEnableBase) / kEnableStride;
    uint64_t word = (offset - kEnableBase) % kEnableStride / 4;
    return word < words_ ? enable_[context * words_ + word] : 0;
  }
  if (offset >= kContextBase && offset < kContextBase + kContextStride * contexts_) {
    auto context = static_cast<unsigned>((offset - kContextBase) / kContextStride);
    switch ((offset - kContextBase) % kContextStride) {
      case kThresholdOffset: return threshold_[context];
      case kClaimCompleteOffset: return claim(context);
      default: return 0;
    }
  }
  return 0;
}

void Plic::write(uint64_t offset, uint64_t value, unsigned size) {
  if (size != 4 || (offset & 3) != 0) return;
  auto word_value = static_cast<uint32_t>(value);
  if (offset >= kPriorityBase && offset < kPriorityBase + 4ull * sources_) {
    priority_[(offset - kPriorityBase) / 4] = word_value & kPriorityMask;
    update_outputs();
    return;
  }
  if (offset >= kPendingBase && offset < kPendingBase + 4ull * words_) return;  // read only
  if (offset >= kEnableBase && offset < kEnableBase + kEnableStride * contexts_) {
    uint64_t context = (offset - kEnableBase) / kEnableStride;
    uint64_t word = (offset - kEnableBase) % kEnableStride / 4;
    if (word < words_) {
      enable_[context * words_ + word] = word_value;
      update_outputs();
    }
    return;
  }
  if (offset >= kContextBase && offset < kContextBase + kContextStride * contexts_) {
    auto context = static_cast<unsigned>((offset - kContextBase) / kContextStride);
    switch ((offset - kContextBase) % kContextStride) {
      case kThresholdOffset:
        threshold_[context] = word_value & kPriorityMask;
        update_outputs();
        break;
      case kClaimCompleteOffset:
        complete(context, word_value);
        break;
      default:
        break;
    }
  }
}

void Plic::reset() {
  std::fill(priority_.begin(), priority_.end(), 0);
  std::fill(claimed_.begin(), claimed_.end(), 0);
  std::fill(enable_.begin(), enable_.end(), 0);
  std::fill(threshold_.begin(), threshold_.end(), 0);
  // Input levels belong to the devices driving them: a line still high
  // after reset is pending again at once.
  pending_ = level_;
  update_outputs();
}

void Plic::save(StateWriter& out) const {
  out.u8(kStateVersion);
  out.u32(sources_);
  out.u32(contexts_);
  for (uint32_t priority : priority_) out.u32(priority);
  for (uint32_t word : pending_) out.u32(word);
  for (uint32_t word : claimed_) out.u32(word);
  for (uint32_t word : level_) out.u32(word);
  for (uint32_t word : enable_) out.u32(word);
  for (uint32_t threshold : threshold_) out.u32(threshold);
}

void Plic::load(StateReader& in) {
  if (in.u8() != kStateVersion) throw StateError("plic: unsupported state version");
  if (in.u32() != sources_ || in.u32() != contexts_) throw StateError("plic: source or context count differs");
  auto read_words = [&in](size_t count) {
    std::vector<uint32_t> words(count);
    for (uint32_t& word : words) word = in.u32();
    return words;
  };
  std::vector<uint32_t> priority = read_words(priority_.size());
  std::vector<uint32_t> pending = read_words(words_);
  std::vector<uint32_t> claimed = read_words(words_);
  std::vector<uint32_t> level = read_words(words_);
  std::vector<uint32_t> enable = read_words(enable_.size());
  std::vector<uint32_t> threshold = read_words(threshold_.size());
  auto above_max = [](uint32_t value) { return value > kMaxPriority; };
  if (std::any_of(priority.begin(), priority.end(), above_max) ||
      std::any_of(threshold.begin(), threshold.end(), above_max)) {
    throw StateError("plic: priority out of range");
  }
  // Bits for ids past the last source, or source 0, can never be set.
  std::vector<uint32_t> valid(words_, 0);
  for (unsigned source = 1; source < sources_; ++source) set_bit(valid, source, true);
  for (unsigned word = 0; word < words_; ++word) {
    if ((pending[word] | claimed[word] | level[word]) & ~valid[word]) {
      throw StateError("plic: pending, claimed or level bit for a source that does not exist");
    }
  }

  priority_ = std::move(priority);
  pending_ = std::move(pending);
  claimed_ = std::move(claimed);
  level_ = std::move(level);
  enable_ = std::move(enable);
  threshold_ = std::move(threshold);
  update_outputs();
}

}  // namespace emu

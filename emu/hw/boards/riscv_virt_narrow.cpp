// How a slice's instructions run (whole, or in pieces the guest cannot tell
// apart), and the replay divergence narrower that re-runs a log to find the
// first instruction at which the state differs (riscv_virt_narrow.h).
#include "emu/hw/boards/riscv_virt_narrow.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "emu/jit/jit_engine.h"
#include "emu/replay/state_hash.h"
#include "emu/target/riscv/decoder.h"

namespace emu::virt {

// A slice runs as one Hart::run / JitEngine::run call, or in pieces with
// nothing between them: the same instructions in the same order, with the
// same virtual time (the clock advances only after the slice), so the guest
// cannot tell the difference. Pieces serve x-rrinject, which changes x5
// between two given instructions, and a narrowing observer, which looks at
// the state after every instruction.
uint64_t RiscvVirtBoard::execute_slice(unsigned hart_index, uint64_t budget) {
  riscv::Hart& hart = *harts_[hart_index];
  jit::JitEngine* engine = jits_[hart_index].get();
  const uint64_t start = clock_.icount();

  // x-rrinject=N (tests, replay only): bit 0 of hart 0's x5 (or the
  // x-rrinjecttarget register or RAM byte) flips once the machine's icount
  // reaches N + 1, i.e. right after the instruction at icount N; if hart 0
  // did not run there (another hart's slice, WFI), before its next one.
  uint64_t flip_at = UINT64_MAX;  // none
  if (hart_index == 0 && !injected_ && replaying() && config_.record_replay.inject_icount) {
    flip_at = *config_.record_replay.inject_icount + 1;
  }
  const auto flip_if_due = [&](uint64_t executed) {
    if (flip_at == UINT64_MAX || start + executed < flip_at) return;
    const replay::RecordReplayConfig& inject = config_.record_replay;
    if (!inject.inject_address) {
      hart.x[inject.inject_register % 32] ^= 1;
    } else if (uint8_t* byte = bus_.host_pointer(*inject.inject_address, 1)) {
      *byte ^= 1;
      bus_.dirty_pages().mark_written(*inject.inject_address, 1);  // a write behind the bus's back
    }
    injected_ = true;
    flip_at = UINT64_MAX;
  };

  flip_if_due(0);  // before the observer looks at the slice's start
  const bool stepping = slice_observer_ != nullptr && slice_observer_->before_slice(hart_index, start, budget);
  // Stepping under the JIT: one generated instruction per run(1) (otherwise
  // run(1) interprets any instruction inside a longer block).
  if (stepping && engine != nullptr) engine->set_single_instruction_blocks(true);
  uint64_t used = 0;
  while (used < budget && !hart.stop_requested) {
    uint64_t piece = stepping ? 1 : budget - used;
    if (flip_at != UINT64_MAX) piece = std::min(piece, flip_at - start - used);
    const uint64_t ran = engine != nullptr ? engine->run(piece) : hart.run(piece);
    used += ran;
    flip_if_due(used);
    if (stepping && ran != 0 && !slice_observer_->after_instruction(hart_index, used)) break;
    if (ran < piece) break;  // stalled in WFI: the whole run would have stopped here too
  }
  if (stepping && engine != nullptr) engine->set_single_instruction_blocks(false);
  if (slice_observer_ != nullptr) slice_observer_->after_slice(hart_index, start, used);
  return used;
}

namespace {

using Clock = std::chrono::steady_clock;

std::string hex(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

// Where a re-run is looked at closely: observed slice `slice` (counting the
// slices that start at or after the last matching checkpoint), after `step`
// of its instructions (0: before the first); or, with `at_end`, where the
// run stops (the diverging checkpoint).
struct Point {
  size_t slice = 0;
  uint64_t step = 0;
  bool at_end = false;
  bool watch_memory = true;  // stepping: memory differs at the slice's end, so check it after each instruction
};

// Every component of a state (4 KiB pages), and the instruction that led to it.
struct Capture {
  std::vector<replay::StateComponent> components;
  unsigned hart = 0;
  uint64_t pc = 0;  // of the last instruction executed (step > 0)
  uint32_t bits = 0;
};

enum class Watch {
  Slices,        // a hash before and after every observed slice
  Instructions,  // a hash after each instruction of slice Point::slice, then stop
  Capture,       // every component at the Point, then stop
};

struct RunResult {
  std::vector<uint64_t> hashes;
  std::vector<uint64_t> memory_hashes;  // Watch::Slices: the memory part of each hash
  std::vector<std::pair<uint64_t, unsigned>> slices;  // observed slices: start icount, hart
  std::optional<Capture> capture;
  std::optional<RiscvVirtBoard::ReplayDivergence> divergence;  // the re-run's own replay check
  bool timed_out = false;
};

// The observer of one re-run.
class Probe final : public SliceObserver {
 public:
  // Watch::Instructions with `compare_with` (the other run's hashes): also
  // capture at the first instruction whose hash differs, and stop there.
  Probe(RiscvVirtBoard& board, Watch watch, Point point, uint64_t from_icount, Clock::time_point deadline, RunResult& result,
        const std::vector<uint64_t>* compare_with)
      : board_(board), watch_(watch), point_(point), from_icount_(from_icount), deadline_(deadline), result_(result),
        compare_with_(compare_with) {}

  bool before_slice(unsigned hart, uint64_t start, uint64_t budget) override {
    if (done_ || over_time() || start < from_icount_) return false;
    current_ = next_slice_++;
    result_.slices.emplace_back(start, hart);
    last_pc_ = board_.hart(hart).pc;
    if (watch_ == Watch::Slices) {
      observe(start, hart, budget);
      return false;
    }
    if (current_ != point_.slice || point_.at_end) return false;
    if (watch_ == Watch::Capture && point_.step == 0) {
      capture(hart);
      return false;
    }
    if (watch_ == Watch::Instructions && point_.watch_memory) start_page_watch();
    return true;
  }

  bool after_instruction(unsigned hart, uint64_t executed) override {
    if (done_) return false;
    if (watch_ == Watch::Instructions) {
      const uint64_t hash = instruction_hash(executed, hart);
      result_.hashes.push_back(hash);
      if (compare_with_ != nullptr && (executed > compare_with_->size() || (*compare_with_)[executed - 1] != hash)) {
        capture(hart);
        return false;
      }
    } else if (executed == point_.step) {
      capture(hart);
      return false;
    }
    last_pc_ = board_.hart(hart).pc;
    if ((executed & 1023) == 0 && over_time()) return false;
    return true;
  }

  void after_slice(unsigned hart, uint64_t start, uint64_t used) override {
    if (done_ || start < from_icount_ || over_time()) return;
    if (watch_ == Watch::Slices) observe(start, hart, used);
    else if (current_ == point_.slice && !point_.at_end) end_run();  // the stepped slice is over
  }

  // The run stopped by itself (the diverging checkpoint, or its own replay
  // check failed earlier).
  void finished() {
    if (done_) return;
    if (watch_ == Watch::Slices) observe(board_.icount(), 0, 0);
    if (watch_ == Watch::Capture && point_.at_end) capture(0);
  }

 private:
  // The whole machine state (harts, devices, clock; RAM/ROM apart, through
  // this probe's own page hash cache) with where it was taken.
  void observe(uint64_t a, uint64_t b, uint64_t c) {
    replay::StateHasher rest(replay::StateHasher::kSummaryGroupBytes);
    board_.hash_state(rest, false);
    replay::StateHasher memory(replay::StateHasher::kSummaryGroupBytes);
    memory.add_memory(board_.bus(), memory_cache_);
    const uint64_t parts[] = {rest.machine_hash(), memory.machine_hash(), a, b, c};
    result_.hashes.push_back(replay::xxh3(std::span(reinterpret_cast<const uint8_t*>(parts), sizeof parts)));
    result_.memory_hashes.push_back(memory.machine_hash());
  }

  // After each instruction of a stepped slice, hashing all of RAM would cost
  // far more than the instruction: the hash covers harts, devices and clock,
  // plus the pages written since the slice started (the bus's dirty-page
  // tracker) whose contents changed. Both runs start the slice in the same
  // state, so equal hashes mean equal states; a page that may have been
  // written but was not changes nothing.
  void start_page_watch() {
    baseline_.clear();
    for (const PhysicalBus::Region& region : board_.bus().regions()) {
      if (region.host == nullptr) continue;
      Baseline pages{region.base, region.size, region.host, {}};
      for (uint64_t offset = 0; offset < region.size; offset += replay::StateHasher::kPageBytes) {
        pages.hashes.push_back(page_hash(pages, offset));
      }
      baseline_.push_back(std::move(pages));
    }
    slice_mark_ = board_.bus().dirty_pages().mark();
  }

  uint64_t instruction_hash(uint64_t executed, unsigned hart) const {
    replay::StateHasher hasher(replay::StateHasher::kSummaryGroupBytes);
    board_.hash_state(hasher, false);
    std::vector<uint64_t> parts = {hasher.machine_hash(), executed, hart};
    if (!point_.watch_memory) return replay::xxh3(std::span(reinterpret_cast<const uint8_t*>(parts.data()), parts.size() * 8));
    size_t index = 0;
    board_.bus().dirty_pages().for_each_written_since(slice_mark_, [&](uint64_t page) {
      while (index < baseline_.size() && page - baseline_[index].base >= baseline_[index].size) ++index;
      if (index == baseline_.size()) return;
      const uint64_t offset = page - baseline_[index].base;
      const uint64_t now = page_hash(baseline_[index], offset);
      if (now == baseline_[index].hashes[offset / replay::StateHasher::kPageBytes]) return;
      parts.push_back(page);
      parts.push_back(now);
    });
    return replay::xxh3(std::span(reinterpret_cast<const uint8_t*>(parts.data()), parts.size() * 8));
  }

  struct Baseline {
    uint64_t base = 0;
    uint64_t size = 0;
    const uint8_t* host = nullptr;
    std::vector<uint64_t> hashes;  // per 4 KiB page when the slice started
  };
  static uint64_t page_hash(const Baseline& region, uint64_t offset) {
    return replay::xxh3(std::span(region.host + offset, std::min(replay::StateHasher::kPageBytes, region.size - offset)));
  }

  void capture(unsigned hart) {
    Capture capture;
    replay::StateHasher hasher(replay::StateHasher::kPageBytes);
    board_.hash_state(hasher);
    capture.components = hasher.components();
    capture.hart = hart;
    capture.pc = last_pc_;
    capture.bits = board_.hart(hart).instruction_bits;
    result_.capture = std::move(capture);
    end_run();
  }

  bool over_time() {
    if (Clock::now() < deadline_) return false;
    result_.timed_out = true;
    end_run();
    return true;
  }

  void end_run() {
    if (done_) return;
    done_ = true;
    board_.request_quit(0);
  }

  RiscvVirtBoard& board_;
  Watch watch_;
  Point point_;
  uint64_t from_icount_;
  Clock::time_point deadline_;
  RunResult& result_;
  const std::vector<uint64_t>* compare_with_;
  size_t next_slice_ = 0;
  size_t current_ = 0;
  uint64_t last_pc_ = 0;
  bool done_ = false;
  std::vector<Baseline> baseline_;
  replay::MemoryHashCache memory_cache_;
  DirtyPageTracker::Mark slice_mark_ = 0;
};

// A re-run of the log on a fresh headless board: as the replay ran
// (`reference` false) or in the interpreter without test injection.
RunResult run_again(const BoardConfig& replay_config, bool reference, Watch watch, Point point,
                    const DivergenceToNarrow& divergence, Clock::time_point deadline,
                    const std::vector<uint64_t>* compare_with) {
  BoardConfig config = replay_config;
  config.serial = nullptr;  // guest output is dropped; no host input
  config.trace_log = nullptr;
  config.describe_chardevs = nullptr;
  config.host_signal_fd = -1;
  config.check_host_signals = nullptr;
  config.start_paused = false;
  config.no_shutdown = false;  // a stopped machine would wait for a host that is not there
  config.record_replay.quiet = true;
  config.record_replay.stop_icount = divergence.checkpoint_icount;
  config.record_replay.at_end = replay::RecordReplayConfig::EndAction::Exit;  // never pause or go on live
  if (reference) {
    config.jit = false;
    config.record_replay.inject_icount.reset();
  }
  RunResult result;
  RiscvVirtBoard board(config);
  Probe probe(board, watch, point, divergence.last_match_icount, deadline, result, compare_with);
  board.set_slice_observer(&probe);
  board.run();
  probe.finished();
  board.set_slice_observer(nullptr);
  result.divergence = board.replay_divergence();
  return result;
}

size_t first_difference(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  const size_t common = std::min(a.size(), b.size());
  for (size_t i = 0; i < common; ++i) {
    if (a[i] != b[i]) return i;
  }
  return common;
}

std::string reruns_and_time(unsigned reruns, Clock::duration duration) {
  char text[64];
  std::snprintf(text, sizeof text, "%u re-run%s, %.1f s", reruns, reruns == 1 ? "" : "s",
                std::chrono::duration<double>(duration).count());
  return text;
}

std::string seconds(Clock::duration duration) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", std::chrono::duration<double>(duration).count());
  return text;
}

}  // namespace

std::string NarrowedDivergence::describe() const {
  if (!narrowed) return "could not narrow: " + failure + " (" + reruns_and_time(reruns, elapsed) + ")";
  std::string where;
  if (between_instructions) {
    where = "narrowed: the state first differs between instructions, right before the one at icount " +
            std::to_string(icount) + " (at a slice boundary: device events, inputs or a test injection)";
  } else {
    where = "narrowed: the first differing instruction is at icount " + std::to_string(icount) + " (hart" +
            std::to_string(hart) + " pc " + hex(pc) + (disassembly.empty() ? "" : " " + disassembly) + ")";
  }
  std::string what = components.front() + " differs";
  if (!reference_value.empty()) what += " (recorded/reference " + reference_value + ", replay " + replay_value + ")";
  if (components.size() > 1) {
    what += "; " + std::to_string(components.size()) + " components differ (";
    for (size_t i = 0; i < components.size() && i < 8; ++i) what += (i ? ", " : "") + components[i];
    what += components.size() > 8 ? ", ...)" : ")";
  }
  return where + ": " + what + " (" + reruns_and_time(reruns, elapsed) + ")";
}

NarrowedDivergence narrow_divergence(const BoardConfig& config, const DivergenceToNarrow& divergence) {
  NarrowedDivergence narrowed;
  const Clock::time_point began = Clock::now();
  const Clock::time_point deadline = began + divergence.time_limit;
  const auto rerun = [&](bool reference, Watch watch, Point point, const std::vector<uint64_t>* compare_with = nullptr) {
    ++narrowed.reruns;
    RunResult result = run_again(config, reference, watch, point, divergence, deadline, compare_with);
    narrowed.elapsed = Clock::now() - began;
    return result;
  };
  const auto give_up = [&](std::string why) {
    narrowed.failure = std::move(why);
    narrowed.elapsed = Clock::now() - began;
    return narrowed;
  };
  const auto timed_out = [&] { return give_up("gave up after " + seconds(divergence.time_limit) + " (the narrowing time limit)"); };
  try {
    // 1. Slices.
    RunResult replay = rerun(false, Watch::Slices, {});
    if (replay.timed_out) return timed_out();
    RunResult reference = rerun(true, Watch::Slices, {});
    if (reference.timed_out) return timed_out();
    if (reference.divergence) {
      return give_up("the reference re-run does not match the recording either (in the interpreter, without test "
                     "injection, it diverges at icount " + std::to_string(reference.divergence->icount) + ": " +
                     reference.divergence->what + ")");
    }
    if (!replay.divergence || replay.divergence->icount != divergence.checkpoint_icount) {
      return give_up("re-run as the replay ran, the log " +
                     (replay.divergence ? "diverges at icount " + std::to_string(replay.divergence->icount) + ": " + replay.divergence->what
                                        : std::string("does not diverge")) +
                     " (the replay is not deterministic)");
    }
    const size_t first = first_difference(replay.hashes, reference.hashes);

    const size_t slices = std::min(replay.slices.size(), reference.slices.size());
    if (first >= replay.hashes.size() && first >= reference.hashes.size()) {
      return give_up("the re-runs' states do not differ before icount " + std::to_string(divergence.checkpoint_icount));
    }
    Point point;
    RunResult steps;
    uint64_t icount = divergence.checkpoint_icount;
    bool between = true;
    if (first / 2 >= slices) {
      point.at_end = true;  // after the last slice's end processing
    } else {
      point.slice = first / 2;
      icount = replay.slices[point.slice].first;
      if (first % 2 == 1) {
        point.watch_memory = replay.memory_hashes[first] != reference.memory_hashes[first];
        // 2. Instructions of the first slice whose instructions made a difference.
        // The replay run second, comparing as it goes: it captures its state
        // at the first differing instruction, which spares one re-run.
        RunResult reference_steps = rerun(true, Watch::Instructions, point);
        if (reference_steps.timed_out) return timed_out();
        steps = rerun(false, Watch::Instructions, point, &reference_steps.hashes);
        if (steps.timed_out || reference_steps.timed_out) return timed_out();
        const size_t step = first_difference(steps.hashes, reference_steps.hashes);
        if (step >= steps.hashes.size() && step >= reference_steps.hashes.size()) {
          return give_up("the first differing slice is hart" + std::to_string(replay.slices[point.slice].second) +
                         "'s from icount " + std::to_string(icount) +
                         ", but run one instruction at a time it does not differ (the difference needs the JIT's "
                         "multi-instruction or chained blocks)");
        }
        point.step = step + 1;
        icount += step;
        between = false;
      }
    }

    // 3. Capture both states there and name what differs.
    RunResult at = steps.capture ? std::move(steps) : rerun(false, Watch::Capture, point);
    RunResult reference_at = rerun(true, Watch::Capture, point);
    if (at.timed_out || reference_at.timed_out) return timed_out();
    if (!at.capture || !reference_at.capture) return give_up("a re-run did not reach icount " + std::to_string(icount));
    const std::vector<replay::StateComponent>& mine = at.capture->components;
    const std::vector<replay::StateComponent>& theirs = reference_at.capture->components;
    if (mine.size() != theirs.size()) return give_up("the re-runs' states have different layouts");
    for (size_t i = 0; i < mine.size(); ++i) {
      if (mine[i].hash != theirs[i].hash) narrowed.components.push_back(mine[i].name);
      if (mine[i].hash != theirs[i].hash && narrowed.components.size() == 1 && mine[i].value && theirs[i].value) {
        narrowed.reference_value = hex(*theirs[i].value);
        narrowed.replay_value = hex(*mine[i].value);
      }
    }
    if (narrowed.components.empty()) return give_up("the re-runs do not differ at icount " + std::to_string(icount) + " the second time");
    narrowed.narrowed = true;
    narrowed.icount = icount;
    narrowed.between_instructions = between;
    narrowed.hart = reference_at.capture->hart;
    if (!between) {
      narrowed.pc = reference_at.capture->pc;
      narrowed.disassembly = riscv::disassemble(riscv::decode(reference_at.capture->bits), narrowed.pc);
    }
    narrowed.elapsed = Clock::now() - began;
    return narrowed;
  } catch (const std::exception& error) {
    return give_up(std::string("a re-run failed: ") + error.what());
  }
}

}  // namespace emu::virt

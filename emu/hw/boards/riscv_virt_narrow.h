// Narrowing a replay divergence to the first instruction at which the state
// differs (docs/replay.md, "Narrowing"). A replay log holds only checkpoint
// hashes, so the recorded run has no per-instruction data to compare with:
// the narrower re-runs the log twice in the same process, on fresh headless
// boards built from the same options - the run as it diverged (same engine,
// same test injection) and a reference (the interpreter, no injection) - and
// compares the two. Every re-run starts from the command line's machine and
// is driven by the log's inputs exactly as the replay was, so both reproduce
// the recorded slices; each compares the state only where the guest cannot
// tell (a slice is equivalent to its instructions one at a time, docs/replay.md).
//
//   1. Slices: both runs go to the diverging checkpoint; from the last
//      matching one on, the state is hashed before and after each slice's
//      instructions. The reference must match the recording at both
//      checkpoints (its own replay checks them), or narrowing gives up.
//   2. Instructions: both runs go to the first slice whose hashes differ and
//      run it one instruction at a time, hashing after each.
//   3. Capture: both runs go to that instruction (or slice boundary) and
//      hash every component (each register and CSR, each 4 KiB page, each
//      device) to name what differs and, for registers, both values.
// Each run stops at the diverging checkpoint at the latest; the whole
// narrowing stops at a time limit with a message saying so.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "emu/hw/boards/riscv_virt.h"

namespace emu::virt {

// Watches a board's slices (set_slice_observer; narrowing re-runs only).
class SliceObserver {
 public:
  virtual ~SliceObserver() = default;
  // Hart `hart` is about to run a slice of at most `budget` instructions
  // from icount `start`. True: run it one instruction at a time, calling
  // after_instruction after each.
  virtual bool before_slice(unsigned hart, uint64_t start, uint64_t budget) = 0;
  // `executed` instructions of the stepped slice have run. False: abandon
  // the slice here (the observer ends the run).
  virtual bool after_instruction(unsigned hart, uint64_t executed) = 0;
  // The slice's instructions have run; its end processing (device events,
  // inputs) comes next.
  virtual void after_slice(unsigned hart, uint64_t start, uint64_t used) = 0;
};

struct DivergenceToNarrow {
  uint64_t last_match_icount = 0;  // the last checkpoint whose hash matched (0: the start)
  uint64_t checkpoint_icount = 0;  // the checkpoint whose hash differed
  std::chrono::steady_clock::duration time_limit = std::chrono::seconds(120);
};

struct NarrowedDivergence {
  bool narrowed = false;
  std::string failure;  // !narrowed: why, one line

  // The state first differs after the instruction at `icount` (executed by
  // `hart` at `pc`), or, if `between_instructions`, right before `icount`
  // (the slice-end processing of device events and inputs made it differ).
  uint64_t icount = 0;
  bool between_instructions = false;
  unsigned hart = 0;
  uint64_t pc = 0;
  std::string disassembly;
  std::vector<std::string> components;  // every differing component, in state order
  // The first one's values when it is a register or CSR: "0x..." each, else "".
  std::string reference_value;
  std::string replay_value;

  unsigned reruns = 0;  // re-runs of the log it took
  std::chrono::steady_clock::duration elapsed{};

  // One line for the report after "emu-system-riscv64: ".
  std::string describe() const;
};

// `config` is the replaying board's configuration (chardevs, monitors and
// signals are dropped; the engine and x-rrinject are kept for the re-run).
NarrowedDivergence narrow_divergence(const BoardConfig& config, const DivergenceToNarrow& divergence);

}  // namespace emu::virt

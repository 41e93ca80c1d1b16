// How a run takes part in record/replay (-icount ...,rr=record|replay,
// rrfile=FILE; docs/replay.md). The board owns the driver; this is its
// configuration, filled by main from the command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace emu::replay {

enum class Mode { None, Record, Replay };

struct RecordReplayConfig {
  Mode mode = Mode::None;
  std::string path;
  uint64_t checkpoint_interval = 20'000'000;  // instructions; 0: no periodic checkpoints
  // Test only (replay): flip bit 0 of hart 0's x<inject_register>, or of the
  // guest RAM byte at inject_address, right after the instruction at this icount.
  std::optional<uint64_t> inject_icount;
  unsigned inject_register = 5;
  std::optional<uint64_t> inject_address;
  // Narrowing re-runs (riscv_virt_narrow.h): print nothing, and stop at the
  // first round end at or after stop_icount.
  bool quiet = false;
  std::optional<uint64_t> stop_icount;
  // What a replay does at the end of its log (rrend=): exit (compare and
  // exit), stop (compare, pause the VM; cont goes on live) or live (compare
  // and go on with the host's inputs connected again, no log).
  enum class EndAction { Exit, Stop, Live };
  EndAction at_end = EndAction::Exit;
  // rrimages=warn: an image that differs from the recorded one is a warning,
  // not an error (the replay will likely diverge where the guest reads it).
  bool allow_changed_images = false;
  std::vector<std::string> args;              // the command line for the log header (record)
  std::string emu_version;
};

// Where in the machine loop an input was delivered: a replay must deliver
// it at the same place, not only at the same icount (with several harts the
// end of one hart's slice and the end of the round share an icount).
enum class DeliverySite : uint8_t { Start = 1, Slice = 2, Poll = 3, Idle = 4 };

}  // namespace emu::replay

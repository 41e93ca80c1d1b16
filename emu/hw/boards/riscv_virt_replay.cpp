// The virt board's record/replay side, kept apart from the machine loop in
// riscv_virt.cpp: state hashing, and the recorder/replayer the loop calls at
// fixed places (docs/replay.md).
//
// Record: every input the InputQueue delivers is logged with its icount and
// delivery site; at the first round end at or after each multiple of the
// checkpoint interval the state hash (with its summary breakdown) is logged;
// the end record holds the final icount and hash.
// Replay: host inputs are dropped (serial bytes, wall clock, entropy, monitor
// commands that touch the guest); each logged input is queued at the same
// icount and site and delivered there; each checkpoint is compared, and the
// first mismatch stops the run naming the first differing component.
#include "emu/hw/boards/riscv_virt.h"

#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

#include "emu/hw/loader/elf_loader.h"
#include "emu/hw/virtio/entropy_source.h"
#include "emu/monitor/monitor_hub.h"
#include "emu/replay/replay_log.h"

#include "emu/hw/clint.h"
#include "emu/hw/goldfish_rtc.h"
#include "emu/hw/plic.h"
#include "emu/hw/sifive_test.h"
#include "emu/hw/uart16550.h"
#include "emu/hw/virtio/virtio_mmio.h"
#include "emu/hw/boards/riscv_virt_memory_map.h"
#include "emu/hw/boards/riscv_virt_narrow.h"
#include "emu/replay/state_hash.h"

namespace emu::virt {

struct RiscvVirtBoard::RecordReplay {
  replay::RecordReplayConfig config;
  // Record.
  std::unique_ptr<replay::LogWriter> writer;
  uint64_t next_checkpoint = 0;  // UINT64_MAX: none
  // Replay.
  replay::ReplayLog log;
  size_t cursor = 0;  // next entry of log.entries
  size_t checkpoints_matched = 0;
  uint64_t last_match_icount = 0;  // the last checkpoint that matched (0: the start)
  std::string divergent_component;
  std::optional<uint64_t> breakpoint;
  bool seeking = false;  // the breakpoint came from replay-seek
  bool diverged = false;
  bool finished = false;      // the end of the log was compared (REPLAY_END sent)
  bool end_matched = true;    // ... and matched
  bool live = false;          // rrend=stop|live: past the end of the log, the host drives the guest again
  uint64_t divergence_icount = 0;
  std::string divergence_what;  // "hart0.x5 differs", ...
  bool hash_mismatch = false;   // the divergence is a checkpoint hash mismatch (narrowed)

  void message(const std::string& text) const;
  void diverge(uint64_t icount, std::string what) {
    diverged = true;
    divergence_icount = icount;
    divergence_what = std::move(what);
    message("replay diverged at icount " + std::to_string(icount) + ": " + divergence_what);
  }
};

namespace {

void replay_message(const std::string& text) { std::fprintf(stderr, "emu-system-riscv64: %s\n", text.c_str()); }

// XXH3 of a whole file, read in pieces.
uint64_t hash_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw LoadError(path + ": cannot read (for the replay log's image hash)");
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  std::vector<uint8_t> buffer(1 << 20);
  for (;;) {
    ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got <= 0) break;
    XXH3_64bits_update(state, buffer.data(), static_cast<size_t>(got));
  }
  ::close(fd);
  uint64_t hash = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return hash;
}

}  // namespace

void RiscvVirtBoard::hash_state(replay::StateHasher& hasher, bool with_memory, bool read_every_page) const {
  for (const auto& hart : harts_) hasher.add_hart(*hart);
  if (with_memory && read_every_page) hasher.add_memory(bus_);
  if (with_memory && !read_every_page) hasher.add_memory(bus_, memory_hashes_);
  hasher.add_device("clint", *clint_);
  hasher.add_device("plic", *plic_);
  hasher.add_device("serial", *uart_);
  hasher.add_device("goldfish_rtc", *rtc_);
  hasher.add_device("sifive_test", *test_);
  for (size_t slot = 0; slot < virtio_slots_.size(); ++slot) {
    hasher.add_device("virtio-mmio" + std::to_string(slot), *virtio_slots_[slot]);
  }
  hasher.add_u64("clock.icount", clock_.icount());
}

uint64_t RiscvVirtBoard::state_hash() const {
  replay::StateHasher hasher;
  hash_state(hasher);
  return hasher.machine_hash();
}

bool RiscvVirtBoard::state_hash(uint64_t& icount, uint64_t& hash, bool full) const {
  icount = clock_.icount();
  replay::StateHasher hasher;
  hash_state(hasher, true, full);
  hash = hasher.machine_hash();
  return true;
}

}  // namespace emu::virt

namespace emu::virt {

void RiscvVirtBoard::RecordReplayDeleter::operator()(RecordReplay* state) const { delete state; }

void RiscvVirtBoard::RecordReplay::message(const std::string& text) const {
  if (!config.quiet) replay_message(text);  // a narrowing re-run is silent
}

std::optional<RiscvVirtBoard::ReplayDivergence> RiscvVirtBoard::replay_divergence() const {
  if (!replaying() || !rr_->diverged) return std::nullopt;
  return ReplayDivergence{rr_->divergence_icount, rr_->divergence_what};
}

bool RiscvVirtBoard::replaying() const { return rr_ && rr_->config.mode == replay::Mode::Replay && !rr_->live; }

void RiscvVirtBoard::start_record_replay() {
  if (config_.record_replay.mode == replay::Mode::None) return;
  rr_.reset(new RecordReplay());
  rr_->config = config_.record_replay;
  const replay::RecordReplayConfig& rr = rr_->config;

  // What the guest reads from the host's files, and the machine they run on.
  std::vector<replay::ImageDigest> images;
  if (config_.firmware != BoardConfig::Firmware::None) {
    const std::string path = config_.firmware == BoardConfig::Firmware::Default ? kDefaultFirmwarePath : config_.firmware_path;
    images.push_back({"firmware", path, hash_file(path)});
  }
  if (!config_.kernel_path.empty()) images.push_back({"kernel", config_.kernel_path, hash_file(config_.kernel_path)});
  if (!config_.initrd_path.empty()) images.push_back({"initrd", config_.initrd_path, hash_file(config_.initrd_path)});
  if (!config_.dtb_path.empty()) images.push_back({"dtb", config_.dtb_path, hash_file(config_.dtb_path)});
  for (const VirtioDeviceConfig& device : config_.virtio_devices) {
    if (device.kind == VirtioDeviceConfig::Kind::Block) {
      images.push_back({"drive:" + device.drive_id, device.file, hash_file(device.file)});
    }
  }
  std::string machine = "virt harts=" + std::to_string(config_.harts) + " ram=" + std::to_string(config_.ram_size) +
                        " quantum=" + std::to_string(config_.quantum) + " append=\"" + config_.append + "\" virtio=";
  for (const VirtioDeviceConfig& device : config_.virtio_devices) {
    machine += device.kind == VirtioDeviceConfig::Kind::Block ? "blk," : "rng,";
  }

  if (rr.mode == replay::Mode::Record) {
    replay::LogHeader header;
    header.emu_version = rr.emu_version;
    header.args = rr.args;
    header.machine = machine;
    header.icount_shift = config_.icount_shift;
    header.checkpoint_interval = rr.checkpoint_interval;
    header.images = std::move(images);
    try {
      rr_->writer = std::make_unique<replay::LogWriter>(rr.path, header);
    } catch (const replay::LogError& error) {
      throw LoadError(std::string("record: ") + error.what());
    }
    rr_->next_checkpoint = rr.checkpoint_interval == 0 ? UINT64_MAX : rr.checkpoint_interval;
    inputs_.set_observer([this](const Input& input) {
      rr_->writer->input(input, static_cast<uint8_t>(delivery_site_));
    });
    return;
  }

  try {
    rr_->log = replay::read_log(rr.path);
  } catch (const replay::LogError& error) {
    throw LoadError(std::string("replay: ") + error.what());
  }
  const replay::LogHeader& header = rr_->log.header;
  if (header.machine != machine) {
    throw LoadError("replay: " + rr.path + " was recorded on a different machine (recorded: " + header.machine +
                    "; now: " + machine + ")");
  }
  if (header.icount_shift != config_.icount_shift) {
    throw LoadError("replay: " + rr.path + " was recorded with -icount shift=" + std::to_string(header.icount_shift));
  }
  for (const replay::ImageDigest& recorded : header.images) {
    auto now = std::find_if(images.begin(), images.end(), [&](const auto& image) { return image.role == recorded.role; });
    if (now == images.end()) throw LoadError("replay: the recording used a " + recorded.role + " image (" + recorded.path + ") that this command line lacks");
    if (now->hash != recorded.hash) {
      if (rr.allow_changed_images) {
        replay_message("warning: replay: " + recorded.role + " image " + now->path + " differs from the recorded one (" +
                       recorded.path + "); replaying anyway (rrimages=warn)");
        continue;
      }
      throw LoadError("replay: " + recorded.role + " image " + now->path + " differs from the recorded one (" + recorded.path +
                      ", xxh3 " + replay::hash_hex(recorded.hash) + ", now " + replay::hash_hex(now->hash) + ")");
    }
  }
  if (images.size() != header.images.size()) throw LoadError("replay: this command line loads images the recording did not");
  for (auto& source : entropy_sources_) source->set_host_reads_enabled(false);
}

void RiscvVirtBoard::replay_feed(replay::DeliverySite site) {
  if (!replaying() || rr_->diverged) return;
  const uint64_t now = clock_.icount();
  std::vector<replay::LogEntry>& entries = rr_->log.entries;
  // In log order: an input logged after a checkpoint at the same icount was
  // delivered after the recorder hashed the state there, so it waits until
  // the replay has checked that checkpoint.
  for (size_t i = rr_->cursor; i < entries.size() && entries[i].icount() <= now; ++i) {
    if (entries[i].type != replay::RecordType::Input) break;
    if (entries[i].site != static_cast<uint8_t>(site)) continue;
    // A consumed input is marked by clearing its site; the cursor skips them.
    entries[i].site = 0;
    inputs_.push(now, entries[i].input.kind, entries[i].input.target, entries[i].input.payload);
  }
  while (rr_->cursor < entries.size() && entries[rr_->cursor].type == replay::RecordType::Input &&
         entries[rr_->cursor].site == 0) {
    ++rr_->cursor;
  }
}

bool RiscvVirtBoard::replay_poll_due() const {
  if (!replaying() || rr_->diverged) return false;
  const uint64_t now = clock_.icount();
  for (size_t i = rr_->cursor; i < rr_->log.entries.size() && rr_->log.entries[i].icount() <= now; ++i) {
    const replay::LogEntry& entry = rr_->log.entries[i];
    if (entry.type != replay::RecordType::Input) break;  // after the checkpoint (replay_feed)
    if (entry.site == static_cast<uint8_t>(replay::DeliverySite::Poll)) return true;
  }
  return false;
}

uint64_t RiscvVirtBoard::replay_next_icount() const {
  if (!replaying()) return UINT64_MAX;
  uint64_t next = rr_->log.end.icount;
  if (rr_->cursor < rr_->log.entries.size()) next = std::min(next, rr_->log.entries[rr_->cursor].icount());
  // Not the breakpoint: ending a slice where the recording did not changes
  // the guest (a device event the guest schedules at or before the current
  // icount fires at the end of the slice), so a replay stops at the first
  // slice boundary at or after a breakpoint, never splitting a slice.
  return next;
}

void RiscvVirtBoard::record_replay_round_end() {
  if (!rr_) return;
  const uint64_t now = clock_.icount();
  if (rr_->config.mode == replay::Mode::Record) {
    // The interval counts executed instructions, not time skipped while every
    // hart waited in WFI: an idle guest skips ~10^11 instructions of virtual
    // time per host second, and checkpoints there would only repeat the clock.
    const uint64_t executed = now - idle_skipped_icount_;
    if (executed < rr_->next_checkpoint) return;
    replay::StateHasher hasher(replay::StateHasher::kSummaryGroupBytes);
    hash_state(hasher);
    replay::Checkpoint checkpoint{now, hasher.machine_hash(), {}};
    for (const replay::StateComponent& component : hasher.components()) checkpoint.components.push_back(component.hash);
    rr_->writer->checkpoint(checkpoint);
    rr_->next_checkpoint = (executed / rr_->config.checkpoint_interval + 1) * rr_->config.checkpoint_interval;
    return;
  }
  if (rr_->diverged || rr_->finished) return;

  std::vector<replay::LogEntry>& entries = rr_->log.entries;
  while (rr_->cursor < entries.size() && entries[rr_->cursor].icount() <= now) {
    const replay::LogEntry& entry = entries[rr_->cursor];
    if (entry.type == replay::RecordType::Input) {
      if (entry.site == 0) {
        ++rr_->cursor;
        continue;
      }
      if (entry.icount() == now) break;  // still due here: the idle path's poll delivers it
      rr_->diverge(now, "an input recorded at icount " + std::to_string(entry.icount()) +
                            " was not delivered at its place in the machine loop");
      break;
    }
    const replay::Checkpoint& checkpoint = entry.checkpoint;
    if (checkpoint.icount != now) {
      rr_->diverge(now, "the checkpoint recorded at icount " + std::to_string(checkpoint.icount) +
                            " fell inside a slice (the guest took a different path)");
      break;
    }
    replay::StateHasher hasher(replay::StateHasher::kSummaryGroupBytes);
    hash_state(hasher);
    if (hasher.machine_hash() != checkpoint.hash) {
      std::string component = replay::first_difference(hasher.components(), checkpoint.components);
      if (component.empty()) component = "machine state";
      rr_->divergent_component = component;
      rr_->hash_mismatch = true;
      rr_->diverge(now, component + " differs");
      // The rest of the picture: every differing component (the first few),
      // and where the state last matched.
      std::string others;
      size_t count = 0;
      const auto& components = hasher.components();
      for (size_t i = 0; i < components.size() && i < checkpoint.components.size(); ++i) {
        if (components[i].hash == checkpoint.components[i]) continue;
        if (++count <= 8) others += (others.empty() ? "" : ", ") + components[i].name;
      }
      rr_->message("replay: " + std::to_string(count) + " state components differ (" + others + (count > 8 ? ", ..." : "") +
                     "); the state last matched at icount " + std::to_string(rr_->last_match_icount));
      break;
    }
    rr_->last_match_icount = now;
    ++rr_->checkpoints_matched;
    ++rr_->cursor;
  }
  if (rr_->diverged) {
    monitor::Json event{{"icount", now}, {"component", rr_->divergent_component},
                        {"last-match-icount", rr_->last_match_icount}};
    if (rr_->hash_mismatch && !rr_->config.quiet) {
      // Narrow it to the instruction (riscv_virt_narrow.h): the checkpoint
      // report above is already out.
      std::fflush(stderr);
      const NarrowedDivergence narrowed = narrow_divergence(config_, DivergenceToNarrow{rr_->last_match_icount, now});
      rr_->message(narrowed.describe());
      if (narrowed.narrowed) {
        event["instruction-icount"] = narrowed.icount;
        event["instruction-component"] = narrowed.components.front();
        event["instruction-components"] = narrowed.components;
        event["hart"] = narrowed.hart;
        event["pc"] = narrowed.pc;
        event["between-instructions"] = narrowed.between_instructions;
      } else {
        event["narrowing-failure"] = narrowed.failure;
      }
    }
    if (monitors_) monitors_->emit_event("REPLAY_DIVERGED", event);
    exit_status_ = 1;
    stop_ = true;
    return;
  }
  if (rr_->config.stop_icount && now >= *rr_->config.stop_icount) stop_ = true;  // a narrowing re-run's end
  if (rr_->breakpoint && now >= *rr_->breakpoint) {
    rr_->breakpoint.reset();
    rr_->seeking = false;
    stop();
  }
  if (now >= rr_->log.end.icount && rr_->cursor >= entries.size()) {
    // The recording ended here by the host (quit, a signal): so does the
    // replay, unless rrend= asks to go on.
    replay_log_exhausted();
  }
}

void RiscvVirtBoard::replay_log_exhausted() {
  if (rr_->config.at_end == replay::RecordReplayConfig::EndAction::Exit) {
    stop_ = true;
    return;
  }
  compare_replay_end();
  // From here on the guest is driven live: typed bytes, host entropy and
  // monitor commands reach it again, and nothing is compared or logged.
  rr_->live = true;
  for (auto& source : entropy_sources_) source->set_host_reads_enabled(true);
  rr_->message("replay: the log is over; the machine goes on live");
  if (rr_->config.at_end == replay::RecordReplayConfig::EndAction::Stop) stop();
}

void RiscvVirtBoard::replay_blocked() {
  // The recording waited for the host here; with nothing left in the log
  // the replay is over.
  if (rr_->cursor >= rr_->log.entries.size()) {
    replay_log_exhausted();
    return;
  }
  // The next logged input is in the future although the machine is idle
  // with nothing scheduled: the guest took a different path.
  rr_->diverge(clock_.icount(), "the machine is idle but the log has an input at icount " +
                                    std::to_string(rr_->log.entries[rr_->cursor].icount()));
  exit_status_ = 1;
  stop_ = true;
}

int RiscvVirtBoard::record_replay_exit(int status) {
  if (!rr_) return status;
  if (rr_->config.mode == replay::Mode::Record) {
    try {
      rr_->writer->end(replay::LogEnd{clock_.icount(), state_hash(), static_cast<uint64_t>(status)});
    } catch (const replay::LogError& error) {
      rr_->message(std::string("record: ") + error.what());
    }
    return status;
  }
  if (rr_->diverged) return 1;
  if (!rr_->finished) {
    compare_replay_end();
    return rr_->end_matched ? 0 : 1;
  }
  return rr_->end_matched ? status : 1;  // the run went on live after the log (rrend=stop|live)
}

void RiscvVirtBoard::compare_replay_end() {
  rr_->finished = true;
  const uint64_t now = clock_.icount();
  const uint64_t hash = state_hash();
  const replay::LogEnd& end = rr_->log.end;
  std::string problem;
  if (now != end.icount) {
    problem = "stopped at icount " + std::to_string(now) + ", the recording ended at icount " + std::to_string(end.icount);
  } else if (hash != end.hash) {
    problem = "final state hash " + replay::hash_hex(hash) + " differs from the recorded " + replay::hash_hex(end.hash);
  }
  const bool ok = problem.empty();
  if (ok) {
    rr_->message("replay: end of log at icount " + std::to_string(now) + ", " + std::to_string(rr_->checkpoints_matched) +
                 " checkpoints and the final state hash " + replay::hash_hex(hash) + " match the recording");
  } else {
    rr_->message("replay diverged: " + problem);
  }
  if (monitors_) {
    monitors_->emit_event("REPLAY_END", monitor::Json{{"icount", now}, {"hash", replay::hash_hex(hash)}, {"matched", ok}});
  }
  rr_->end_matched = ok;
}

monitor::MachineControl::ReplayInfo RiscvVirtBoard::replay_info() const {
  ReplayInfo info;
  info.icount = clock_.icount();
  if (!rr_ || rr_->live) return info;  // live after the log: no record/replay any more
  info.mode = rr_->config.mode == replay::Mode::Record ? "record" : "play";
  info.filename = rr_->config.path;
  return info;
}

bool RiscvVirtBoard::replay_break(uint64_t icount, std::string& error) {
  if (!replaying()) {
    error = "replay breakpoints can only be set in replay mode";
    return false;
  }
  if (icount <= clock_.icount()) {
    error = "cannot set a replay breakpoint at icount " + std::to_string(icount) + ": execution is at " +
            std::to_string(clock_.icount());
    return false;
  }
  rr_->breakpoint = icount;
  rr_->seeking = false;
  return true;
}

bool RiscvVirtBoard::replay_delete_break(std::string& error) {
  if (!replaying()) {
    error = "replay breakpoints can only be deleted in replay mode";
    return false;
  }
  rr_->breakpoint.reset();
  return true;
}

bool RiscvVirtBoard::replay_seek(uint64_t icount, std::string& error) {
  if (!replaying()) {
    error = "replay_seek works only in replay mode";
    return false;
  }
  if (icount < clock_.icount()) {
    error = "replay_seek goes forward only: execution is at icount " + std::to_string(clock_.icount());
    return false;
  }
  if (icount == clock_.icount()) {
    stop();
    return true;
  }
  rr_->breakpoint = icount;
  rr_->seeking = true;
  if (run_state_ != monitor::RunState::Running) {
    std::string ignored;
    cont(ignored);
  }
  return true;
}

}  // namespace emu::virt

// The record/replay log (docs/replay.md has the byte-level description).
//
//   file    = file-header chunk*
//   file-header (16 bytes) = "EMURRLOG" u32 format-version u32 zero
//   chunk   = u32 "RRCK" | u32 sequence | u32 payload-length | u32 zero
//             | u64 XXH3-64(sequence .. payload) | payload
//   payload = record*     (a record never spans chunks)
//   record  = u8 type, then the type's fields (varints are unsigned LEB128):
//     Header (1)     str emu-version, varint argc, str* args, str machine,
//                    varint icount-shift, varint checkpoint-interval,
//                    varint image-count, (str role, str path, u64 xxh3)*
//     Input (2)      varint icount, u8 kind, varint target, u8 site, bytes payload
//     Checkpoint (3) varint icount, u64 hash, varint n, u64 component*n
//     End (4)        varint icount, u64 hash, varint exit-status
//     CheckpointDelta (5, version 2)
//                    varint icount, u64 hash, varint n, varint changed,
//                    (varint gap, u64 component)*changed
//     A delta lists only the components that differ from the previous
//     checkpoint record (full or delta, same n); gap counts the unchanged
//     components skipped since the last listed one. An idle guest changes a
//     few dozen of its ~400 components per checkpoint, so this keeps the
//     log small (docs/replay.md has figures).
//   str/bytes = varint length, then the bytes
// All integers little-endian. The header record is the first record of
// chunk 0; the end record is the last record of the last chunk.
//
// The writer flushes a chunk (one write(2) call) whenever the caller asks
// (each checkpoint, the end) or the chunk grows past kChunkTarget, so a crash
// loses at most the chunk being filled. The reader trusts nothing: every
// length is bounded, and any damage is one LogError naming what is wrong and
// where (chunk number, file offset).
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "emu/core/input_queue.h"

namespace emu::replay {

inline constexpr char kLogMagic[8] = {'E', 'M', 'U', 'R', 'R', 'L', 'O', 'G'};
inline constexpr uint32_t kChunkMagic = 0x4b435252;  // "RRCK" little-endian
inline constexpr uint32_t kLogFormatVersion = 2;        // what the writer produces
inline constexpr uint32_t kOldestReadableLogVersion = 1;  // version 1: no CheckpointDelta records
inline constexpr size_t kFileHeaderBytes = 16;
inline constexpr size_t kChunkHeaderBytes = 24;
inline constexpr size_t kChunkTarget = 64 * 1024;          // flush when a chunk grows past this
inline constexpr size_t kMaxChunkPayload = 16 * 1024 * 1024;  // the reader refuses larger chunks
inline constexpr size_t kMaxComponents = 1 << 20;

class LogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ImageDigest {
  std::string role;  // firmware, kernel, initrd, dtb, drive:<id>
  std::string path;
  uint64_t hash = 0;
  bool operator==(const ImageDigest&) const = default;
};

struct LogHeader {
  std::string emu_version;
  std::vector<std::string> args;  // the command line without argv[0] and without rr=/rrfile=
  std::string machine;            // one-line machine configuration summary
  uint64_t icount_shift = 0;
  uint64_t checkpoint_interval = 0;  // 0: no periodic checkpoints
  std::vector<ImageDigest> images;
  bool operator==(const LogHeader&) const = default;
};

struct Checkpoint {
  uint64_t icount = 0;
  uint64_t hash = 0;
  std::vector<uint64_t> components;  // StateHasher summary, in its order
  bool operator==(const Checkpoint&) const = default;
};

struct LogEnd {
  uint64_t icount = 0;
  uint64_t hash = 0;
  uint64_t exit_status = 0;
  bool operator==(const LogEnd&) const = default;
};

// CheckpointDelta exists only in the file; the reader turns it into a
// Checkpoint entry with every component filled in.
enum class RecordType : uint8_t { Header = 1, Input = 2, Checkpoint = 3, End = 4, CheckpointDelta = 5 };

struct LogEntry {
  RecordType type = RecordType::Input;
  Input input;            // RecordType::Input
  uint8_t site = 0;       // RecordType::Input: a DeliverySite (record_replay.h)
  Checkpoint checkpoint;  // RecordType::Checkpoint
  uint64_t icount() const { return type == RecordType::Input ? input.icount : checkpoint.icount; }
};

// A whole log, parsed and checked.
struct ReplayLog {
  LogHeader header;
  std::vector<LogEntry> entries;  // inputs and checkpoints in icount order
  LogEnd end;
  uint32_t format_version = 0;
  size_t chunks = 0;
  size_t bytes = 0;
};

// Throws LogError. The path only decorates messages.
ReplayLog parse_log(std::span<const uint8_t> bytes, const std::string& path = "log");
ReplayLog read_log(const std::string& path);

// Appends records to a log file. Errors (disk full) throw LogError.
class LogWriter {
 public:
  // Creates/truncates path and writes the file header and the header record.
  LogWriter(const std::string& path, const LogHeader& header);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  void input(const Input& input, uint8_t site);
  void checkpoint(const Checkpoint& checkpoint);
  void end(const LogEnd& end);  // flushes and closes; later calls are ignored
  void flush();                 // writes the pending chunk, if any
  const std::string& path() const { return path_; }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  void maybe_flush();
  std::string path_;
  std::vector<uint64_t> last_components_;  // of the previous checkpoint record (deltas refer to it)
  int fd_ = -1;
  uint32_t sequence_ = 0;
  std::vector<uint8_t> pending_;
  uint64_t bytes_written_ = 0;
};

// Encoding helpers, shared by the writer and the tests that build damaged logs.
std::vector<uint8_t> encode_file_header(uint32_t version = kLogFormatVersion);
std::vector<uint8_t> encode_chunk(uint32_t sequence, std::span<const uint8_t> payload);
void encode_header_record(std::vector<uint8_t>& out, const LogHeader& header);
void encode_input_record(std::vector<uint8_t>& out, const Input& input, uint8_t site);
void encode_checkpoint_record(std::vector<uint8_t>& out, const Checkpoint& checkpoint);
// `previous` must have as many components as `checkpoint`.
void encode_checkpoint_delta_record(std::vector<uint8_t>& out, const Checkpoint& checkpoint,
                                    const std::vector<uint64_t>& previous);
void encode_end_record(std::vector<uint8_t>& out, const LogEnd& end);

}  // namespace emu::replay

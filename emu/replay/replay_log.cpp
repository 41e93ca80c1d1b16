#include "emu/replay/replay_log.h"

#include <xxhash.h>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace emu::replay {
namespace {

void put_u32(std::vector<uint8_t>& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}
void put_u64(std::vector<uint8_t>& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}
void put_varint(std::vector<uint8_t>& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<uint8_t>(value));
}
void put_bytes(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  put_varint(out, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}
void put_string(std::vector<uint8_t>& out, const std::string& text) {
  put_bytes(out, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}
uint32_t get_u32(const uint8_t* in) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | in[i];
  return value;
}
uint64_t get_u64(const uint8_t* in) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | in[i];
  return value;
}

// The checksum covers the chunk header after the magic (sequence, length,
// reserved) and the payload.
uint64_t chunk_checksum(const uint8_t* header_after_magic, std::span<const uint8_t> payload) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  XXH3_64bits_update(state, header_after_magic, 12);
  XXH3_64bits_update(state, payload.data(), payload.size());
  uint64_t hash = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return hash;
}

// Reads the records of one chunk's payload. Errors name the chunk and the
// file offset of the failing record.
class RecordParser {
 public:
  RecordParser(std::span<const uint8_t> payload, size_t chunk, size_t file_offset)
      : data_(payload), chunk_(chunk), base_(file_offset) {}

  bool at_end() const { return position_ == data_.size(); }
  size_t record_offset() const { return base_ + record_start_; }
  void begin_record() { record_start_ = position_; }

  [[noreturn]] void fail(const std::string& what) const {
    throw LogError("chunk " + std::to_string(chunk_) + ": malformed record at offset " +
                   std::to_string(record_offset()) + ": " + what);
  }
  uint8_t u8() {
    if (position_ >= data_.size()) fail("record runs past the end of its chunk");
    return data_[position_++];
  }
  uint64_t u64() {
    if (data_.size() - position_ < 8) fail("record runs past the end of its chunk");
    uint64_t value = get_u64(data_.data() + position_);
    position_ += 8;
    return value;
  }
  uint64_t varint() {
    uint64_t value = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      uint8_t byte = u8();
      if (shift == 63 && byte > 1) fail("integer overflows 64 bits");
      value |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) return value;
    }
    fail("integer longer than 10 bytes");
  }
  std::vector<uint8_t> bytes() {
    uint64_t length = varint();
    if (length > data_.size() - position_) fail("byte string of " + std::to_string(length) + " bytes runs past the end of its chunk");
    std::vector<uint8_t> out(data_.begin() + static_cast<ptrdiff_t>(position_),
                             data_.begin() + static_cast<ptrdiff_t>(position_ + length));
    position_ += length;
    return out;
  }
  std::string string() {
    std::vector<uint8_t> raw = bytes();
    return std::string(raw.begin(), raw.end());
  }
  // A count of items of at least min_item_bytes each: bounded by what is left.
  uint64_t count(size_t min_item_bytes, const char* what) {
    uint64_t n = varint();
    if (n > (data_.size() - position_) / min_item_bytes) fail(std::string("impossible ") + what + " count " + std::to_string(n));
    return n;
  }

 private:
  std::span<const uint8_t> data_;
  size_t chunk_;
  size_t base_;
  size_t position_ = 0;
  size_t record_start_ = 0;
};

LogHeader parse_header_record(RecordParser& in) {
  LogHeader header;
  header.emu_version = in.string();
  uint64_t argc = in.count(1, "argument");
  for (uint64_t i = 0; i < argc; ++i) header.args.push_back(in.string());
  header.machine = in.string();
  header.icount_shift = in.varint();
  header.checkpoint_interval = in.varint();
  uint64_t images = in.count(10, "image");
  for (uint64_t i = 0; i < images; ++i) {
    ImageDigest image;
    image.role = in.string();
    image.path = in.string();
    image.hash = in.u64();
    header.images.push_back(std::move(image));
  }
  return header;
}

}  // namespace

std::vector<uint8_t> encode_file_header(uint32_t version) {
  std::vector<uint8_t> out(kLogMagic, kLogMagic + 8);
  put_u32(out, version);
  put_u32(out, 0);
  return out;
}

std::vector<uint8_t> encode_chunk(uint32_t sequence, std::span<const uint8_t> payload) {
  std::vector<uint8_t> out;
  out.reserve(kChunkHeaderBytes + payload.size());
  put_u32(out, kChunkMagic);
  put_u32(out, sequence);
  put_u32(out, static_cast<uint32_t>(payload.size()));
  put_u32(out, 0);
  put_u64(out, chunk_checksum(out.data() + 4, payload));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

void encode_header_record(std::vector<uint8_t>& out, const LogHeader& header) {
  out.push_back(static_cast<uint8_t>(RecordType::Header));
  put_string(out, header.emu_version);
  put_varint(out, header.args.size());
  for (const std::string& arg : header.args) put_string(out, arg);
  put_string(out, header.machine);
  put_varint(out, header.icount_shift);
  put_varint(out, header.checkpoint_interval);
  put_varint(out, header.images.size());
  for (const ImageDigest& image : header.images) {
    put_string(out, image.role);
    put_string(out, image.path);
    put_u64(out, image.hash);
  }
}

void encode_input_record(std::vector<uint8_t>& out, const Input& input, uint8_t site) {
  out.push_back(static_cast<uint8_t>(RecordType::Input));
  put_varint(out, input.icount);
  out.push_back(static_cast<uint8_t>(input.kind));
  put_varint(out, input.target);
  out.push_back(site);
  put_bytes(out, input.payload);
}

void encode_checkpoint_record(std::vector<uint8_t>& out, const Checkpoint& checkpoint) {
  out.push_back(static_cast<uint8_t>(RecordType::Checkpoint));
  put_varint(out, checkpoint.icount);
  put_u64(out, checkpoint.hash);
  put_varint(out, checkpoint.components.size());
  for (uint64_t component : checkpoint.components) put_u64(out, component);
}

void encode_checkpoint_delta_record(std::vector<uint8_t>& out, const Checkpoint& checkpoint,
                                    const std::vector<uint64_t>& previous) {
  out.push_back(static_cast<uint8_t>(RecordType::CheckpointDelta));
  put_varint(out, checkpoint.icount);
  put_u64(out, checkpoint.hash);
  put_varint(out, checkpoint.components.size());
  size_t changed = 0;
  for (size_t i = 0; i < checkpoint.components.size(); ++i) changed += checkpoint.components[i] != previous[i];
  put_varint(out, changed);
  size_t next_unlisted = 0;
  for (size_t i = 0; i < checkpoint.components.size(); ++i) {
    if (checkpoint.components[i] == previous[i]) continue;
    put_varint(out, i - next_unlisted);
    put_u64(out, checkpoint.components[i]);
    next_unlisted = i + 1;
  }
}

void encode_end_record(std::vector<uint8_t>& out, const LogEnd& end) {
  out.push_back(static_cast<uint8_t>(RecordType::End));
  put_varint(out, end.icount);
  put_u64(out, end.hash);
  put_varint(out, end.exit_status);
}

ReplayLog parse_log(std::span<const uint8_t> bytes, const std::string& path) {
  const std::string where = path + ": ";
  if (bytes.empty()) throw LogError(where + "empty file, not an emu replay log");
  if (bytes.size() < kFileHeaderBytes || std::memcmp(bytes.data(), kLogMagic, 8) != 0) {
    throw LogError(where + "not an emu replay log (no EMURRLOG signature)");
  }
  const uint32_t version = get_u32(bytes.data() + 8);
  if (version < kOldestReadableLogVersion || version > kLogFormatVersion) {
    throw LogError(where + "unsupported log format version " + std::to_string(version) + " (this emu reads versions " +
                   std::to_string(kOldestReadableLogVersion) + " to " + std::to_string(kLogFormatVersion) + ")");
  }
  if (get_u32(bytes.data() + 12) != 0) throw LogError(where + "damaged file header (reserved field is not zero)");
  ReplayLog log;
  log.bytes = bytes.size();
  log.format_version = version;
  std::vector<uint64_t> previous_components;  // of the last checkpoint record, for deltas
  bool have_checkpoint = false;
  bool have_header = false, have_end = false;
  uint64_t last_icount = 0;
  size_t offset = kFileHeaderBytes;
  size_t chunk = 0;
  while (offset < bytes.size()) {
    const std::string chunk_name = where + "chunk " + std::to_string(chunk) + " at offset " + std::to_string(offset);
    if (have_end) throw LogError(chunk_name + ": data after the end record");
    if (bytes.size() - offset < kChunkHeaderBytes) throw LogError(where + "truncated chunk " + std::to_string(chunk) + " at offset " + std::to_string(offset) + " (header cut short)");
    const uint8_t* head = bytes.data() + offset;
    if (get_u32(head) != kChunkMagic) throw LogError(chunk_name + ": bad chunk signature (damaged log)");
    const uint32_t sequence = get_u32(head + 4);
    const uint32_t length = get_u32(head + 8);
    if (length > kMaxChunkPayload) throw LogError(chunk_name + ": impossible payload length " + std::to_string(length) + " (damaged log)");
    if (bytes.size() - offset - kChunkHeaderBytes < length) {
      throw LogError(where + "truncated chunk " + std::to_string(chunk) + " at offset " + std::to_string(offset) + " (payload of " +
                     std::to_string(length) + " bytes, " + std::to_string(bytes.size() - offset - kChunkHeaderBytes) + " present)");
    }
    std::span<const uint8_t> payload(head + kChunkHeaderBytes, length);
    if (chunk_checksum(head + 4, payload) != get_u64(head + 16)) throw LogError(chunk_name + ": checksum mismatch (damaged log)");
    if (sequence != chunk) throw LogError(chunk_name + ": sequence number " + std::to_string(sequence) + ", expected " + std::to_string(chunk) + " (chunks lost or reordered)");
    if (get_u32(head + 12) != 0) throw LogError(chunk_name + ": reserved field is not zero");

    RecordParser in(payload, chunk, offset + kChunkHeaderBytes);
    while (!in.at_end()) {
      in.begin_record();
      const uint8_t type = in.u8();
      if (!have_header && type != static_cast<uint8_t>(RecordType::Header)) in.fail("the log does not start with a header record");
      if (have_end) in.fail("record after the end record");
      switch (static_cast<RecordType>(type)) {
        case RecordType::Header:
          if (have_header) in.fail("second header record");
          log.header = parse_header_record(in);
          have_header = true;
          break;
        case RecordType::Input: {
          LogEntry entry;
          entry.type = RecordType::Input;
          entry.input.icount = in.varint();
          const uint8_t kind = in.u8();
          if (kind < 1 || kind > 4) in.fail("unknown input kind " + std::to_string(kind));
          entry.input.kind = static_cast<InputKind>(kind);
          const uint64_t target = in.varint();
          if (target > UINT32_MAX) in.fail("input target out of range");
          entry.input.target = static_cast<uint32_t>(target);
          entry.site = in.u8();
          if (entry.site < 1 || entry.site > 4) in.fail("unknown delivery site " + std::to_string(entry.site));
          entry.input.payload = in.bytes();
          if (entry.input.icount < last_icount) in.fail("icount goes backwards");
          last_icount = entry.input.icount;
          log.entries.push_back(std::move(entry));
          break;
        }
        case RecordType::Checkpoint: {
          LogEntry entry;
          entry.type = RecordType::Checkpoint;
          entry.checkpoint.icount = in.varint();
          entry.checkpoint.hash = in.u64();
          const uint64_t n = in.count(8, "component");
          if (n > kMaxComponents) in.fail("too many components");
          entry.checkpoint.components.reserve(n);
          for (uint64_t i = 0; i < n; ++i) entry.checkpoint.components.push_back(in.u64());
          if (entry.checkpoint.icount < last_icount) in.fail("icount goes backwards");
          last_icount = entry.checkpoint.icount;
          previous_components = entry.checkpoint.components;
          have_checkpoint = true;
          log.entries.push_back(std::move(entry));
          break;
        }
        case RecordType::CheckpointDelta: {
          if (version < 2) in.fail("checkpoint delta record in a version " + std::to_string(version) + " log");
          if (!have_checkpoint) in.fail("checkpoint delta without a checkpoint before it");
          LogEntry entry;
          entry.type = RecordType::Checkpoint;
          entry.checkpoint.icount = in.varint();
          entry.checkpoint.hash = in.u64();
          const uint64_t n = in.varint();
          if (n != previous_components.size()) {
            in.fail("checkpoint delta over " + std::to_string(n) + " components, the previous checkpoint has " +
                    std::to_string(previous_components.size()));
          }
          entry.checkpoint.components = previous_components;
          const uint64_t changed = in.count(9, "changed component");
          uint64_t index = 0;
          for (uint64_t i = 0; i < changed; ++i) {
            const uint64_t gap = in.varint();
            if (gap >= n - index) in.fail("checkpoint delta component index past the last component");
            index += gap;
            entry.checkpoint.components[index] = in.u64();
            ++index;
          }
          if (entry.checkpoint.icount < last_icount) in.fail("icount goes backwards");
          last_icount = entry.checkpoint.icount;
          previous_components = entry.checkpoint.components;
          have_checkpoint = true;
          log.entries.push_back(std::move(entry));
          break;
        }
        case RecordType::End:
          log.end.icount = in.varint();
          log.end.hash = in.u64();
          log.end.exit_status = in.varint();
          if (log.end.icount < last_icount) in.fail("icount goes backwards");
          have_end = true;
          break;
        default:
          in.fail("unknown record type " + std::to_string(type));
      }
    }
    offset += kChunkHeaderBytes + length;
    ++chunk;
  }
  log.chunks = chunk;
  if (!have_header) throw LogError(where + "no header record (the log holds no chunks)");
  if (!have_end) {
    throw LogError(where + "no end record: the recording was cut short after chunk " + std::to_string(chunk - 1) +
                   " (icount " + std::to_string(last_icount) + ")");
  }
  return log;
}

ReplayLog read_log(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw LogError(path + ": cannot open replay log: " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw LogError(path + ": not a regular file");
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(info.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t got = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    done += static_cast<size_t>(got);
  }
  ::close(fd);
  bytes.resize(done);
  return parse_log(bytes, path);
}

LogWriter::LogWriter(const std::string& path, const LogHeader& header) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw LogError(path + ": cannot create replay log: " + std::strerror(errno));
  std::vector<uint8_t> file_header = encode_file_header();
  pending_.clear();
  encode_header_record(pending_, header);
  std::vector<uint8_t> first = encode_chunk(sequence_++, pending_);
  pending_.clear();
  file_header.insert(file_header.end(), first.begin(), first.end());
  size_t done = 0;
  while (done < file_header.size()) {
    ssize_t wrote = ::write(fd_, file_header.data() + done, file_header.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) throw LogError(path_ + ": cannot write replay log: " + std::strerror(errno));
    done += static_cast<size_t>(wrote);
  }
  bytes_written_ = done;
}

LogWriter::~LogWriter() {
  if (fd_ >= 0) {
    try {
      flush();
    } catch (const LogError&) {
    }
    ::close(fd_);
  }
}

void LogWriter::input(const Input& input, uint8_t site) {
  if (fd_ < 0) return;
  encode_input_record(pending_, input, site);
  maybe_flush();
}

void LogWriter::checkpoint(const Checkpoint& checkpoint) {
  if (fd_ < 0) return;
  if (last_components_.size() == checkpoint.components.size() && !last_components_.empty()) {
    encode_checkpoint_delta_record(pending_, checkpoint, last_components_);
  } else {
    encode_checkpoint_record(pending_, checkpoint);
  }
  last_components_ = checkpoint.components;
  flush();
}

void LogWriter::end(const LogEnd& end) {
  if (fd_ < 0) return;
  encode_end_record(pending_, end);
  flush();
  ::close(fd_);
  fd_ = -1;
}

void LogWriter::maybe_flush() {
  if (pending_.size() >= kChunkTarget) flush();
}

void LogWriter::flush() {
  if (fd_ < 0 || pending_.empty()) return;
  std::vector<uint8_t> chunk = encode_chunk(sequence_++, pending_);
  pending_.clear();
  size_t done = 0;
  while (done < chunk.size()) {
    ssize_t wrote = ::write(fd_, chunk.data() + done, chunk.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) throw LogError(path_ + ": cannot write replay log: " + std::strerror(errno));
    done += static_cast<size_t>(wrote);
  }
  bytes_written_ += done;
}

}  // namespace emu::replay

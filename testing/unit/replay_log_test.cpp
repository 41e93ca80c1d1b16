// The replay log format (emu/replay/replay_log.h): a written log reads back
// exactly, and every kind of damage gives one LogError naming the problem,
// never a crash or a hang.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "emu/replay/record_replay.h"
#include "emu/replay/replay_log.h"
#include "emu/replay/state_hash.h"

namespace emu::replay {
namespace {

std::string temp_path(const std::string& name) {
  return (testing::TempDir().empty() ? std::string("/tmp/") : testing::TempDir()) + "replay_log_test_" +
         std::to_string(::getpid()) + "_" + name;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

LogHeader sample_header() {
  LogHeader header;
  header.emu_version = "0.1.0";
  header.args = {"-M", "virt", "-kernel", "Image", "-icount", "shift=0"};
  header.machine = "virt harts=1 ram=268435456";
  header.icount_shift = 0;
  header.checkpoint_interval = 1000;
  header.images = {{"kernel", "Image", 0x0123456789abcdefull}, {"initrd", "initramfs.cpio", 42}};
  return header;
}

// Writes a log with `inputs` serial inputs (some large enough to span
// several chunks) and a checkpoint every 10 of them.
std::string write_sample(const std::string& name, int inputs, std::vector<Input>* written = nullptr) {
  const std::string path = temp_path(name);
  LogWriter writer(path, sample_header());
  for (int i = 0; i < inputs; ++i) {
    Input input{static_cast<uint64_t>(i) * 1000, i % 3 == 0 ? InputKind::Entropy : InputKind::SerialBytes,
                static_cast<uint32_t>(i % 2), std::vector<uint8_t>(static_cast<size_t>(i % 7 == 0 ? 20000 : i % 5), uint8_t(i))};
    writer.input(input, static_cast<uint8_t>(DeliverySite::Poll));
    if (written) written->push_back(input);
    if (i % 10 == 9) writer.checkpoint(Checkpoint{input.icount, uint64_t(i) * 77, {1, 2, uint64_t(i)}});
  }
  writer.end(LogEnd{uint64_t(inputs) * 1000, 0xfeedull, 0});
  return path;
}

std::string error_of(const std::vector<uint8_t>& bytes) {
  try {
    parse_log(bytes, "x.log");
  } catch (const LogError& error) {
    return error.what();
  }
  return "";
}

TEST(ReplayLog, RoundTrip) {
  std::vector<Input> written;
  const std::string path = write_sample("roundtrip", 60, &written);
  ReplayLog log = read_log(path);
  EXPECT_EQ(log.header, sample_header());
  std::vector<Input> inputs;
  size_t checkpoints = 0;
  for (const LogEntry& entry : log.entries) {
    if (entry.type == RecordType::Input) {
      inputs.push_back(entry.input);
      EXPECT_EQ(entry.site, static_cast<uint8_t>(DeliverySite::Poll));
    } else {
      ++checkpoints;
      EXPECT_EQ(entry.checkpoint.components.size(), 3u);
    }
  }
  ASSERT_EQ(inputs.size(), written.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(inputs[i].icount, written[i].icount);
    EXPECT_EQ(inputs[i].kind, written[i].kind);
    EXPECT_EQ(inputs[i].target, written[i].target);
    EXPECT_EQ(inputs[i].payload, written[i].payload);
  }
  EXPECT_EQ(checkpoints, 6u);
  EXPECT_EQ(log.end, (LogEnd{60000, 0xfeed, 0}));
  EXPECT_GT(log.chunks, 2u);  // the big inputs forced chunk flushes
  std::remove(path.c_str());
}

TEST(ReplayLog, EmptyAndMissingFiles) {
  EXPECT_EQ(error_of({}), "x.log: empty file, not an emu replay log");
  try {
    read_log(temp_path("does-not-exist"));
    FAIL() << "no error";
  } catch (const LogError& error) {
    EXPECT_NE(std::string(error.what()).find("cannot open replay log: No such file or directory"), std::string::npos);
  }
}

TEST(ReplayLog, NotALogAndWrongVersion) {
  std::vector<uint8_t> text(100, 'a');
  EXPECT_EQ(error_of(text), "x.log: not an emu replay log (no EMURRLOG signature)");
  const std::string path = write_sample("version", 5);
  std::vector<uint8_t> bytes = read_file(path);
  bytes[8] = 9;
  EXPECT_EQ(error_of(bytes), "x.log: unsupported log format version 9 (this emu reads versions 1 to 2)");
  bytes[8] = 0;
  EXPECT_EQ(error_of(bytes), "x.log: unsupported log format version 0 (this emu reads versions 1 to 2)");
  std::remove(path.c_str());
}

TEST(ReplayLog, EveryTruncationIsAnError) {
  const std::string path = write_sample("truncate", 30);
  const std::vector<uint8_t> bytes = read_file(path);
  // Every length through the first chunks, then a sample (an ASan build stays quick).
  for (size_t length = 0; length < bytes.size(); length += length < 4096 ? 1 : 61) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(length));
    const std::string error = error_of(cut);
    ASSERT_FALSE(error.empty()) << "truncated to " << length << " bytes was accepted";
  }
  // Mid-chunk: named as a truncated chunk.
  std::vector<uint8_t> cut(bytes.begin(), bytes.end() - 3);
  EXPECT_NE(error_of(cut).find("truncated chunk"), std::string::npos) << error_of(cut);
  // At a chunk boundary: the missing end record is named.
  const size_t first_chunk_end = kFileHeaderBytes + kChunkHeaderBytes +
                                 (bytes[kFileHeaderBytes + 8] | bytes[kFileHeaderBytes + 9] << 8 | bytes[kFileHeaderBytes + 10] << 16);
  std::vector<uint8_t> boundary(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(first_chunk_end));
  EXPECT_NE(error_of(boundary).find("no end record: the recording was cut short after chunk 0"), std::string::npos)
      << error_of(boundary);
  std::remove(path.c_str());
}

TEST(ReplayLog, EveryFlippedByteIsAnError) {
  const std::string path = write_sample("flip", 12);
  const std::vector<uint8_t> bytes = read_file(path);
  for (size_t position = 0; position < bytes.size(); ++position) {
    std::vector<uint8_t> damaged = bytes;
    damaged[position] ^= 0x10;
    ASSERT_FALSE(error_of(damaged).empty()) << "flip at " << position << " was accepted";
  }
  std::vector<uint8_t> damaged = bytes;
  damaged[kFileHeaderBytes + kChunkHeaderBytes + 2] ^= 1;  // inside chunk 0's payload
  EXPECT_EQ(error_of(damaged), "x.log: chunk 0 at offset 16: checksum mismatch (damaged log)");
  std::remove(path.c_str());
}

TEST(ReplayLog, ZeroedAndRandomBlocksAreErrors) {
  const std::string path = write_sample("blocks", 80);
  const std::vector<uint8_t> bytes = read_file(path);
  ASSERT_GT(bytes.size(), 4096u * 3);
  std::mt19937 random(2026);
  for (size_t start = 0; start + 512 <= bytes.size(); start += 509) {
    std::vector<uint8_t> zeroed = bytes;
    std::fill(zeroed.begin() + static_cast<ptrdiff_t>(start), zeroed.begin() + static_cast<ptrdiff_t>(start + 512), 0);
    if (zeroed != bytes) {
      ASSERT_FALSE(error_of(zeroed).empty()) << "zeroed block at " << start;
    }
    std::vector<uint8_t> noise = bytes;
    for (size_t i = start; i < start + 512; ++i) noise[i] = static_cast<uint8_t>(random());
    ASSERT_FALSE(error_of(noise).empty()) << "random block at " << start;
  }
  std::remove(path.c_str());
}

TEST(ReplayLog, MalformedRecordsInValidChunksAreNamed) {
  // A well-formed chunk around a bad record: the record parser's errors.
  std::vector<uint8_t> file = encode_file_header();
  std::vector<uint8_t> payload;
  encode_header_record(payload, sample_header());
  payload.push_back(7);  // unknown record type
  std::vector<uint8_t> chunk = encode_chunk(0, payload);
  file.insert(file.end(), chunk.begin(), chunk.end());
  EXPECT_NE(error_of(file).find("unknown record type 7"), std::string::npos) << error_of(file);

  std::vector<uint8_t> backwards = encode_file_header();
  payload.clear();
  encode_header_record(payload, sample_header());
  encode_input_record(payload, Input{500, InputKind::SerialBytes, 0, {1}}, 3);
  encode_input_record(payload, Input{400, InputKind::SerialBytes, 0, {1}}, 3);
  chunk = encode_chunk(0, payload);
  backwards.insert(backwards.end(), chunk.begin(), chunk.end());
  EXPECT_NE(error_of(backwards).find("icount goes backwards"), std::string::npos) << error_of(backwards);

  std::vector<uint8_t> huge_count = encode_file_header();
  payload.clear();
  encode_header_record(payload, sample_header());
  payload.insert(payload.end(), {3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f});  // checkpoint, 2^32-1 components
  chunk = encode_chunk(0, payload);
  huge_count.insert(huge_count.end(), chunk.begin(), chunk.end());
  EXPECT_NE(error_of(huge_count).find("impossible component count"), std::string::npos) << error_of(huge_count);
}

// A log file of one chunk holding the header record, `records` and an end record.
std::vector<uint8_t> one_chunk_log(uint32_t version, const std::vector<uint8_t>& records) {
  std::vector<uint8_t> file = encode_file_header(version);
  std::vector<uint8_t> payload;
  encode_header_record(payload, sample_header());
  payload.insert(payload.end(), records.begin(), records.end());
  encode_end_record(payload, LogEnd{1'000'000, 1, 0});
  std::vector<uint8_t> chunk = encode_chunk(0, payload);
  file.insert(file.end(), chunk.begin(), chunk.end());
  return file;
}

TEST(ReplayLog, VersionOneLogsStillRead) {
  // What a version 1 writer produced: full checkpoint records only.
  std::vector<uint8_t> records;
  encode_checkpoint_record(records, Checkpoint{1000, 5, {1, 2, 3}});
  encode_checkpoint_record(records, Checkpoint{2000, 6, {1, 9, 3}});
  ReplayLog log = parse_log(one_chunk_log(1, records));
  EXPECT_EQ(log.format_version, 1u);
  ASSERT_EQ(log.entries.size(), 2u);
  EXPECT_EQ(log.entries[1].checkpoint, (Checkpoint{2000, 6, {1, 9, 3}}));
  // A delta record is a version 2 feature.
  encode_checkpoint_delta_record(records, Checkpoint{3000, 7, {1, 9, 4}}, {1, 9, 3});
  EXPECT_NE(error_of(one_chunk_log(1, records)).find("checkpoint delta record in a version 1 log"), std::string::npos);
  EXPECT_EQ(parse_log(one_chunk_log(2, records)).entries[2].checkpoint, (Checkpoint{3000, 7, {1, 9, 4}}));
}

TEST(ReplayLog, DeltaCheckpointsAreSmallAndExact) {
  const std::string path = temp_path("delta");
  std::vector<Checkpoint> written;
  {
    LogWriter writer(path, sample_header());
    std::vector<uint64_t> components(400);
    for (size_t i = 0; i < components.size(); ++i) components[i] = i * 0x9e3779b97f4a7c15ull;
    for (uint64_t n = 1; n <= 50; ++n) {
      components[n % 7] ^= n;  // a few components change each time, the rest stay
      components[399 - n % 3] += 1;
      written.push_back(Checkpoint{n * 1000, n, components});
      writer.checkpoint(written.back());
    }
    writer.end(LogEnd{60'000, 0, 0});
  }
  ReplayLog log = read_log(path);
  EXPECT_EQ(log.format_version, kLogFormatVersion);
  ASSERT_EQ(log.entries.size(), written.size());
  for (size_t i = 0; i < written.size(); ++i) EXPECT_EQ(log.entries[i].checkpoint, written[i]) << i;
  // One full summary (400 x 8 bytes) and 49 deltas of two changed components.
  EXPECT_LT(log.bytes, 400 * 8 + 49 * 60 + 2000u);
  std::remove(path.c_str());
}

TEST(ReplayLog, MalformedDeltasAreNamed) {
  std::vector<uint8_t> records;
  encode_checkpoint_delta_record(records, Checkpoint{1000, 5, {1, 2}}, {1, 1});
  EXPECT_NE(error_of(one_chunk_log(2, records)).find("checkpoint delta without a checkpoint before it"), std::string::npos);

  records.clear();
  encode_checkpoint_record(records, Checkpoint{1000, 5, {1, 2, 3}});
  encode_checkpoint_delta_record(records, Checkpoint{2000, 5, {1, 2}}, {1, 1});
  EXPECT_NE(error_of(one_chunk_log(2, records)).find("checkpoint delta over 2 components, the previous checkpoint has 3"),
            std::string::npos);

  records.clear();
  encode_checkpoint_record(records, Checkpoint{1000, 5, {1, 2, 3}});
  // icount 2000, hash, 3 components, 1 changed: gap 3 points past the last one.
  records.insert(records.end(), {5, 0xd0, 0x0f, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_NE(error_of(one_chunk_log(2, records)).find("component index past the last component"), std::string::npos)
      << error_of(one_chunk_log(2, records));
}

RC_GTEST_PROP(ReplayLogProperty, DeltaCheckpointsRoundTrip, (std::vector<std::vector<uint64_t>> changes)) {
  // Each checkpoint keeps the previous components except at a few positions.
  std::vector<uint64_t> components(*rc::gen::inRange<size_t>(1, 64));
  std::vector<uint8_t> records;
  std::vector<Checkpoint> written;
  for (size_t n = 0; n < changes.size(); ++n) {
    for (uint64_t change : changes[n]) components[change % components.size()] = change;
    written.push_back(Checkpoint{n, n * 31, components});
    if (n == 0) {
      encode_checkpoint_record(records, written.back());
    } else {
      encode_checkpoint_delta_record(records, written.back(), written[n - 1].components);
    }
  }
  ReplayLog log = parse_log(one_chunk_log(2, records));
  RC_ASSERT(log.entries.size() == written.size());
  for (size_t i = 0; i < written.size(); ++i) RC_ASSERT(log.entries[i].checkpoint == written[i]);
}

RC_GTEST_PROP(ReplayLogProperty, ArbitraryPayloadsNeverCrash, (std::vector<uint8_t> payload)) {
  std::vector<uint8_t> file = encode_file_header();
  std::vector<uint8_t> chunk = encode_chunk(0, payload);
  file.insert(file.end(), chunk.begin(), chunk.end());
  try {
    parse_log(file);
  } catch (const LogError&) {
  }
}

TEST(StateHash, ComponentsNameTheDifference) {
  PhysicalBus bus;
  bus.map_ram(0x80000000, 64 * 1024, "ram");
  struct FixedTime : riscv::TimeSource {
    uint64_t mtime() const override { return 0; }
  } time;
  riscv::Hart hart(bus, 0, time);
  hart.reset(0x1000);
  StateHasher before;
  before.add_hart(hart);
  before.add_memory(bus);
  std::vector<uint64_t> recorded;
  for (const StateComponent& component : before.components()) recorded.push_back(component.hash);

  hart.x[7] ^= 4;
  StateHasher after;
  after.add_hart(hart);
  after.add_memory(bus);
  EXPECT_NE(after.machine_hash(), before.machine_hash());
  EXPECT_EQ(first_difference(after.components(), recorded), "hart0.x7");

  hart.x[7] ^= 4;
  bus.host_pointer(0x80003000, 1)[0x10] = 1;
  StateHasher memory;
  memory.add_hart(hart);
  memory.add_memory(bus);
  EXPECT_EQ(first_difference(memory.components(), recorded), "mem@0x80003000");

  // The summary form groups pages but gives the same machine hash.
  StateHasher grouped(StateHasher::kSummaryGroupBytes);
  grouped.add_hart(hart);
  grouped.add_memory(bus);
  EXPECT_EQ(grouped.machine_hash(), memory.machine_hash());
  EXPECT_LT(grouped.components().size(), memory.components().size());
  EXPECT_EQ(hash_hex(0xabc), "0000000000000abc");
}

}  // namespace
}  // namespace emu::replay

// libFuzzer target for the replay log reader (emu/replay/replay_log.h): any
// bytes give a parsed log or one LogError, never a crash, leak or hang.
// Inputs whose first byte is odd are wrapped in a valid file header and one
// chunk with a correct checksum, so the fuzzer reaches the record parser
// instead of stopping at the checksum.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "emu/replay/replay_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> file;
  if (size > 0 && (data[0] & 1) != 0) {
    file = emu::replay::encode_file_header();
    std::vector<uint8_t> chunk = emu::replay::encode_chunk(0, std::span(data + 1, size - 1));
    file.insert(file.end(), chunk.begin(), chunk.end());
  } else {
    file.assign(data, data + size);
  }
  try {
    emu::replay::ReplayLog log = emu::replay::parse_log(file, "fuzz.log");
    (void)log;
  } catch (const emu::replay::LogError&) {
  }
  return 0;
}

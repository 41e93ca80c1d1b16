// Character-device backends (emu/chardev/): the stdio mux escape state
// machine and the file backend.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

#include "emu/chardev/chardev_factory.h"
#include "emu/chardev/stdio_chardev.h"

namespace emu {
namespace {

std::vector<uint8_t> to_bytes(std::string_view text) { return std::vector<uint8_t>(text.begin(), text.end()); }

TEST(StdioChardevTest, MuxEscapeQuitsAndPassesLiteralCtrlA) {
  int quits = 0;
  StdioChardev stdio({/*mux_escape=*/true, /*allow_signals=*/false}, [&] { ++quits; });
  std::vector<uint8_t> guest;
  stdio.process_input(to_bytes("a\x01\x01" "b\x01z" "c\x03"), guest);
  EXPECT_EQ(guest, to_bytes("a\x01" "bc\x03")) << "Ctrl-A Ctrl-A is one Ctrl-A; unknown escapes are dropped; Ctrl-C passes";
  EXPECT_EQ(quits, 0);
  guest.clear();
  stdio.process_input(to_bytes("d\x01"), guest);  // the escape may be split across reads
  stdio.process_input(to_bytes("x"), guest);
  EXPECT_EQ(guest, to_bytes("d"));
  EXPECT_EQ(quits, 1);
}

TEST(StdioChardevTest, WithoutMuxEveryByteGoesToTheGuest) {
  int quits = 0;
  StdioChardev stdio({/*mux_escape=*/false, /*allow_signals=*/true}, [&] { ++quits; });
  std::vector<uint8_t> guest;
  stdio.process_input(to_bytes("\x01x\x01\x01"), guest);
  EXPECT_EQ(guest, to_bytes("\x01x\x01\x01"));
  EXPECT_EQ(quits, 0);
}

TEST(FileChardevTest, TruncatesOrAppendsLikeQemu) {
  std::string path = ::testing::TempDir() + "emu_chardev_test_" + std::to_string(::getpid()) + ".log";
  auto read_all = [&] {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  ChardevSpec spec;
  spec.backend = ChardevSpec::Backend::File;
  spec.id = "f";
  spec.path = path;
  create_chardev(spec, nullptr)->write(to_bytes("first"));
  EXPECT_EQ(read_all(), "first");
  create_chardev(spec, nullptr)->write(to_bytes("second"));
  EXPECT_EQ(read_all(), "second") << "a file backend starts empty";
  spec.append = true;
  create_chardev(spec, nullptr)->write(to_bytes("+third"));
  EXPECT_EQ(read_all(), "second+third");
  std::remove(path.c_str());

  spec.path = "/nonexistent-dir/x.log";
  EXPECT_THROW(create_chardev(spec, nullptr), ChardevError);
}

}  // namespace
}  // namespace emu

// OverlayBackend: the disk layer record/replay runs every drive through.
// Guest writes are seen by later reads, and the image file never changes.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "emu/block/overlay_backend.h"
#include "emu/block/raw_file.h"

namespace emu {
namespace {

class OverlayTest : public testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/replay_overlay_test_" + std::to_string(::getpid()) + ".img";
    original_.resize(3 * OverlayBackend::kBlockBytes + 1000);  // a partial last block
    for (size_t i = 0; i < original_.size(); ++i) original_[i] = static_cast<uint8_t>(i * 7);
    std::ofstream out(path_, std::ios::binary);
    out.write(reinterpret_cast<const char*>(original_.data()), static_cast<std::streamsize>(original_.size()));
  }
  void TearDown() override { std::remove(path_.c_str()); }
  std::vector<uint8_t> file_bytes() const {
    std::ifstream in(path_, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
  }
  std::string path_;
  std::vector<uint8_t> original_;
};

TEST_F(OverlayTest, WritesAreSeenButNeverReachTheImage) {
  OverlayBackend overlay(std::make_shared<RawFileBackend>(path_, true), false);
  EXPECT_EQ(overlay.size(), original_.size());
  EXPECT_FALSE(overlay.read_only());
  // A write straddling two blocks, and one into the partial last block.
  std::vector<uint8_t> data(600, 0xaa);
  ASSERT_TRUE(overlay.write(OverlayBackend::kBlockBytes - 300, data));
  ASSERT_TRUE(overlay.write(original_.size() - 10, std::vector<uint8_t>(10, 0x55)));
  EXPECT_FALSE(overlay.write(original_.size() - 5, std::vector<uint8_t>(10, 0x55)));  // past the end
  EXPECT_EQ(overlay.dirty_blocks(), 3u);

  std::vector<uint8_t> expected = original_;
  std::fill(expected.begin() + OverlayBackend::kBlockBytes - 300, expected.begin() + OverlayBackend::kBlockBytes + 300, 0xaa);
  std::fill(expected.end() - 10, expected.end(), 0x55);
  std::vector<uint8_t> all(original_.size());
  ASSERT_TRUE(overlay.read(0, all));
  EXPECT_EQ(all, expected);
  // An unaligned read across clean and dirty blocks.
  std::vector<uint8_t> middle(5000);
  ASSERT_TRUE(overlay.read(1234, middle));
  EXPECT_TRUE(std::equal(middle.begin(), middle.end(), expected.begin() + 1234));
  EXPECT_TRUE(overlay.flush());
  EXPECT_EQ(file_bytes(), original_);
}

TEST_F(OverlayTest, ReadOnlyDrivesRefuseWrites) {
  OverlayBackend overlay(std::make_shared<RawFileBackend>(path_, true), true);
  EXPECT_TRUE(overlay.read_only());
  EXPECT_FALSE(overlay.write(0, std::vector<uint8_t>(512, 1)));
  EXPECT_EQ(overlay.dirty_blocks(), 0u);
}

}  // namespace
}  // namespace emu

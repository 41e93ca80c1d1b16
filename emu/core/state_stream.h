// One state-stream format for every device and hart: a flat little-endian byte
// stream written field by field. Snapshots, migration and replay checkpoints
// will wrap it in versioned, tagged sections (snapshot/); a device only says
// which fields it has, in order, through save()/load().
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace emu {

class StateWriter {
 public:
  void u8(uint8_t value) { put(&value, 1); }
  void u16(uint16_t value) { put(&value, 2); }
  void u32(uint32_t value) { put(&value, 4); }
  void u64(uint64_t value) { put(&value, 8); }
  void boolean(bool value) { u8(value ? 1 : 0); }
  void bytes(std::span<const uint8_t> data) {
    u64(data.size());
    put(data.data(), data.size());
  }
  const std::vector<uint8_t>& data() const { return buffer_; }

 private:
  // The stream is little-endian; every host emu supports is too.
  void put(const void* source, size_t length) {
    const auto* begin = static_cast<const uint8_t*>(source);
    buffer_.insert(buffer_.end(), begin, begin + length);
  }
  std::vector<uint8_t> buffer_;
};

// Thrown when a stream ends early or holds an impossible value; the caller
// (loadvm, migration, replay) reports it and keeps the VM's previous state.
class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StateReader {
 public:
  explicit StateReader(std::span<const uint8_t> data) : data_(data) {}
  uint8_t u8() { return get<uint8_t>(); }
  uint16_t u16() { return get<uint16_t>(); }
  uint32_t u32() { return get<uint32_t>(); }
  uint64_t u64() { return get<uint64_t>(); }
  bool boolean() { return u8() != 0; }
  std::vector<uint8_t> bytes() {
    uint64_t length = u64();
    if (length > data_.size() - position_) throw StateError("state stream: byte field runs past the end");
    std::vector<uint8_t> out(data_.begin() + position_, data_.begin() + position_ + length);
    position_ += length;
    return out;
  }
  bool at_end() const { return position_ == data_.size(); }

 private:
  template <typename T>
  T get() {
    if (sizeof(T) > data_.size() - position_) throw StateError("state stream: truncated");
    T value;
    std::memcpy(&value, data_.data() + position_, sizeof(T));
    position_ += sizeof(T);
    return value;
  }
  std::span<const uint8_t> data_;
  size_t position_ = 0;
};

}  // namespace emu

// The pipe backend (-chardev pipe,id=ID,path=P, -serial pipe:P), as QEMU
// opens it: the FIFOs P.in (host -> guest) and P.out (guest -> host) when
// both exist, otherwise P itself for both directions. Everything is opened
// read-write, so opening never waits for the other end; the host makes the
// FIFOs (mkfifo) before starting the emulator.
#pragma once

#include <string>

#include "emu/chardev/chardev.h"

namespace emu {

class PipeChardev : public Chardev {
 public:
  // Throws ChardevError naming the path if neither form can be opened.
  explicit PipeChardev(std::string path);
  ~PipeChardev() override;
  PipeChardev(const PipeChardev&) = delete;
  PipeChardev& operator=(const PipeChardev&) = delete;

  // Guest output. When nobody drains the FIFO and it is full, the bytes are
  // dropped: a host reader must never be able to stall the machine.
  void write(std::span<const uint8_t> bytes) override;
  size_t poll_input(std::vector<uint8_t>& out) override;
  int input_fd() const override { return input_fd_; }
  std::string describe() const override { return "pipe:" + path_; }

 private:
  std::string path_;
  int input_fd_ = -1;
  int output_fd_ = -1;  // may equal input_fd_ (the single-file form)
};

}  // namespace emu

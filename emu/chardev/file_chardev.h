// The file backend (-chardev file,path=P[,append=on], -serial file:P): guest
// output is written to a host file (truncated first unless append=on, as in
// QEMU). Output only; there is no input.
#pragma once

#include <string>

#include "emu/chardev/chardev.h"

namespace emu {

class FileChardev : public Chardev {
 public:
  // Throws ChardevError if the file cannot be opened.
  FileChardev(std::string path, bool append);
  ~FileChardev() override;
  FileChardev(const FileChardev&) = delete;
  FileChardev& operator=(const FileChardev&) = delete;

  void write(std::span<const uint8_t> bytes) override;
  std::string describe() const override { return "file:" + path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace emu

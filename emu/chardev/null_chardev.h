// The null backend (-chardev null, -serial null/none): output vanishes,
// there is never input.
#pragma once

#include "emu/chardev/chardev.h"

namespace emu {

class NullChardev : public Chardev {
 public:
  void write(std::span<const uint8_t>) override {}
  std::string describe() const override { return "null"; }
};

}  // namespace emu

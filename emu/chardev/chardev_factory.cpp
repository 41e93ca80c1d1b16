#include "emu/chardev/chardev_factory.h"

#include "emu/chardev/file_chardev.h"
#include "emu/chardev/null_chardev.h"
#include "emu/chardev/pipe_chardev.h"
#include "emu/chardev/stdio_chardev.h"

namespace emu {

std::unique_ptr<Chardev> create_chardev(const ChardevSpec& spec, std::function<void()> on_quit) {
  switch (spec.backend) {
    case ChardevSpec::Backend::Null:
      return std::make_unique<NullChardev>();
    case ChardevSpec::Backend::Stdio:
      return std::make_unique<StdioChardev>(StdioChardev::Options{spec.mux, spec.signal}, std::move(on_quit));
    case ChardevSpec::Backend::File:
      return std::make_unique<FileChardev>(spec.path, spec.append);
    case ChardevSpec::Backend::Pipe:
      return std::make_unique<PipeChardev>(spec.path);
    case ChardevSpec::Backend::Socket:
      return std::make_unique<SocketChardev>(spec.socket);
  }
  throw ChardevError("chardev '" + spec.id + "': unknown backend");
}

}  // namespace emu

#include "emu/monitor/hmp.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "emu/target/riscv/decoder.h"

namespace emu::monitor {
namespace {

// Bounds on what one command can make emu do (QEMU has none; emu must not
// exhaust memory or the stack on user input).
constexpr uint64_t kMaxDumpBytes = uint64_t{16} << 20;
constexpr uint64_t kMaxDisassembledInstructions = uint64_t{1} << 20;
constexpr unsigned kMaxExpressionDepth = 256;
constexpr uint64_t kSaveChunk = 4096;

[[gnu::format(printf, 2, 3)]] void append(std::string& out, const char* format, ...) {
  std::array<char, 512> buffer{};
  va_list arguments;
  va_start(arguments, format);
  const int length = std::vsnprintf(buffer.data(), buffer.size(), format, arguments);
  va_end(arguments);
  if (length < 0) return;
  if (static_cast<size_t>(length) < buffer.size()) {
    out.append(buffer.data(), static_cast<size_t>(length));
    return;
  }
  std::vector<char> large(static_cast<size_t>(length) + 1);
  va_start(arguments, format);
  std::vsnprintf(large.data(), large.size(), format, arguments);
  va_end(arguments);
  out.append(large.data(), static_cast<size_t>(length));
}

constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// QEMU's monitor_printc: a character constant as C would write it.
void append_char_constant(std::string& out, int c) {
  out += '\'';
  switch (c) {
    case '\'': out += "\\'"; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    default:
      if (c >= 32 && c <= 126) out += static_cast<char>(c);
      else append(out, "\\x%02x", c);
  }
  out += '\'';
}

// ---- registers by name, for $reg in expressions ----

std::optional<uint64_t> register_value(const riscv::Hart& hart, std::string_view name) {
  if (name == "pc") return hart.pc;
  if (name == "fp") return hart.x[8];
  for (unsigned i = 0; i < 32; ++i) {
    if (name == riscv::integer_register_name(i) || name == "x" + std::to_string(i)) return hart.x[i];
    if (name == riscv::float_register_name(i) || name == "f" + std::to_string(i)) return hart.f[i];
  }
  const riscv::Hart::Csrs& csr = hart.csr;
  const std::pair<std::string_view, uint64_t> csrs[] = {
      {"mhartid", hart.hart_id}, {"mstatus", csr.mstatus}, {"misa", csr.misa}, {"mip", hart.mip()},
      {"mie", csr.mie}, {"mideleg", csr.mideleg}, {"medeleg", csr.medeleg}, {"mtvec", csr.mtvec},
      {"stvec", csr.stvec}, {"mepc", csr.mepc}, {"sepc", csr.sepc}, {"mcause", csr.mcause},
      {"scause", csr.scause}, {"mtval", csr.mtval}, {"stval", csr.stval}, {"mscratch", csr.mscratch},
      {"sscratch", csr.sscratch}, {"satp", csr.satp}, {"mcounteren", csr.mcounteren},
      {"scounteren", csr.scounteren}, {"menvcfg", csr.menvcfg}, {"senvcfg", csr.senvcfg},
      {"fflags", csr.fflags}, {"frm", csr.frm}, {"fcsr", uint64_t{csr.frm} << 5 | csr.fflags},
      {"priv", static_cast<uint64_t>(hart.privilege)},
  };
  for (const auto& [csr_name, value] : csrs) {
    if (name == csr_name) return value;
  }
  return std::nullopt;
}

// ---- command-line parsing ----

struct Cursor {
  std::string_view text;
  size_t position = 0;

  char peek() const { return position < text.size() ? text[position] : '\0'; }
  bool at_end() const { return position >= text.size(); }
  void skip_spaces() {
    while (!at_end() && is_space(text[position])) ++position;
  }
  std::string_view rest() const { return text.substr(std::min(position, text.size())); }
};

// QEMU's expression grammar (monitor/hmp.c): + - over & | ^ over * / %,
// unary + - ~, parentheses, 'c' character constants, $registers, numbers
// in C syntax (0x hex, leading 0 octal). Arithmetic is 64-bit two's
// complement; / and % are signed.
class ExpressionParser {
 public:
  ExpressionParser(Cursor& cursor, const riscv::Hart* hart) : cursor_(cursor), hart_(hart) {}

  bool parse(int64_t& value) {
    cursor_.skip_spaces();
    return sum(value, 0);
  }
  const std::string& error() const { return error_; }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }
  void next() {
    ++cursor_.position;
    cursor_.skip_spaces();
  }

  bool sum(int64_t& value, unsigned depth) {
    if (!logic(value, depth)) return false;
    for (;;) {
      const char op = cursor_.peek();
      if (op != '+' && op != '-') return true;
      next();
      int64_t right = 0;
      if (!logic(right, depth)) return false;
      const uint64_t a = static_cast<uint64_t>(value), b = static_cast<uint64_t>(right);
      value = static_cast<int64_t>(op == '+' ? a + b : a - b);
    }
  }

  bool logic(int64_t& value, unsigned depth) {
    if (!product(value, depth)) return false;
    for (;;) {
      const char op = cursor_.peek();
      if (op != '&' && op != '|' && op != '^') return true;
      next();
      int64_t right = 0;
      if (!product(right, depth)) return false;
      if (op == '&') value &= right;
      else if (op == '|') value |= right;
      else value ^= right;
    }
  }

  bool product(int64_t& value, unsigned depth) {
    if (!unary(value, depth)) return false;
    for (;;) {
      const char op = cursor_.peek();
      if (op != '*' && op != '/' && op != '%') return true;
      next();
      int64_t right = 0;
      if (!unary(right, depth)) return false;
      if (op == '*') {
        value = static_cast<int64_t>(static_cast<uint64_t>(value) * static_cast<uint64_t>(right));
        continue;
      }
      if (right == 0) return fail("division by zero");
      if (value == INT64_MIN && right == -1) {  // the one overflowing case
        value = op == '/' ? INT64_MIN : 0;
      } else {
        value = op == '/' ? value / right : value % right;
      }
    }
  }

  bool unary(int64_t& value, unsigned depth) {
    if (depth > kMaxExpressionDepth) return fail("expression too deeply nested");
    const char c = cursor_.peek();
    switch (c) {
      case '+':
        next();
        return unary(value, depth + 1);
      case '-':
        next();
        if (!unary(value, depth + 1)) return false;
        value = static_cast<int64_t>(0 - static_cast<uint64_t>(value));
        return true;
      case '~':
        next();
        if (!unary(value, depth + 1)) return false;
        value = ~value;
        return true;
      case '(':
        next();
        if (!sum(value, depth + 1)) return false;
        if (cursor_.peek() != ')') return fail("')' expected");
        next();
        return true;
      case '\'':
        ++cursor_.position;
        if (cursor_.at_end()) return fail("character constant expected");
        value = static_cast<unsigned char>(cursor_.peek());
        ++cursor_.position;
        if (cursor_.peek() != '\'') return fail("missing terminating \' character");
        next();
        return true;
      case '$': {
        ++cursor_.position;
        const size_t start = cursor_.position;
        while (!cursor_.at_end()) {
          const char n = cursor_.peek();
          if (!((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z') || is_digit(n) || n == '_' || n == '.')) break;
          ++cursor_.position;
        }
        const std::string_view name = cursor_.text.substr(start, cursor_.position - start);
        std::optional<uint64_t> register_contents;
        if (hart_ != nullptr) register_contents = register_value(*hart_, name);
        if (!register_contents) return fail("unknown register");
        value = static_cast<int64_t>(*register_contents);
        cursor_.skip_spaces();
        return true;
      }
      case '\0':
        if (cursor_.at_end()) return fail("unexpected end of expression");
        break;
      default:
        break;
    }
    return number(value);
  }

  // strtoull with base 0, as QEMU uses.
  bool number(int64_t& value) {
    const std::string_view rest = cursor_.rest();
    size_t length = 0;
    unsigned base = 10;
    if (rest.size() >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') && rest.size() > 2 &&
        std::isxdigit(static_cast<unsigned char>(rest[2]))) {
      base = 16;
      length = 2;
    } else if (!rest.empty() && rest[0] == '0') {
      base = 8;
    }
    const auto digit_value = [&](char c) -> int {
      int digit = -1;
      if (is_digit(c)) digit = c - '0';
      else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      return digit >= 0 && static_cast<unsigned>(digit) < base ? digit : -1;
    };
    uint64_t result = 0;
    bool overflow = false;
    const size_t digits_start = length;
    while (length < rest.size()) {
      const int digit = digit_value(rest[length]);
      if (digit < 0) break;
      if (result > (UINT64_MAX - static_cast<uint64_t>(digit)) / base) overflow = true;
      result = result * base + static_cast<uint64_t>(digit);
      ++length;
    }
    if (length == digits_start) {
      std::string message = "invalid char '";
      message += cursor_.peek();
      return fail(message + "' in expression");
    }
    if (overflow) return fail("number too large");
    cursor_.position += length;
    cursor_.skip_spaces();
    value = static_cast<int64_t>(result);
    return true;
  }

  Cursor& cursor_;
  const riscv::Hart* hart_;
  std::string error_;
};

struct DumpFormat {
  uint64_t count = 1;
  char format = 'x';
  int size = 4;  // -1: 'i' with no size given
};

// ---- the commands ----

struct Command;

// State for running one command line.
struct Run {
  MonitorHub& hub;
  HmpInterpreter& interpreter;
  std::string& out;
  Cursor cursor;
  std::string name;  // for messages: "print|p", or the info subcommand "status"

  MachineControl& machine() { return hub.machine(); }
  const riscv::Hart* current_hart() {
    const unsigned index = interpreter.current_cpu();
    return index < machine().hart_count() ? &machine().hart(index) : nullptr;
  }

  // Argument parsers: false after printing the error.
  bool format(DumpFormat& result) {
    HmpFormatDefaults& defaults = hub.format_defaults();
    cursor.skip_spaces();
    if (cursor.peek() != '/') {
      result.count = 1;
      result.format = defaults.format;
      result.size = defaults.format == 'i' ? -1 : static_cast<int>(defaults.size);
      return true;
    }
    ++cursor.position;
    uint64_t count = 1;
    if (is_digit(cursor.peek())) {
      count = 0;
      while (is_digit(cursor.peek())) {
        count = std::min<uint64_t>(count * 10 + static_cast<uint64_t>(cursor.peek() - '0'), INT32_MAX);
        ++cursor.position;
      }
    }
    int size = -1;
    char chosen_format = 0;
    for (bool more = true; more;) {
      switch (cursor.peek()) {
        case 'o': case 'd': case 'u': case 'x': case 'i': case 'c':
          chosen_format = cursor.peek();
          ++cursor.position;
          break;
        case 'b': size = 1; ++cursor.position; break;
        case 'h': size = 2; ++cursor.position; break;
        case 'w': size = 4; ++cursor.position; break;
        case 'g': case 'L': size = 8; ++cursor.position; break;
        default: more = false; break;
      }
    }
    if (!cursor.at_end() && !is_space(cursor.peek())) {
      append(out, "invalid char in format: '%c'\n", cursor.peek());
      return false;
    }
    if (chosen_format == 0) chosen_format = defaults.format;
    if (chosen_format != 'i') {
      if (size < 0) size = static_cast<int>(defaults.size);
      defaults.size = static_cast<unsigned>(size);
    }
    defaults.format = chosen_format;
    result.count = count;
    result.format = chosen_format;
    result.size = size;
    return true;
  }

  bool expression(int64_t& value) {
    ExpressionParser parser(cursor, current_hart());
    if (parser.parse(value)) return true;
    out += parser.error() + "\n";
    return false;
  }

  // QEMU's 'i' arguments: an expression that must fit in 32 bits.
  bool int32(int64_t& value) {
    if (!expression(value)) return false;
    if (((static_cast<uint64_t>(value) >> 32) & 0xffffffff) != 0) {
      append(out, "'%s' has failed: integer is for 32-bit values\n", name.c_str());
      return false;
    }
    return true;
  }

  // Optional trailing expression: absent at the end of the line.
  bool optional_int32(std::optional<int64_t>& value) {
    cursor.skip_spaces();
    if (cursor.at_end()) return true;
    int64_t parsed = 0;
    if (!int32(parsed)) return false;
    value = parsed;
    return true;
  }

  bool string(std::string& value) {
    cursor.skip_spaces();
    if (cursor.at_end()) {
      append(out, "%s: string expected\n", name.c_str());
      return false;
    }
    value.clear();
    if (cursor.peek() != '"') {
      while (!cursor.at_end() && !is_space(cursor.peek())) value += cursor.text[cursor.position++];
      return true;
    }
    ++cursor.position;
    while (!cursor.at_end() && cursor.peek() != '"') {
      char c = cursor.text[cursor.position++];
      if (c == '\\') {
        c = cursor.peek();
        ++cursor.position;
        switch (c) {
          case 'n': c = '\n'; break;
          case 'r': c = '\r'; break;
          case '\\': case '\'': case '"': break;
          default:
            append(out, "unsupported escape code: '\\%c'\n", c);
            append(out, "%s: string expected\n", name.c_str());
            return false;
        }
      }
      value += c;
    }
    if (cursor.at_end()) {
      out += "unterminated string\n";
      append(out, "%s: string expected\n", name.c_str());
      return false;
    }
    ++cursor.position;
    return true;
  }

  // QEMU's '-x' option arguments: true if "-letter" is present.
  bool flag(char letter, bool& present) {
    cursor.skip_spaces();
    present = false;
    if (cursor.peek() != '-') return true;
    ++cursor.position;
    if (cursor.peek() != letter) {
      append(out, "%s: unsupported option -%c\n", name.c_str(), cursor.peek());
      return false;
    }
    ++cursor.position;
    present = true;
    return true;
  }

  bool end() {
    cursor.skip_spaces();
    if (cursor.at_end()) return true;
    append(out, "%s: extraneous characters at the end of line\n", name.c_str());
    return false;
  }
};

using Handler = bool (*)(Run& run);  // false: an argument error was printed

struct Command {
  std::string_view names;   // "print|p"
  std::string_view params;  // "/fmt expr"
  std::string_view help;
  Handler handler;
};

// ---- x, xp ----

void disassemble(Run& run, uint64_t address, uint64_t count, bool physical) {
  MachineControl& machine = run.machine();
  const unsigned cpu = run.interpreter.current_cpu();
  const auto read = [&](uint64_t at, void* out, size_t length) {
    return physical ? machine.read_physical(at, out, length) : machine.read_virtual(cpu, at, out, length);
  };
  count = std::min(count, kMaxDisassembledInstructions);
  for (uint64_t i = 0; i < count; ++i) {
    append(run.out, "0x%016" PRIx64 ":  ", address);
    uint16_t low = 0, high = 0;
    if (!read(address, &low, 2)) {
      append(run.out, "Address 0x%" PRIx64 " is out of bounds.\n", address);
      return;
    }
    const unsigned length = riscv::instruction_length(low);
    if (length == 4 && !read(address + 2, &high, 2)) {
      append(run.out, "Address 0x%" PRIx64 " is out of bounds.\n", address + 2);
      return;
    }
    const uint32_t bits = length == 4 ? (uint32_t{high} << 16 | low) : low;
    if (length == 4) append(run.out, "%08" PRIx32 "          ", bits);
    else append(run.out, "%04" PRIx32 "              ", bits);
    // QEMU's layout: the mnemonic in a 24-column field, then the operands.
    const std::string text = riscv::disassemble(riscv::decode(bits), address);
    const size_t space = text.find(' ');
    if (space == std::string::npos) {
      run.out += text;
    } else {
      append(run.out, "%-24s", text.substr(0, space).c_str());
      run.out += text.substr(space + 1);
    }
    run.out += '\n';
    address += length;
  }
}

// QEMU's memory_dump.
void dump(Run& run, const DumpFormat& format, uint64_t address, bool physical) {
  if (format.format == 'i') {
    disassemble(run, address, format.count, physical);
    return;
  }
  MachineControl& machine = run.machine();
  const unsigned cpu = run.interpreter.current_cpu();
  unsigned unit = static_cast<unsigned>(format.size);
  uint64_t length = std::min<uint64_t>(unit * format.count, kMaxDumpBytes);
  const uint64_t line_size = unit == 1 ? 8 : 16;
  int max_digits = 0;
  switch (format.format) {
    case 'o': max_digits = static_cast<int>((unit * 8 + 2) / 3); break;
    case 'u': case 'd': max_digits = static_cast<int>((unit * 8 * 10 + 32) / 33); break;
    case 'c': unit = 1; break;  // characters one byte at a time, in lines sized for the unit asked for
    default: max_digits = static_cast<int>(unit * 2); break;
  }
  std::array<uint8_t, 16> buffer{};
  while (length > 0) {
    append(run.out, "%016" PRIx64 ":", address);
    const uint64_t chunk = std::min(length, line_size);
    const bool ok = physical ? machine.read_physical(address, buffer.data(), chunk)
                             : machine.read_virtual(cpu, address, buffer.data(), chunk);
    if (!ok) {
      run.out += " Cannot access memory\n";
      return;
    }
    for (uint64_t i = 0; i + unit <= chunk; i += unit) {
      uint64_t value = 0;
      std::memcpy(&value, buffer.data() + i, unit);  // little-endian host and guest
      run.out += ' ';
      switch (format.format) {
        case 'o': append(run.out, "%#*" PRIo64, max_digits, value); break;
        case 'u': append(run.out, "%*" PRIu64, max_digits, value); break;
        case 'd': append(run.out, "%*" PRId64, max_digits, static_cast<int64_t>(value)); break;
        case 'c': append_char_constant(run.out, static_cast<int>(value)); break;
        default: append(run.out, "0x%0*" PRIx64, max_digits, value); break;
      }
    }
    run.out += '\n';
    address += chunk;
    length -= chunk;
  }
}

bool command_x(Run& run, bool physical) {
  DumpFormat format;
  int64_t address = 0;
  if (!run.format(format) || !run.expression(address) || !run.end()) return false;
  dump(run, format, static_cast<uint64_t>(address), physical);
  return true;
}

bool command_print(Run& run) {
  DumpFormat format;
  int64_t value = 0;
  if (!run.format(format) || !run.expression(value) || !run.end()) return false;
  switch (format.format) {
    case 'o': append(run.out, "%#" PRIo64, static_cast<uint64_t>(value)); break;
    case 'x': append(run.out, "%#" PRIx64, static_cast<uint64_t>(value)); break;
    case 'u': append(run.out, "%" PRIu64, static_cast<uint64_t>(value)); break;
    case 'c': append_char_constant(run.out, static_cast<int>(value)); break;
    default: append(run.out, "%" PRId64, value); break;
  }
  run.out += '\n';
  return true;
}

// ---- memsave, pmemsave ----

bool save_memory(Run& run, bool physical) {
  int64_t address = 0, size = 0;
  std::string path;
  if (!run.expression(address) || !run.int32(size) || !run.string(path) || !run.end()) return false;
  std::string error = physical ? save_physical_memory(run.hub, static_cast<uint64_t>(address), static_cast<uint64_t>(size), path)
                               : save_virtual_memory(run.hub, run.interpreter.current_cpu(), static_cast<uint64_t>(address),
                                                     static_cast<uint64_t>(size), path);
  if (!error.empty()) run.out += "Error: " + error + "\n";
  return true;
}

// ---- info ----

bool info_status(Run& run) {
  if (!run.end()) return false;
  const RunState state = run.machine().run_state();
  if (state == RunState::Running) run.out += "VM status: running\n";
  else if (state == RunState::Paused) run.out += "VM status: paused\n";
  else append(run.out, "VM status: paused (%s)\n", run_state_name(state));
  return true;
}

bool info_registers(Run& run) {
  bool all = false;
  std::optional<int64_t> vcpu;
  if (!run.flag('a', all) || !run.optional_int32(vcpu) || !run.end()) return false;
  MachineControl& machine = run.machine();
  if (all) {
    for (unsigned i = 0; i < machine.hart_count(); ++i) run.out += format_registers(machine.hart(i), i);
    return true;
  }
  const int64_t index = vcpu ? *vcpu : run.interpreter.current_cpu();
  if (index < 0 || static_cast<uint64_t>(index) >= machine.hart_count()) {
    if (vcpu) append(run.out, "CPU#%d not available\n", static_cast<int>(index));
    else run.out += "No CPU available\n";
    return true;
  }
  run.out += format_registers(machine.hart(static_cast<unsigned>(index)), static_cast<unsigned>(index));
  return true;
}

bool info_cpus(Run& run) {
  if (!run.end()) return false;
  MachineControl& machine = run.machine();
  for (unsigned i = 0; i < machine.hart_count(); ++i) {
    append(run.out, "%c CPU #%u: thread_id=%" PRId64 "\n", i == run.interpreter.current_cpu() ? '*' : ' ', i,
           machine.host_thread_id(i));
  }
  return true;
}

bool info_mtree(Run& run) {
  if (!run.end()) return false;
  MachineControl& machine = run.machine();
  for (unsigned i = 0; i < machine.hart_count(); ++i) append(run.out, "address-space: cpu-memory-%u\n", i);
  run.out += "address-space: memory\n";
  run.out += "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n";
  for (const PhysicalBus::Region& region : machine.bus().regions()) {
    const char* kind = region.host == nullptr ? "i/o" : region.writable ? "ram" : "rom";
    append(run.out, "    %016" PRIx64 "-%016" PRIx64 " (prio 0, %s): %s\n", region.base, region.base + region.size - 1,
           kind, region.name.c_str());
  }
  run.out += "\n";
  return true;
}

bool info_chardev(Run& run) {
  if (!run.end()) return false;
  for (const ChardevInfo& chardev : run.machine().chardevs()) {
    append(run.out, "%s: filename=%s\n", chardev.label.c_str(), chardev.filename.c_str());
  }
  return true;
}

bool info_version(Run& run) {
  if (!run.end()) return false;
  const VersionInfo version = run.machine().version();
  append(run.out, "%d.%d.%d%s\n", version.major, version.minor, version.micro, version.package.c_str());
  return true;
}

bool info_name(Run& run) {
  if (!run.end()) return false;
  const std::string name = run.machine().name();
  if (!name.empty()) run.out += name + "\n";
  return true;
}

bool info_kvm(Run& run) {
  if (!run.end()) return false;
  run.out += "kvm support: not compiled\n";
  return true;
}

// QEMU's hmp_info_replay wording.
bool info_replay(Run& run) {
  if (!run.end()) return false;
  const MachineControl::ReplayInfo info = run.machine().replay_info();
  if (info.mode == "none") {
    run.out += "Record/replay is not active\n";
  } else {
    append(run.out, "%s execution '%s': instruction count = %" PRIu64 "\n",
           info.mode == "record" ? "Recording" : "Replaying", info.filename.c_str(), info.icount);
  }
  return true;
}

// Sorted by name, as QEMU's help lists them.
constexpr Command kInfoCommands[] = {
    {"chardev", "", "show the character devices", info_chardev},
    {"cpus", "", "show infos for each CPU", info_cpus},
    {"kvm", "", "show KVM information", info_kvm},
    {"mtree", "", "show memory tree", info_mtree},
    {"name", "", "show the current VM name", info_name},
    {"registers", "[-a|vcpu]",
     "show the cpu registers (-a: show register info for all cpus; vcpu: specific vCPU to query; show the "
     "current CPU's registers if no argument is specified)",
     info_registers},
    {"replay", "", "show record/replay information", info_replay},
    {"status", "", "show the current VM status (running|paused)", info_status},
    {"version", "", "show the version of QEMU", info_version},
};

bool command_info(Run& run);
bool command_help(Run& run);

bool command_stop(Run& run) {
  if (!run.end()) return false;
  run.machine().stop();
  return true;
}

bool command_cont(Run& run) {
  if (!run.end()) return false;
  std::string error;
  if (!run.machine().cont(error)) run.out += "Error: " + error + "\n";
  return true;
}

bool command_system_reset(Run& run) {
  if (!run.end()) return false;
  run.machine().request_system_reset();
  return true;
}

bool command_system_powerdown(Run& run) {
  if (!run.end()) return false;
  run.machine().request_system_powerdown();
  return true;
}

bool command_quit(Run& run) {
  if (!run.end()) return false;
  run.machine().request_quit();
  run.interpreter.mark_quit();
  return true;
}

// replay_break and replay_seek: one icount argument, handed to `action`.
bool replay_to_icount(Run& run, bool (MachineControl::*action)(uint64_t, std::string&)) {
  int64_t icount = 0;
  if (!run.expression(icount) || !run.end()) return false;
  std::string error;
  if (icount < 0 || !(run.machine().*action)(static_cast<uint64_t>(icount), error)) {
    run.out += "Error: " + (error.empty() ? std::string("the instruction count must not be negative") : error) + "\n";
  }
  return true;
}

bool command_replay_break(Run& run) { return replay_to_icount(run, &MachineControl::replay_break); }

bool command_replay_delete_break(Run& run) {
  if (!run.end()) return false;
  std::string error;
  if (!run.machine().replay_delete_break(error)) run.out += "Error: " + error + "\n";
  return true;
}

bool command_replay_seek(Run& run) { return replay_to_icount(run, &MachineControl::replay_seek); }

bool command_cpu(Run& run) {
  int64_t index = 0;
  if (!run.int32(index) || !run.end()) return false;
  if (index < 0 || !run.interpreter.set_current_cpu(static_cast<unsigned>(index))) run.out += "invalid CPU index\n";
  return true;
}

constexpr Command kCommands[] = {
    {"cont|c", "", "resume emulation", command_cont},
    {"cpu", "index", "set the default CPU", command_cpu},
    {"help|?", "[cmd]", "show the help", command_help},
    {"info", "[subcommand]", "show various information about the system state", command_info},
    {"memsave", "addr size file", "save to disk virtual memory dump starting at 'addr' of size 'size'",
     [](Run& run) { return save_memory(run, false); }},
    {"pmemsave", "addr size file", "save to disk physical memory dump starting at 'addr' of size 'size'",
     [](Run& run) { return save_memory(run, true); }},
    {"print|p", "/fmt expr", "print expression value (use $reg for CPU register access)", command_print},
    {"quit|q", "", "quit the emulator", command_quit},
    {"replay_break", "icount", "set breakpoint at the specified instruction count", command_replay_break},
    {"replay_delete_break", "", "remove replay breakpoint", command_replay_delete_break},
    {"replay_seek", "icount", "replay execution to the specified instruction count", command_replay_seek},
    {"stop|s", "", "stop emulation", command_stop},
    {"system_powerdown", "", "send system power down event", command_system_powerdown},
    {"system_reset", "", "reset the system", command_system_reset},
    {"x", "/fmt addr", "virtual memory dump starting at 'addr'", [](Run& run) { return command_x(run, false); }},
    {"xp", "/fmt addr", "physical memory dump starting at 'addr'", [](Run& run) { return command_x(run, true); }},
};

// "stop|s" matches "stop" and "s".
bool matches(std::string_view names, std::string_view word) {
  while (!names.empty()) {
    const size_t bar = names.find('|');
    if (names.substr(0, bar) == word) return true;
    if (bar == std::string_view::npos) break;
    names.remove_prefix(bar + 1);
  }
  return false;
}

template <size_t N>
const Command* find_command(const Command (&table)[N], std::string_view word) {
  for (const Command& command : table) {
    if (matches(command.names, word)) return &command;
  }
  return nullptr;
}

// QEMU's get_command_name: a word ends at a space or a '/'.
std::string_view command_word(Cursor& cursor) {
  cursor.skip_spaces();
  const size_t start = cursor.position;
  while (!cursor.at_end() && cursor.peek() != '/' && !is_space(cursor.peek())) ++cursor.position;
  return cursor.text.substr(start, cursor.position - start);
}

void help_line(std::string& out, std::string_view prefix, const Command& command) {
  out += prefix;
  out += command.names;
  out += ' ';
  out += command.params;
  out += " -- ";
  out += command.help;
  out += '\n';
}

void list_info(std::string& out) {
  for (const Command& command : kInfoCommands) help_line(out, "info ", command);
}

// Runs `command` with the rest of the line, printing the help hint on an
// argument error. `path` is what `help` would take: "stop", "info status".
void run_command(Run& run, const Command& command, const std::string& path) {
  run.name = std::string(command.names);
  if (!command.handler(run)) append(run.out, "Try \"help %s\" for more information\n", path.c_str());
}

bool command_info(Run& run) {
  const std::string_view word = command_word(run.cursor);
  if (word.empty()) {
    list_info(run.out);
    return true;
  }
  const Command* command = find_command(kInfoCommands, word);
  if (command == nullptr) {
    append(run.out, "unknown command: 'info %.*s'\n", static_cast<int>(word.size()), word.data());
    return true;
  }
  run_command(run, *command, "info " + std::string(word));
  return true;
}

bool command_help(Run& run) {
  const std::string_view word = command_word(run.cursor);
  if (word.empty()) {
    for (const Command& command : kCommands) help_line(run.out, "", command);
    return true;
  }
  if (word == "info") {
    const std::string_view sub = command_word(run.cursor);
    if (sub.empty()) {
      list_info(run.out);
      return true;
    }
    const Command* command = find_command(kInfoCommands, sub);
    if (command == nullptr) append(run.out, "unknown command: 'info %.*s'\n", static_cast<int>(sub.size()), sub.data());
    else help_line(run.out, "info ", *command);
    return true;
  }
  const Command* command = find_command(kCommands, word);
  if (command == nullptr) append(run.out, "unknown command: '%.*s'\n", static_cast<int>(word.size()), word.data());
  else help_line(run.out, "", *command);
  return true;
}

}  // namespace

// ---- shared with QMP's memsave/pmemsave ----

std::string save_virtual_memory(MonitorHub& hub, unsigned cpu, uint64_t address, uint64_t size, const std::string& path) {
  MachineControl& machine = hub.machine();
  if (cpu >= machine.hart_count()) return "Parameter 'cpu-index' expects a CPU number";
  std::string error;
  std::unique_ptr<HostFiles::Output> file = hub.files().create(path, error);
  if (!file) return "Could not open '" + path + "': " + error;
  std::array<uint8_t, kSaveChunk> buffer{};
  for (uint64_t at = address, left = size; left > 0;) {
    const uint64_t chunk = std::min<uint64_t>(left, buffer.size());
    if (!machine.read_virtual(cpu, at, buffer.data(), chunk)) {
      std::string message;
      append(message, "Invalid addr 0x%016" PRIx64 "/size %" PRId64 " specified", address, static_cast<int64_t>(size));
      return message;
    }
    if (!file->write(buffer.data(), chunk)) return "An IO error has occurred";
    at += chunk;
    left -= chunk;
  }
  return {};
}

std::string save_physical_memory(MonitorHub& hub, uint64_t address, uint64_t size, const std::string& path) {
  MachineControl& machine = hub.machine();
  std::string error;
  std::unique_ptr<HostFiles::Output> file = hub.files().create(path, error);
  if (!file) return "Could not open '" + path + "': " + error;
  // QEMU writes whatever the bus returns for any range. emu writes zeros
  // where there is no RAM/ROM (it never reads devices), and refuses ranges
  // that run past the last mapped region, which could not be useful and
  // could not finish.
  uint64_t top = 0;
  for (const PhysicalBus::Region& region : machine.bus().regions()) top = std::max(top, region.base + region.size);
  if (size > top || address > top - size) {
    std::string message;
    append(message, "Invalid addr 0x%016" PRIx64 "/size %" PRId64 " specified", address, static_cast<int64_t>(size));
    return message;
  }
  std::array<uint8_t, kSaveChunk> buffer{};
  for (uint64_t at = address, left = size; left > 0;) {
    // Chunks end on 4 KiB boundaries, so a failed read zeroes one page at most.
    const uint64_t chunk = std::min<uint64_t>(left, kSaveChunk - (at % kSaveChunk));
    if (!machine.read_physical(at, buffer.data(), chunk)) std::fill_n(buffer.begin(), chunk, uint8_t{0});
    if (!file->write(buffer.data(), chunk)) return "An IO error has occurred";
    at += chunk;
    left -= chunk;
  }
  return {};
}

std::string format_registers(const riscv::Hart& hart, unsigned cpu_index) {
  std::string out;
  append(out, "\nCPU#%u\n", cpu_index);
  append(out, " %-8s %016" PRIx64 "\n", "pc", hart.pc);
  const riscv::Hart::Csrs& csr = hart.csr;
  const std::pair<const char*, uint64_t> csrs[] = {
      {"mhartid", hart.hart_id}, {"mstatus", csr.mstatus}, {"mip", hart.mip()},   {"mie", csr.mie},
      {"mideleg", csr.mideleg},  {"medeleg", csr.medeleg}, {"mtvec", csr.mtvec},  {"stvec", csr.stvec},
      {"mepc", csr.mepc},        {"sepc", csr.sepc},       {"mcause", csr.mcause}, {"scause", csr.scause},
      {"mtval", csr.mtval},      {"stval", csr.stval},     {"mscratch", csr.mscratch}, {"sscratch", csr.sscratch},
      {"satp", csr.satp},
  };
  for (const auto& [name, value] : csrs) append(out, " %-8s %016" PRIx64 "\n", name, value);
  const auto registers = [&out](char prefix, const std::array<uint64_t, 32>& values, auto name_of) {
    for (unsigned i = 0; i < 32; ++i) {
      std::string label = prefix + std::to_string(i) + "/" + std::string(name_of(i));
      append(out, " %-8s %016" PRIx64, label.c_str(), values[i]);
      if (i % 4 == 3) out += '\n';
    }
  };
  registers('x', hart.x, riscv::integer_register_name);
  registers('f', hart.f, riscv::float_register_name);
  return out;
}

bool HmpInterpreter::set_current_cpu(unsigned index) {
  if (index >= hub_.machine().hart_count()) return false;
  current_cpu_ = index;
  return true;
}

std::string HmpInterpreter::execute(std::string_view line) {
  line = line.substr(0, line.find('\0'));  // QEMU sees a C string
  std::string out;
  Run run{hub_, *this, out, Cursor{line}, {}};
  const std::string_view word = command_word(run.cursor);
  if (word.empty()) return out;
  const Command* command = find_command(kCommands, word);
  if (command == nullptr) {
    append(out, "unknown command: '%.*s'\n", static_cast<int>(word.size()), word.data());
    return out;
  }
  run_command(run, *command, std::string(word));
  return out;
}

// ---- interactive session ----

HmpSession::HmpSession(MonitorHub& hub, MonitorConnection& connection)
    : hub_(hub), connection_(connection), interpreter_(hub) {}

void HmpSession::send_text(std::string_view text) {
  std::string converted;
  converted.reserve(text.size() + 16);
  for (char c : text) {
    if (c == '\n') converted += '\r';
    converted += c;
  }
  connection_.send(converted);
}

void HmpSession::open() {
  const VersionInfo version = hub_.machine().version();
  std::string banner;
  append(banner, "QEMU %d.%d.%d monitor - type 'help' for more information\n", version.major, version.minor,
         version.micro);
  send_text(banner);
  connection_.send(kPrompt);
}

void HmpSession::focus_in() {
  line_.clear();
  escape_ = Escape::None;
  if (!quitting_) connection_.send(kPrompt);
}

void HmpSession::focus_out() { send_text("\n"); }

void HmpSession::run_line() {
  send_text("\n");
  const std::string line = std::move(line_);
  line_.clear();
  send_text(interpreter_.execute(line));
  // After quit the emulator is going away: no new prompt, as in QEMU.
  quitting_ = interpreter_.quit_requested();
  if (!quitting_) connection_.send(kPrompt);
}

void HmpSession::receive(std::span<const uint8_t> bytes) {
  constexpr size_t kMaxLine = 4095;  // QEMU's readline buffer
  for (uint8_t byte : bytes) {
    if (quitting_) return;
    switch (escape_) {
      case Escape::Started:
        escape_ = byte == '[' ? Escape::Csi : byte == 'O' ? Escape::Ss3 : Escape::None;
        continue;
      case Escape::Csi:  // parameters until a final byte 0x40..0x7e
        if (byte >= 0x40 && byte <= 0x7e) escape_ = Escape::None;
        continue;
      case Escape::Ss3:
        escape_ = Escape::None;
        continue;
      case Escape::None:
        break;
    }
    if (byte == '\r' || byte == '\n') {
      run_line();
    } else if (byte == 0x7f || byte == '\b') {
      if (!line_.empty()) {
        // Drop one whole UTF-8 character.
        while (line_.size() > 1 && (static_cast<uint8_t>(line_.back()) & 0xC0) == 0x80) line_.pop_back();
        line_.pop_back();
        connection_.send("\b \b");
      }
    } else if (byte == 0x1b) {
      escape_ = Escape::Started;
    } else if (byte >= 0x20 && line_.size() < kMaxLine) {
      line_ += static_cast<char>(byte);
      connection_.send(std::string_view(reinterpret_cast<const char*>(&byte), 1));
    }
    // Other control characters (Tab completion, Ctrl-C, ...) are ignored.
  }
}

}  // namespace emu::monitor

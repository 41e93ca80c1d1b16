// emu-replay: look at and check record/replay logs (docs/replay.md).
//
//   emu-replay info LOG            header, input counts, checkpoints, end
//   emu-replay verify LOG [--emu PATH] [--accel tcg,jit=off]
//                                  replays LOG headless with the recorded
//                                  command line (emu-system-riscv64 ... -icount
//                                  ...,rr=replay,rrfile=LOG) and reports whether
//                                  every checkpoint and the final hash matched
//   emu-replay diff LOG1 LOG2      the first difference between two logs
//
// Exit status: 0 success (verify: replay matched; diff: no difference),
// 1 a mismatch, 2 a usage error or an unreadable/damaged log.
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "emu/replay/replay_log.h"
#include "emu/replay/state_hash.h"

namespace {

using emu::replay::LogEntry;
using emu::replay::RecordType;
using emu::replay::ReplayLog;

constexpr const char* kUsage =
    "usage: emu-replay info LOG\n"
    "       emu-replay verify LOG [--emu PATH] [--accel OPTIONS]\n"
    "       emu-replay diff LOG1 LOG2\n";

const char* kind_name(emu::InputKind kind) {
  switch (kind) {
    case emu::InputKind::SerialBytes: return "serial";
    case emu::InputKind::WallClock: return "wall-clock";
    case emu::InputKind::Entropy: return "entropy";
    case emu::InputKind::MonitorCommand: return "monitor";
  }
  return "?";
}

std::string quoted_command_line(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& arg : args) {
    if (!out.empty()) out += ' ';
    const bool plain = !arg.empty() && arg.find_first_of(" \t'\"\\$") == std::string::npos;
    out += plain ? arg : "'" + arg + "'";
  }
  return out;
}

int info(const std::string& path) {
  const ReplayLog log = emu::replay::read_log(path);
  const auto& header = log.header;
  std::printf("log:          %s (%zu bytes, %zu chunks, format %u)\n", path.c_str(), log.bytes, log.chunks,
              log.format_version);
  std::printf("recorded by:  emu %s\n", header.emu_version.c_str());
  std::printf("command line: %s\n", quoted_command_line(header.args).c_str());
  std::printf("machine:      %s\n", header.machine.c_str());
  std::printf("icount shift: %llu, checkpoint interval: %llu\n", static_cast<unsigned long long>(header.icount_shift),
              static_cast<unsigned long long>(header.checkpoint_interval));
  for (const auto& image : header.images) {
    std::printf("image:        %-10s %s xxh3 %s\n", image.role.c_str(), image.path.c_str(),
                emu::replay::hash_hex(image.hash).c_str());
  }
  std::map<std::string, std::pair<size_t, size_t>> inputs;  // kind -> records, bytes
  size_t checkpoints = 0;
  for (const LogEntry& entry : log.entries) {
    if (entry.type == RecordType::Input) {
      auto& [count, bytes] = inputs[kind_name(entry.input.kind)];
      ++count;
      bytes += entry.input.payload.size();
    } else {
      ++checkpoints;
    }
  }
  for (const auto& [kind, totals] : inputs) std::printf("inputs:       %-10s %zu records, %zu bytes\n", kind.c_str(), totals.first, totals.second);
  std::printf("checkpoints:  %zu\n", checkpoints);
  std::printf("end:          icount %llu, state hash %s, exit status %llu\n",
              static_cast<unsigned long long>(log.end.icount), emu::replay::hash_hex(log.end.hash).c_str(),
              static_cast<unsigned long long>(log.end.exit_status));
  return 0;
}

// The recorded command line, made headless: host-side options (monitors,
// chardevs, display, -S) are dropped, the serial port output is discarded.
std::vector<std::string> replay_command_line(const ReplayLog& log, const std::string& path, const std::string& accel) {
  static const char* const kWithValue[] = {"-qmp", "-monitor", "-mon", "-serial", "-chardev", "-display", "-pidfile", "-accel"};
  static const char* const kFlags[] = {"-S", "-nographic", "-nodefaults", "-daemonize"};
  std::vector<std::string> out;
  const std::vector<std::string>& args = log.header.args;
  bool have_icount = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    if (name.rfind("--", 0) == 0) name = name.substr(1);
    bool drop_value = false, drop_flag = false;
    for (const char* option : kWithValue) drop_value |= name == option;
    for (const char* option : kFlags) drop_flag |= name == option;
    if (drop_value && !(name == "-accel" && accel.empty())) {
      ++i;
      continue;
    }
    if (drop_flag) continue;
    out.push_back(args[i]);
    if ((name == "-icount") && i + 1 < args.size()) {
      out.push_back(args[++i] + ",rr=replay,rrfile=" + path);
      have_icount = true;
    }
  }
  if (!have_icount) out.insert(out.end(), {"-icount", "shift=" + std::to_string(log.header.icount_shift) + ",rr=replay,rrfile=" + path});
  if (!accel.empty()) out.insert(out.end(), {"-accel", accel});
  out.insert(out.end(), {"-display", "none", "-nodefaults", "-serial", "null"});
  return out;
}

int verify(const std::string& path, std::string emu, const std::string& accel, const char* argv0) {
  const ReplayLog log = emu::replay::read_log(path);  // damage is reported here, before starting a VM
  if (emu.empty()) {
    std::string self = argv0;
    const size_t slash = self.rfind('/');
    emu = (slash == std::string::npos ? std::string() : self.substr(0, slash + 1)) + "emu-system-riscv64";
  }
  std::vector<std::string> args = replay_command_line(log, path, accel);
  std::fprintf(stderr, "emu-replay: %s %s\n", emu.c_str(), quoted_command_line(args).c_str());
  std::vector<char*> argv;
  argv.push_back(emu.data());
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t child = ::fork();
  if (child < 0) {
    std::perror("emu-replay: fork");
    return 2;
  }
  if (child == 0) {
    ::execvp(argv[0], argv.data());
    std::fprintf(stderr, "emu-replay: cannot run %s: %s\n", emu.c_str(), std::strerror(errno));
    ::_exit(2);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    std::printf("%s: replay matched: %zu entries, end at icount %llu, state hash %s\n", path.c_str(), log.entries.size(),
                static_cast<unsigned long long>(log.end.icount), emu::replay::hash_hex(log.end.hash).c_str());
    return 0;
  }
  std::printf("%s: replay FAILED (emu-system-riscv64 %s %d)\n", path.c_str(), WIFEXITED(status) ? "exit status" : "signal",
              WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
  return 1;
}

std::string describe(const LogEntry& entry) {
  char text[160];
  if (entry.type == RecordType::Input) {
    std::snprintf(text, sizeof text, "input at icount %llu (%s, target %u, site %u, %zu bytes)",
                  static_cast<unsigned long long>(entry.input.icount), kind_name(entry.input.kind), entry.input.target,
                  entry.site, entry.input.payload.size());
  } else {
    std::snprintf(text, sizeof text, "checkpoint at icount %llu (hash %s)", static_cast<unsigned long long>(entry.checkpoint.icount),
                  emu::replay::hash_hex(entry.checkpoint.hash).c_str());
  }
  return text;
}

int diff(const std::string& first_path, const std::string& second_path) {
  const ReplayLog first = emu::replay::read_log(first_path);
  const ReplayLog second = emu::replay::read_log(second_path);
  int differences = 0;
  if (first.header.args != second.header.args) {
    std::printf("command lines differ:\n  %s\n  %s\n", quoted_command_line(first.header.args).c_str(),
                quoted_command_line(second.header.args).c_str());
    ++differences;
  }
  if (first.header.machine != second.header.machine) {
    std::printf("machines differ:\n  %s\n  %s\n", first.header.machine.c_str(), second.header.machine.c_str());
    ++differences;
  }
  if (first.header.images != second.header.images) {
    std::printf("images differ\n");
    ++differences;
  }
  const size_t common = std::min(first.entries.size(), second.entries.size());
  for (size_t i = 0; i < common; ++i) {
    const LogEntry& a = first.entries[i];
    const LogEntry& b = second.entries[i];
    const bool same = a.type == b.type &&
                      (a.type == RecordType::Input
                           ? a.input.icount == b.input.icount && a.input.kind == b.input.kind &&
                                 a.input.target == b.input.target && a.site == b.site && a.input.payload == b.input.payload
                           : a.checkpoint.icount == b.checkpoint.icount && a.checkpoint.hash == b.checkpoint.hash);
    if (same) continue;
    std::printf("first difference at entry %zu:\n  %s: %s\n  %s: %s\n", i, first_path.c_str(), describe(a).c_str(),
                second_path.c_str(), describe(b).c_str());
    if (a.type == RecordType::Checkpoint && b.type == RecordType::Checkpoint &&
        a.checkpoint.components.size() == b.checkpoint.components.size()) {
      for (size_t c = 0; c < a.checkpoint.components.size(); ++c) {
        if (a.checkpoint.components[c] != b.checkpoint.components[c]) {
          std::printf("  first differing state component: #%zu\n", c);
          break;
        }
      }
    }
    return 1;
  }
  if (first.entries.size() != second.entries.size()) {
    std::printf("%s has %zu entries, %s has %zu\n", first_path.c_str(), first.entries.size(), second_path.c_str(),
                second.entries.size());
    return 1;
  }
  if (first.end != second.end) {
    std::printf("ends differ: icount %llu hash %s vs icount %llu hash %s\n", static_cast<unsigned long long>(first.end.icount),
                emu::replay::hash_hex(first.end.hash).c_str(), static_cast<unsigned long long>(second.end.icount),
                emu::replay::hash_hex(second.end.hash).c_str());
    return 1;
  }
  if (differences != 0) return 1;
  std::printf("logs match: %zu entries, end at icount %llu\n", first.entries.size(), static_cast<unsigned long long>(first.end.icount));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 2 && args[0] == "info") return info(args[1]);
    if (args.size() == 3 && args[0] == "diff") return diff(args[1], args[2]);
    if (args.size() >= 2 && args[0] == "verify") {
      std::string emu, accel;
      for (size_t i = 2; i < args.size(); ++i) {
        if (args[i] == "--emu" && i + 1 < args.size()) emu = args[++i];
        else if (args[i] == "--accel" && i + 1 < args.size()) accel = args[++i];
        else {
          std::fprintf(stderr, "emu-replay: verify: unknown argument '%s'\n%s", args[i].c_str(), kUsage);
          return 2;
        }
      }
      return verify(args[1], emu, accel, argv[0]);
    }
    if (args.size() == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help")) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    std::fputs(kUsage, stderr);
    return 2;
  } catch (const emu::replay::LogError& error) {
    std::fprintf(stderr, "emu-replay: %s\n", error.what());
    return 2;
  }
}

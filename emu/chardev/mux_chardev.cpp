#include "emu/chardev/mux_chardev.h"

#include <string_view>

namespace emu {
namespace {

constexpr uint8_t kEscape = 0x01;  // Ctrl-A
// Input waiting for a frontend that is not being polled is bounded.
constexpr size_t kMaxQueued = size_t{1} << 20;

// QEMU's text, including its "\n\r" line ends (the terminal's output
// processing turns "\n" into "\r\n").
constexpr std::string_view kHelp =
    "\n\r"
    "C-a h    print this help\n\r"
    "C-a x    exit emulator\n\r"
    "C-a s    save disk data back to file (if -snapshot)\n\r"
    "C-a t    toggle console timestamps\n\r"
    "C-a b    send break (magic sysrq)\n\r"
    "C-a c    switch between console and monitor\n\r"
    "C-a C-a  sends C-a\n\r";
constexpr std::string_view kTerminated = "emu: Terminated\n\r";

std::span<const uint8_t> as_bytes(std::string_view text) {
  return std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

}  // namespace

class MuxChardev::Frontend : public Chardev, public PeerNotifier {
 public:
  Frontend(MuxChardev& mux, unsigned index) : mux_(mux), index_(index) {}

  void write(std::span<const uint8_t> bytes) override { mux_.backend_.write(bytes); }

  size_t poll_input(std::vector<uint8_t>& out) override {
    mux_.pump();
    const size_t count = queued_.size();
    out.insert(out.end(), queued_.begin(), queued_.end());
    queued_.clear();
    return count;
  }

  int input_fd() const override { return mux_.backend_.input_fd(); }
  std::string describe() const override { return mux_.backend_.describe(); }

  void set_peer_listener(std::function<void(PeerEvent)> listener) override {
    listener_ = std::move(listener);
    if (has_focus() && !opened_) gain_focus();
  }

  void queue(uint8_t byte) {
    if (queued_.size() < kMaxQueued) queued_.push_back(byte);
  }

  // Focus changes, as the frontend's peer events.
  void gain_focus() {
    if (!listener_) return;  // opened when a listener arrives
    const PeerEvent event = opened_ ? PeerEvent::FocusIn : PeerEvent::Opened;
    opened_ = true;
    listener_(event);
  }
  void lose_focus() {
    if (listener_ && opened_) listener_(PeerEvent::FocusOut);
  }

 private:
  bool has_focus() const { return mux_.focus_ == index_; }

  MuxChardev& mux_;
  const unsigned index_;
  std::vector<uint8_t> queued_;
  std::function<void(PeerEvent)> listener_;
  bool opened_ = false;
};

MuxChardev::MuxChardev(Chardev& backend, std::function<void()> on_quit)
    : backend_(backend), on_quit_(std::move(on_quit)) {}

MuxChardev::~MuxChardev() = default;

Chardev& MuxChardev::add_frontend() {
  frontends_.push_back(std::make_unique<Frontend>(*this, static_cast<unsigned>(frontends_.size())));
  return *frontends_.back();
}

void MuxChardev::pump() {
  backend_buffer_.clear();
  if (backend_.poll_input(backend_buffer_) == 0) return;
  // A copy: escape handling may re-enter pump() through a listener that
  // polls (it should not, but the buffer must stay valid regardless).
  const std::vector<uint8_t> bytes = backend_buffer_;
  process_input(bytes);
}

void MuxChardev::switch_focus() {
  if (frontends_.size() < 2) return;
  frontends_[focus_]->lose_focus();
  focus_ = (focus_ + 1) % static_cast<unsigned>(frontends_.size());
  frontends_[focus_]->gain_focus();
}

void MuxChardev::process_input(std::span<const uint8_t> bytes) {
  for (uint8_t byte : bytes) {
    if (escape_pending_) {
      escape_pending_ = false;
      switch (byte) {
        case kEscape:
          if (!frontends_.empty()) frontends_[focus_]->queue(byte);
          break;
        case 'h':
        case '?':
          backend_.write(as_bytes(kHelp));
          break;
        case 'x':
          backend_.write(as_bytes(kTerminated));
          if (on_quit_) on_quit_();
          break;
        case 'c':
          switch_focus();
          break;
        default:  // s, b, t and anything else
          break;
      }
      continue;
    }
    if (byte == kEscape) {
      escape_pending_ = true;
      continue;
    }
    if (!frontends_.empty()) frontends_[focus_]->queue(byte);
  }
}

}  // namespace emu

// JSON as QMP speaks it (QEMU 7.2's dialect), on top of nlohmann::json
// values:
//
//   - JsonStreamParser splits an unframed byte stream into top-level JSON
//     values, the way QEMU's streaming parser does: a value is complete when
//     its braces and brackets balance (a scalar is complete when the next
//     byte ends it). A lexical error ("stray '@'") is reported once and the
//     lexer skips to a resynchronisation point: a structural character
//     ({ } [ ] : ,) or an ASCII control character other than tab (so a
//     newline resynchronises). Parse errors ("expecting value") are reported
//     per message and the stream continues with the next one.
//   - Accepted beyond RFC 8259, as QEMU does: single-quoted strings, the
//     escape \' , and the overlong UTF-8 encoding C0 80 of U+0000.
//   - Rejected, as QEMU does: duplicate keys, lone surrogates, invalid UTF-8.
//   - Numbers keep their kind: an integer that fits int64 is signed, one that
//     fits only uint64 is unsigned, anything else is a double.
//
// Limits bound the memory one client can make emu hold (QEMU's values by
// default: 64 MiB per message, 2 Mi tokens, nesting depth 1024). A message
// that exceeds one gets a single error and the rest of it is skipped up to
// the point where its nesting closes again (QEMU instead restarts parsing in
// the middle of the message and reports an error for every leftover token).
//
// serialize_qmp() writes values the way QEMU does: ", " and ": " separators,
// every non-ASCII character as an uppercase \uXXXX escape (surrogate pairs
// beyond the BMP), invalid UTF-8 as \uFFFD, doubles as "%.17g".
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace emu::monitor {

// Objects keep insertion order, so replies print their members in the
// order the code builds them (the order QEMU prints them in, where it matters
// to a human reading a log).
using Json = nlohmann::ordered_json;

struct JsonStreamLimits {
  size_t max_message_bytes = size_t{64} << 20;
  size_t max_tokens = size_t{2} << 20;
  unsigned max_nesting = 1024;
};

class JsonStreamParser {
 public:
  // Exactly one of the two is meaningful: error is empty for a value.
  struct Result {
    Json value;
    std::string error;  // "JSON parse error, ..." or a limit message
  };
  using Sink = std::function<void(Result)>;

  explicit JsonStreamParser(JsonStreamLimits limits = {}) : limits_(limits) {}

  // Feeds bytes; calls sink for every complete value or error, in order.
  void feed(std::span<const uint8_t> bytes, const Sink& sink);
  void feed(std::string_view text, const Sink& sink) {
    feed(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), sink);
  }

  // Back to the initial state (a new client).
  void reset();

 private:
  enum class TokenType : uint8_t { LeftBrace, RightBrace, LeftBracket, RightBracket, Colon, Comma, Integer, Float, Keyword, String };
  struct Token {
    TokenType type;
    std::string text;  // as written (strings with their quotes)
  };
  enum class LexState : uint8_t {
    Start, Recovery, String, StringEscape, Keyword,
    NumberSign, NumberZero, NumberInteger, NumberDot, NumberFraction, NumberExponent, NumberExponentSign, NumberExponentDigits,
  };

  void lex_byte(uint8_t byte, const Sink& sink);
  void finish_token(TokenType type, const Sink& sink);
  void lexical_error(const Sink& sink);
  void accept_token(Token token, const Sink& sink);
  void emit_error(std::string message, const Sink& sink);
  void clear_message();

  JsonStreamLimits limits_;
  LexState state_ = LexState::Start;
  char quote_ = '"';
  std::string token_text_;  // the token being lexed
  std::vector<Token> tokens_;  // the message being collected
  size_t message_bytes_ = 0;
  long brace_depth_ = 0, bracket_depth_ = 0;
  // After a limit error: skip tokens until the failed message's nesting closes.
  bool skipping_ = false;
  long skip_depth_ = 0;

  friend class JsonTokenParser;
};

// QEMU's text form of a value (no trailing newline).
std::string serialize_qmp(const Json& value);

}  // namespace emu::monitor

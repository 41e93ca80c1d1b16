#include "emu/monitor/qmp_json.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <unordered_set>

namespace emu::monitor {
namespace {

constexpr bool is_structural(uint8_t byte) {
  return byte == '{' || byte == '}' || byte == '[' || byte == ']' || byte == ':' || byte == ',';
}
constexpr bool is_digit(uint8_t byte) { return byte >= '0' && byte <= '9'; }
// Bytes that can never appear in UTF-8; QEMU's lexer rejects them anywhere.
constexpr bool is_impossible_utf8(uint8_t byte) { return byte == 0xFE || byte == 0xFF; }

std::string parse_error(std::string_view what) { return "JSON parse error, " + std::string(what); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Decodes one UTF-8 sequence at text[position]. Returns the code point and
// advances position, or nullopt for an invalid sequence (overlong forms,
// surrogates, values above U+10FFFF, truncation). The overlong C0 80 is
// accepted as U+0000, as QEMU does (it is how QEMU itself stores NUL).
std::optional<uint32_t> decode_utf8(std::string_view text, size_t& position) {
  const auto byte = [&](size_t index) { return static_cast<uint8_t>(text[index]); };
  const uint8_t lead = byte(position);
  if (lead < 0x80) {
    ++position;
    return lead;
  }
  if (lead == 0xC0 && position + 1 < text.size() && byte(position + 1) == 0x80) {
    position += 2;
    return 0;
  }
  unsigned length = 0;
  uint32_t code_point = 0;
  uint32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code_point = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code_point = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code_point = lead & 0x07, minimum = 0x10000;
  } else {
    return std::nullopt;
  }
  if (position + length > text.size()) return std::nullopt;
  for (unsigned i = 1; i < length; ++i) {
    const uint8_t continuation = byte(position + i);
    if ((continuation & 0xC0) != 0x80) return std::nullopt;
    code_point = (code_point << 6) | (continuation & 0x3F);
  }
  if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return std::nullopt;
  }
  position += length;
  return code_point;
}

}  // namespace

// Recursive descent over one message's tokens. Depth is bounded by the
// stream's nesting limit, checked before a message gets here.
class JsonTokenParser {
 public:
  using Token = JsonStreamParser::Token;
  using TokenType = JsonStreamParser::TokenType;

  explicit JsonTokenParser(const std::vector<Token>& tokens) : tokens_(tokens) {}

  bool parse(Json& out) { return parse_value(out); }
  const std::string& error() const { return error_; }

 private:
  const Token* peek() const { return next_ < tokens_.size() ? &tokens_[next_] : nullptr; }
  const Token* take() { return next_ < tokens_.size() ? &tokens_[next_++] : nullptr; }

  bool fail(std::string message) {
    error_ = parse_error(message);
    return false;
  }

  bool parse_value(Json& out) {
    const Token* token = take();
    if (token == nullptr) return fail("premature end of input");
    switch (token->type) {
      case TokenType::LeftBrace: return parse_object(out);
      case TokenType::LeftBracket: return parse_array(out);
      case TokenType::String: {
        std::string text;
        if (!decode_string(token->text, text)) return false;
        out = std::move(text);
        return true;
      }
      case TokenType::Integer: return parse_integer(token->text, out);
      case TokenType::Float: out = std::strtod(token->text.c_str(), nullptr); return true;
      case TokenType::Keyword:
        if (token->text == "true") out = true;
        else if (token->text == "false") out = false;
        else if (token->text == "null") out = nullptr;
        else return fail("invalid keyword '" + token->text + "'");
        return true;
      default:
        return fail("expecting value");
    }
  }

  bool parse_object(Json& out) {
    out = Json::object();
    const Token* token = peek();
    if (token != nullptr && token->type == TokenType::RightBrace) {
      ++next_;
      return true;
    }
    // ordered_json looks keys up linearly; a client must not be able to make
    // a large object cost quadratic time, so duplicates are found by hashing
    // and members are appended to the underlying vector directly.
    using Members = Json::object_t::Container;
    Members& members = out.get_ref<Json::object_t&>();
    std::unordered_set<std::string> seen;
    for (;;) {
      Json key;
      if (!parse_value(key)) return false;
      if (!key.is_string()) return fail("key is not a string in object");
      token = take();
      if (token == nullptr || token->type != TokenType::Colon) return fail("missing : in object pair");
      Json value;
      if (!parse_value(value)) return false;
      std::string& name = key.get_ref<std::string&>();
      if (!seen.insert(name).second) return fail("duplicate key");
      members.emplace_back(std::move(name), std::move(value));
      token = take();
      if (token != nullptr && token->type == TokenType::RightBrace) return true;
      if (token == nullptr || token->type != TokenType::Comma) return fail("expected separator in dict");
    }
  }

  bool parse_array(Json& out) {
    out = Json::array();
    const Token* token = peek();
    if (token != nullptr && token->type == TokenType::RightBracket) {
      ++next_;
      return true;
    }
    for (;;) {
      Json value;
      if (!parse_value(value)) return false;
      out.push_back(std::move(value));
      token = take();
      if (token != nullptr && token->type == TokenType::RightBracket) return true;
      if (token == nullptr || token->type != TokenType::Comma) return fail("expected separator in list");
    }
  }

  // Integers keep their kind: int64 if it fits, else uint64, else double.
  static bool parse_integer(const std::string& text, Json& out) {
    errno = 0;
    const long long signed_value = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == 0) {
      out = static_cast<int64_t>(signed_value);
      return true;
    }
    if (text[0] != '-') {
      errno = 0;
      const unsigned long long unsigned_value = std::strtoull(text.c_str(), nullptr, 10);
      if (errno == 0) {
        out = static_cast<uint64_t>(unsigned_value);
        return true;
      }
    }
    out = std::strtod(text.c_str(), nullptr);
    return true;
  }

  // text includes its quotes (either kind); the lexer guarantees the closing one.
  bool decode_string(std::string_view text, std::string& out) {
    const std::string_view body = text.substr(1, text.size() - 2);
    size_t position = 0;
    while (position < body.size()) {
      const char c = body[position];
      if (c != '\\') {
        const std::optional<uint32_t> code_point = decode_utf8(body, position);
        if (!code_point) return fail("invalid UTF-8 sequence in string");
        append_utf8(out, *code_point);
        continue;
      }
      const size_t escape_start = position;
      ++position;  // the lexer never ends a string right after a backslash
      const char kind = body[position++];
      switch (kind) {
        case '"': out += '"'; break;
        case '\'': out += '\''; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t code_point = 0;
          if (!read_hex4(text.back(), body, escape_start, position, code_point)) return false;
          if (code_point >= 0xDC00 && code_point <= 0xDFFF) {
            return fail(std::string(body.substr(escape_start, 6)) + " is not a valid Unicode character");
          }
          if (code_point >= 0xD800 && code_point <= 0xDBFF) {
            // A high surrogate must be followed by an escaped low surrogate.
            uint32_t low = 0;
            size_t low_position = position + 2;
            bool paired = position + 1 < body.size() && body[position] == '\\' && body[position + 1] == 'u' &&
                          read_hex4_quiet(body, low_position, low) && low >= 0xDC00 && low <= 0xDFFF;
            if (!paired) return fail(std::string(body.substr(escape_start, 6)) + " is not a valid Unicode character");
            position = low_position;
            code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, code_point);
          break;
        }
        default:
          return fail("invalid escape sequence in string");
      }
    }
    return true;
  }

  // Four hex digits at body[position]; on failure the message quotes the
  // escape up to and including the offending character, as QEMU does.
  bool read_hex4(char closing_quote, std::string_view body, size_t escape_start, size_t& position,
                 uint32_t& value) {
    value = 0;
    for (int i = 0; i < 4; ++i) {
      // Past the body is the closing quote, which QEMU quotes too.
      const char c = position < body.size() ? body[position] : closing_quote;
      const int digit = hex_value(c);
      if (digit < 0) {
        std::string quoted(body.substr(escape_start, position - escape_start));
        quoted += c;
        return fail(quoted + " is not a valid Unicode character");
      }
      value = (value << 4) | static_cast<uint32_t>(digit);
      ++position;
    }
    return true;
  }

  static bool read_hex4_quiet(std::string_view body, size_t& position, uint32_t& value) {
    if (position + 4 > body.size()) return false;
    value = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = hex_value(body[position + static_cast<size_t>(i)]);
      if (digit < 0) return false;
      value = (value << 4) | static_cast<uint32_t>(digit);
    }
    position += 4;
    return true;
  }

  const std::vector<Token>& tokens_;
  size_t next_ = 0;
  std::string error_;
};

void JsonStreamParser::reset() {
  state_ = LexState::Start;
  token_text_.clear();
  clear_message();
  skipping_ = false;
  skip_depth_ = 0;
}

void JsonStreamParser::clear_message() {
  tokens_.clear();
  message_bytes_ = 0;
  brace_depth_ = 0;
  bracket_depth_ = 0;
}

void JsonStreamParser::emit_error(std::string message, const Sink& sink) {
  Result result;
  result.error = std::move(message);
  sink(std::move(result));
}

void JsonStreamParser::feed(std::span<const uint8_t> bytes, const Sink& sink) {
  for (uint8_t byte : bytes) lex_byte(byte, sink);
}

void JsonStreamParser::lexical_error(const Sink& sink) {
  // QEMU formats the token with %s, so a NUL byte ends the quoted text.
  std::string text = token_text_.substr(0, token_text_.find('\0'));
  token_text_.clear();
  state_ = LexState::Recovery;
  clear_message();
  skipping_ = false;  // a lexical error is the documented way to resynchronise
  emit_error(parse_error("stray '" + text + "'"), sink);
}

void JsonStreamParser::finish_token(TokenType type, const Sink& sink) {
  Token token{type, std::move(token_text_)};
  token_text_.clear();
  state_ = LexState::Start;
  accept_token(std::move(token), sink);
}

void JsonStreamParser::accept_token(Token token, const Sink& sink) {
  long delta = 0;
  switch (token.type) {
    case TokenType::LeftBrace: ++brace_depth_; delta = 1; break;
    case TokenType::RightBrace: --brace_depth_; delta = -1; break;
    case TokenType::LeftBracket: ++bracket_depth_; delta = 1; break;
    case TokenType::RightBracket: --bracket_depth_; delta = -1; break;
    default: break;
  }
  if (skipping_) {
    // Depths are not kept while skipping; only the failed message's nesting.
    brace_depth_ = bracket_depth_ = 0;
    skip_depth_ += delta;
    if (skip_depth_ <= 0) skipping_ = false;
    return;
  }
  message_bytes_ += token.text.size();
  tokens_.push_back(std::move(token));

  if (brace_depth_ < 0 || bracket_depth_ < 0 || (brace_depth_ == 0 && bracket_depth_ == 0)) {
    Result result;
    JsonTokenParser parser(tokens_);
    if (!parser.parse(result.value)) {
      result.value = Json();
      result.error = parser.error();
    }
    clear_message();
    sink(std::move(result));
    return;
  }
  const char* limit = nullptr;
  if (tokens_.size() > limits_.max_tokens) {
    limit = "JSON token count limit exceeded";
  } else if (static_cast<unsigned long>(brace_depth_ + bracket_depth_) > limits_.max_nesting) {
    limit = "JSON nesting depth limit exceeded";
  }
  if (limit != nullptr) {
    skipping_ = true;
    skip_depth_ = brace_depth_ + bracket_depth_;
    clear_message();
    emit_error(limit, sink);
  }
}

void JsonStreamParser::lex_byte(uint8_t byte, const Sink& sink) {
  // A token that grows past the size limit is dropped and so is the rest of
  // its message; lexing continues so the end of the message can be found.
  const auto append = [&] {
    if (skipping_) return;  // the message is already rejected: keep nothing
    token_text_ += static_cast<char>(byte);
    if (message_bytes_ + token_text_.size() > limits_.max_message_bytes) {
      token_text_.clear();
      skipping_ = true;
      skip_depth_ = brace_depth_ + bracket_depth_;
      clear_message();
      emit_error("JSON token size limit exceeded", sink);
    }
  };

  for (;;) {  // loops only to re-examine a byte that ended a token
    switch (state_) {
      case LexState::Recovery:
        if (is_structural(byte) || (byte < 0x20 && byte != '\t') || is_impossible_utf8(byte)) {
          state_ = LexState::Start;
          continue;
        }
        return;

      case LexState::Start:
        switch (byte) {
          case ' ': case '\t': case '\n': case '\r': return;
          case '{': token_text_ = "{"; finish_token(TokenType::LeftBrace, sink); return;
          case '}': token_text_ = "}"; finish_token(TokenType::RightBrace, sink); return;
          case '[': token_text_ = "["; finish_token(TokenType::LeftBracket, sink); return;
          case ']': token_text_ = "]"; finish_token(TokenType::RightBracket, sink); return;
          case ':': token_text_ = ":"; finish_token(TokenType::Colon, sink); return;
          case ',': token_text_ = ","; finish_token(TokenType::Comma, sink); return;
          case '"': case '\'':
            quote_ = static_cast<char>(byte);
            state_ = LexState::String;
            append();
            return;
          case '-': state_ = LexState::NumberSign; append(); return;
          case '0': state_ = LexState::NumberZero; append(); return;
          default: break;
        }
        if (byte >= '1' && byte <= '9') {
          state_ = LexState::NumberInteger;
          append();
        } else if (byte >= 'a' && byte <= 'z') {
          state_ = LexState::Keyword;
          append();
        } else {
          token_text_ = std::string(1, static_cast<char>(byte));
          lexical_error(sink);
        }
        return;

      case LexState::String:
        if (byte == static_cast<uint8_t>(quote_)) {
          append();
          finish_token(TokenType::String, sink);
        } else if (byte < 0x20 || is_impossible_utf8(byte)) {
          token_text_ += static_cast<char>(byte);
          lexical_error(sink);
        } else {
          if (byte == '\\') state_ = LexState::StringEscape;
          append();
        }
        return;

      case LexState::StringEscape:  // escapes are checked by the parser
        if (byte < 0x20 || is_impossible_utf8(byte)) {
          token_text_ += static_cast<char>(byte);
          lexical_error(sink);
          return;
        }
        state_ = LexState::String;
        append();
        return;

      case LexState::Keyword:
        if (byte >= 'a' && byte <= 'z') {
          append();
          return;
        }
        finish_token(TokenType::Keyword, sink);
        continue;

      case LexState::NumberSign:
        if (byte == '0') state_ = LexState::NumberZero;
        else if (is_digit(byte)) state_ = LexState::NumberInteger;
        else break;  // error
        append();
        return;

      // Digits before or after the point: more digits, a point (not after
      // one), an exponent, or the end of the number.
      case LexState::NumberZero:
      case LexState::NumberInteger:
      case LexState::NumberFraction: {
        const bool fraction = state_ == LexState::NumberFraction;
        if (is_digit(byte)) {
          if (state_ == LexState::NumberZero) break;  // no leading zeros
          append();
          return;
        }
        if (byte == '.' && !fraction) {
          state_ = LexState::NumberDot;
          append();
          return;
        }
        if (byte == 'e' || byte == 'E') {
          state_ = LexState::NumberExponent;
          append();
          return;
        }
        finish_token(fraction ? TokenType::Float : TokenType::Integer, sink);
        continue;
      }

      case LexState::NumberDot:
        if (!is_digit(byte)) break;
        state_ = LexState::NumberFraction;
        append();
        return;

      case LexState::NumberExponent:
        if (byte == '+' || byte == '-') state_ = LexState::NumberExponentSign;
        else if (is_digit(byte)) state_ = LexState::NumberExponentDigits;
        else break;
        append();
        return;

      case LexState::NumberExponentSign:
        if (!is_digit(byte)) break;
        state_ = LexState::NumberExponentDigits;
        append();
        return;

      case LexState::NumberExponentDigits:
        if (is_digit(byte)) {
          append();
          return;
        }
        finish_token(TokenType::Float, sink);
        continue;
    }
    // A malformed number: the offending byte is part of the stray token.
    token_text_ += static_cast<char>(byte);
    lexical_error(sink);
    return;
  }
}

namespace {

void serialize_string(const std::string& text, std::string& out) {
  out += '"';
  size_t position = 0;
  char buffer[16];
  while (position < text.size()) {
    const uint8_t byte = static_cast<uint8_t>(text[position]);
    switch (byte) {
      case '"': out += "\\\""; ++position; continue;
      case '\\': out += "\\\\"; ++position; continue;
      case '\b': out += "\\b"; ++position; continue;
      case '\f': out += "\\f"; ++position; continue;
      case '\n': out += "\\n"; ++position; continue;
      case '\r': out += "\\r"; ++position; continue;
      case '\t': out += "\\t"; ++position; continue;
      default: break;
    }
    if (byte >= 0x20 && byte < 0x7F) {
      out += static_cast<char>(byte);
      ++position;
      continue;
    }
    uint32_t code_point = 0xFFFD;
    if (std::optional<uint32_t> decoded = decode_utf8(text, position)) {
      code_point = *decoded;
    } else {
      ++position;  // one replacement character per undecodable byte
    }
    if (code_point >= 0x10000) {
      const uint32_t offset = code_point - 0x10000;
      std::snprintf(buffer, sizeof buffer, "\\u%04X\\u%04X", 0xD800 + (offset >> 10), 0xDC00 + (offset & 0x3FF));
    } else {
      std::snprintf(buffer, sizeof buffer, "\\u%04X", code_point);
    }
    out += buffer;
  }
  out += '"';
}

void serialize_into(const Json& value, std::string& out) {
  char buffer[40];
  switch (value.type()) {
    case Json::value_t::null: out += "null"; return;
    case Json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case Json::value_t::number_integer:
      std::snprintf(buffer, sizeof buffer, "%" PRId64, value.get<int64_t>());
      out += buffer;
      return;
    case Json::value_t::number_unsigned:
      std::snprintf(buffer, sizeof buffer, "%" PRIu64, value.get<uint64_t>());
      out += buffer;
      return;
    case Json::value_t::number_float:
      std::snprintf(buffer, sizeof buffer, "%.17g", value.get<double>());
      out += buffer;
      return;
    case Json::value_t::string: serialize_string(value.get_ref<const std::string&>(), out); return;
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const Json& element : value) {
        if (!first) out += ", ";
        first = false;
        serialize_into(element, out);
      }
      out += ']';
      return;
    }
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, element] : value.items()) {
        if (!first) out += ", ";
        first = false;
        serialize_string(key, out);
        out += ": ";
        serialize_into(element, out);
      }
      out += '}';
      return;
    }
    case Json::value_t::binary:
    case Json::value_t::discarded:
      break;
  }
  out += "null";  // never produced by emu
}

}  // namespace

std::string serialize_qmp(const Json& value) {
  std::string out;
  serialize_into(value, out);
  return out;
}

}  // namespace emu::monitor

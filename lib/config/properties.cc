#include "lib/config/properties.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

namespace kafka {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

bool IsSeparator(char c) { return c == '=' || c == ':'; }

// The text's natural lines, without what ends them (\n, \r\n or \r).
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = std::min(text.find_first_of("\r\n"), text.size());
    lines.push_back(text.substr(0, end));
    size_t terminator = text.compare(end, 2, "\r\n") == 0 ? 2 : 1;
    text.remove_prefix(std::min(end + terminator, text.size()));
  }
  return lines;
}

std::string_view SkipBlanks(std::string_view text) {
  size_t start = 0;
  while (start < text.size() && IsBlank(text[start])) ++start;
  return text.substr(start);
}

bool IsCommentOrBlank(std::string_view line) {
  std::string_view rest = SkipBlanks(line);
  return rest.empty() || rest[0] == '#' || rest[0] == '!';
}

// An odd number of backslashes at the end: the last one is not escaped, and
// joins the next line to this one.
bool ContinuesOnNextLine(std::string_view line) {
  size_t backslashes = 0;
  while (backslashes < line.size() &&
         line[line.size() - 1 - backslashes] == '\\') {
    ++backslashes;
  }
  return backslashes % 2 == 1;
}

// The logical line that starts at lines[index], with its continuation lines
// joined; leaves `index` on its last natural line.
std::string JoinContinuedLines(const std::vector<std::string_view>& lines,
                               size_t& index) {
  std::string logical(SkipBlanks(lines[index]));
  while (ContinuesOnNextLine(logical)) {
    logical.pop_back();
    if (index + 1 == lines.size()) break;
    logical += SkipBlanks(lines[++index]);
  }
  return logical;
}

// Where the key ends: at the first '=', ':' or blank no backslash escapes.
size_t KeyEnd(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\') {
      ++i;  // the escaped character belongs to the key
    } else if (IsSeparator(line[i]) || IsBlank(line[i])) {
      return i;
    }
  }
  return line.size();
}

// Where the value starts: past the blanks around one '=' or ':'.
size_t ValueStart(std::string_view line, size_t key_end) {
  size_t i = key_end;
  while (i < line.size() && IsBlank(line[i])) ++i;
  if (i < line.size() && IsSeparator(line[i])) ++i;
  while (i < line.size() && IsBlank(line[i])) ++i;
  return i;
}

void AppendUtf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += char(code_point);
  } else if (code_point < 0x800) {
    out += char(0xC0 | (code_point >> 6));
    out += char(0x80 | (code_point & 0x3F));
  } else {
    out += char(0xE0 | (code_point >> 12));
    out += char(0x80 | ((code_point >> 6) & 0x3F));
    out += char(0x80 | (code_point & 0x3F));
  }
}

// The four hex digits of a \uXXXX escape, if `digits` starts with them.
std::optional<uint32_t> ParseHex4(std::string_view digits) {
  if (digits.size() < 4) return std::nullopt;
  uint32_t value = 0;
  for (char c : digits.substr(0, 4)) {
    value <<= 4;
    if (c >= '0' && c <= '9') {
      value |= uint32_t(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      value |= uint32_t(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      value |= uint32_t(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
  }
  return value;
}

char EscapedCharacter(char c) {
  switch (c) {
    case 't':
      return '\t';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 'f':
      return '\f';
    default:
      return c;
  }
}

Error LineError(size_t line_number, const std::string& why) {
  return Error{ErrorCode::kInvalidConfig,
               "line " + std::to_string(line_number) + ": " + why};
}

// A key or value with its backslash escapes replaced by what they stand for.
// No backslash is last in `raw`: an unescaped one at the end of a line joined
// the next line, and the key ends after the character a backslash escapes.
Result<std::string> Unescape(std::string_view raw, size_t line_number) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out += raw[i];
    } else if (raw[++i] != 'u') {
      out += EscapedCharacter(raw[i]);
    } else {
      std::optional<uint32_t> code_unit = ParseHex4(raw.substr(i + 1));
      if (!code_unit) return LineError(line_number, "malformed \\uXXXX escape");
      if (*code_unit >= 0xD800 && *code_unit <= 0xDFFF) {
        return LineError(line_number,
                         "\\u escapes of surrogates (characters above "
                         "U+FFFF) are not supported");
      }
      AppendUtf8(*code_unit, out);
      i += 4;
    }
  }
  return out;
}

}  // namespace

Result<Properties> ParseProperties(std::string_view text) {
  std::vector<std::string_view> lines = SplitLines(text);
  Properties properties;
  for (size_t index = 0; index < lines.size(); ++index) {
    if (IsCommentOrBlank(lines[index])) continue;
    const size_t line_number = index + 1;
    std::string line = JoinContinuedLines(lines, index);
    size_t key_end = KeyEnd(line);
    std::string_view view(line);
    Result<std::string> key = Unescape(view.substr(0, key_end), line_number);
    if (!key.ok()) return key.error();
    Result<std::string> value =
        Unescape(view.substr(ValueStart(view, key_end)), line_number);
    if (!value.ok()) return value.error();
    properties[*key] = *value;
  }
  return properties;
}

Result<Properties> LoadPropertiesFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return Error{ErrorCode::kInvalidConfig,
                 path + ": cannot read it: " + std::strerror(errno)};
  }
  std::ostringstream text;
  text << file.rdbuf();
  Result<Properties> properties = ParseProperties(text.str());
  if (!properties.ok()) {
    return Error{ErrorCode::kInvalidConfig,
                 path + ": " + properties.error().message};
  }
  return properties;
}

}  // namespace kafka

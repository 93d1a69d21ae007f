#include "cli/client/ui/wrap.hpp"

#include "adapters/client/text_width.hpp"

namespace chat::ui {

std::vector<size_t> wrap_points(std::string_view text, size_t width, size_t indent) {
  std::vector<size_t> rows{0};
  if (width == 0)
    return rows;
  if (indent >= width)
    indent = 0;
  size_t col = 0;
  size_t row_start = 0;
  // The byte after the last space on this row (a break there moves the rest
  // down) and the column there.
  size_t break_at = std::string_view::npos;
  size_t break_col = 0;
  for (size_t pos = 0; pos < text.size();) {
    auto begin = pos;
    auto c = next_code_point(text, pos);
    auto w = code_point_width(c);
    while (col + w > width && begin > row_start) {
      size_t next;
      if (break_at != std::string_view::npos && break_at > row_start) {
        next = break_at;
        col = indent + (col - break_col);
      } else {
        next = begin;
        col = indent;
      }
      rows.push_back(next);
      row_start = next;
      break_at = std::string_view::npos;
    }
    col += w;
    if (c == ' ') {
      break_at = pos;
      break_col = col;
    }
  }
  return rows;
}

namespace {

/// Trailing spaces of a row that was broken at a space are not shown.
size_t trim_end(std::string_view text, size_t from, size_t to) {
  while (to > from && text[to - 1] == ' ')
    --to;
  return to;
}

} // namespace

std::vector<std::string> wrap_text(std::string_view text, size_t width, size_t indent) {
  auto points = wrap_points(text, width, indent);
  std::vector<std::string> rows;
  for (size_t i = 0; i < points.size(); ++i) {
    auto end = i + 1 < points.size() ? points[i + 1] : text.size();
    if (i + 1 < points.size())
      end = trim_end(text, points[i], end);
    std::string row(i == 0 || indent >= width ? 0 : indent, ' ');
    row.append(text.substr(points[i], end - points[i]));
    rows.push_back(std::move(row));
  }
  return rows;
}

size_t text_column(std::string_view plain) {
  static constexpr std::string_view bar = "│ ";
  if (auto i = plain.find(bar); i != std::string_view::npos)
    return display_width(plain.substr(0, i + bar.size()));
  auto digit = [&](size_t i) { return plain[i] >= '0' && plain[i] <= '9'; };
  if (plain.size() > 6 && digit(0) && digit(1) && plain[2] == ':' && digit(3) &&
      digit(4) && plain[5] == ' ')
    return plain.size() > 8 && (plain[6] == '*' || plain[6] == '!') && plain[7] == ' '
               ? 8
               : 6;
  return 0;
}

std::vector<styled_line> wrap_styled(const styled_line& line, size_t width) {
  auto text = plain_text(line);
  auto indent = text_column(text);
  if (indent * 2 > width)
    indent = 0;
  auto points = wrap_points(text, width, indent);
  std::vector<styled_line> rows;
  for (size_t i = 0; i < points.size(); ++i) {
    auto end =
        i + 1 < points.size() ? trim_end(text, points[i], points[i + 1]) : text.size();
    auto row = slice(line, points[i], end);
    if (i > 0 && indent > 0)
      row.insert(row.begin(), styled_run{std::string(indent, ' '), {}});
    rows.push_back(std::move(row));
  }
  return rows;
}

} // namespace chat::ui

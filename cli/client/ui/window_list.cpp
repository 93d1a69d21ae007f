#include "cli/client/ui/window_list.hpp"

#include "cli/client/ui/styled_text.hpp"

#include <algorithm>
#include <cctype>

namespace chat::ui {

std::string window_title(const std::string& chat) {
  if (chat.empty())
    return "status";
  if (chat.starts_with("private:"))
    return "@" + chat.substr(8);
  if (chat.starts_with("group:"))
    return "#" + chat.substr(6);
  if (chat == "discovery")
    return "who";
  return chat;
}

window_list::window_list(size_t max_lines) : max_lines_(std::max<size_t>(max_lines, 1)) {
  windows_.emplace_back();
}

std::optional<size_t> window_list::find(const std::string& chat) const {
  for (size_t i = 0; i < windows_.size(); ++i)
    if (windows_[i].chat == chat)
      return i;
  return std::nullopt;
}

size_t window_list::open(const std::string& chat) {
  if (auto i = find(chat))
    return *i;
  window w;
  w.chat = chat;
  windows_.push_back(std::move(w));
  return windows_.size() - 1;
}

void window_list::close(const std::string& chat) {
  auto i = find(chat);
  if (!i || *i == 0)
    return;
  auto shown = windows_[current_].chat;
  windows_.erase(windows_.begin() + static_cast<long>(*i));
  current_ = find(shown).value_or(0);
}

bool window_list::show(size_t index) {
  if (index >= windows_.size())
    return false;
  if (index == current_)
    return true;
  auto& left = windows_[current_];
  left.read_marker = left.lines.size();
  left.scroll = 0;
  current_ = index;
  auto& shown = windows_[current_];
  shown.unread = 0;
  shown.highlighted = false;
  return true;
}

void window_list::cycle(int step) {
  auto n = static_cast<long>(windows_.size());
  auto next = (static_cast<long>(current_) + step % n + n) % n;
  show(static_cast<size_t>(next));
}

void window_list::append(const std::string& chat, std::string text,
                         const std::string& day, bool counts, bool highlight) {
  auto& w = windows_[open(chat)];
  auto push = [&](window_line line) {
    w.lines.push_back(std::move(line));
    if (w.lines.size() > max_lines_) {
      w.lines.pop_front();
      if (w.read_marker)
        w.read_marker = *w.read_marker > 0 ? *w.read_marker - 1 : 0;
    }
  };
  if (!day.empty() && day != w.day) {
    w.day = day;
    push({"── " + day + " ──", false, true});
  }
  push({std::move(text), highlight, false});
  if (&w != &windows_[current_] && counts) {
    ++w.unread;
    w.highlighted = w.highlighted || highlight;
  }
}

std::vector<std::string> window_list::search(const std::string& text, size_t max) const {
  auto lower = [](std::string x) {
    for (auto& c : x)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return x;
  };
  auto wanted = lower(text);
  std::vector<std::string> found;
  auto& lines = windows_[current_].lines;
  for (auto i = lines.rbegin(); i != lines.rend() && found.size() < max; ++i) {
    if (i->synthetic)
      continue;
    auto plain = plain_text(parse_sgr(i->text));
    if (lower(plain).find(wanted) != std::string::npos)
      found.push_back(std::move(plain));
  }
  std::reverse(found.begin(), found.end());
  return found;
}

void window_list::clear_current() {
  auto& w = windows_[current_];
  w.lines.clear();
  w.read_marker.reset();
  w.scroll = 0;
  w.day.clear(); // the next line names its day again
}

void window_list::scroll_by(long rows, size_t max_scroll) {
  auto& w = windows_[current_];
  auto next = static_cast<long>(w.scroll) + rows;
  w.scroll = static_cast<size_t>(std::clamp(next, 0L, static_cast<long>(max_scroll)));
}

std::vector<activity> window_list::activity_list() const {
  std::vector<activity> result;
  for (size_t i = 0; i < windows_.size(); ++i) {
    auto& w = windows_[i];
    if (i != current_ && w.unread > 0)
      result.push_back({i + 1, window_title(w.chat), w.unread, w.highlighted});
  }
  return result;
}

} // namespace chat::ui

#include "cli/client/ui/status_bar.hpp"

#include <algorithm>

namespace chat::ui {

styled_line status_bar(const status_info& info, const window_list& windows) {
  styled_line bar;
  text_style plain;
  text_style strong;
  strong.bold = true;
  auto add = [&](std::string text, text_style style) {
    bar.push_back({std::move(text), style});
  };
  add("[" + info.user + (info.server.empty() ? "" : "@" + info.server) + "]", plain);
  if (!info.connection.empty())
    add(" [" + info.connection + "]", strong);
  auto& w = windows.current();
  add(" [" + std::to_string(windows.current_index() + 1) + ":" + window_title(w.chat) +
          (w.scroll > 0 ? " (scrolled)" : "") + "]",
      plain);
  auto active = windows.activity_list();
  if (active.empty())
    return bar;
  // Highlights first (as WeeChat's hotlist): a narrow terminal cuts the
  // bar's end, and a mention must not be what is cut.
  std::stable_partition(active.begin(), active.end(),
                        [](const activity& a) { return a.highlighted; });
  add(" [act:", plain);
  for (auto& a : active)
    add(" " + std::to_string(a.number) + ":" + a.title + "(" + std::to_string(a.unread) +
            (a.highlighted ? "!" : "") + ")",
        a.highlighted ? strong : plain);
  add("]", plain);
  return bar;
}

} // namespace chat::ui

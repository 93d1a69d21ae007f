#include "cli/client/ui/completion.hpp"

#include <algorithm>

namespace chat::ui {

namespace {

/// Whether `word` starts with `prefix`, ignoring ASCII case.
bool starts_with_nocase(const std::string& word, const std::string& prefix) {
  if (prefix.size() > word.size())
    return false;
  return std::equal(prefix.begin(), prefix.end(), word.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

void add_matches(std::vector<std::string>& out, const std::vector<std::string>& words,
                 const std::string& prefix, const std::string& before,
                 const std::string& after) {
  for (auto& w : words)
    if (starts_with_nocase(before + w, prefix))
      out.push_back(before + w + after);
}

} // namespace

completion complete(const std::string& line, size_t cursor,
                    const completion_words& words) {
  completion result;
  cursor = std::min(cursor, line.size());
  auto start = line.rfind(' ', cursor == 0 ? 0 : cursor - 1);
  start = (start == std::string::npos || start >= cursor) ? 0 : start + 1;
  if (cursor > 0 && line[cursor - 1] == ' ')
    start = cursor;
  result.word_start = start;
  auto word = line.substr(start, cursor - start);
  auto first_word = line.substr(0, line.find(' '));
  bool at_start = line.find_first_not_of(' ') >= start;
  auto& c = result.candidates;
  if (at_start && word.starts_with("/")) {
    add_matches(c, words.commands, word, "", " ");
  } else if (word.starts_with("#")) {
    add_matches(c, words.groups, word, "#", " ");
  } else if (!at_start &&
             (first_word == "/join" || first_word == "/open" || first_word == "/leave")) {
    add_matches(c, words.groups, word, "", " ");
  } else if (!at_start && first_word == "/msg") {
    add_matches(c, words.users, word, "", " ");
  } else if (at_start) {
    add_matches(c, words.users, word, "", ": ");
  } else {
    add_matches(c, words.users, word, "", " ");
  }
  std::sort(c.begin(), c.end());
  c.erase(std::unique(c.begin(), c.end()), c.end());
  return result;
}

} // namespace chat::ui

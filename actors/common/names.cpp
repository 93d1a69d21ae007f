#include "actors/common/names.hpp"

namespace chat {

namespace {

bool is_letter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool is_name_char(char c) {
  return is_letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

std::string shown(char c) {
  if (c == ' ')
    return "a space";
  if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
    return "a control or non-ASCII character";
  return std::string{"'"} + c + "'";
}

} // namespace

std::string name_problem(std::string_view name) {
  if (name.empty())
    return "a name must not be empty";
  if (name.size() > max_name_length)
    return "a name has at most 32 characters";
  if (!is_letter(name.front()))
    return "a name starts with a letter (A-Z, a-z)";
  for (char c : name)
    if (!is_name_char(c))
      return "a name has only letters, digits, '_' and '-' (not " + shown(c) + ")";
  return {};
}

std::string join_names(const std::vector<std::string>& names) {
  std::string result;
  for (auto& x : names)
    result += (result.empty() ? "" : ",") + x;
  return result;
}

std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> result;
  size_t start = 0;
  while (start <= list.size()) {
    auto end = list.find(',', start);
    if (end == std::string::npos)
      end = list.size();
    auto item = list.substr(start, end - start);
    if (name_problem(item).empty())
      result.push_back(std::move(item));
    start = end + 1;
  }
  return result;
}

} // namespace chat

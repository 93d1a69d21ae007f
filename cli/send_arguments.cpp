#include "cli/run.hpp"

namespace chat {

std::string take_send_arguments(std::vector<std::string>& args, client_flags& flags) {
  std::vector<std::string> rest;
  std::string text;
  for (size_t i = 0; i < args.size(); ++i) {
    auto& arg = args[i];
    auto take = [&](const std::string& flag, std::string& out) {
      if (arg == flag && i + 1 < args.size()) {
        out = args[++i];
        return true;
      }
      if (arg.starts_with(flag + "=")) {
        out = arg.substr(flag.size() + 1);
        return true;
      }
      return false;
    };
    if (take("--to", flags.to) || take("--group", flags.group) ||
        take("--file", flags.file))
      continue;
    if (arg.starts_with("-")) {
      rest.emplace_back(arg);
      continue;
    }
    text += (text.empty() ? "" : " ") + arg;
  }
  args = std::move(rest);
  flags.text = text;
  if (flags.to.empty() == flags.group.empty())
    return "usage: chat-actors send (--to USER | --group GROUP) TEXT";
  if (!flags.file.empty() && (flags.to.empty() || !flags.text.empty()))
    return "usage: chat-actors send --to USER --file PATH (files go to one user, "
           "without text)";
  if (flags.text.empty() && flags.file.empty())
    return "nothing to send: chat-actors send --to USER TEXT";
  return {};
}

} // namespace chat

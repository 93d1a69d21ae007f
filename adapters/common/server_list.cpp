#include "adapters/common/server_list.hpp"

#include <algorithm>
#include <random>

namespace chat {

server_list::server_list(std::vector<std::string> servers)
    : servers_(std::move(servers)) {
  if (!servers_.empty())
    last_good_ = servers_.front();
}

std::vector<std::string> server_list::parse(const std::string& text) {
  std::vector<std::string> result;
  std::string item;
  auto flush = [&] {
    auto first = item.find_first_not_of(" \t");
    if (first != std::string::npos) {
      auto last = item.find_last_not_of(" \t");
      auto host = item.substr(first, last - first + 1);
      if (std::find(result.begin(), result.end(), host) == result.end())
        result.push_back(host);
    }
    item.clear();
  };
  for (char c : text) {
    if (c == ',')
      flush();
    else
      item += c;
  }
  flush();
  return result;
}

std::vector<std::string> server_list::candidates() const {
  std::lock_guard guard{mtx_};
  std::vector<std::string> result;
  for (auto& s : servers_)
    if (s != last_good_)
      result.push_back(s);
  thread_local std::minstd_rand rng{std::random_device{}()};
  std::shuffle(result.begin(), result.end(), rng);
  if (!last_good_.empty())
    result.insert(result.begin(), last_good_);
  return result;
}

void server_list::worked(const std::string& host) {
  std::lock_guard guard{mtx_};
  last_good_ = host;
}

void server_list::forget(const std::string& host) {
  std::lock_guard guard{mtx_};
  std::erase(servers_, host);
  if (last_good_ == host)
    last_good_.clear();
}

void server_list::merge(const std::vector<std::string>& more) {
  std::lock_guard guard{mtx_};
  for (auto& host : more)
    if (!host.empty() &&
        std::find(servers_.begin(), servers_.end(), host) == servers_.end())
      servers_.push_back(host);
}

std::vector<std::string> server_list::all() const {
  std::lock_guard guard{mtx_};
  return servers_;
}

} // namespace chat

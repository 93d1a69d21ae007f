#include "actors/client/file_manager_actor.hpp"

#include "actors/client/chat_types.hpp"
#include "actors/client/file_offer_rules.hpp"
#include "actors/client/file_transfer_common.hpp"
#include "actors/common/names.hpp"
#include "adapters/client/file_names.hpp"
#include "config/errors.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace chat {

namespace {

namespace fs = std::filesystem;
using self_ptr = file_manager_pointer;

/// The first characters of a transfer id, as the user types it.
std::string short_id(const std::string& id) {
  return id.substr(0, 8);
}

void tell(self_ptr self, file_event ev) {
  ev.ts_ms = now_ms();
  if (self->state.listener)
    caf::anon_send(self->state.listener, event_atom::value, std::move(ev));
}

void tell_line(self_ptr self, uint8_t kind, std::string text) {
  file_event ev;
  ev.kind = kind;
  ev.text = std::move(text);
  tell(self, std::move(ev));
}

/// The id in `ids` that `prefix` names (the last one if empty); empty and
/// `error` set if none or several.
template <class Range, class Id>
std::string pick(const Range& ids, const std::string& prefix, Id id_of,
                 std::string& error, const char* what) {
  std::string found;
  for (auto& x : ids) {
    auto& id = id_of(x);
    if (prefix.empty() || id.starts_with(prefix)) {
      if (!prefix.empty() && !found.empty()) {
        error = "'" + prefix + "' names several " + what + "s; type more of the id";
        return {};
      }
      found = id;
    }
  }
  if (found.empty())
    error = prefix.empty() ? std::string{"no "} + what
                           : std::string{"no "} + what + " '" + prefix + "'";
  return found;
}

file_transfer_actor spawn_receiver(self_ptr self, part_record record,
                                   std::string final_path, bool verified) {
  auto& st = self->state;
  auto id = record.id;
  auto hdl = self->spawn(file_receive_impl, st.ctx, caf::actor_cast<caf::actor>(self),
                         std::move(record), std::move(final_path), verified);
  self->monitor(hdl);
  st.transfers.emplace(id, hdl);
  return hdl;
}

/// Where an accepted file goes: `wanted` (a new file, or a directory to
/// put it in) or the download directory, never over an existing file.
std::string target_path(self_ptr self, const std::string& name, std::string wanted,
                        std::string& error) {
  std::error_code ec;
  if (wanted.starts_with("~/"))
    if (auto home = std::getenv("HOME"))
      wanted = home + wanted.substr(1);
  auto dir = wanted.empty() ? self->state.download_dir : wanted;
  if (wanted.empty() || fs::is_directory(wanted, ec)) {
    fs::create_directories(dir, ec);
    if (!fs::is_directory(dir, ec)) {
      error = "cannot use " + dir + " as the download directory";
      return {};
    }
    return unique_path(dir, name, path_taken);
  }
  if (path_taken(wanted)) {
    error = wanted + " exists; a received file never replaces one";
    return {};
  }
  auto parent = fs::path{wanted}.parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    error = "no directory " + parent.string();
    return {};
  }
  return wanted;
}

caf::result<std::string> handle_request(self_ptr self, const file_request& req) {
  auto& st = self->state;
  std::string error;
  switch (req.verb) {
  case file_request::send: {
    if (auto problem = name_problem(req.target); !problem.empty())
      return make_error(errc::invalid_name,
                        "invalid name '" + req.target + "': " + problem);
    if (req.target == st.ctx.user)
      return make_error(errc::invalid_message, "you cannot send yourself a file");
    if (req.path.empty())
      return make_error(errc::invalid_message, "usage: /send <user> <path>");
    auto id = new_transfer_id();
    auto hdl = self->spawn(file_send_impl, st.ctx, caf::actor_cast<caf::actor>(self), id,
                           req.target, req.path);
    self->monitor(hdl);
    st.transfers.emplace(id, hdl);
    return "offering " + req.path + " to " + req.target + " (transfer " + short_id(id) +
           ")";
  }
  case file_request::accept: {
    auto id = pick(
        st.pending, req.target, [](auto& ev) -> auto& { return ev.id; }, error,
        "file offer");
    if (id.empty())
      return make_error(errc::invalid_message, error);
    auto i = std::find_if(st.pending.begin(), st.pending.end(),
                          [&](auto& ev) { return ev.id == id; });
    std::string problem;
    auto name = sanitize_file_name(i->name, problem);
    auto path = target_path(self, name, req.path, error);
    if (path.empty())
      return make_error(errc::invalid_message, error);
    auto record = st.pending_records.at(id);
    auto verified = i->verified;
    auto size = i->size;
    auto from = i->peer;
    st.pending.erase(i);
    st.pending_records.erase(id);
    spawn_receiver(self, std::move(record), path, verified);
    return "receiving " + name + " (" + human_size(static_cast<double>(size)) +
           ") from " + from + " into " + path;
  }
  case file_request::decline: {
    auto id = pick(
        st.pending, req.target, [](auto& ev) -> auto& { return ev.id; }, error,
        "file offer");
    if (id.empty())
      return make_error(errc::invalid_message, error);
    auto i = std::find_if(st.pending.begin(), st.pending.end(),
                          [&](auto& ev) { return ev.id == id; });
    auto line = "declined " + i->name + " from " + i->peer;
    file_transfers::tell_sender(
        self, st.ctx, i->peer,
        file_conclusion{
            id, st.ctx.user, static_cast<int32_t>(file_outcome::declined), {}, {}});
    st.pending.erase(i);
    st.pending_records.erase(id);
    return line;
  }
  case file_request::cancel: {
    auto id = pick(
        st.transfers, req.target, [](auto& kv) -> auto& { return kv.first; }, error,
        "transfer");
    if (id.empty())
      return make_error(errc::invalid_message, error);
    self->send(st.transfers.at(id), cancel_atom::value);
    return "cancelling transfer " + short_id(id);
  }
  default: {
    std::string lines;
    auto add = [&](const std::string& line) {
      lines += (lines.empty() ? "" : "\n") + line;
    };
    for (auto& ev : st.pending)
      add(short_id(ev.id) + "  offer from " + ev.peer + ": " + ev.name + " (" +
          human_size(static_cast<double>(ev.size)) + ", " +
          (ev.verified ? "verified" : "UNVERIFIED") + ") — /accept or /decline");
    for (auto& [id, hdl] : st.transfers) {
      auto i = st.latest.find(id);
      if (i == st.latest.end()) {
        add(short_id(id) + "  starting");
        continue;
      }
      auto& ev = i->second;
      auto pct = ev.size == 0 ? 0 : ev.bytes * 100 / ev.size;
      add(short_id(id) + (ev.incoming ? "  from " : "  to ") + ev.peer + ": " + ev.name +
          " " + std::to_string(pct) + "% of " + human_size(static_cast<double>(ev.size)));
    }
    return lines.empty() ? std::string{"no file transfers"} : lines;
  }
  }
}

void check_offer(self_ptr self, file_offer offer, delivery_reply reply) {
  auto& st = self->state;
  auto refuse = [=](delivery_code code, const std::string& why) {
    tell_line(self, file_event::failed,
              "refused a file offer from " + offer.sender + ": " + why);
    reply({static_cast<int32_t>(code), why});
  };
  std::string problem;
  auto name = sanitize_file_name(offer.name, problem);
  if (name.empty())
    return refuse(delivery_code::invalid_argument, problem);
  if (auto bad = name_problem(offer.sender); !bad.empty())
    return refuse(delivery_code::invalid_argument, "invalid sender name");
  self->request(st.ctx.registry, st.ctx.call_timeout, lookup_atom::value, offer.sender)
      .then(
          [=](const endpoint& ep) {
            auto& st = self->state;
            if (auto why = offer_problem(offer, ep, st.ctx.user); !why.empty())
              return refuse(delivery_code::permission_denied, why);
            if (st.transfers.count(offer.id) != 0 ||
                st.pending_records.count(offer.id) != 0)
              return reply({}); // announced again: already here
            file_event ev;
            ev.kind = file_event::offer;
            ev.id = offer.id;
            ev.peer = offer.sender;
            ev.incoming = true;
            ev.name = name;
            ev.size = offer.size;
            ev.sha256 = offer.sha256;
            ev.verified =
                !st.ctx.pins ||
                st.ctx.pins->check(offer.sender, ep.public_key) != pin_status::changed;
            st.pending.push_back(ev);
            st.pending_records[offer.id] =
                part_record{offer.id,   offer.sender, offer.receiver,  offer.name,
                            offer.size, offer.sha256, offer.signature, 0};
            tell(self, std::move(ev));
            reply({});
          },
          [=](const caf::error&) {
            refuse(delivery_code::permission_denied, offer.sender + " is not registered");
          });
}

} // namespace

void file_slot::set(file_manager_actor hdl) {
  std::lock_guard guard{mtx_};
  hdl_ = std::move(hdl);
}

file_manager_actor file_slot::get() const {
  std::lock_guard guard{mtx_};
  return hdl_;
}

file_service_hooks file_hooks(std::shared_ptr<file_slot> slot,
                              std::shared_ptr<offered_files> offered) {
  auto not_yet = delivery_status{static_cast<int32_t>(delivery_code::unavailable),
                                 "not registered yet"};
  file_service_hooks hooks;
  hooks.offer = [slot, not_yet](file_offer offer, delivery_reply reply) {
    if (auto hdl = slot->get())
      caf::anon_send(hdl, incoming_atom::value, std::move(offer), std::move(reply));
    else
      reply(not_yet);
  };
  hooks.conclude = [slot, not_yet](file_conclusion outcome, delivery_reply reply) {
    if (auto hdl = slot->get())
      caf::anon_send(hdl, incoming_atom::value, std::move(outcome), std::move(reply));
    else
      reply(not_yet);
  };
  hooks.served = [slot](std::string id, uint64_t offset) {
    if (auto hdl = slot->get())
      caf::anon_send(hdl, progress_atom::value, std::move(id), offset);
  };
  hooks.recheck = [slot](std::string id, std::string cert) {
    if (auto hdl = slot->get())
      caf::anon_send(hdl, recheck_atom::value, std::move(id), std::move(cert));
  };
  hooks.offered = std::move(offered);
  return hooks;
}

file_manager_actor::behavior_type file_manager_impl(file_manager_pointer self,
                                                    file_context ctx, caf::actor listener,
                                                    std::string download_dir) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.listener = std::move(listener);
  st.download_dir = std::move(download_dir);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto i = st.transfers.begin(); i != st.transfers.end(); ++i)
      if (i->second.address() == dm.source) {
        st.latest.erase(i->first);
        st.transfers.erase(i);
        return;
      }
  });
  // What a run that ended left half-received continues by itself.
  for (auto& [path, record] : part_file::find(st.download_dir)) {
    if (record.receiver != st.ctx.user || st.transfers.count(record.id) != 0)
      continue;
    tell_line(self, file_event::info,
              "resuming " + path + " from " + record.sender + " at " +
                  human_size(static_cast<double>(record.offset)));
    spawn_receiver(self, record, path, false);
  }
  return {
      [=](file_atom, const file_request& req) { return handle_request(self, req); },
      [=](incoming_atom, file_offer& offer, delivery_reply& reply) {
        check_offer(self, std::move(offer), std::move(reply));
      },
      [=](incoming_atom, file_conclusion& outcome, delivery_reply& reply) {
        auto& st = self->state;
        offered_files::entry e;
        auto i = st.transfers.find(outcome.id);
        if (i == st.transfers.end() || !st.ctx.offered->find(outcome.id, e) ||
            e.receiver != outcome.receiver || e.receiver_cert != outcome.peer_cert)
          return reply({static_cast<int32_t>(delivery_code::permission_denied),
                        "no such offer to you"});
        self->send(i->second, finish_atom::value, outcome.code, std::move(outcome.detail),
                   std::string{});
        reply({});
      },
      [=](progress_atom, const std::string& id, uint64_t offset) {
        if (auto i = self->state.transfers.find(id); i != self->state.transfers.end())
          self->send(i->second, progress_atom::value, offset);
      },
      [=](recheck_atom, const std::string& id, std::string& cert) {
        if (auto i = self->state.transfers.find(id); i != self->state.transfers.end())
          self->send(i->second, recheck_atom::value, std::move(cert));
      },
      [=](event_atom, file_event& ev) {
        auto& st = self->state;
        if (ev.kind == file_event::done || ev.kind == file_event::failed)
          st.latest.erase(ev.id);
        else if (!ev.id.empty())
          st.latest[ev.id] = ev;
        tell(self, std::move(ev));
      },
  };
}

} // namespace chat

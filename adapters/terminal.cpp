#include "adapters/terminal.hpp"

#include "actors/atoms.hpp"

#include <caf/send.hpp>

#include <atomic>
#include <cstdio>
#include <deque>
#include <iostream>
#include <mutex>
#include <thread>

#include <editline/readline.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace chat {

namespace {

/// Commands from other threads to the editor thread.
struct editor_command {
  enum { print, prompt, clear } kind;
  std::string text;
};

class line_editor final : public terminal {
public:
  explicit line_editor(std::string history_file)
      : history_file_(std::move(history_file)),
        wake_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

  ~line_editor() override {
    stop_ = true;
    wake();
    if (thread_.joinable())
      thread_.join();
    close(wake_);
  }

  void start(caf::actor reader) override {
    reader_ = std::move(reader);
    thread_ = std::thread{[this] { run(); }};
  }

  void print(std::string line) override {
    push({editor_command::print, std::move(line)});
  }

  void set_prompt(std::string prompt) override {
    push({editor_command::prompt, std::move(prompt)});
  }

  void clear_line() override { push({editor_command::clear, {}}); }

private:
  void push(editor_command cmd) {
    {
      std::lock_guard guard{mtx_};
      queue_.emplace_back(std::move(cmd));
    }
    wake();
  }

  void wake() {
    uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_, &one, sizeof(one));
  }

  // libedit's callback API takes a plain function: one editor per process.
  static inline line_editor* current_ = nullptr;

  static void on_line(char* line) {
    auto self = current_;
    if (line == nullptr) {
      caf::anon_send(self->reader_, eof_atom::value);
      self->eof_ = true;
      return;
    }
    self->fresh_ = true;
    std::string text{line};
    free(line);
    if (!text.empty())
      add_history(text.c_str());
    caf::anon_send(self->reader_, line_atom::value, std::move(text));
  }

  void apply(std::deque<editor_command>& cmds) {
    bool redraw = false;
    // A new line editor state: libedit drops the typed text only when its
    // callback handler is installed again (rl_replace_line("") is a no-op).
    bool new_line = fresh_;
    for (auto& cmd : cmds) {
      switch (cmd.kind) {
      case editor_command::print:
        // Erase the prompt line, print above it, redraw prompt + typed text.
        std::fputs("\r\033[2K", stdout);
        std::fputs(cmd.text.c_str(), stdout);
        std::fputs("\r\n", stdout);
        redraw = true;
        break;
      case editor_command::prompt:
        prompt_ = cmd.text;
        rl_set_prompt(prompt_.c_str());
        redraw = true;
        break;
      case editor_command::clear:
        std::fputs("^C\r\n", stdout);
        redraw = new_line = true;
        break;
      }
    }
    std::fflush(stdout);
    if (!redraw)
      return;
    if (new_line) {
      // Also right after a line was accepted: libedit still shows (and
      // redraws) the old line until the next key.
      rl_callback_handler_remove();
      rl_callback_handler_install(prompt_.c_str(), on_line);
    } else {
      rl_forced_update_display();
    }
  }

  void run() {
    current_ = this;
    rl_catch_signals = 0; // SIGINT/SIGTERM are taken by the signal thread
    if (!history_file_.empty())
      read_history(history_file_.c_str());
    rl_callback_handler_install(prompt_.c_str(), on_line);
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_, POLLIN, 0}};
    while (!stop_ && !eof_) {
      if (poll(fds, 2, -1) < 0)
        continue;
      if (fds[1].revents & POLLIN) {
        uint64_t n;
        [[maybe_unused]] auto r = read(wake_, &n, sizeof(n));
        std::deque<editor_command> cmds;
        {
          std::lock_guard guard{mtx_};
          cmds.swap(queue_);
        }
        apply(cmds);
      }
      if (fds[0].revents & (POLLIN | POLLHUP)) {
        fresh_ = false;
        rl_callback_read_char(); // sets fresh_ again if it completed a line
      }
    }
    rl_callback_handler_remove();
    if (!history_file_.empty())
      write_history(history_file_.c_str());
    std::fputs("\r\n", stdout);
    std::fflush(stdout);
    // Output that came after the editor stopped is still shown.
    std::lock_guard guard{mtx_};
    for (auto& cmd : queue_)
      if (cmd.kind == editor_command::print)
        std::printf("%s\n", cmd.text.c_str());
    queue_.clear();
    std::fflush(stdout);
    current_ = nullptr;
  }

  std::string history_file_;
  int wake_;
  caf::actor reader_;
  std::string prompt_ = "> ";
  std::mutex mtx_;
  std::deque<editor_command> queue_;
  std::atomic<bool> stop_ = false;
  bool eof_ = false;
  /// No key was typed since the last line was accepted.
  bool fresh_ = true;
  std::thread thread_;
};

class batch_terminal final : public terminal {
public:
  batch_terminal() : wake_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

  ~batch_terminal() override {
    uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_, &one, sizeof(one));
    if (thread_.joinable())
      thread_.join();
    close(wake_);
  }

  void start(caf::actor reader) override {
    thread_ = std::thread{[this, reader = std::move(reader)] { run(reader); }};
  }

  void print(std::string line) override {
    std::lock_guard guard{mtx_};
    std::cout << line << std::endl;
  }

  void set_prompt(std::string) override {}

  void clear_line() override {}

private:
  // poll() instead of std::getline, so that the destructor can stop us.
  void run(const caf::actor& reader) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_, POLLIN, 0}};
    std::string buffer;
    char chunk[4096];
    for (;;) {
      if (poll(fds, 2, -1) < 0)
        continue;
      if (fds[1].revents & POLLIN)
        return;
      auto n = read(STDIN_FILENO, chunk, sizeof(chunk));
      if (n <= 0)
        break;
      buffer.append(chunk, static_cast<size_t>(n));
      for (auto nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n')) {
        caf::anon_send(reader, line_atom::value, buffer.substr(0, nl));
        buffer.erase(0, nl + 1);
      }
    }
    if (!buffer.empty())
      caf::anon_send(reader, line_atom::value, buffer);
    caf::anon_send(reader, eof_atom::value);
  }

  int wake_;
  std::mutex mtx_;
  std::thread thread_;
};

} // namespace

std::unique_ptr<terminal> make_line_editor(const std::string& history_file) {
  return std::make_unique<line_editor>(history_file);
}

std::unique_ptr<terminal> make_batch_terminal() {
  return std::make_unique<batch_terminal>();
}

} // namespace chat

#include "adapters/client/terminal.hpp"

#include "adapters/client/stalled_write.hpp"

#include "adapters/client/input_history.hpp"
#include "adapters/client/output_queue.hpp"
#include "adapters/client/text_width.hpp"
#include "adapters/common/thread_name.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <editline/readline.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chat {

namespace {

/// How long a stopping batch terminal still tries to write what waits for
/// a reader that does not read (quitting must not wait for it).
constexpr auto flush_grace = std::chrono::milliseconds{250};

void notify(int eventfd) {
  uint64_t one = 1;
  [[maybe_unused]] auto n = write(eventfd, &one, sizeof(one));
}

void drain(int eventfd) {
  uint64_t n;
  [[maybe_unused]] auto r = read(eventfd, &n, sizeof(n));
}

/// Terminal rows that `text` took, typed after `prompt`.
size_t rows_of(const std::string& prompt, const std::string& text) {
  winsize ws{};
  size_t cols =
      ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
  auto width = display_width(prompt) + display_width(text);
  return width == 0 ? 1 : (width - 1) / cols + 1;
}

/// Standard output for a writer that must never block for good. Pipes,
/// FIFOs and terminals are opened again, non-blocking: a file description of
/// our own, so the flag reaches neither stdin nor other processes sharing
/// stdout's. Sockets are written with MSG_DONTWAIT; files are written as
/// they are (they block briefly at worst).
int open_stdout_nonblocking() {
  struct stat st {};
  if (fstat(STDOUT_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)))
    if (auto fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        fd >= 0)
      return fd;
  return STDOUT_FILENO;
}

class line_editor final : public terminal {
public:
  explicit line_editor(output_limits limits)
      : wake_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
        prints_(limits.queue_bytes, std::move(limits.drop_notice)) {}

  ~line_editor() override {
    stop_ = true;
    notify(wake_);
    if (thread_.joinable())
      thread_.join();
    close(wake_);
  }

  void start(input_handler in, std::string history_file) override {
    input_ = std::move(in);
    history_file_ = std::move(history_file);
    thread_ = std::thread{[this] {
      name_this_thread("chat.input");
      run();
    }};
  }

  void keep_in_history(std::string line) override {
    std::lock_guard guard{mtx_};
    kept_.emplace_back(std::move(line));
  }

  void print(std::string line) override {
    {
      std::lock_guard guard{mtx_};
      prints_.push(std::move(line));
    }
    notify(wake_);
  }

  void set_prompt(std::string prompt) override {
    {
      std::lock_guard guard{mtx_};
      new_prompt_ = std::move(prompt);
    }
    notify(wake_);
  }

  void clear_line() override {
    {
      std::lock_guard guard{mtx_};
      clear_ = true;
    }
    notify(wake_);
  }

private:
  // libedit's callback API takes a plain function: one editor per process.
  static inline line_editor* current_ = nullptr;

  static void on_line(char* line) {
    auto self = current_;
    if (line == nullptr) {
      self->input_.eof();
      self->eof_ = true;
      return;
    }
    self->fresh_ = true;
    std::string text{line};
    free(line);
    self->accepted_rows_ = rows_of(self->prompt_, text);
    if (!text.empty())
      add_history(text.c_str());
    self->input_.line(std::move(text));
  }

  /// Shows what other threads asked for since the last call: Ctrl+C's
  /// dropped line, then the lines to print, then the new prompt.
  void apply() {
    std::vector<std::string> lines;
    std::optional<std::string> prompt;
    bool clear = false;
    {
      std::lock_guard guard{mtx_};
      while (auto line = prints_.pop())
        lines.emplace_back(std::move(*line));
      prompt.swap(new_prompt_);
      clear = std::exchange(clear_, false);
    }
    if (lines.empty() && !prompt && !clear)
      return;
    // A new line editor state: libedit drops the typed text only when its
    // callback handler is installed again (rl_replace_line("") is a no-op).
    bool new_line = fresh_;
    std::string out;
    if (clear) {
      out += "^C\r\n";
      new_line = true;
    } else if (lines.empty()) {
      out += "\r\033[2K"; // the prompt is drawn anew
    }
    if (!lines.empty() && dropped_ > 0)
      out += "\r\033[2K… " + std::to_string(dropped_) +
             " lines dropped: the terminal did not take them\r\n";
    for (auto& line : lines) {
      // Erase the prompt line, print above it, redraw prompt + typed text.
      out += "\r\033[2K";
      out += line;
      out += "\r\n";
    }
    if (prompt) {
      prompt_ = std::move(*prompt);
      rl_set_prompt(prompt_.c_str());
    }
    if (emit(out))
      dropped_ = lines.empty() ? dropped_ : 0; // the notice went out with them
    else
      dropped_ += lines.size();
    if (new_line) {
      // Also right after a line was accepted: libedit still shows (and
      // redraws) the old line until the next key.
      rl_callback_handler_remove();
      rl_callback_handler_install(prompt_.c_str(), on_line);
    } else {
      rl_forced_update_display();
    }
  }

  /// Right after a line was accepted: erases it (the CLI shows again what
  /// should stay, above what it causes, so a sent text is not shown twice)
  /// and shows an empty prompt at once, also when the command prints
  /// nothing. Left alone, libedit shows no prompt until the next key and
  /// then echoes the line being typed twice.
  void next_line() {
    emit("\033[" + std::to_string(accepted_rows_) + "A\r\033[J");
    rl_callback_handler_remove();
    rl_callback_handler_install(prompt_.c_str(), on_line);
  }

  /// Writes `data` after what libedit buffered; false if the terminal did
  /// not take all of it within `stall_grace` (the rest is dropped).
  bool emit(std::string_view data) {
    std::fflush(stdout);
    // Meanwhile no keys are read: give up after stall_grace.
    return write_within(STDOUT_FILENO, data);
  }

  /// Adds what this session keeps to the history file as it is now.
  void save_history() {
    if (history_file_.empty())
      return;
    std::vector<std::string> kept;
    {
      std::lock_guard guard{mtx_};
      kept.swap(kept_);
    }
    if (kept.empty())
      return;
    save_input_history(history_file_,
                       merge_input_history(load_input_history(history_file_), kept,
                                           input_history_lines));
  }

  void run() {
    current_ = this;
    // Our own, non-blocking description of the terminal on fd 1 (the shell's
    // stays blocking): a terminal that stops taking output (Ctrl+S, a
    // stalled link) costs dropped lines, never the keys, so /quit works.
    if (auto fd = open_stdout_nonblocking(); fd != STDOUT_FILENO) {
      dup2(fd, STDOUT_FILENO);
      close(fd);
    }
    rl_catch_signals = 0; // SIGINT/SIGTERM are taken by the signal thread
    for (auto& line : load_input_history(history_file_))
      add_history(line.c_str());
    rl_callback_handler_install(prompt_.c_str(), on_line);
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_, POLLIN, 0}};
    while (!stop_ && !eof_) {
      if (poll(fds, 2, -1) < 0)
        continue;
      if (fds[1].revents & POLLIN) {
        drain(wake_);
        apply();
      }
      if (fds[0].revents & (POLLIN | POLLHUP)) {
        fresh_ = false;
        rl_callback_read_char(); // sets fresh_ again if it completed a line
        if (fresh_ && !eof_)
          next_line();
      }
    }
    rl_callback_handler_remove();
    save_history();
    // Output that came after the editor stopped is still shown (if the
    // terminal takes it).
    std::string out = "\r\n";
    {
      std::lock_guard guard{mtx_};
      while (auto line = prints_.pop())
        out += *line + "\n";
    }
    emit(out);
    current_ = nullptr;
  }

  std::string history_file_;
  int wake_;
  input_handler input_;
  std::string prompt_ = "> ";
  std::mutex mtx_;
  /// Lines to print above the prompt (guarded by mtx_).
  output_queue prints_;
  /// A prompt to show instead (guarded by mtx_).
  std::optional<std::string> new_prompt_;
  /// Ctrl+C: drop the typed text (guarded by mtx_).
  bool clear_ = false;
  /// Lines typed in this session that go to the history file (guarded by
  /// mtx_).
  std::vector<std::string> kept_;
  std::atomic<bool> stop_ = false;
  bool eof_ = false;
  /// No key was typed since the last line was accepted.
  bool fresh_ = true;
  /// Terminal rows the last accepted line took, prompt included.
  size_t accepted_rows_ = 1;
  /// Lines the terminal did not take (stalled); said before the next ones.
  size_t dropped_ = 0;
  std::thread thread_;
};

bool is_socket(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

class batch_terminal final : public terminal {
public:
  explicit batch_terminal(output_limits limits)
      : wake_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
        writer_wake_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
        out_(open_stdout_nonblocking()), socket_(is_socket(out_)),
        pending_(limits.queue_bytes, std::move(limits.drop_notice)) {
    writer_ = std::thread{[this] {
      name_this_thread("chat.output");
      write_lines();
    }};
  }

  ~batch_terminal() override {
    notify(wake_);
    if (reader_.joinable())
      reader_.join();
    {
      std::lock_guard guard{mtx_};
      deadline_ = std::chrono::steady_clock::now() + flush_grace;
      stopping_ = true;
    }
    notify(writer_wake_);
    writer_.join();
    close(wake_);
    close(writer_wake_);
    if (out_ != STDOUT_FILENO)
      close(out_);
  }

  void start(input_handler in, std::string) override {
    reader_ = std::thread{[this, in = std::move(in)] {
      name_this_thread("chat.input");
      run(in);
    }};
  }

  void keep_in_history(std::string) override {}

  void print(std::string line) override {
    bool idle;
    {
      std::lock_guard guard{mtx_};
      idle = pending_.size() == 0;
      pending_.push(std::move(line));
    }
    if (idle) // otherwise the writer is busy and comes back for more
      notify(writer_wake_);
  }

  void set_prompt(std::string) override {}

  void clear_line() override {}

private:
  // poll() instead of std::getline, so that the destructor can stop us.
  void run(const input_handler& in) {
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
        in.line(buffer.substr(0, nl));
        buffer.erase(0, nl + 1);
      }
    }
    if (!buffer.empty())
      in.line(buffer);
    in.eof();
  }

  /// The writer thread: one line after the other until stopped, and then
  /// until everything is out or the grace is over.
  void write_lines() {
    for (;;) {
      std::optional<std::string> line;
      bool stopping;
      {
        std::lock_guard guard{mtx_};
        line = pending_.pop();
        stopping = stopping_;
      }
      if (!line) {
        if (stopping)
          return;
        wait_for(0);
        continue;
      }
      line->push_back('\n');
      if (!write_out(*line))
        return; // the reader is gone, or quitting waits no longer
    }
  }

  /// Writes all of `data`, waiting while the reader does not read.
  bool write_out(std::string_view data) {
    while (!data.empty()) {
      auto n = socket_ ? send(out_, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL)
                       : write(out_, data.data(), data.size());
      if (n >= 0)
        data.remove_prefix(static_cast<size_t>(n));
      else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!wait_for(POLLOUT))
          return false;
      } else if (errno != EINTR)
        return false; // EPIPE: nobody reads any more
    }
    return true;
  }

  /// Waits until the output takes `events` (0: until woken); false once
  /// stopping and the grace is over.
  bool wait_for(short events) {
    auto timeout = -1;
    {
      std::lock_guard guard{mtx_};
      if (stopping_) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline_ - std::chrono::steady_clock::now());
        if (left.count() <= 0)
          return false;
        timeout = static_cast<int>(left.count());
      }
    }
    pollfd fds[2] = {{writer_wake_, POLLIN, 0}, {out_, events, 0}};
    poll(fds, events == 0 ? 1 : 2, timeout);
    if (fds[0].revents & POLLIN)
      drain(writer_wake_);
    return true;
  }

  int wake_;
  /// Wakes the writer: lines to write, or stopping.
  int writer_wake_;
  /// Standard output, non-blocking where it could block for good.
  int out_;
  bool socket_;
  std::mutex mtx_;
  /// Lines the reader of stdout has not taken yet (guarded by mtx_).
  output_queue pending_;
  /// Stopping: the writer gives up what is left at the deadline (both
  /// guarded by mtx_).
  bool stopping_ = false;
  std::chrono::steady_clock::time_point deadline_;
  std::thread reader_;
  std::thread writer_;
};

} // namespace

std::unique_ptr<terminal> make_line_editor(output_limits limits) {
  return std::make_unique<line_editor>(std::move(limits));
}

std::unique_ptr<terminal> make_batch_terminal(output_limits limits) {
  return std::make_unique<batch_terminal>(std::move(limits));
}

} // namespace chat

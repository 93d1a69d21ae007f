#include "cli/client/ui/fullscreen_terminal.hpp"
#include "adapters/common/thread_name.hpp"

#include "adapters/client/input_history.hpp"
#include "adapters/client/text_width.hpp"
#include "cli/client/ui/completion.hpp"
#include "cli/client/ui/escape_keys.hpp"
#include "cli/client/ui/paste.hpp"
#include "cli/client/ui/screen_output.hpp"
#include "cli/client/ui/status_bar.hpp"
#include "cli/client/ui/window_list.hpp"
#include "cli/client/ui/wrap.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

namespace chat::ui {

namespace {

/// Key codes of the control keys we bind (as get_wch returns them).
constexpr wint_t ctrl(char c) {
  return static_cast<wint_t>(c - 'a' + 1);
}
constexpr wint_t key_escape = 27;
constexpr wint_t key_delete = 127;

/// How often the loop looks at the terminal's size and the clock even when
/// nothing happens (SIGWINCH goes to whichever thread takes it).
constexpr int idle_poll_ms = 250;

/// How long the rest of an escape sequence may take after its ESC (a
/// terminal sends a key's sequence in one write; a lone Escape has none).
constexpr int escape_wait_ms = 50;

/// Asks the terminal to mark pasted text (ESC [ 200 ~ … ESC [ 201 ~), so a
/// paste of several lines is not sent line by line as if typed.
constexpr const char* bracketed_paste_on = "\033[?2004h";
constexpr const char* bracketed_paste_off = "\033[?2004l";

/// What Ctrl+C says: it never quits and never drops the typed line (irssi
/// and WeeChat users press it for colour codes).
constexpr const char* ctrl_c_hint = "Ctrl+C does not quit: type /quit to leave";

std::string utf8(const std::u32string& text) {
  std::string out;
  for (auto c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xe0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (c & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

std::u32string utf32(std::string_view text) {
  std::u32string out;
  for (size_t pos = 0; pos < text.size();)
    out += next_code_point(text, pos);
  return out;
}

/// Where the SIGTSTP handler says "Ctrl+Z" (the UI thread's eventfd; -1
/// while no full screen is up). One full screen per process.
std::atomic<int> suspend_fd = -1;

/// Async-signal-safe: only a write to the eventfd the UI thread polls; the
/// UI thread leaves curses mode and stops the process itself.
extern "C" void on_suspend_signal(int) {
  auto saved = errno;
  if (auto fd = suspend_fd.load(); fd >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] auto n = write(fd, &one, sizeof(one));
  }
  errno = saved;
}

/// Takes SIGTSTP (Ctrl+Z) with on_suspend_signal. Before newterm: curses
/// installs a handler of its own only while the default is in place, and
/// that one would run curses code on whichever thread the signal hits.
void catch_suspend() {
  struct sigaction sa {};
  sa.sa_handler = on_suspend_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTSTP, &sa, nullptr);
}

/// "Sun 29 Nov 2026", local time: the day lines of the windows.
std::string today() {
  auto now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%a %d %b %Y", &tm);
  return buf;
}

/// What the CLI actor asked for, in the order it asked.
struct request {
  enum kind_t {
    print,
    print_to,
    open,
    show,
    show_number,
    close,
    list,
    clear_window,
    search,
    restore,
    prompt,
    clear,
    session,
    names
  };
  kind_t kind;
  std::string chat = {};
  std::string text = {};
  bool counts = false;
  bool highlight = false;
  size_t number = 0;
  std::vector<std::string> users = {};
  std::vector<std::string> groups = {};
};

class fullscreen_terminal final : public terminal {
public:
  explicit fullscreen_terminal(fullscreen_settings settings)
      : settings_(std::move(settings)), windows_(settings_.scrollback),
        wake_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
        suspend_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    words_.commands = settings_.commands;
  }

  ~fullscreen_terminal() override {
    stop_ = true;
    wake();
    if (thread_.joinable())
      thread_.join();
    close(wake_);
    close(suspend_);
  }

  void start(input_handler in, std::string history_file) override {
    input_handler_ = std::move(in);
    history_file_ = std::move(history_file);
    thread_ = std::thread{[this] {
      name_this_thread("chat.ui");
      run();
    }};
  }

  void keep_in_history(std::string line) override {
    std::lock_guard guard{mtx_};
    kept_.push_back(std::move(line));
  }

  void print(std::string line) override { push({request::print, {}, std::move(line)}); }

  void set_prompt(std::string prompt) override {
    push({request::prompt, {}, std::move(prompt)});
  }

  void clear_line() override { push({request::clear}); }

  bool has_windows() const override { return true; }

  void print_to(std::string chat, std::string line, bool counts,
                bool highlight) override {
    request r{request::print_to, std::move(chat), std::move(line)};
    r.counts = counts;
    r.highlight = highlight;
    push(std::move(r));
  }

  void open_window(std::string chat) override { push({request::open, std::move(chat)}); }

  void show_window(std::string chat) override { push({request::show, std::move(chat)}); }

  void show_window_number(size_t n) override {
    request r{request::show_number};
    r.number = n;
    push(std::move(r));
  }

  void close_window(std::string chat) override {
    push({request::close, std::move(chat)});
  }

  void list_windows() override { push({request::list}); }

  void clear_window() override { push({request::clear_window}); }

  void search_window(std::string text) override {
    push({request::search, {}, std::move(text)});
  }

  void restore_input(std::string line) override {
    push({request::restore, {}, std::move(line)});
  }

  void set_session(std::string user, std::string server,
                   std::string connection) override {
    request r{request::session, std::move(user), std::move(connection)};
    r.users = {std::move(server)};
    push(std::move(r));
  }

  void set_names(std::vector<std::string> users,
                 std::vector<std::string> groups) override {
    request r{request::names};
    r.users = std::move(users);
    r.groups = std::move(groups);
    push(std::move(r));
  }

private:
  void wake() {
    uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_, &one, sizeof(one));
  }

  /// Queues `r` for the UI thread; lines beyond the byte limit are dropped
  /// (counted, and said in the window once there is room again).
  void push(request r) {
    {
      std::lock_guard guard{mtx_};
      auto is_line = r.kind == request::print || r.kind == request::print_to;
      if (is_line && queued_bytes_ + r.text.size() > settings_.limits.queue_bytes) {
        ++dropped_;
        return;
      }
      queued_bytes_ += r.text.size();
      requests_.push_back(std::move(r));
    }
    wake();
  }

  // -- the UI thread ---------------------------------------------------------

  void run() {
    // Until the session ends, stderr (log warnings) would scribble over the
    // screen: it goes to a file next to the input history.
    redirect_stderr();
    // Curses writes into a pipe that its own thread copies to the terminal,
    // so a terminal that takes no output never stops the keys; it then sets
    // no terminal modes (its output is not the terminal): we do.
    auto piped = output_.open();
    piped_ = piped;
    suspend_fd = suspend_;
    catch_suspend();
    screen_ = newterm(nullptr, piped ? output_.file() : stdout, stdin);
    if (screen_ == nullptr) {
      release_suspend();
      output_.close();
      restore_stderr();
      return;
    }
    cbreak();
    noecho();
    nonl();
    if (piped) {
      set_input_mode();
    } else {
      take_ctrl_c();
      def_prog_mode(); // curses restores this mode after Ctrl+Z
    }
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    // Terminals whose terminfo names the paste markers make curses return
    // them as key codes of their own.
    paste_begin_code_ = key_defined("\033[200~");
    paste_end_code_ = key_defined("\033[201~");
    terminal_write(bracketed_paste_on);
    if (settings_.color && has_colors()) {
      start_color();
      use_default_colors();
    }
    for (auto& line : load_input_history(history_file_))
      history_.push_back(line);
    history_pos_ = history_.size();
    day_ = today();
    pollfd fds[3] = {
        {STDIN_FILENO, POLLIN, 0}, {wake_, POLLIN, 0}, {suspend_, POLLIN, 0}};
    while (!stop_ && !eof_) {
      apply();
      check_size();
      if (output_.needs_repaint())
        clearok(curscr, TRUE);
      draw();
      if (poll(fds, 3, idle_poll_ms) < 0)
        continue;
      if (fds[1].revents & POLLIN) {
        uint64_t n;
        [[maybe_unused]] auto r = read(wake_, &n, sizeof(n));
      }
      if (fds[2].revents & POLLIN) {
        uint64_t n;
        [[maybe_unused]] auto r = read(suspend_, &n, sizeof(n));
        suspend();
        continue; // the loop draws everything anew
      }
      if (fds[0].revents & POLLIN)
        read_keys();
      // The terminal is gone (hung up, closed): like Ctrl+D, and no
      // spinning on a descriptor that stays readable.
      if (!eof_ && (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))) {
        eof_ = true;
        input_handler_.eof();
      }
    }
    terminal_write(bracketed_paste_off);
    endwin();
    release_suspend();
    // What came after the screen closed (e.g. "leaving") still shows, through
    // the same pipe: a stalled terminal must not hold up the exit.
    std::string rest;
    {
      std::lock_guard guard{mtx_};
      for (auto& r : requests_)
        if (r.kind == request::print || r.kind == request::print_to)
          rest += r.text + "\n";
      requests_.clear();
    }
    auto out = piped ? output_.file() : stdout;
    std::fputs(rest.c_str(), out);
    std::fflush(out);
    delscreen(screen_);
    output_.close();
    restore_input_mode();
    restore_stderr();
    save_history();
  }

  /// Ctrl+Z: leaves curses mode (the shell gets a clean terminal), stops
  /// the process as SIGTSTP's default would, and once continued (fg) takes
  /// the terminal again; the caller's loop then draws the whole screen.
  void suspend() {
    terminal_write(bracketed_paste_off);
    endwin();
    if (piped_)
      output_.drain(std::chrono::milliseconds{500}); // the copier stops with us
    else
      std::fflush(stdout);
    restore_input_mode();
    signal(SIGTSTP, SIG_DFL);
    raise(SIGTSTP); // thread-directed: stopped before it returns
    // Continued. Sent to the background (bg), drawing would fight the shell
    // for the terminal: wait until in the foreground again.
    auto foreground = [] {
      auto owner = tcgetpgrp(STDIN_FILENO);
      return owner < 0 || owner == getpgrp();
    };
    while (!stop_ && !foreground())
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    catch_suspend();
    if (piped_)
      set_input_mode();
    clearok(curscr, TRUE); // the next refresh enters curses mode again
    terminal_write(bracketed_paste_on);
  }

  /// Writes a control sequence of our own to the terminal, in order with
  /// what curses wrote (the same stream).
  void terminal_write(const char* sequence) {
    auto out = piped_ ? output_.file() : stdout;
    std::fputs(sequence, out);
    std::fflush(out);
  }

  /// Ctrl+C becomes a key (byte 3) instead of SIGINT: the UI decides what it
  /// does. Ctrl+Z and Ctrl+\ stay signals.
  void take_ctrl_c() {
    termios mode{};
    if (tcgetattr(STDIN_FILENO, &mode) != 0)
      return;
    mode.c_cc[VINTR] = _POSIX_VDISABLE;
    tcsetattr(STDIN_FILENO, TCSANOW, &mode);
  }

  /// The default SIGTSTP again (the full screen is gone).
  void release_suspend() {
    signal(SIGTSTP, SIG_DFL);
    suspend_fd = -1;
  }

  /// Keys one by one, not echoed; Ctrl+Z, Ctrl+S/Q stay with the driver.
  void set_input_mode() {
    termios mode{};
    if (tcgetattr(STDIN_FILENO, &mode) != 0)
      return;
    saved_mode_ = mode;
    mode.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    mode.c_cc[VMIN] = 1;
    mode.c_cc[VTIME] = 0;
    mode.c_cc[VINTR] = _POSIX_VDISABLE; // Ctrl+C is a key (take_ctrl_c)
    tcsetattr(STDIN_FILENO, TCSANOW, &mode);
  }

  void restore_input_mode() {
    if (saved_mode_)
      tcsetattr(STDIN_FILENO, TCSANOW, &*saved_mode_);
    saved_mode_.reset();
  }

  void redirect_stderr() {
    if (history_file_.empty() || isatty(STDERR_FILENO) == 0)
      return;
    auto slash = history_file_.rfind('/');
    auto log = history_file_.substr(0, slash + 1) + "stderr-" +
               history_file_.substr(slash + 1 + std::string_view{"history-"}.size()) +
               ".log";
    auto fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
      return;
    saved_stderr_ = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }

  void restore_stderr() {
    if (saved_stderr_ < 0)
      return;
    dup2(saved_stderr_, STDERR_FILENO);
    close(saved_stderr_);
    saved_stderr_ = -1;
  }

  void save_history() {
    std::vector<std::string> kept;
    {
      std::lock_guard guard{mtx_};
      kept.swap(kept_);
    }
    if (history_file_.empty() || kept.empty())
      return;
    save_input_history(history_file_,
                       merge_input_history(load_input_history(history_file_), kept,
                                           input_history_lines));
  }

  void apply() {
    std::deque<request> todo;
    size_t dropped = 0;
    {
      std::lock_guard guard{mtx_};
      todo.swap(requests_);
      queued_bytes_ = 0;
      dropped = std::exchange(dropped_, 0);
    }
    if (auto now = today(); now != day_)
      day_ = now;
    if (dropped > 0)
      windows_.append(windows_.current().chat,
                      "… " + std::to_string(dropped) +
                          " lines dropped: the terminal did not keep up",
                      day_, false, false);
    bool ring = false;
    for (auto& r : todo) {
      switch (r.kind) {
      case request::print:
        windows_.append(windows_.current().chat, std::move(r.text), day_, false, false);
        break;
      case request::print_to:
        windows_.append(r.chat, std::move(r.text), day_, r.counts, r.highlight);
        ring = ring || r.highlight;
        break;
      case request::open:
        windows_.open(r.chat);
        break;
      case request::show:
        windows_.show(r.chat);
        break;
      case request::show_number:
        switch_to(r.number);
        break;
      case request::close:
        windows_.close(r.chat);
        break;
      case request::list:
        list();
        break;
      case request::clear_window:
        windows_.clear_current();
        break;
      case request::search:
        lastlog(r.text);
        break;
      case request::restore:
        restore(std::move(r.text));
        break;
      case request::prompt:
        prompt_ = std::move(r.text);
        break;
      case request::clear:
        input_.clear();
        cursor_ = 0;
        break;
      case request::session:
        status_ = {std::move(r.chat), r.users.empty() ? "" : r.users.front(),
                   std::move(r.text)};
        break;
      case request::names:
        words_.users = std::move(r.users);
        words_.groups = std::move(r.groups);
        break;
      }
    }
    if (ring && settings_.bell)
      beep();
  }

  /// Tells the CLI actor which chat is shown now (it sends there).
  void announce_window() {
    if (input_handler_.window)
      input_handler_.window(windows_.current().chat);
  }

  void check_size() {
    winsize ws{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0)
      return;
    if (ws.ws_row != LINES || ws.ws_col != COLS) {
      resizeterm(ws.ws_row, ws.ws_col);
      clearok(curscr, TRUE);
    }
  }

  // -- keys ------------------------------------------------------------------

  void read_keys() {
    wint_t key;
    int kind;
    while ((kind = get_wch(&key)) != ERR) {
      if (kind == KEY_CODE_YES)
        special_key(key);
      else
        char_key(key);
      if (eof_ || stop_)
        return;
    }
  }

  /// The next character typed, waiting up to `wait_ms` for it; none if a
  /// key curses decoded comes first (it is read again by the caller's loop).
  std::optional<wint_t> next_char(int wait_ms) {
    wint_t key;
    auto kind = get_wch(&key);
    if (kind == ERR) {
      pollfd fd{STDIN_FILENO, POLLIN, 0};
      if (poll(&fd, 1, wait_ms) <= 0)
        return std::nullopt;
      kind = get_wch(&key);
    }
    if (kind == ERR)
      return std::nullopt;
    if (kind == KEY_CODE_YES) {
      ungetch(static_cast<int>(key));
      return std::nullopt;
    }
    return key;
  }

  /// After an ESC: reads the whole sequence and acts on the key it names;
  /// a sequence we do not bind is dropped, never typed.
  void escape_sequence() {
    std::u32string after;
    auto result = decode_escape(after);
    while (after.empty() || result.incomplete) {
      auto c = next_char(escape_wait_ms);
      if (!c)
        break;
      after += static_cast<char32_t>(*c);
      result = decode_escape(after);
    }
    if (result.incomplete) // cut short: drop it all
      result = escape_result{false, escape_key::none, after.size(), 0};
    if (after.empty() && !paste_lines_.empty())
      return answer_paste(key_escape); // a lone Escape answers "no"
    escape(result);
    // What came after the sequence was typed.
    for (auto c : after.substr(result.length))
      char_key(static_cast<wint_t>(c));
  }

  void escape(const escape_result& result) {
    auto page = std::max(1, LINES - 2);
    if (pasting_ && result.key != escape_key::paste_end)
      return; // an escape sequence inside pasted text is no text
    switch (result.key) {
    case escape_key::none:
      return;
    case escape_key::home:
      return special_key(KEY_HOME);
    case escape_key::end:
      return special_key(KEY_END);
    case escape_key::page_up:
      windows_.scroll_by(page / 2 * 2, max_scroll_);
      return;
    case escape_key::page_down:
      windows_.scroll_by(-(page / 2 * 2), max_scroll_);
      return;
    case escape_key::up:
      return special_key(KEY_UP);
    case escape_key::down:
      return special_key(KEY_DOWN);
    case escape_key::left:
      return special_key(KEY_LEFT);
    case escape_key::right:
      return special_key(KEY_RIGHT);
    case escape_key::del:
      return special_key(KEY_DC);
    case escape_key::alt_digit:
      if (paste_lines_.empty())
        switch_to(result.digit == 0 ? 10 : static_cast<size_t>(result.digit));
      return;
    case escape_key::paste_begin:
      pasting_ = true;
      paste_.clear();
      return;
    case escape_key::paste_end:
      return end_paste();
    }
  }

  /// The paste is complete: one line goes into the input line; several
  /// wait for "send N lines? (y/n)".
  void end_paste() {
    if (!pasting_)
      return;
    pasting_ = false;
    auto result = insert_paste(input_, cursor_, std::exchange(paste_, {}));
    tab_.reset();
    if (result.lines.size() == 1) {
      input_ = std::move(result.lines.front());
      cursor_ = result.cursor;
      return;
    }
    paste_lines_ = std::move(result.lines);
  }

  /// The answer to "send N lines? (y/n)": y sends them in order; anything
  /// that says no (n, Escape, Ctrl+C) puts them into the input line as one,
  /// for editing: nothing pasted is lost.
  void answer_paste(wint_t key) {
    if (key == 'y' || key == 'Y') {
      auto lines = std::exchange(paste_lines_, {});
      input_.clear();
      cursor_ = 0;
      for (auto& line : lines) {
        input_ = std::move(line);
        enter();
      }
      return;
    }
    if (key == 'n' || key == 'N' || key == key_escape || key == ctrl('c')) {
      input_ = join_lines(std::exchange(paste_lines_, {}));
      cursor_ = input_.size();
    }
  }

  void special_key(wint_t key) {
    auto page = std::max(1, LINES - 2);
    if (paste_begin_code_ > 0 && key == static_cast<wint_t>(paste_begin_code_))
      return escape({false, escape_key::paste_begin, 0, 0});
    if (paste_end_code_ > 0 && key == static_cast<wint_t>(paste_end_code_))
      return escape({false, escape_key::paste_end, 0, 0});
    if (key == KEY_RESIZE) {
      clearok(curscr, TRUE);
      return;
    }
    if (pasting_ || !paste_lines_.empty())
      return;
    switch (key) {
    case KEY_ENTER:
      return enter();
    case KEY_BACKSPACE:
      return backspace();
    case KEY_DC:
      if (cursor_ < input_.size())
        input_.erase(cursor_, 1);
      return;
    case KEY_LEFT:
      cursor_ = cursor_ > 0 ? cursor_ - 1 : 0;
      return;
    case KEY_RIGHT:
      cursor_ = std::min(cursor_ + 1, input_.size());
      return;
    case KEY_HOME:
    case KEY_FIND: // Home as screen and tmux send it, in xterm's terminfo
      cursor_ = 0;
      return;
    case KEY_END:
    case KEY_SELECT: // End, likewise
      cursor_ = input_.size();
      return;
    case KEY_UP:
      return recall(-1);
    case KEY_DOWN:
      return recall(1);
    case KEY_PPAGE:
      windows_.scroll_by(page / 2 * 2, max_scroll_);
      return;
    case KEY_NPAGE:
      windows_.scroll_by(-(page / 2 * 2), max_scroll_);
      return;
    case KEY_RESIZE:
      clearok(curscr, TRUE);
      return;
    default:
      return;
    }
  }

  void char_key(wint_t key) {
    if (key == key_escape) // a key's sequence, Alt+<key> or Escape
      return escape_sequence();
    if (pasting_) {
      paste_ += static_cast<char32_t>(key);
      return;
    }
    if (!paste_lines_.empty())
      return answer_paste(key);
    if (key != '\t')
      tab_.reset();
    switch (key) {
    case ctrl('c'):
      // Kept: the typed line, and the session (/quit leaves).
      note(ctrl_c_hint);
      return;
    case '\r':
    case '\n':
      return enter();
    case '\t':
      return complete_word();
    case key_delete:
    case ctrl('h'):
      return backspace();
    case ctrl('a'):
      cursor_ = 0;
      return;
    case ctrl('e'):
      cursor_ = input_.size();
      return;
    case ctrl('u'):
      input_.erase(0, cursor_);
      cursor_ = 0;
      return;
    case ctrl('k'):
      input_.erase(cursor_);
      return;
    case ctrl('w'): {
      auto start = cursor_;
      while (start > 0 && input_[start - 1] == ' ')
        --start;
      while (start > 0 && input_[start - 1] != ' ')
        --start;
      input_.erase(start, cursor_ - start);
      cursor_ = start;
      return;
    }
    case ctrl('d'):
      if (input_.empty()) {
        eof_ = true;
        input_handler_.eof();
      } else if (cursor_ < input_.size()) {
        input_.erase(cursor_, 1);
      }
      return;
    case ctrl('l'):
      clearok(curscr, TRUE);
      return;
    case ctrl('n'):
      windows_.cycle(1);
      return announce_window();
    case ctrl('p'):
      windows_.cycle(-1);
      return announce_window();
    default:
      break;
    }
    if (key < 0x20)
      return; // other control keys do nothing
    input_.insert(cursor_, 1, static_cast<char32_t>(key));
    ++cursor_;
  }

  /// Shows window `number` (1 is the status window), or says there is none.
  void switch_to(size_t number) {
    if (number >= 1 && windows_.show(number - 1))
      return announce_window();
    note("no window " + std::to_string(number) + " (/window list shows them)");
  }

  /// A line of the UI's own in the shown window.
  void note(std::string text) {
    windows_.append(windows_.current().chat, "-- " + std::move(text), day_, false, false);
  }

  /// /window list: each window's number, name and what is unread.
  void list() {
    auto& all = windows_.windows();
    for (size_t i = 0; i < all.size(); ++i) {
      auto& w = all[i];
      auto line = std::to_string(i + 1) + ": " + window_title(w.chat);
      if (i == windows_.current_index())
        line += " (shown)";
      else if (w.unread > 0)
        line += " (" + std::to_string(w.unread) + " unread" +
                (w.highlighted ? ", highlighted)" : ")");
      note(line);
    }
  }

  /// /lastlog: the matching lines of the shown window, below a header.
  void lastlog(const std::string& text) {
    constexpr size_t most = 100;
    auto found = windows_.search(text, most);
    note("lastlog \"" + text + "\": " + std::to_string(found.size()) +
         (found.size() == most ? " lines (the newest)" : " lines"));
    for (auto& line : found)
      note("  " + line);
  }

  /// A send failed: its line comes back into the input line, unless
  /// another is being typed (then Up recalls it).
  void restore(std::string line) {
    if (!history_.empty() && history_.back() == line)
      history_.pop_back();
    history_.push_back(line);
    history_pos_ = history_.size();
    if (!input_.empty() || !paste_lines_.empty())
      return note("not sent; Up recalls it: " + line);
    input_ = utf32(line);
    cursor_ = input_.size();
  }

  void enter() {
    auto line = utf8(input_);
    input_.clear();
    cursor_ = 0;
    if (!line.empty() && (history_.empty() || history_.back() != line))
      history_.push_back(line);
    history_pos_ = history_.size();
    windows_.current().scroll = 0;
    input_handler_.line(std::move(line));
  }

  void backspace() {
    if (cursor_ == 0)
      return;
    input_.erase(--cursor_, 1);
  }

  void recall(int step) {
    if (history_.empty())
      return;
    auto pos = static_cast<long>(history_pos_) + step;
    pos = std::clamp(pos, 0L, static_cast<long>(history_.size()));
    history_pos_ = static_cast<size_t>(pos);
    input_ = history_pos_ < history_.size() ? utf32(history_[history_pos_]) : U"";
    cursor_ = input_.size();
  }

  /// Tab: the first candidate; Tab again: the next one, in place.
  void complete_word() {
    if (!tab_) {
      auto line = utf8(input_);
      auto before = utf8(input_.substr(0, cursor_));
      auto found = complete(line, before.size(), words_);
      if (found.candidates.empty())
        return;
      tab_ = tab_state{utf32(line.substr(0, found.word_start)), input_.substr(cursor_),
                       std::move(found.candidates), 0};
    } else {
      tab_->next = (tab_->next + 1) % tab_->candidates.size();
    }
    auto head = tab_->head + utf32(tab_->candidates[tab_->next]);
    input_ = head + tab_->tail;
    cursor_ = head.size();
  }

  // -- drawing ---------------------------------------------------------------

  /// The colour pair of `fg` on `bg` (-1: the terminal's own), made on
  /// first use; 0 (no colours) without colours.
  short pair_for(int fg, int bg = -1) {
    if (!settings_.color || !has_colors() || fg >= COLORS || bg >= COLORS)
      return 0;
    if (fg < 0 && bg < 0)
      return 0;
    if (auto i = pairs_.find({fg, bg}); i != pairs_.end())
      return i->second;
    auto pair = static_cast<short>(pairs_.size() + 1);
    if (pair >= COLOR_PAIRS)
      return 0;
    init_pair(pair, static_cast<short>(fg), static_cast<short>(bg));
    pairs_.emplace(std::pair{fg, bg}, pair);
    return pair;
  }

  /// Whether the theme colours the status bar (else: reverse video).
  bool themed_status() const {
    return settings_.color && has_colors() &&
           (settings_.colors.status_fg >= 0 || settings_.colors.status_bg >= 0);
  }

  /// Paints `row` at `y`, padded to `width` with `extra` attributes; `bg`:
  /// a background for the whole row, `base_fg` the colour of runs without
  /// one of their own (the status bar's).
  void put(const styled_line& row, int y, int width, attr_t extra = A_NORMAL, int bg = -1,
           int base_fg = -1) {
    move(y, 0);
    int col = 0;
    for (auto& run : row) {
      attr_t attrs = extra;
      if (run.style.bold)
        attrs |= A_BOLD;
      if (run.style.dim && settings_.color)
        attrs |= A_DIM;
      if (run.style.reverse)
        attrs |= A_REVERSE;
      attr_set(attrs, pair_for(run.style.fg >= 0 ? run.style.fg : base_fg, bg), nullptr);
      auto w = static_cast<int>(display_width(run.text));
      if (col + w > width)
        break;
      addstr(run.text.c_str());
      col += w;
    }
    attr_set(extra, pair_for(base_fg, bg), nullptr);
    for (; col < width; ++col)
      addch(' ');
    attr_set(A_NORMAL, 0, nullptr);
  }

  void draw() {
    auto height = LINES;
    auto width = COLS;
    if (height < 3 || width < 10) {
      erase();
      refresh();
      return;
    }
    auto body = height - 2;
    // Rows of the current window, from the bottom up (enough for the
    // scroll offset and one screen).
    auto& w = windows_.current();
    std::vector<styled_line> rows;
    size_t wanted = static_cast<size_t>(body) + w.scroll;
    auto marker = w.read_marker && *w.read_marker < w.lines.size() ? *w.read_marker
                                                                   : std::string::npos;
    for (size_t i = w.lines.size(); i-- > 0 && rows.size() < wanted + body;) {
      auto& line = w.lines[i];
      auto styled = parse_sgr(line.text);
      // A theme colour for highlights, else reverse video.
      auto highlight_fg = settings_.color ? settings_.colors.highlight : -1;
      if (line.highlight)
        for (auto& run : styled) {
          run.style.bold = true;
          if (highlight_fg >= 0)
            run.style.fg = highlight_fg;
          else
            run.style.reverse = true;
        }
      if (line.synthetic)
        for (auto& run : styled)
          run.style.dim = true;
      auto wrapped = wrap_styled(styled, static_cast<size_t>(width));
      for (auto r = wrapped.rbegin(); r != wrapped.rend(); ++r)
        rows.push_back(std::move(*r));
      if (i == marker) {
        text_style dim;
        dim.dim = true;
        dim.fg = settings_.colors.read_marker;
        std::string bar;
        for (int k = 0; k < width; ++k)
          bar += "-";
        rows.push_back({{bar, dim}});
      }
    }
    max_scroll_ = rows.size() > static_cast<size_t>(body)
                      ? rows.size() - static_cast<size_t>(body)
                      : 0;
    if (w.scroll > max_scroll_)
      w.scroll = max_scroll_;
    for (int y = 0; y < body; ++y) {
      auto index = static_cast<size_t>(body - 1 - y) + w.scroll;
      if (index < rows.size())
        put(rows[index], y, width);
      else
        put({}, y, width);
    }
    if (themed_status())
      put(status_bar(status_, windows_), body, width, A_NORMAL,
          settings_.colors.status_bg, settings_.colors.status_fg);
    else
      put(status_bar(status_, windows_), body, width, A_REVERSE);
    draw_input(height - 1, width);
    refresh();
  }

  /// The prompt and the typed text, scrolled sideways so the cursor shows.
  void draw_input(int y, int width) {
    if (!paste_lines_.empty()) {
      move(y, 0);
      clrtoeol();
      attr_set(A_BOLD, 0, nullptr);
      auto question = "send " + std::to_string(paste_lines_.size()) +
                      " pasted lines? (y: send, n: edit them as one line) ";
      addstr(question.substr(0, static_cast<size_t>(width - 1)).c_str());
      attr_set(A_NORMAL, 0, nullptr);
      return;
    }
    auto prompt = prompt_;
    auto prompt_width = static_cast<int>(display_width(prompt));
    if (prompt_width > width / 2) {
      prompt.clear();
      prompt_width = 0;
    }
    auto room = width - prompt_width - 1;
    // The first character shown: the cursor must fit in `room` columns.
    size_t first = 0;
    auto width_of = [&](size_t from, size_t to) {
      return static_cast<int>(display_width(utf8(input_.substr(from, to - from))));
    };
    while (first < cursor_ && width_of(first, cursor_) > room)
      ++first;
    size_t last = first;
    int used = 0;
    while (last < input_.size()) {
      auto w = width_of(last, last + 1);
      if (used + w > room)
        break;
      used += w;
      ++last;
    }
    move(y, 0);
    clrtoeol();
    attr_set(A_BOLD, 0, nullptr);
    addstr(prompt.c_str());
    attr_set(A_NORMAL, 0, nullptr);
    addstr(utf8(input_.substr(first, last - first)).c_str());
    move(y, prompt_width + width_of(first, cursor_));
  }

  struct tab_state {
    std::u32string head;
    std::u32string tail;
    std::vector<std::string> candidates;
    size_t next;
  };

  fullscreen_settings settings_;
  // Only the UI thread touches these.
  window_list windows_;
  status_info status_;
  completion_words words_;
  std::string prompt_ = "> ";
  std::u32string input_;
  size_t cursor_ = 0;
  std::vector<std::string> history_;
  size_t history_pos_ = 0;
  std::optional<tab_state> tab_;
  /// Inside a bracketed paste: what was pasted so far.
  bool pasting_ = false;
  std::u32string paste_;
  /// A paste of several lines waits for y/n.
  std::vector<std::u32string> paste_lines_;
  /// Key codes curses gives the paste markers (0: it does not know them).
  int paste_begin_code_ = 0;
  int paste_end_code_ = 0;
  /// Colour pairs made so far, by (foreground, background).
  std::map<std::pair<int, int>, short> pairs_;
  size_t max_scroll_ = 0;
  std::string day_;
  SCREEN* screen_ = nullptr;
  screen_output output_;
  std::optional<termios> saved_mode_;
  int saved_stderr_ = -1;
  bool eof_ = false;
  std::string history_file_;
  input_handler input_handler_;

  // Shared with the CLI actor's threads (guarded by mtx_).
  std::mutex mtx_;
  std::deque<request> requests_;
  size_t queued_bytes_ = 0;
  size_t dropped_ = 0;
  std::vector<std::string> kept_;

  int wake_;
  /// Readable after Ctrl+Z (SIGTSTP, through on_suspend_signal).
  int suspend_;
  /// Curses writes into screen_output's pipe, not to the terminal.
  bool piped_ = false;
  std::atomic<bool> stop_ = false;
  std::thread thread_;
};

} // namespace

} // namespace chat::ui

// Last: term.h defines macros named like terminal capabilities (bell,
// lines, …) that would clash with the code above.
#include <term.h>

namespace chat::ui {

std::unique_ptr<terminal> make_fullscreen_terminal(fullscreen_settings settings) {
  // Whether curses knows this terminal, without taking it over yet (the
  // name may still be asked for on the plain terminal).
  int err = 0;
  if (setupterm(nullptr, STDOUT_FILENO, &err) != OK)
    return nullptr;
  del_curterm(cur_term);
  return std::make_unique<fullscreen_terminal>(std::move(settings));
}

} // namespace chat::ui

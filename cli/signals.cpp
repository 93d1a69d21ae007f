#include "cli/signals.hpp"
#include "cli/run.hpp"

#include <csignal>
#include <pthread.h>
#include <unistd.h>

namespace chat {

namespace {

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

} // namespace

void block_shutdown_signals() {
  // A background job of a script starts with SIGINT ignored, and an ignored
  // signal is dropped even while blocked: sigwait would never see it.
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  auto set = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int wait_for_shutdown_signal() {
  auto set = shutdown_signals();
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

void wake_signal_waiter() {
  kill(getpid(), SIGHUP);
}

} // namespace chat

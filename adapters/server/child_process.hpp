#pragma once

// Starts a server program (redis-server, rabbitmq-server) as a supervised
// child that can never outlive us.
//
// fork() → a small reaper (our own code, async-signal-safe only) that
// leads a new session and gets SIGTERM when we die (PR_SET_PDEATHSIG),
// → fork() again → exec the program. When the reaper is told to stop, or
// we die, it terminates the whole process group (SIGTERM, then SIGKILL
// after a grace period), so grandchildren such as RabbitMQ's beam.smp and
// epmd go too. The reaper exits with the program's status.

#include <sys/types.h>

#include <string>
#include <vector>

namespace chat {

struct child_spec {
  std::vector<std::string> argv;
  /// Extra "KEY=value" entries added to our environment.
  std::vector<std::string> env;
  /// stdout and stderr go here (appended).
  std::string log_file;
  std::string working_dir;
};

class child_process {
public:
  /// Starts the child; returns -1 and sets `error` on failure.
  static pid_t spawn(const child_spec& spec, std::string& error);

  /// Asks the child to stop: its whole process group gets SIGTERM, and
  /// SIGKILL 10 s later if anything is left. `wait` reaps it.
  static void terminate(pid_t pid);

  /// Blocks until `pid` exits; returns its wait status.
  static int wait(pid_t pid);
};

/// "exited with status 1", "killed by signal 9".
std::string describe_wait_status(int status);

} // namespace chat

#include "adapters/server/child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace chat {

namespace {

/// How long the reaper waits after SIGTERM before SIGKILL.
constexpr int reaper_grace_seconds = 10;

/// Runs in the forked reaper: only async-signal-safe calls from here on.
[[noreturn]] void run_reaper(pid_t parent, char** argv, char** envp, int log_fd,
                             const char* dir) {
  setsid();
  // Whatever a service writes (Redis' files, RabbitMQ's message store) is
  // its user's alone.
  umask(077);
  // Nothing of the server node leaks into the service (its UDP locator
  // socket, broker and Redis connections, gRPC's pipes): keep only the
  // standard descriptors and the log, moved to 3.
  if (log_fd != 3) {
    dup2(log_fd, 3);
    log_fd = 3;
  }
  close_range(4, ~0U, 0);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGALRM);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) // parent died before prctl took effect
    _exit(1);
  pid_t program = fork();
  if (program == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (dir[0] != '\0' && chdir(dir) != 0)
      _exit(126);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, STDIN_FILENO);
    close_range(3, ~0U, 0);
    execve(argv[0], argv, envp);
    _exit(127);
  }
  if (program < 0)
    _exit(125);
  bool stopping = false;
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&mask, &info);
    if (sig == SIGCHLD) {
      int status = 0;
      if (waitpid(program, &status, WNOHANG) == program) {
        if (!stopping) // take down whatever the program left behind
          kill(0, SIGTERM);
        if (WIFEXITED(status))
          _exit(WEXITSTATUS(status));
        // Mirror death by signal in our own exit status.
        signal(WTERMSIG(status), SIG_DFL);
        sigset_t unblock;
        sigemptyset(&unblock);
        sigaddset(&unblock, WTERMSIG(status));
        sigprocmask(SIG_UNBLOCK, &unblock, nullptr);
        kill(getpid(), WTERMSIG(status));
        _exit(128 + WTERMSIG(status));
      }
    } else if ((sig == SIGTERM || sig == SIGINT) && !stopping) {
      stopping = true;
      kill(0, SIGTERM); // the whole group, ourselves excepted (blocked)
      alarm(reaper_grace_seconds);
    } else if (sig == SIGALRM) {
      signal(SIGTERM, SIG_IGN);
      kill(0, SIGKILL);
    }
  }
}

} // namespace

pid_t child_process::spawn(const child_spec& spec, std::string& error) {
  if (spec.argv.empty()) {
    error = "no program given";
    return -1;
  }
  int log_fd = open(spec.log_file.empty() ? "/dev/null" : spec.log_file.c_str(),
                    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    error = "cannot open " + spec.log_file + ": " + std::strerror(errno);
    return -1;
  }
  if (access(spec.argv[0].c_str(), X_OK) != 0) {
    close(log_fd);
    error = spec.argv[0] + " not found or not executable (run scripts/setup)";
    return -1;
  }
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls are allowed.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e)
    env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), spec.env.begin(), spec.env.end());
  std::vector<char*> envp;
  for (auto& e : env_strings)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // The reaper's fd must survive exec of the program: drop CLOEXEC there.
    int fd = dup(log_fd);
    run_reaper(parent, argv.data(), envp.data(), fd, spec.working_dir.c_str());
  }
  close(log_fd);
  if (pid < 0) {
    error = std::string{"fork failed: "} + std::strerror(errno);
    return -1;
  }
  return pid;
}

int child_process::wait(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

void child_process::terminate(pid_t pid) {
  kill(pid, SIGTERM); // the reaper forwards it to the group and escalates
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status))
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return std::string{"killed by signal "} + strsignal(WTERMSIG(status));
  return "ended";
}

} // namespace chat

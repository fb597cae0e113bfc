// measure: runs a command and reports its wall time and peak resident memory.
//
//   measure OUT.txt CMD [ARGS...]
//
// The command's stdout and stderr pass through; "wall_seconds X" and "max_rss_kib Y" are written
// to OUT.txt (nanosecond clock, getrusage(RUSAGE_CHILDREN) ru_maxrss). Exits with the command's
// status. /usr/bin/time only resolves 10 ms, too coarse for a 0.1 s process.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: measure OUT.txt CMD [ARGS...]\n");
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("measure: fork");
    return 1;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    std::fprintf(stderr, "measure: cannot run %s: %s\n", argv[2], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  struct rusage ru {};
  if (wait4(pid, &status, 0, &ru) < 0) {
    std::perror("measure: wait4");
    return 1;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::FILE* out = std::fopen(argv[1], "w");
  if (out == nullptr) {
    std::perror("measure: cannot write result");
    return 1;
  }
  std::fprintf(out, "wall_seconds %.6f\nmax_rss_kib %ld\nuser_seconds %.6f\nsys_seconds %.6f\n",
               wall, ru.ru_maxrss, ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
               ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
  std::fclose(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#include "quantd/core/crash_point.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>

using namespace quantd;

namespace {

struct ChildResult {
  bool aborted = false;
  int exit_code = -1;
  std::string err;
};

// Runs `body` in a forked child with stderr captured; the child exits 0 if `body` returns.
template <typename Body>
ChildResult in_child(Body body) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    body();
    _exit(0);
  }
  close(fds[1]);
  ChildResult r;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) r.err.append(buf, buf + n);
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  r.aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

}  // namespace

TEST_CASE("an armed crash point aborts with one line on stderr; others and unarmed ones pass") {
  const ChildResult armed = in_child([] {
    if (!arm_crash_points("after_send").ok()) _exit(3);
    crash_point("after_journal_commit");  // not the armed one
    crash_point("after_send");
    _exit(4);  // not reached
  });
  CHECK(armed.aborted);
  CHECK(armed.err == "quantd: crash point 'after_send' reached (QUANTD_CRASH_AT): aborting\n");

  const ChildResult unarmed = in_child([] {
    crash_point("after_target_commit");
    crash_point("after_journal_commit");
    crash_point("after_send");
    crash_point("after_ack_commit");
    crash_point("mid_reconcile");
  });
  CHECK_FALSE(unarmed.aborted);
  CHECK(unarmed.exit_code == 0);
  CHECK(unarmed.err.empty());

  const ChildResult disarmed = in_child([] {
    if (!arm_crash_points("mid_reconcile").ok()) _exit(3);
    disarm_crash_points();
    crash_point("mid_reconcile");
  });
  CHECK(disarmed.exit_code == 0);
}

TEST_CASE("arming an unknown crash point is an error naming the valid ones, and arms nothing") {
  const Status st = arm_crash_points("after_sned");
  CHECK(st.code() == StatusCode::kInvalidArgument);
  CHECK(st.message() ==
        "unknown crash point 'after_sned' (valid: after_target_commit, after_journal_commit, "
        "after_send, after_ack_commit, mid_reconcile)");
  CHECK(arm_crash_points("").code() == StatusCode::kInvalidArgument);
  const ChildResult r = in_child([] {
    (void)arm_crash_points("after_sned");
    crash_point("after_send");
  });
  CHECK(r.exit_code == 0);
  for (std::string_view name : kCrashPointNames) CHECK(arm_crash_points(name).ok());
  disarm_crash_points();
  CHECK(CrashPoint("after_target_commit").index() == 0);
  CHECK(CrashPoint("mid_reconcile").name() == "mid_reconcile");
}

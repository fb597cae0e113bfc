// Issue 12's login against the real binary: `quantd passwd`, the session cookie, the rate limit,
// logout and revocation, the guard on every route (the event stream too) and the audit log.
#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include <fstream>
#include <regex>

#include "api_client.h"
#include "http/test_certs.h"
#include "quantd/http/client.h"

using namespace quantd::apitest;
using quantd::testing::Daemon;
using quantd::testing::http_request;
using quantd::testing::HttpResponse;
using quantd::testing::Sandbox;

namespace {

const std::string kPassword = "correct horse battery";
const std::string kToken = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

// A sandbox whose quantd.db has kPassword set by `quantd passwd` reading stdin.
struct WithPassword {
  Sandbox box;
  std::string db = box.file("quantd.db");
  WithPassword() {
    box.write("pw", kPassword + "\n" + kPassword + "\n");
    const auto r = box.quantd("passwd", "--db quantd.db < pw");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
};

HttpResponse login(int port, const std::string& password) {
  return http_request(port, "POST", "/api/login", json{{"password", password}}.dump(),
                      {{"User-Agent", "auth_test/1.0"}});
}

// "quantd_session=VALUE" from a successful login's Set-Cookie.
std::string session_cookie(int port) {
  const HttpResponse r = login(port, kPassword);
  REQUIRE(r.status == 204);
  const std::string set = r.header("set-cookie");
  return set.substr(0, set.find(';'));
}

HttpResponse as(const std::string& cookie, int port, const std::string& method,
                const std::string& target, const std::string& body = "") {
  return http_request(port, method, target, body, {{"Cookie", "theme=dark; " + cookie}});
}

json body_of(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

json audit(int port, const std::map<std::string, std::string>& headers) {
  const HttpResponse r = http_request(port, "GET", "/api/audit?limit=500", "", headers);
  REQUIRE(r.status == 200);
  return body_of(r)["entries"];
}

// The newest audit entry for (method, path), or null.
json audit_entry(const json& entries, const std::string& method, const std::string& path) {
  for (const json& e : entries) {
    if (e["method"] == method && e["path"] == path) return e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("without a password or token the daemon serves as before and says so") {
  quantd::testing::TempDir dir;
  Daemon d(dir.file("quantd.db"));
  const int port = d.port();
  auto state = call(port, "GET", "/api/auth");
  REQUIRE(state.status == 200);
  CHECK(state.body["password_set"] == false);
  CHECK(state.body["required"] == false);
  CHECK(state.body["via"] == "loopback");
  CHECK(call(port, "GET", "/api/strategies").status == 200);
  CHECK(call(port, "GET", "/api/health").body.contains("version"));
  SseReader events(port);
  CHECK(events.connected());
  // No password: any login fails (after the same work as a real check).
  CHECK(login(port, kPassword).status == 401);
  REQUIRE(call(port, "POST", "/api/strategies", sma_strategy()).status == 201);
  const json entry = audit_entry(audit(port, {}), "POST", "/api/strategies");
  REQUIRE(entry.is_object());
  CHECK(entry["actor"] == "loopback");
  CHECK(entry["status"] == 201);
  CHECK(entry["client"] == "127.0.0.1");
}

TEST_CASE("quantd passwd stores an Argon2id hash, refuses bad input, and --clear removes it") {
  Sandbox box;
  box.write("short", "short pw\nshort pw\n");
  auto r = box.quantd("passwd", "--db quantd.db < short");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("at least 10 characters") != std::string::npos);
  box.write("differ", kPassword + "\n" + kPassword + "!\n");
  r = box.quantd("passwd", "--db quantd.db < differ");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("differ") != std::string::npos);
  box.write("once", kPassword + "\n");
  CHECK(box.quantd("passwd", "--db quantd.db < once").exit_code == 2);

  box.write("pw", kPassword + "\n" + kPassword + "\n");
  r = box.quantd("passwd", "--db quantd.db < pw");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  {
    SQLite::Database db(box.file("quantd.db"));
    const std::string hash = db.execAndGet("SELECT hash FROM auth_password").getString();
    CHECK(hash.starts_with("$argon2id$"));
    CHECK(hash.find(kPassword) == std::string::npos);
  }
  r = box.quantd("passwd", "--db quantd.db --clear");
  CHECK(r.exit_code == 0);
  SQLite::Database db(box.file("quantd.db"));
  CHECK(db.execAndGet("SELECT count(*) FROM auth_password").getInt() == 0);
}

TEST_CASE("with a password every route but the open ones needs the session cookie") {
  WithPassword setup;
  Daemon d(setup.db);
  const int port = d.port();
  CHECK(is_problem(call(port, "GET", "/api/strategies"), 401));
  CHECK(is_problem(call(port, "POST", "/api/strategies", sma_strategy()), 401));
  CHECK(http_request(port, "GET", "/api/events").status == 401);  // before the stream opens
  CHECK(http_request(port, "GET", "/").status == 200);            // the UI itself, to log in
  // Health stays open but tells a stranger only the status.
  auto health = call(port, "GET", "/api/health");
  CHECK(health.status == 200);
  CHECK(health.body == json{{"status", "ok"}});
  auto state = call(port, "GET", "/api/auth");
  CHECK(state.body["password_set"] == true);
  CHECK(state.body["logged_in"] == false);
  CHECK(state.body["authorized"] == false);

  CHECK(is_problem(call_raw(port, "POST", "/api/login", json{{"password", "wrong"}}.dump()), 401));
  const HttpResponse ok = login(port, kPassword);
  REQUIRE(ok.status == 204);
  const std::string set = ok.header("set-cookie");
  CHECK(std::regex_match(
      set, std::regex("quantd_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/")));
  const std::string cookie = set.substr(0, set.find(';'));

  CHECK(as(cookie, port, "GET", "/api/strategies").status == 200);
  CHECK(body_of(as(cookie, port, "GET", "/api/health")).contains("version"));
  const json me = body_of(as(cookie, port, "GET", "/api/auth"));
  CHECK(me["logged_in"] == true);
  CHECK(me["via"] == "session");
  // The cookie opens the event stream, which then carries what the cookie's writes announce.
  SseReader events(port, "Cookie: " + cookie + "\r\n");
  REQUIRE(events.connected());
  const auto created = as(cookie, port, "POST", "/api/strategies", sma_strategy().dump());
  CHECK(created.status == 201);
  CHECK(events.wait_for("strategies", "created", std::chrono::seconds(5)) != "");
  // A cookie is a browser's: another site's page still cannot write with it.
  CHECK(http_request(port, "POST", "/api/strategies", sma_strategy().dump(),
                     {{"Cookie", cookie}, {"Origin", "http://evil.example"}})
            .status == 403);
  // A forged cookie of the right shape gets nothing.
  CHECK(as("quantd_session=" + std::string(43, 'A'), port, "GET", "/api/strategies").status == 401);
  // Only the cookie's SHA-256 is stored.
  SQLite::Database db(setup.db);
  const std::string stored = db.execAndGet("SELECT token_hash FROM auth_sessions").getString();
  CHECK(stored.size() == 64);
  CHECK(cookie.find(stored) == std::string::npos);
  CHECK(db.execAndGet("SELECT user_agent FROM auth_sessions").getString() == "auth_test/1.0");
}

TEST_CASE("wrong passwords are limited per client: the sixth in a minute gets 429") {
  WithPassword setup;
  Daemon d(setup.db);
  const int port = d.port();
  for (int i = 0; i < 5; ++i)
    CHECK(login(port, "not the password " + std::to_string(i)).status == 401);
  const HttpResponse limited = login(port, "not the password 5");
  CHECK(limited.status == 429);
  const int retry = std::atoi(limited.header("retry-after").c_str());
  CHECK(retry >= 1);
  CHECK(retry <= 60);
  // Not even the right password is checked until the window passes.
  CHECK(login(port, kPassword).status == 429);
}

TEST_CASE("logout ends the session; sessions are listed and revocable; idle ones expire") {
  WithPassword setup;
  Daemon d(setup.db, {"--debug-clock"});
  const int port = d.port();
  const std::string first = session_cookie(port);
  const std::string second = session_cookie(port);
  const auto listed = as(first, port, "GET", "/api/auth/sessions");
  REQUIRE(listed.status == 200);
  const json sessions = body_of(listed);
  REQUIRE(sessions.size() == 2);
  CHECK(sessions[0]["current"] == false);  // newest first: the second login's
  CHECK(sessions[1]["current"] == true);
  CHECK(sessions[0]["client"] == "127.0.0.1");
  CHECK(listed.body.find(second.substr(15)) == std::string::npos);  // never the cookie
  const std::string other = std::to_string(sessions[0]["id"].get<int>());

  CHECK(as(first, port, "DELETE", "/api/auth/sessions/" + other).status == 204);
  CHECK(as(second, port, "GET", "/api/strategies").status == 401);
  CHECK(as(first, port, "DELETE", "/api/auth/sessions/" + other).status == 404);

  const HttpResponse out = as(first, port, "POST", "/api/logout");
  CHECK(out.status == 204);
  CHECK(out.header("set-cookie").find("Max-Age=0") != std::string::npos);
  CHECK(as(first, port, "GET", "/api/strategies").status == 401);

  // A session unused for more than 7 days is over.
  const std::string idle = session_cookie(port);
  CHECK(as(idle, port, "POST", "/api/debug/clock", json{{"advance_ms", 8LL * 86'400'000}}.dump())
            .status == 200);
  CHECK(as(idle, port, "GET", "/api/strategies").status == 401);
}

TEST_CASE("every state-changing request is audited with its actor, never with its body") {
  WithPassword setup;
  quantd::testing::TempDir dir;
  const std::string config = dir.file("config.toml");
  std::ofstream(config) << "[server]\nauth_token = \"" + kToken + "\"\n";
  Daemon d(setup.db, {"--config", config});
  const int port = d.port();
  CHECK(login(port, "a wrong guess").status == 401);
  const std::string cookie = session_cookie(port);
  const json me = body_of(as(cookie, port, "GET", "/api/auth"));
  REQUIRE(as(cookie, port, "POST", "/api/strategies", sma_strategy("By cookie").dump()).status ==
          201);
  const std::map<std::string, std::string> bearer{{"Authorization", "Bearer " + kToken}};
  REQUIRE(http_request(port, "POST", "/api/sample-data", "", bearer).status == 201);
  CHECK(http_request(port, "DELETE", "/api/strategies/1").status == 401);

  const json entries = audit(port, bearer);
  const json created = audit_entry(entries, "POST", "/api/strategies");
  REQUIRE(created.is_object());
  CHECK(created["actor"] == "session " + std::to_string(me["session"].get<int>()));
  CHECK(created["status"] == 201);
  CHECK(created["summary"] == "Created, id 1");
  const json sample = audit_entry(entries, "POST", "/api/sample-data");
  REQUIRE(sample.is_object());
  CHECK(sample["actor"] == "token");
  const json refused = audit_entry(entries, "DELETE", "/api/strategies/1");
  REQUIRE(refused.is_object());
  CHECK(refused["actor"] == "anonymous");
  CHECK(refused["status"] == 401);
  int logins = 0;
  for (const json& e : entries) {
    if (e["path"] != "/api/login") continue;
    ++logins;
    if (e["status"] == 204) {
      CHECK(e["summary"] == "logged in as session " + std::to_string(me["session"].get<int>()));
    } else {
      CHECK(e["summary"] == "wrong password");
    }
  }
  CHECK(logins == 2);
  // Neither the password nor the token nor the cookie is written anywhere in the log.
  const std::string text = entries.dump();
  CHECK(text.find(kPassword) == std::string::npos);
  CHECK(text.find("a wrong guess") == std::string::npos);
  CHECK(text.find(kToken) == std::string::npos);
  CHECK(text.find(cookie.substr(15)) == std::string::npos);
  CHECK(text.find("By cookie") == std::string::npos);
  // Paging: newest first, `before` continues.
  const auto page = http_request(port, "GET", "/api/audit?limit=2", "", bearer);
  const json first = body_of(page);
  REQUIRE(first["entries"].size() == 2);
  const auto next = http_request(
      port, "GET", "/api/audit?limit=2&before=" + first["next_before"].dump(), "", bearer);
  CHECK(body_of(next)["entries"][0]["id"].get<int>() < first["entries"][1]["id"].get<int>());
  CHECK(http_request(port, "GET", "/api/audit?limit=0", "", bearer).status == 422);
}

TEST_CASE("listening beyond loopback needs a password or a token") {
  quantd::testing::TempDir dir;
  const auto r = quantd::testing::run_quantd(
      {"serve", "--listen", "0.0.0.0:0", "--db", dir.file("quantd.db")}, std::chrono::seconds(20));
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("requires a password (`quantd passwd`) or server.auth_token") !=
        std::string::npos);
}

TEST_CASE("issue 12: server.tls_cert serves HTTPS only, and the login cookie is Secure there") {
  WithPassword w;
  const quantd::http::test::TestPki pki =
      quantd::http::test::make_test_pki({"localhost"}, {"127.0.0.1"});
  w.box.write("cert.pem", pki.server_cert_pem);
  w.box.write("key.pem", pki.server_key_pem);
  w.box.write("ca.pem", pki.ca_pem);
  w.box.write("config.toml", "[server]\ntls_cert = \"" + w.box.file("cert.pem") +
                                 "\"\ntls_key = \"" + w.box.file("key.pem") + "\"\n");
  Daemon d(w.db, {"--config", w.box.file("config.toml")});
  CHECK(d.log().find("listening on https://127.0.0.1:") != std::string::npos);

  auto client = quantd::http::Client::create({.ca_file = w.box.file("ca.pem")});
  REQUIRE(client.ok());
  const std::string base = "https://127.0.0.1:" + std::to_string(d.port());
  auto health = (*client)->send({"GET", base + "/api/health", {}, {}, {}});
  REQUIRE_MESSAGE(health.ok(), health.status().message());
  CHECK(health->status == 200);
  auto ok = (*client)->send({"POST",
                             base + "/api/login",
                             {{"Content-Type", "application/json"}},
                             json{{"password", kPassword}}.dump(),
                             {}});
  REQUIRE_MESSAGE(ok.ok(), ok.status().message());
  CHECK(ok->status == 204);
  const std::string cookie(ok->header("Set-Cookie").value_or(""));
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("; Secure") != std::string::npos);
  // The session works over https; a plain http:// request is told where to go.
  auto strategies = (*client)->send(
      {"GET", base + "/api/strategies", {{"Cookie", cookie.substr(0, cookie.find(';'))}}, {}, {}});
  REQUIRE(strategies.ok());
  CHECK(strategies->status == 200);
  const HttpResponse plain = http_request(d.port(), "GET", "/api/health");
  CHECK(plain.status == 400);
  CHECK(plain.body.find("HTTPS only") != std::string::npos);
}

#include "quantd/live/notification_text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "notify_json_internal.h"
#include "quantd/live/risk.h"

namespace quantd::live {
namespace {

using config::NotificationType;
using nlohmann::json;
using notify_json::has_number;
using notify_json::integer;
using notify_json::number;
using notify_json::text;

// "stop_loss" → "stop loss".
std::string words(std::string s) {
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string session_label(const json& data, const char* key, NotificationLookup& lookup) {
  if (!has_number(data, key)) return "no session (an order from outside quantd)";
  const std::int64_t id = integer(data, key);
  const std::string name = lookup.session_name(id);
  return "session #" + std::to_string(id) + (name.empty() ? "" : " (" + name + ")");
}

// "buy 10 005930".
std::string terms(const json& d) {
  return text(d, "side") + " " + std::to_string(integer(d, "quantity")) + " " + text(d, "symbol");
}

// "at market", "limit 71,300 KRW".
std::string pricing(const json& d) {
  const std::string type = text(d, "type");
  if (type == "limit") return "limit " + format_price(number(d, "limit_price")) + " KRW";
  if (type == "stop_market") return "stop (market)";
  return "at market";
}

// "Nothing was bought." / "3 of 10 were sold before that."
std::string what_filled(const json& d) {
  const std::int64_t filled = integer(d, "filled_qty");
  const bool buy = text(d, "side") == "buy";
  if (filled <= 0) return std::string("Nothing was ") + (buy ? "bought." : "sold.");
  return std::to_string(filled) + " of " + std::to_string(integer(d, "quantity")) + " were " +
         (buy ? "bought" : "sold") + " before that.";
}

// ": APBK0952 주문가능금액을 초과했습니다" when the order carries the broker's or the check's
// words.
std::string rejection(const json& d) {
  const std::string code = text(d, "reject_code");
  const std::string message = text(d, "reject_message");
  if (code.empty() && message.empty()) return "";
  return ": " + code + (code.empty() || message.empty() ? "" : " ") + message;
}

std::string order_text(const Notification& n, NotificationLookup& lookup) {
  const json& d = n.data;
  const std::string who = session_label(d, "session_id", lookup);
  const std::string order = "order #" + std::to_string(integer(d, "id")) + ", " + terms(d);
  const json detail = d.contains("detail") ? d["detail"] : json::object();
  switch (n.type) {
    case NotificationType::kOrderPlaced:
      return "Order placed: " + terms(d) + " " + pricing(d) + " — " + who;
    case NotificationType::kOrderRejected:
      return "Order rejected by the broker: " + terms(d) + " — " + who + rejection(d) + ". " +
             what_filled(d);
    case NotificationType::kRiskDenied:
      return "Order not sent, refused by quantd's risk checks: " + terms(d) + " — " + who +
             rejection(d) + ". " + what_filled(d);
    case NotificationType::kOrderUnknown: {
      const std::string why = text(detail, "message");
      return "Order outcome unknown: " + order + " — " + who +
             (why.empty() ? "" : " (" + why + ")") + ". quantd will not send it again; " +
             text(d, "symbol") + " is frozen until the broker's order book shows what happened.";
    }
    case NotificationType::kNeedsAttention: {
      const std::string why = text(detail, "why");
      return "Needs you: " + order + " — " + who + (why.empty() ? "" : ": " + why) + ". " +
             text(d, "symbol") +
             " stays frozen until you bind the order or mark it not placed (Live page).";
    }
    case NotificationType::kOrderResolved: {
      const std::string state = text(d, "state");
      const std::int64_t filled = integer(d, "filled_qty");
      std::string outcome;
      if (state == "filled") {
        outcome = "filled, " + std::to_string(filled) + " at " +
                  format_price(number(d, "avg_price")) + " KRW";
      } else if (state == "partially_filled") {
        outcome = "partly filled, " + std::to_string(filled) + " of " +
                  std::to_string(integer(d, "quantity")) + " so far";
      } else if (state == "accepted") {
        outcome = "the broker has it (accepted, nothing filled yet)";
      } else if (state == "not_placed") {
        outcome = "it was never placed; the target is planned again";
      } else {
        outcome = words(state) + (filled > 0 ? ", " + std::to_string(filled) + " filled" : "");
      }
      const std::string from = text(d, "resolved_from");
      return "Resolved: " + order + " — " + who + (from.empty() ? "" : ", was " + words(from)) +
             ": " + outcome + ".";
    }
    default:
      return "";
  }
}

std::string fill_text(const json& d, NotificationLookup& lookup) {
  const bool buy = text(d, "side") == "buy";
  const std::string reason = lookup.order_reason(integer(d, "order_id"));
  const bool plain = reason.empty() || reason == "signal";
  return std::string(buy ? "Bought " : "Sold ") + std::to_string(integer(d, "quantity")) + " " +
         text(d, "symbol") + " at " + format_price(number(d, "price")) + " KRW" +
         (plain ? "" : " (" + words(reason) + ")") + " — " + session_label(d, "session_id", lookup);
}

std::string session_text(const Notification& n, NotificationLookup& lookup) {
  const json& d = n.data;
  std::string who = session_label(d, "id", lookup);
  who[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(who[0])));
  const std::string state = text(d, "state");
  const std::string reason = text(d, "reason");
  const std::string because = reason.empty() ? "" : ": " + reason;
  if (n.type == NotificationType::kWarmupFailed) return who + " could not start" + because;
  if (state == "halted") {
    return who + " halted" + because +
           ". It keeps evaluating; nothing is sent until you resume it.";
  }
  if (state == "reducing") return who + " is reducing (sales only)" + because;
  if (state == "failed") return who + " failed" + because;
  if (state == "stopped") return who + " stopped" + because;
  if (state == "active") return who + " resumed";
  return who + " is " + words(state) + because;
}

std::string account_text(const json& d) {
  const std::string account = "Account #" + std::to_string(integer(d, "id"));
  const std::string state = text(d, "trading_state");
  const std::string reason = text(d, "reason");
  if (state == "halted") {
    return account + " halted" + (reason.empty() ? "" : " — " + reason) +
           ". No new orders; sessions keep evaluating. Resume from the Live page (it reconciles "
           "first).";
  }
  if (state == "active")
    return account + " is active again" + (reason.empty() ? "" : " (" + reason + ")");
  return account + " is " + words(state) + (reason.empty() ? "" : ": " + reason);
}

std::string token_text(const json& d) {
  const std::string account = "Account #" + std::to_string(integer(d, "id"));
  if (text(d, "trading_state") == "active") {
    return account +
           " trades again: the broker issued a new access token and the "
           "reconciliation is clean.";
  }
  if (text(d, "reason") == "token_invalid") {
    return account +
           " halted (token_invalid): KIS keeps answering with an access token it "
           "rejected. No orders are sent; quantd revoked it, asks for a new one (once "
           "per 61 s) and resumes by itself after a clean reconciliation.";
  }
  return "The broker's access token cannot be had: " + text(d, "reason");
}

std::string reconciliation_text(const json& d) {
  const std::string account = "account #" + std::to_string(integer(d, "account_id"));
  const std::string check = " (" + text(d, "kind") + " check)";
  const std::string result = text(d, "result");
  if (result == "mismatch") {
    return "Reconciliation mismatch on " + account + check +
           ": the sessions trading the symbol are halted; quantd never trades to repair it. "
           "Compare the holdings on the Live page (Accounts).";
  }
  if (result == "incomplete") {
    return "Reconciliation of " + account + check +
           " is incomplete: the broker could not be read completely; it is tried again.";
  }
  return "Reconciliation of " + account + check + " is clean again.";
}

std::string signed_krw(double v) { return (v >= 0 ? "+" : "") + format_krw(v) + " KRW"; }

}  // namespace

std::string format_price(double price) {
  const long long cents = std::llround(price * 100);
  std::string out = format_krw(static_cast<double>(cents / 100));
  const long long frac = std::llabs(cents % 100);
  if (frac == 0) return out;
  out += "." + std::to_string(frac / 10);
  if (frac % 10 != 0) out += std::to_string(frac % 10);
  return out;
}

std::string notification_text(const Notification& n, NotificationLookup& lookup) {
  switch (n.type) {
    case NotificationType::kOrderFilled:
      return fill_text(n.data, lookup);
    case NotificationType::kSessionState:
    case NotificationType::kWarmupFailed:
      return session_text(n, lookup);
    case NotificationType::kKillSwitch:
      return account_text(n.data);
    case NotificationType::kReconcileMismatch:
      return reconciliation_text(n.data);
    case NotificationType::kTokenProblem:
      return token_text(n.data);
    case NotificationType::kDailySummary:
      return "";
    default:
      return order_text(n, lookup);
  }
}

std::string daily_summary_text(const DailySummary& s) {
  std::string out = "Daily summary " + format_seoul_date(from_seoul(s.day)) + ":";
  double total = 0;
  for (const SessionDay& d : s.sessions) {
    total += d.pnl();
    const double pct = d.equity_open != 0 ? 100.0 * d.pnl() / d.equity_open : 0.0;
    char percent[32];
    std::snprintf(percent, sizeof percent, "%+.2f%%", pct);
    out += "\nSession #" + std::to_string(d.session_id) +
           (d.name.empty() ? "" : " (" + d.name + ")") +
           (d.state == "active" ? "" : " [" + d.state + "]") + ": equity " +
           format_krw(d.equity_close) + " KRW, today " + signed_krw(d.pnl()) + " (" + percent +
           "); " + std::to_string(d.fills) + (d.fills == 1 ? " fill, " : " fills, ") +
           std::to_string(d.orders) + (d.orders == 1 ? " order" : " orders") +
           (d.denied > 0 ? " (" + std::to_string(d.denied) + " denied)" : "");
  }
  out += "\nTotal today: " + signed_krw(total) + " over " + std::to_string(s.sessions.size()) +
         (s.sessions.size() == 1 ? " session." : " sessions.");
  return out;
}

std::string mask_account_number(const std::string& account) {
  const auto dash = account.find('-');
  const std::string number = account.substr(0, dash);
  const std::string suffix = dash == std::string::npos ? "" : account.substr(dash);
  if (number.size() <= 4) return std::string(number.size(), '*') + suffix;
  return std::string(number.size() - 4, '*') + number.substr(number.size() - 4) + suffix;
}

Redactor::Redactor(std::vector<std::string> secrets, std::vector<std::string> account_numbers) {
  for (std::string& s : secrets) {
    if (!s.empty()) replacements_.emplace_back(std::move(s), "[redacted]");
  }
  for (const std::string& a : account_numbers) {
    if (a.empty()) continue;
    replacements_.emplace_back(a, mask_account_number(a));
    // The account number without its product code (KIS's CANO) appears on its own too.
    if (const auto dash = a.find('-'); dash != std::string::npos && dash > 0) {
      replacements_.emplace_back(a.substr(0, dash), mask_account_number(a.substr(0, dash)));
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  std::stable_sort(replacements_.begin(), replacements_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::string Redactor::apply(std::string s) const {
  for (const auto& [secret, replacement] : replacements_) {
    for (auto at = s.find(secret); at != std::string::npos;
         at = s.find(secret, at + replacement.size())) {
      s.replace(at, secret.size(), replacement);
    }
  }
  return s;
}

void Redactor::apply(nlohmann::json& j) const {
  if (j.is_string()) {
    j = apply(j.get<std::string>());
  } else if (j.is_array()) {
    for (auto& v : j) apply(v);
  } else if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto& [key, value] : j.items()) {
      apply(value);
      out[apply(key)] = std::move(value);
    }
    j = std::move(out);
  }
}

}  // namespace quantd::live

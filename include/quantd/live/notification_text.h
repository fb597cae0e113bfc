// The words of a notification: short sentences a person reads on a phone, built only from the
// event's data (what the journal committed) and two look-ups (a session's name, an order's
// reason). "Bought 10 005930 at 71,200 KRW — session #3 (SMA cross)".
//
// Redactor is the last step before anything leaves: it replaces every configured secret (bot
// token, webhook secret, KIS app key and secret, the API token) in a text or a JSON value, and
// masks account numbers to their last four digits, so even a secret that slipped into a reason
// string never reaches a chat (LIVE.md I10). Pure functions; Redactor is immutable and
// thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "quantd/live/daily_summary.h"
#include "quantd/live/notification.h"

namespace quantd::live {

// What the words need beyond an event. Called on the notifier's thread.
class NotificationLookup {
 public:
  virtual ~NotificationLookup() = default;
  // The session's strategy name, or "" when unknown.
  virtual std::string session_name(std::int64_t session_id) = 0;
  // The order's reason ("signal", "stop_loss", ...), or "" when unknown.
  virtual std::string order_reason(std::int64_t order_id) = 0;
};

// The message for `n` (any type but daily_summary), one to three sentences, not redacted yet.
std::string notification_text(const Notification& n, NotificationLookup& lookup);

// "Daily summary 2026-07-09: ..." with one line per session and the total.
std::string daily_summary_text(const DailySummary& summary);

// "71,200" for whole won, "71,200.5" otherwise (an average of several fills).
std::string format_price(double price);

// "****5678-01": an account number with all but its last four digits (and a "-NN" product
// code) hidden.
std::string mask_account_number(const std::string& account);

class Redactor {
 public:
  // `secrets` are replaced by "[redacted]"; `account_numbers` by their masked form. Empty
  // entries are ignored.
  Redactor(std::vector<std::string> secrets, std::vector<std::string> account_numbers);

  std::string apply(std::string s) const;
  // Redacts every string (keys too) of `j`, in place.
  void apply(nlohmann::json& j) const;

 private:
  std::vector<std::pair<std::string, std::string>> replacements_;  // longest first
};

}  // namespace quantd::live

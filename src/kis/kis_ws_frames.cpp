#include "quantd/kis/kis_ws_frames.h"

#include <openssl/evp.h>

#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>

namespace quantd::kis {
namespace {

using nlohmann::json;

std::string text_of(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// A numeric field: digits with an optional sign, or empty (KIS leaves unused fields empty).
Result<std::int64_t> number(const std::vector<std::string>& fields, std::size_t index,
                            std::string_view name) {
  const std::string& s = fields[index];
  if (s.empty()) return std::int64_t{0};
  std::int64_t value = 0;
  const char* first = s.data() + (s.front() == '+' ? 1 : 0);
  auto [end, ec] = std::from_chars(first, s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) {
    return Status::invalid_argument("field " + std::string(name) + " (#" + std::to_string(index) +
                                    ") is not a whole number");
  }
  return value;
}

std::vector<std::string> split_fields(std::string_view payload) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t caret = payload.find('^', start);
    out.emplace_back(
        payload.substr(start, caret == std::string_view::npos ? payload.npos : caret - start));
    if (caret == std::string_view::npos) break;
    start = caret + 1;
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) {
    return Status::invalid_argument("the encrypted payload is not base64 (length " +
                                    std::to_string(text.size()) + ")");
  }
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return Status::invalid_argument("the encrypted payload is not base64");
  // EVP_DecodeBlock counts the padding as zero bytes.
  std::size_t size = static_cast<std::size_t>(n);
  if (text.back() == '=') --size;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

}  // namespace

std::string ws_subscribe_message(std::string_view approval_key, std::string_view tr_id,
                                 std::string_view tr_key, bool subscribe) {
  json m;
  m["header"] = {{"approval_key", std::string(approval_key)},
                 {"custtype", "P"},
                 {"tr_type", subscribe ? "1" : "2"},
                 {"content-type", "utf-8"}};
  m["body"] = {{"input", {{"tr_id", std::string(tr_id)}, {"tr_key", std::string(tr_key)}}}};
  return m.dump();
}

Result<WsMessage> parse_ws_message(std::string_view text) {
  WsMessage out;
  if (text.empty()) return Status::invalid_argument("an empty WebSocket message");
  if (text.front() == '{') {
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("header") || !j["header"].is_object()) {
      return Status::invalid_argument("a control message without a JSON header");
    }
    WsControl c;
    c.tr_id = text_of(j["header"], "tr_id");
    c.tr_key = text_of(j["header"], "tr_key");
    if (auto body = j.find("body"); body != j.end() && body->is_object()) {
      c.rt_cd = text_of(*body, "rt_cd");
      c.msg_cd = text_of(*body, "msg_cd");
      c.msg1 = text_of(*body, "msg1");
      if (auto output = body->find("output"); output != body->end()) {
        c.key = text_of(*output, "key");
        c.iv = text_of(*output, "iv");
      }
    }
    if (c.tr_id.empty()) return Status::invalid_argument("a control message without tr_id");
    out.control = std::move(c);
    return out;
  }
  // Split on the first three '|' only (PROTOCOL §6.4); the payload is read by its own rules.
  std::size_t bars[3];
  std::size_t from = 0;
  for (std::size_t& b : bars) {
    b = text.find('|', from);
    if (b == std::string_view::npos) {
      return Status::invalid_argument("a data frame without its three '|' separators");
    }
    from = b + 1;
  }
  WsDataFrame f;
  const std::string_view flag = text.substr(0, bars[0]);
  if (flag != "0" && flag != "1") {
    return Status::invalid_argument("a data frame whose encryption flag is not 0 or 1");
  }
  f.encrypted = flag == "1";
  f.tr_id = std::string(text.substr(bars[0] + 1, bars[1] - bars[0] - 1));
  const std::string_view count = text.substr(bars[1] + 1, bars[2] - bars[1] - 1);
  auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), f.count);
  if (ec != std::errc() || end != count.data() + count.size() || f.count < 1) {
    return Status::invalid_argument("a data frame of " + f.tr_id +
                                    " whose record count is not a positive number");
  }
  f.payload = std::string(text.substr(bars[2] + 1));
  out.data = std::move(f);
  return out;
}

Result<std::string> ws_decrypt(std::string_view base64, std::string_view key, std::string_view iv) {
  if (key.size() != 32 || iv.size() != 16) {
    return Status::invalid_argument("the subscription's AES key or iv has the wrong size");
  }
  auto cipher = base64_decode(base64);
  if (!cipher.ok()) return cipher.status();
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free);
  std::string plain(cipher->size() + 16, '\0');
  int n1 = 0;
  int n2 = 0;
  const auto* k = reinterpret_cast<const unsigned char*>(key.data());
  const auto* v = reinterpret_cast<const unsigned char*>(iv.data());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, k, v) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &n1,
                        reinterpret_cast<const unsigned char*>(cipher->data()),
                        static_cast<int>(cipher->size())) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + n1, &n2) !=
          1) {
    return Status::invalid_argument(
        "the encrypted payload does not decrypt with the subscription's key (bad padding)");
  }
  plain.resize(static_cast<std::size_t>(n1 + n2));
  return plain;
}

Result<std::vector<std::vector<std::string>>> ws_records(std::string_view payload, int count,
                                                         int fields) {
  std::vector<std::string> all = split_fields(payload);
  if (count < 1 || fields < 1 ||
      all.size() != static_cast<std::size_t>(count) * static_cast<std::size_t>(fields)) {
    return Status::invalid_argument(std::to_string(all.size()) + " fields for " +
                                    std::to_string(count) + " record(s) of " +
                                    std::to_string(fields));
  }
  std::vector<std::vector<std::string>> out;
  out.reserve(static_cast<std::size_t>(count));
  for (int r = 0; r < count; ++r) {
    auto first = all.begin() + static_cast<std::ptrdiff_t>(r) * fields;
    out.emplace_back(std::make_move_iterator(first), std::make_move_iterator(first + fields));
  }
  return out;
}

Result<std::vector<WsTrade>> parse_ws_trades(const WsDataFrame& frame) {
  if (frame.encrypted) return Status::invalid_argument("an encrypted H0STCNT0 frame");
  auto records = ws_records(frame.payload, frame.count, kTradeFields);
  if (!records.ok()) {
    return Status::invalid_argument("H0STCNT0: " + records.status().message());
  }
  std::vector<WsTrade> out;
  for (const auto& r : *records) {
    WsTrade t;
    t.symbol = r[0];
    t.time = r[1];
    auto price = number(r, 2, "STCK_PRPR");
    auto volume = number(r, 12, "CNTG_VOL");
    auto day_volume = number(r, 13, "ACML_VOL");
    for (const auto* n : {&price, &volume, &day_volume}) {
      if (!n->ok()) return Status::invalid_argument("H0STCNT0: " + n->status().message());
    }
    t.price = *price;
    t.volume = *volume;
    t.day_volume = *day_volume;
    t.halted = r[35] == "Y";
    t.hour_class = r[43];
    if (t.symbol.empty() || t.time.size() != 6 || t.price <= 0) {
      return Status::invalid_argument("H0STCNT0: a record without its code, time or price");
    }
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<WsNotice>> parse_ws_notices(std::string_view plaintext, int count) {
  const std::size_t total = split_fields(plaintext).size();
  int layout = 0;
  for (int n : {26, 23}) {
    if (count > 0 && total == static_cast<std::size_t>(count) * static_cast<std::size_t>(n)) {
      layout = n;
      break;
    }
  }
  if (layout == 0) {
    return Status::invalid_argument(
        "an order notice of an unknown layout: " + std::to_string(total) + " fields for " +
        std::to_string(count) + " record(s) (26 or 23 expected)");
  }
  auto records = ws_records(plaintext, count, layout);
  if (!records.ok()) return records.status();
  std::vector<WsNotice> out;
  for (const auto& r : *records) {
    WsNotice n;
    n.layout = layout;
    n.account = r[1];
    n.order_no = r[2];
    n.original_order_no = r[3];
    if (r[4] == "01") {
      n.side = domain::Side::kSell;
    } else if (r[4] == "02") {
      n.side = domain::Side::kBuy;
    } else {
      return Status::invalid_argument("order notice: SELN_BYOV_CLS is neither 01 nor 02");
    }
    n.symbol = r[8];
    auto qty = number(r, 9, "CNTG_QTY");
    auto price = number(r, 10, "CNTG_UNPR");
    auto order_qty = number(r, 16, "ODER_QTY");
    for (const auto* v : {&qty, &price, &order_qty}) {
      if (!v->ok()) return Status::invalid_argument("order notice: " + v->status().message());
    }
    n.quantity = *qty;
    n.price = *price;
    n.order_qty = *order_qty;
    n.time = r[11];
    n.rejected = r[12] == "1";
    n.fill = r[13] == "2";
    n.accept = r[14];
    if (n.order_no.empty() || n.symbol.empty()) {
      return Status::invalid_argument("order notice: a record without its order number or code");
    }
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace quantd::kis

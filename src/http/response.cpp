#include "quantd/http/response.h"

#include "text_internal.h"

namespace quantd::http {

std::optional<std::string_view> Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (detail::iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

Response& Response::set_header(std::string name, std::string value) {
  std::erase_if(headers, [&](const auto& h) { return detail::iequals(h.first, name); });
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

namespace {

std::string dump_safely(const nlohmann::json& value) {
  // error_handler_t::replace makes dump() total: invalid UTF-8 becomes U+FFFD instead of a throw.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Response json(int status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = dump_safely(body);
  return response;
}

Response problem(int status, std::string title, std::string detail, nlohmann::json errors) {
  nlohmann::json doc = nlohmann::json::object();
  doc["type"] = "about:blank";
  doc["title"] = std::move(title);
  doc["status"] = status;
  doc["detail"] = std::move(detail);
  if (errors.is_array() && !errors.empty()) doc["errors"] = std::move(errors);
  Response response = json(status, doc);
  response.content_type = "application/problem+json";
  return response;
}

Response text(int status, std::string body, std::string content_type) {
  Response response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

Response streamed(int status, std::shared_ptr<BodyStream> stream, std::string content_type) {
  Response response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.stream = std::move(stream);
  return response;
}

Response empty(int status) {
  Response response;
  response.status = status;
  return response;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 425:
      return "Too Early";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 507:
      return "Insufficient Storage";
    default:
      return "Unknown Status";
  }
}

}  // namespace quantd::http

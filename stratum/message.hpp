// Stratum V1 wire format: newline-terminated JSON-RPC lines, as pools actually speak it.
//
// Real pools are loose: ids come as integers, strings or null; params as arrays or objects; errors
// as [code, "text", traceback], as {"code":..,"message":..} or as a "reject-reason" field beside
// result:false. Everything here accepts those shapes and reports anything else as a ProtocolError
// naming what was wrong, never crashing and never half-using a message.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stratum/notify.hpp"  // ProtocolError

namespace hf::stratum {

using Clock = std::chrono::steady_clock;

// Longest line accepted from a peer. A mining.notify with a full merkle branch is a few KiB; a line
// longer than this is hostile or broken, and the connection is dropped rather than buffered.
inline constexpr std::size_t kMaxLineBytes = 64 * 1024;

// Deepest nesting of arrays and objects accepted in a message. Real Stratum messages nest 3 deep (a
// merkle branch inside params inside the message); a deeper one is refused before it is built, so a
// line of 10,000 '[' cannot exhaust the stack of the parser or of the code that walks the result.
inline constexpr std::size_t kMaxJsonDepth = 32;

// Cuts a byte stream into lines. Keeps at most max_line bytes of an unfinished line.
class LineSplitter {
public:
    explicit LineSplitter(std::size_t max_line = kMaxLineBytes) : max_line_(max_line) {}
    // Appends `data` and moves every complete line (without "\n" or a trailing "\r"; blank lines
    // skipped) into `out`. Throws ProtocolError when a line exceeds the limit.
    void feed(std::string_view data, std::vector<std::string>& out);
    std::size_t buffered() const { return partial_.size(); }

private:
    std::size_t max_line_;
    std::string partial_;
};

enum class MessageKind { Request, Notification, Response };

// One decoded line. A request has a method and a non-null id; a notification a method and a null
// (or missing) id; a response has no method.
struct Message {
    MessageKind kind = MessageKind::Notification;
    nlohmann::json id;  // null, number or string, as sent
    std::string method;
    nlohmann::json params;  // array or object as sent (missing -> empty array)
    nlohmann::json result;  // responses
    nlohmann::json error;   // responses: null when none
    nlohmann::json raw;     // the whole object, for fields like "reject-reason"
};

// Parses JSON from a peer or a file: throws ProtocolError (and nothing else) for malformed JSON,
// invalid UTF-8, nesting deeper than kMaxJsonDepth or a number out of double's range.
nlohmann::json parse_json(std::string_view text);

// Parses one line. Throws ProtocolError (and nothing else) for malformed JSON, invalid UTF-8, nesting
// deeper than kMaxJsonDepth, a number out of double's range (1e400), a non-object, a method that is
// not a string, or a response with neither result nor error.
Message parse_message(std::string_view line);

// A response id as our request number: integers and decimal strings ("7") both count.
std::optional<std::uint64_t> id_number(const nlohmann::json& id);

// The i-th positional parameter, or the named one when params is an object.
const nlohmann::json* param(const nlohmann::json& params, std::size_t index, std::string_view name);

// A number sent as a JSON number or as a decimal string ("0.5"): both appear in the wild.
std::optional<double> json_number(const nlohmann::json& value);

// Why a pool refused a share, by the kinds miners count.
enum class RejectKind { Stale, Duplicate, LowDifficulty, Other };
std::string_view reject_kind_name(RejectKind kind);  // "stale", "duplicate", "low difficulty", "other"

struct RejectReason {
    RejectKind kind = RejectKind::Other;
    int code = 0;  // 0: none given
    std::string text;
};
// Reads the error (array, object or string) and "reject-reason" of a response and classifies it:
// code 21 or a "job not found"/"stale" text is stale, 22 duplicate, 23 low difficulty.
RejectReason parse_reject(const Message& response);

// Standard Stratum error codes (as the built-in pool uses them).
inline constexpr int kErrOther = 20;
inline constexpr int kErrStale = 21;
inline constexpr int kErrDuplicate = 22;
inline constexpr int kErrLowDifficulty = 23;
inline constexpr int kErrUnauthorized = 24;
inline constexpr int kErrNotSubscribed = 25;

// JSON text with every string that is not valid UTF-8 (an error message quoting a peer's bytes, a
// name from the command line) written with U+FFFD in place of the bad bytes: nlohmann's plain
// dump() throws there. Everything we send or serve goes through this (json or ordered_json).
template <typename Json>
std::string dump_json(const Json& j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}
// `text` with bytes that are not valid UTF-8 replaced by U+FFFD, the same way (for plain text).
std::string valid_utf8(std::string_view text);

// Serialised lines, each ending in "\n", through dump_json.
std::string make_request(const nlohmann::json& id, std::string_view method, nlohmann::json params);
std::string make_notification(std::string_view method, nlohmann::json params);
std::string make_result(const nlohmann::json& id, nlohmann::json result);
std::string make_error(const nlohmann::json& id, int code, std::string_view text);

}  // namespace hf::stratum

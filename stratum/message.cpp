#include "stratum/message.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace hf::stratum {

void LineSplitter::feed(std::string_view data, std::vector<std::string>& out) {
    while (!data.empty()) {
        const auto nl = data.find('\n');
        const std::string_view piece = data.substr(0, nl);
        if (partial_.size() + piece.size() > max_line_) {
            partial_.clear();
            throw ProtocolError("line longer than " + std::to_string(max_line_) + " bytes");
        }
        partial_.append(piece);
        if (nl == std::string_view::npos) return;
        data.remove_prefix(nl + 1);
        if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
        const bool blank = std::all_of(partial_.begin(), partial_.end(),
                                       [](unsigned char c) { return std::isspace(c) != 0; });
        if (!blank) out.push_back(std::move(partial_));
        partial_.clear();
    }
}

namespace {

// How deep arrays and objects nest in `text`, counting only brackets outside strings, stopping as
// soon as `limit` is passed. Malformed JSON is left for the parser to report.
bool nests_deeper_than(std::string_view text, std::size_t limit) {
    std::size_t depth = 0;
    bool in_string = false, escaped = false;
    for (const char ch : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (ch == '\\') escaped = true;
            else if (ch == '"') in_string = false;
        } else if (ch == '"') {
            in_string = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > limit) return true;
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            --depth;
        }
    }
    return false;
}

std::string dump_line(const nlohmann::json& j) { return dump_json(j) + "\n"; }

}  // namespace

std::string valid_utf8(std::string_view text) {
    return nlohmann::json::parse(dump_json(nlohmann::json(std::string(text)))).get<std::string>();
}

nlohmann::json parse_json(std::string_view text) {
    if (nests_deeper_than(text, kMaxJsonDepth))
        throw ProtocolError("JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for 1e400
        throw ProtocolError(std::string("malformed JSON: ") + e.what());
    }
}

Message parse_message(std::string_view line) {
    nlohmann::json j = parse_json(line);
    if (!j.is_object()) throw ProtocolError(std::string("message is not a JSON object but ") + j.type_name());
    Message m;
    if (auto it = j.find("id"); it != j.end()) {
        if (!it->is_null() && !it->is_number() && !it->is_string())
            throw ProtocolError(std::string("message id must be a number, string or null, got ") + it->type_name());
        m.id = *it;
    }
    if (auto it = j.find("method"); it != j.end() && !it->is_null()) {
        if (!it->is_string()) throw ProtocolError("method must be a string");
        m.method = it->get<std::string>();
        m.kind = m.id.is_null() ? MessageKind::Notification : MessageKind::Request;
        if (auto p = j.find("params"); p != j.end() && !p->is_null())
            m.params = *p;
        else
            m.params = nlohmann::json::array();
        if (!m.params.is_array() && !m.params.is_object())
            m.params = nlohmann::json::array({m.params});  // a bare value: treat as the only parameter
    } else {
        m.kind = MessageKind::Response;
        const bool has_result = j.contains("result");
        const bool has_error = j.contains("error");
        if (!has_result && !has_error) throw ProtocolError("message has neither method nor result nor error");
        m.result = has_result ? j["result"] : nlohmann::json();
        m.error = has_error ? j["error"] : nlohmann::json();
    }
    m.raw = std::move(j);
    return m;
}

std::optional<std::uint64_t> id_number(const nlohmann::json& id) {
    if (id.is_number_unsigned()) return id.get<std::uint64_t>();
    if (id.is_number_integer()) {
        const auto v = id.get<std::int64_t>();
        if (v >= 0) return static_cast<std::uint64_t>(v);
        return std::nullopt;
    }
    if (id.is_string()) {
        const auto& s = id.get_ref<const std::string&>();
        std::uint64_t v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return v;
    }
    return std::nullopt;
}

const nlohmann::json* param(const nlohmann::json& params, std::size_t index, std::string_view name) {
    if (params.is_array()) return index < params.size() ? &params[index] : nullptr;
    if (params.is_object()) {
        auto it = params.find(std::string(name));
        return it == params.end() ? nullptr : &*it;
    }
    return nullptr;
}

std::optional<double> json_number(const nlohmann::json& value) {
    double d = 0;
    if (value.is_number()) {
        d = value.get<double>();
    } else if (value.is_string()) {
        const auto& s = value.get_ref<const std::string&>();
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
        if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    } else {
        return std::nullopt;
    }
    if (!std::isfinite(d)) return std::nullopt;
    return d;
}

std::string_view reject_kind_name(RejectKind kind) {
    switch (kind) {
        case RejectKind::Stale: return "stale";
        case RejectKind::Duplicate: return "duplicate";
        case RejectKind::LowDifficulty: return "low difficulty";
        case RejectKind::Other: break;
    }
    return "other";
}

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool contains(const std::string& haystack, std::string_view needle) { return haystack.find(needle) != std::string::npos; }

// A reject code as sent: an integer in int's range, else none (a code of 1e300 is not a code, and
// casting it to int would be undefined behaviour).
int reject_code(const nlohmann::json& value) {
    const auto c = json_number(value);
    if (!c || *c != std::trunc(*c) || *c < std::numeric_limits<int>::min() || *c > std::numeric_limits<int>::max())
        return 0;
    return static_cast<int>(*c);
}

}  // namespace

RejectReason parse_reject(const Message& response) {
    RejectReason r;
    const auto& e = response.error;
    if (e.is_array()) {
        if (!e.empty()) {
            r.code = reject_code(e[0]);
        }
        if (e.size() > 1 && e[1].is_string()) r.text = e[1].get<std::string>();
    } else if (e.is_object()) {
        if (auto it = e.find("code"); it != e.end())
            r.code = reject_code(*it);
        for (const char* key : {"message", "msg", "reason"})
            if (auto it = e.find(key); it != e.end() && it->is_string()) {
                r.text = it->get<std::string>();
                break;
            }
    } else if (e.is_string()) {
        r.text = e.get<std::string>();
    }
    if (auto it = response.raw.find("reject-reason"); it != response.raw.end() && it->is_string()) {
        if (r.text.empty())
            r.text = it->get<std::string>();
        else
            r.text += " (" + it->get<std::string>() + ")";
    }
    if (r.text.empty() && r.code == 0) r.text = "rejected without a reason";
    const std::string t = lower(r.text);
    if (r.code == kErrStale || contains(t, "job not found") || contains(t, "stale") || contains(t, "unknown job") ||
        contains(t, "job-not-found") || contains(t, "old job"))
        r.kind = RejectKind::Stale;
    else if (r.code == kErrDuplicate || contains(t, "duplicate"))
        r.kind = RejectKind::Duplicate;
    else if (r.code == kErrLowDifficulty || contains(t, "low difficulty") || contains(t, "low-difficulty") ||
             contains(t, "above target") || contains(t, "high-hash"))
        r.kind = RejectKind::LowDifficulty;
    else
        r.kind = RejectKind::Other;
    return r;
}

std::string make_request(const nlohmann::json& id, std::string_view method, nlohmann::json params) {
    nlohmann::json j = {{"id", id}, {"method", method}, {"params", std::move(params)}};
    return dump_line(j);
}

std::string make_notification(std::string_view method, nlohmann::json params) {
    return make_request(nullptr, method, std::move(params));
}

std::string make_result(const nlohmann::json& id, nlohmann::json result) {
    nlohmann::json j = {{"id", id}, {"result", std::move(result)}, {"error", nullptr}};
    return dump_line(j);
}

std::string make_error(const nlohmann::json& id, int code, std::string_view text) {
    nlohmann::json j = {{"id", id}, {"result", nullptr}, {"error", {code, text, nullptr}}};
    return dump_line(j);
}

}  // namespace hf::stratum

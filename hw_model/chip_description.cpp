#include "hw_model/chip_description.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "hw_model/shipped_chips.hpp"

namespace hf::hw {
namespace {

using nlohmann::json;

// A JSON value as it may appear in a one-line error: control characters escaped, invalid UTF-8
// replaced (dump() would otherwise throw on it), long values cut.
std::string show(const json& v) {
    std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (s.size() > 80) s = s.substr(0, 77) + "...";
    return s;
}

// A key the same way, without the quotes.
std::string show_key(const std::string& key) {
    const std::string s = show(json(key));
    return s.size() >= 2 && s.front() == '"' && s.back() == '"' ? s.substr(1, s.size() - 2) : s;
}

// Reads the keys of one JSON object, each checked and named in errors as "prefix.key".
class KeyReader {
public:
    KeyReader(const json& object, std::string file, std::string prefix)
        : j_(object), file_(std::move(file)), prefix_(std::move(prefix)) {}

    [[noreturn]] void fail(const std::string& key, const std::string& why) const {
        throw ChipDescriptionError(file_ + ": key '" + prefix_ + show_key(key) + "': " + why);
    }

    // Every key must be one we know: a misspelt optional key would otherwise be silently ignored.
    void only(std::initializer_list<const char*> known) const {
        for (const auto& item : j_.items()) {
            const bool ok = std::any_of(known.begin(), known.end(), [&](const char* k) { return item.key() == k; });
            if (ok) continue;
            std::string list;
            for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
            fail(item.key(), "unknown key (known: " + list + ")");
        }
    }

    bool has(const char* key) const { return j_.contains(key); }
    const json& at(const char* key) const { return j_.at(key); }

    const json& required(const char* key) const {
        if (!j_.contains(key)) fail(key, "missing (required)");
        return j_.at(key);
    }

    std::string text(const char* key, bool required) const {
        if (!has(key)) {
            if (required) fail(key, "missing (required)");
            return {};
        }
        const json& v = j_.at(key);
        if (!v.is_string()) fail(key, "must be text, got " + show(v));
        if (required && v.get<std::string>().empty()) fail(key, "must not be empty");
        return v.get<std::string>();
    }

    // A number in [min, max] (min excluded when `above`).
    double number(const char* key, double min, double max, bool above, const char* unit) const {
        const json& v = required(key);
        if (!v.is_number()) fail(key, std::string("must be a number (") + unit + "), got " + show(v));
        const double x = v.get<double>();
        if (!std::isfinite(x) || (above ? x <= min : x < min) || x > max) {
            std::ostringstream why;
            why << "must be " << (above ? "above " : "at least ") << min << " and at most " << max << " " << unit << ", got " << show(v);
            fail(key, why.str());
        }
        return x;
    }

    unsigned whole(const char* key, unsigned min, unsigned max) const {
        const json& v = required(key);
        if (!v.is_number_integer() || v.get<long long>() < static_cast<long long>(min) || v.get<long long>() > static_cast<long long>(max))
            fail(key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + show(v));
        return static_cast<unsigned>(v.get<long long>());
    }

    bool flag(const char* key, bool fallback) const {
        if (!has(key)) return fallback;
        const json& v = j_.at(key);
        if (!v.is_boolean()) fail(key, "must be true or false, got " + show(v));
        return v.get<bool>();
    }

    KeyReader object(const char* key) const {
        const json& v = j_.at(key);
        if (!v.is_object()) fail(key, "must be an object {...}, got " + show(v));
        return KeyReader(v, file_, prefix_ + key + ".");
    }

    const std::string& file() const { return file_; }

private:
    const json& j_;
    std::string file_;
    std::string prefix_;
};

CoreConfig read_core(const KeyReader& r) {
    r.only({"rounds_per_stage", "loop", "midstates", "midstate", "precompute", "hardwire", "cut"});
    CoreConfig c;
    if (r.has("rounds_per_stage")) c.rounds_per_stage = r.whole("rounds_per_stage", 1, 64);
    if (r.has("loop")) c.loop = r.whole("loop", 1, 64);
    if (r.has("midstates")) c.midstates = r.whole("midstates", 1, 4);
    c.midstate_from_host = r.flag("midstate", c.midstate_from_host);
    c.precompute_job_rounds = r.flag("precompute", c.precompute_job_rounds);
    c.hardwire_padding = r.flag("hardwire", c.hardwire_padding);
    c.cut_final_rounds = r.flag("cut", c.cut_final_rounds);
    try {
        validate(c);
    } catch (const std::invalid_argument& e) {
        // validate() names the CoreConfig field; the description's keys differ only in spelling.
        throw ChipDescriptionError(r.file() + ": key 'core': " + e.what());
    }
    return c;
}

MachineDescription read_machine(const KeyReader& r) {
    r.only({"name", "chips", "psu_efficiency", "fans_control_w", "published"});
    MachineDescription m;
    m.name = r.text("name", true);
    m.chips = r.whole("chips", 1, 1000000);
    m.psu_efficiency = r.number("psu_efficiency", 0.1, 1, true, "(a fraction)");
    m.fans_control_w = r.number("fans_control_w", 0, 1e6, false, "W");
    if (r.has("published")) {
        const KeyReader p = r.object("published");
        p.only({"hashrate_ths", "wall_power_w", "source"});
        m.published = PublishedMachine{p.number("hashrate_ths", 0, 1e9, true, "TH/s"), p.number("wall_power_w", 0, 1e9, true, "W"),
                                       p.text("source", true)};
    }
    return m;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

const char* protocol_name(ChipProtocol p) {
    switch (p) {
        case ChipProtocol::Bm1366: return "bm1366";
        case ChipProtocol::Bm1397: return "bm1397";
        case ChipProtocol::None: break;
    }
    return "";
}

std::uint16_t ChipDescription::chip_id() const { return protocol == ChipProtocol::Bm1366 ? 0x1366 : 0x1397; }

ChipDescription parse_chip_description(std::string_view json_text, const std::string& file) {
    json j;
    try {
        j = json::parse(json_text);
    } catch (const json::exception& e) {
        // A syntax error, or a number too large for a double (out_of_range): nlohmann's message after
        // its "[json.exception...]" id, which says where.
        std::string why = e.what();
        if (const auto end_of_id = why.find("] "); end_of_id != std::string::npos) why = why.substr(end_of_id + 2);
        throw ChipDescriptionError(file + ": not valid JSON: " + why);
    }
    if (!j.is_object()) throw ChipDescriptionError(file + ": a chip description is a JSON object {...}, got " + std::string(j.type_name()));
    const KeyReader r(j, file, "");
    r.only({"name", "node_nm", "cores", "mhz", "voltage", "core", "protocol", "machine", "description", "sources"});
    ChipDescription c;
    c.file = file;
    c.name = r.text("name", true);
    c.node_nm = r.number("node_nm", 0, 1000, true, "nm");
    c.cores = r.whole("cores", 1, 1000000);
    c.mhz = r.number("mhz", 0, 100000, true, "MHz");
    if (r.has("voltage")) c.voltage = r.number("voltage", 0, 5, true, "V");
    if (r.has("core")) c.core = read_core(r.object("core"));
    if (r.has("protocol")) {
        const std::string p = r.text("protocol", true);
        if (p == "bm1366") c.protocol = ChipProtocol::Bm1366;
        else if (p == "bm1397") c.protocol = ChipProtocol::Bm1397;
        else r.fail("protocol", "must be \"bm1366\" or \"bm1397\", got " + show(json(p)));
    }
    if (r.has("machine")) c.machine = read_machine(r.object("machine"));
    c.description = r.text("description", false);
    if (r.has("sources")) {
        const KeyReader s = r.object("sources");
        for (const auto& item : r.at("sources").items()) c.sources[item.key()] = s.text(item.key().c_str(), true);
    }
    return c;
}

ChipDescription read_chip_description(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ChipDescriptionError(path + ": cannot open the chip description file");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ChipDescriptionError(path + ": cannot read the chip description file");
    return parse_chip_description(text.str(), path);
}

const std::vector<ChipDescription>& shipped_chips() {
    static const std::vector<ChipDescription> chips = [] {
        std::vector<ChipDescription> v;
        for (const auto& f : shipped_chip_files()) v.push_back(parse_chip_description(f.json, "chips/" + std::string(f.file_name)));
        std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.file < b.file; });
        return v;
    }();
    return chips;
}

const ChipDescription& shipped_chip(std::string_view name) {
    const std::string want = lower(name);
    std::string known;
    for (const auto& c : shipped_chips()) {
        const std::string stem = std::filesystem::path(c.file).stem().string();
        if (lower(c.name) == want || lower(stem) == want) return c;
        known += (known.empty() ? "" : ", ") + stem;
    }
    throw ChipDescriptionError("unknown chip '" + std::string(name) + "': not a file, nor a shipped chip (" + known + ")");
}

ChipDescription find_chip(const std::string& name_or_file) {
    const bool path_like = name_or_file.find('/') != std::string::npos ||
                           (name_or_file.size() > 5 && name_or_file.ends_with(".json"));
    std::error_code ec;
    if (path_like || std::filesystem::is_regular_file(name_or_file, ec)) return read_chip_description(name_or_file);
    return shipped_chip(name_or_file);
}

}  // namespace hf::hw

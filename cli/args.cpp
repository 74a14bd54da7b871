#include "cli/args.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace hf::cli {
namespace {

const OptionSpec* find_long(std::span<const OptionSpec> specs, std::string_view name) {
    for (const auto& s : specs)
        if (s.long_name == name) return &s;
    return nullptr;
}

const OptionSpec* find_short(std::span<const OptionSpec> specs, char c) {
    for (const auto& s : specs)
        if (s.short_name != 0 && s.short_name == c) return &s;
    return nullptr;
}

}  // namespace

bool ParsedArgs::has(const std::string& name) const {
    for (const auto& [k, v] : ordered)
        if (k == name) return true;
    return false;
}

std::optional<std::string> ParsedArgs::get(const std::string& name) const {
    std::optional<std::string> out;
    for (const auto& [k, v] : ordered)
        if (k == name) out = v;
    return out;
}

std::vector<std::string> ParsedArgs::all(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : ordered)
        if (k == name) out.push_back(v);
    return out;
}

std::string ParsedArgs::require(const std::string& name) const {
    auto v = get(name);
    if (!v) throw UsageError("missing required option --" + name);
    return *v;
}

std::optional<double> ParsedArgs::get_double(const std::string& name) const {
    auto v = get(name);
    if (!v) return std::nullopt;
    return parse_double(name, *v);
}

std::optional<long long> ParsedArgs::get_int(const std::string& name, long long min, long long max) const {
    auto v = get(name);
    if (!v) return std::nullopt;
    return parse_int(name, *v, min, max);
}

double parse_double(const std::string& option, const std::string& text) {
    double d = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, d);
    if (ec != std::errc() || ptr != end || !std::isfinite(d))
        throw UsageError("--" + option + ": not a number: '" + text + "'");
    return d;
}

long long parse_int(const std::string& option, const std::string& text, long long min, long long max) {
    long long n = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, n);
    if (ec != std::errc() || ptr != end) throw UsageError("--" + option + ": not a whole number: '" + text + "'");
    if (n < min || n > max)
        throw UsageError("--" + option + ": " + text + " is out of range (" + std::to_string(min) + " to " +
                         std::to_string(max) + ")");
    return n;
}

std::string read_option_file(const std::string& option, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UsageError("--" + option + " " + path + ": cannot read: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw UsageError("--" + option + " " + path + ": cannot read: " + std::strerror(errno));
    return text.str();
}

void require_pem_file(const std::string& option, const std::string& path, const std::string& label) {
    const std::string text = read_option_file(option, path);
    const auto begin = text.find("-----BEGIN ");
    const auto end = begin == std::string::npos ? begin : text.find("-----", begin + 11);
    if (end == std::string::npos || text.compare(end - label.size(), label.size(), label) != 0)
        throw UsageError("--" + option + " " + path + ": no PEM " + label + " in it (expected -----BEGIN ..." + label +
                         "-----)");
}

ParsedArgs parse_args(std::span<const OptionSpec> specs, std::span<char* const> argv) {
    ParsedArgs out;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string arg = argv[i];
        const OptionSpec* spec = nullptr;
        std::optional<std::string> inline_value;
        if (arg == "--") {
            for (++i; i < argv.size(); ++i) out.positional.emplace_back(argv[i]);
            break;
        }
        if (arg.rfind("--", 0) == 0) {
            const auto eq = arg.find('=');
            const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
            spec = find_long(specs, name);
            if (!spec) throw UsageError("unknown option --" + name);
            if (eq != std::string::npos) inline_value = arg.substr(eq + 1);
        } else if (arg.size() >= 2 && arg[0] == '-' && arg != "-") {
            spec = find_short(specs, arg[1]);
            if (!spec) throw UsageError(std::string("unknown option -") + arg[1]);
            if (arg.size() > 2) {
                if (!spec->takes_value) throw UsageError("option -" + std::string(1, arg[1]) + " takes no value");
                inline_value = arg.substr(2);
            }
        } else {
            out.positional.push_back(arg);
            continue;
        }
        if (spec->takes_value) {
            if (!inline_value) {
                if (i + 1 >= argv.size()) throw UsageError("option --" + spec->long_name + " needs a value");
                inline_value = argv[++i];
            }
            out.ordered.emplace_back(spec->long_name, *inline_value);
        } else {
            if (inline_value) throw UsageError("option --" + spec->long_name + " takes no value");
            out.ordered.emplace_back(spec->long_name, "");
        }
    }
    return out;
}

}  // namespace hf::cli

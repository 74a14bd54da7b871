// A small command-line parser in the style miners use: long options (--threads 2, --threads=2),
// short ones (-t 2, -t2), flags, and repeatable options kept in order (-o/-u/-p groups).
// Unknown options and missing values are errors that name the option.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hf::cli {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct OptionSpec {
    std::string long_name;  // without the leading "--"
    char short_name = 0;    // 0: none
    bool takes_value = false;
};

class ParsedArgs {
public:
    bool has(const std::string& long_name) const;
    std::optional<std::string> get(const std::string& long_name) const;  // the last value given
    std::vector<std::string> all(const std::string& long_name) const;    // every value, in order
    std::string require(const std::string& long_name) const;             // UsageError when absent

    // Typed getters: a value that does not parse is a UsageError naming the option.
    std::optional<double> get_double(const std::string& long_name) const;
    std::optional<long long> get_int(const std::string& long_name, long long min, long long max) const;

    // (option, value) in the order given; flags have an empty value.
    std::vector<std::pair<std::string, std::string>> ordered;
    std::vector<std::string> positional;
};

ParsedArgs parse_args(std::span<const OptionSpec> specs, std::span<char* const> argv);

// One value of --option (from the command line, a config file or part of an address), parsed the
// way the typed getters do: a UsageError naming the option when it is not a number or out of range.
double parse_double(const std::string& option, const std::string& text);
long long parse_int(const std::string& option, const std::string& text, long long min, long long max);

// The contents of a file named by --option; a UsageError naming the option, the file and the cause
// ("--cert /x.pem: cannot read: No such file or directory") when it cannot be read.
std::string read_option_file(const std::string& option, const std::string& path);
// The same, and the file must hold a PEM block whose label ends in `label` ("CERTIFICATE",
// "PRIVATE KEY"): a TLS file mistaken for another fails here, once, not at every connection.
void require_pem_file(const std::string& option, const std::string& path, const std::string& label);

}  // namespace hf::cli

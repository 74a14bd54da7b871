// Pool addresses as miners write them: stratum+tcp://host:port, and TLS as stratum+ssl://,
// stratum+tls:// or stratum+tcps://. A bare host:port means plain TCP.
#pragma once

#include <stdexcept>
#include <string>

namespace hf::stratum {

struct PoolUrl {
    std::string host;
    std::string port;
    bool tls = false;
    std::string text() const;  // canonical form, e.g. stratum+tcp://127.0.0.1:3333
};

class UrlError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

PoolUrl parse_pool_url(const std::string& url);  // throws UrlError naming what is wrong

}  // namespace hf::stratum

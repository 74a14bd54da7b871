#include "stratum/pool_url.hpp"

#include <algorithm>
#include <cctype>

namespace hf::stratum {

std::string PoolUrl::text() const {
    const bool v6 = host.find(':') != std::string::npos;
    return std::string(tls ? "stratum+ssl://" : "stratum+tcp://") + (v6 ? "[" + host + "]" : host) + ":" + port;
}

PoolUrl parse_pool_url(const std::string& url) {
    PoolUrl u;
    std::string rest = url;
    if (const auto p = rest.find("://"); p != std::string::npos) {
        std::string scheme = rest.substr(0, p);
        std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
        if (scheme == "stratum+tcp" || scheme == "stratum" || scheme == "tcp")
            u.tls = false;
        else if (scheme == "stratum+ssl" || scheme == "stratum+tls" || scheme == "stratum+tcps" || scheme == "ssl" ||
                 scheme == "tls")
            u.tls = true;
        else
            throw UrlError("pool URL '" + url + "': unknown scheme '" + scheme +
                           "' (use stratum+tcp://, stratum+ssl://, stratum+tls:// or stratum+tcps://)");
        rest = rest.substr(p + 3);
    }
    if (const auto slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find(']');
        if (close == std::string::npos) throw UrlError("pool URL '" + url + "': unclosed '['");
        u.host = rest.substr(1, close - 1);
        rest = rest.substr(close + 1);
        if (rest.empty() || rest.front() != ':') throw UrlError("pool URL '" + url + "': no port");
        u.port = rest.substr(1);
    } else {
        const auto colon = rest.rfind(':');
        if (colon == std::string::npos) throw UrlError("pool URL '" + url + "': no port (expected host:port)");
        u.host = rest.substr(0, colon);
        u.port = rest.substr(colon + 1);
    }
    if (u.host.empty()) throw UrlError("pool URL '" + url + "': no host");
    if (u.port.empty() || u.port.size() > 5 || !std::all_of(u.port.begin(), u.port.end(), ::isdigit) ||
        std::stoi(u.port) < 1 || std::stoi(u.port) > 65535)
        throw UrlError("pool URL '" + url + "': port must be 1 to 65535");
    return u;
}

}  // namespace hf::stratum

// The cgminer-compatible API of `hashforge mine --api-listen`: requests in cgminer's two forms
// (JSON {"command":"summary","parameter":""} and text "summary" / "switchpool|1"), answers with
// cgminer's section and field names ("MHS av", "Accepted", "Difficulty Accepted", ...), in JSON
// for JSON requests and in cgminer's "STATUS=S,...|SUMMARY,...|" text form otherwise.
//
// Pure functions of a snapshot, so they are tested without a network. Privileged commands (quit,
// switchpool) are answered only for peers in the --api-allow list.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/search_engine.hpp"
#include "hw_model/host/device_miner.hpp"
#include "stratum/client_runner.hpp"

namespace hf::cli {

struct MinerState {
    stratum::RunnerSnapshot pools;
    HashrateSnapshot hashrate;
    std::string backend;
    unsigned threads = 0;
    double elapsed_seconds = 0;
    std::int64_t now_unix = 0;
    std::string version;  // "hashforge 0.1.0"
    std::optional<hw::host::DeviceStats> device;  // mining with --device
};

struct ApiActions {
    std::function<void()> quit;
    std::function<bool(std::size_t pool)> switch_pool;  // false: no such pool
};

// --api-allow: comma-separated IPv4 addresses or a.b.c.d/n networks, each optionally prefixed
// "W:" as cgminer writes them. Throws std::invalid_argument naming a bad entry.
class ApiAllowList {
public:
    ApiAllowList() = default;
    explicit ApiAllowList(const std::string& spec);
    bool allows(const std::string& address) const;  // loopback peers are not implied

private:
    struct Net {
        std::uint32_t address = 0, mask = 0;
    };
    std::vector<Net> nets_;
};

// The reply to one request (without cgminer's trailing NUL).
std::string api_reply(const std::string& request, const std::string& peer, const MinerState& state,
                      const ApiAllowList& allow, const ApiActions& actions);

}  // namespace hf::cli

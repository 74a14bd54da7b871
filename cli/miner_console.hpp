// The miner's console: timestamped log lines, one line per share result, the periodic status
// line and the summary at exit. Pure text from snapshots, so the wording lives in one place.
#pragma once

#include <optional>
#include <string>

#include "cli/miner_api.hpp"
#include "stratum/client_runner.hpp"
#include "stratum/pool.hpp"

namespace hf::cli {

// "[21:30:05] text" on stdout, flushed.
void say(const std::string& line);

std::string share_line(const stratum::ShareResult& r, double hashrate_5s);
std::string status_line(const MinerState& s);
// The exit summary; `embedded` is the built-in pool's own count when the miner ran against it.
void print_summary(const MinerState& s, const std::optional<stratum::PoolStats>& embedded);

}  // namespace hf::cli

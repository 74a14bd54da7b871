// Fuzz target: the built-in pool's request handling. The input is what a hostile miner sends on one
// connection, cut into chunks whose sizes the first byte picks, with a second honest connection
// beside it and the one-second tick (vardiff, job refresh, connection limits) in between. The
// contract: feed() and tick() never throw, and every line the pool sends is valid JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stratum/pool.hpp"

using namespace hf::stratum;

namespace {

void must_be_json(const std::string& line) {  // throws: a finding
    const auto j = nlohmann::json::parse(line);
    (void)j;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static PoolOptions options = [] {
        PoolOptions o;
        o.start_difficulty = 1e-9;
        o.max_jobs = 4;  // small, so eviction is exercised
        o.vardiff_interval = std::chrono::seconds(2);
        return o;
    }();
    Pool pool(options);
    auto t = Clock::time_point{} + std::chrono::hours(1);
    const auto hostile = pool.open("127.0.0.1:1", must_be_json);
    const auto honest = pool.open("127.0.0.1:2", must_be_json);
    pool.feed(honest, "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}\n", t);
    const std::size_t chunk = 1 + data[0] % 64;
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    while (!rest.empty()) {
        const auto piece = rest.substr(0, chunk);
        rest.remove_prefix(piece.size());
        if (!pool.feed(hostile, piece, t)) break;
        t += std::chrono::milliseconds(700);
        pool.tick(t);
        (void)pool.expired(t);
    }
    pool.new_block(t);
    pool.close(hostile);
    (void)pool.stats();
    return 0;
}

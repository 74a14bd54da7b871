// Fuzz target: the built-in pool's request handling. The input is what a hostile miner sends on one
// connection, cut into chunks whose sizes the first byte picks, with a second honest connection
// beside it and the one-second tick (vardiff, job refresh, connection limits) in between;
// connections past their deadlines are closed as the server closes them. The contract: feed() and
// tick() never throw, and every line the pool sends is valid JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stratum/pool.hpp"

using namespace hf::stratum;

namespace {

void must_be_json(const std::string& line) {
    if (!nlohmann::json::accept(line)) __builtin_trap();  // a finding: the pool sent broken JSON
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
    // The pool stamps a new connection with Clock::now(), so the fuzzed time starts there too: the
    // subscribe deadline and the idle limit then expire as they would on the wire.
    auto t = Clock::now();
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
        bool hostile_closed = false;
        for (const auto& [id, why] : pool.expired(t)) {  // closed, as the server closes them
            pool.close(id);
            hostile_closed |= id == hostile;
        }
        if (hostile_closed) break;
    }
    pool.new_block(t);
    pool.close(hostile);
    (void)pool.stats();
    return 0;
}

// Fuzz target: the built-in pool's request handling. The input is what a hostile miner sends on one
// connection, cut into chunks whose sizes the first byte picks (1-64 bytes), with a second honest
// connection beside it. Bytes arrive at about 90 a second, and once per second of that time the
// pool ticks (vardiff, job refresh) and connections past their deadlines are closed, as the server
// does. The limits are set small so short inputs reach them: a 4-job cap (eviction), 2 s vardiff,
// 5 s to subscribe, 60 s idle. The contract: feed() and tick() never throw, and every line the pool
// sends is valid JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_set>

#include "stratum/pool.hpp"

using namespace hf::stratum;

namespace {

// Checks every distinct line the pool sends once: a broadcast sends the same notify to every
// connection, and parsing it again would only slow the fuzzer.
struct JsonChecker {
    std::unordered_set<std::string> checked;
    void operator()(const std::string& line) {
        if (checked.insert(line).second && !nlohmann::json::accept(line))
            __builtin_trap();  // a finding: the pool sent broken JSON
    }
};

constexpr auto kPerByte = std::chrono::milliseconds(11);  // a 64-byte chunk: 0.7 s

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static PoolOptions options = [] {
        PoolOptions o;
        o.start_difficulty = 1e-9;
        o.max_jobs = 4;
        o.vardiff_interval = std::chrono::seconds(2);
        o.subscribe_timeout = std::chrono::seconds(5);
        o.idle_timeout = std::chrono::seconds(60);
        return o;
    }();
    Pool pool(options);
    // The pool stamps a new connection with Clock::now(), so the fuzzed time starts there too.
    auto t = Clock::now();
    auto next_tick = t + std::chrono::seconds(1);
    JsonChecker check;
    const auto send = [&check](const std::string& line) { check(line); };
    const auto hostile = pool.open("127.0.0.1:1", send);
    const auto honest = pool.open("127.0.0.1:2", send);
    pool.feed(honest, "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}\n", t);
    const std::size_t chunk = 1 + data[0] % 64;
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    bool hostile_open = true;
    while (!rest.empty() && hostile_open) {
        const auto piece = rest.substr(0, chunk);
        rest.remove_prefix(piece.size());
        if (!pool.feed(hostile, piece, t)) break;
        t += kPerByte * static_cast<int>(piece.size());
        for (; next_tick <= t && hostile_open; next_tick += std::chrono::seconds(1)) {
            pool.tick(next_tick);
            for (const auto& [id, why] : pool.expired(next_tick)) {
                pool.close(id);
                hostile_open &= id != hostile;
            }
        }
    }
    pool.new_block(t);
    pool.close(hostile);
    (void)pool.stats();
    return 0;
}

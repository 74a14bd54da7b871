// Fuzz target: the miner's Stratum session fed what a hostile pool sends, in chunks whose sizes the
// first byte picks (bits 0..5). Bytes arrive at 64 a second and the session ticks (timeouts) once
// per second of that time, as the runner calls it. For each job the session hands out, it submits
// the share an honest miner would (nonce 0, re-hashed here): sent when the pool's difficulty is low
// enough, refused locally otherwise; bit 7 of the first byte corrupts the hash, as a faulty chip
// would. The contract: feed(), tick() and submit() never throw, and every line the
// session sends is valid JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/work.hpp"
#include "stratum/client_session.hpp"

using namespace hf::stratum;

namespace {

void must_be_json(const std::string& line) {
    if (!nlohmann::json::accept(line)) __builtin_trap();  // a finding: the session sent broken JSON
}

hf::FoundShare honest_share(const SessionJob& job, bool faulty_chip) {
    const hf::EngineJob& w = job.work;
    hf::FoundShare share;
    share.job_id = w.job.job_id;
    share.extranonce2.assign(w.extranonce2_size, 0);
    share.ntime = w.job.ntime;
    share.version = w.job.version;
    share.hash = hf::compute_share(w.job, w.extranonce1, share.extranonce2, share.ntime, 0, share.version).hash;
    if (faulty_chip) share.hash[0] ^= 1;
    return share;
}

constexpr auto kPerByte = std::chrono::microseconds(15625);  // a 64-byte chunk: 1 s

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    SessionOptions o;
    o.user = std::string("fuzz.worker");  // move-assigned: gcc 12 -O3 warns falsely (-Wrestrict) on = "..."
    o.password = std::string("x");
    o.suggest_difficulty = 1.0;
    o.resume_session_id = std::string("deadbeef");
    o.submit_timeout = std::chrono::seconds(20);  // reached within a 4 KiB input (64 s of bytes)
    std::optional<SessionJob> fresh;  // a job handed out since the last share
    SessionCallbacks cb;
    cb.send = must_be_json;
    cb.job = [&](const SessionJob& j) { fresh = j; };
    ClientSession session(o, cb, 1);
    auto t = Clock::time_point{} + std::chrono::hours(1);  // the session reads no clock of its own
    session.start(t);
    const std::size_t chunk = 1 + data[0] % 64;
    const bool faulty_chip = (data[0] & 0x80) != 0;
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    auto next_tick = t + std::chrono::seconds(1);
    while (!rest.empty() && session.state() != ClientSession::State::Failed) {
        const auto piece = rest.substr(0, chunk);
        rest.remove_prefix(piece.size());
        session.feed(piece, t);
        t += kPerByte * static_cast<int>(piece.size());
        for (; next_tick <= t; next_tick += std::chrono::seconds(1)) session.tick(next_tick);
        if (fresh) {
            session.submit(honest_share(*fresh, faulty_chip), *fresh, t);
            fresh.reset();
        }
    }
    (void)session.take_unanswered();
    return 0;
}

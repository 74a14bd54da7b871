// Fuzz target: the miner's Stratum session fed what a hostile pool sends, in chunks whose sizes the
// first byte picks, with ticks between them (timeouts) and the session submitting a share for
// whatever job it last accepted. The contract: feed(), tick() and submit() never throw, and every
// line the session sends is valid JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stratum/client_session.hpp"

using namespace hf::stratum;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    SessionOptions o;
    o.user = std::string("fuzz.worker");  // move-assigned: gcc 12 -O3 warns falsely (-Wrestrict) on = "..."
    o.password = std::string("x");
    o.suggest_difficulty = 1.0;
    o.resume_session_id = std::string("deadbeef");
    std::optional<SessionJob> last;
    SessionCallbacks cb;
    cb.send = [](const std::string& line) { const auto j = nlohmann::json::parse(line); (void)j; };
    cb.job = [&](const SessionJob& j) { last = j; };
    ClientSession session(o, cb, 1);
    auto t = Clock::time_point{} + std::chrono::hours(1);
    session.start(t);
    const std::size_t chunk = 1 + data[0] % 64;
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    while (!rest.empty() && session.state() != ClientSession::State::Failed) {
        const auto piece = rest.substr(0, chunk);
        rest.remove_prefix(piece.size());
        session.feed(piece, t);
        t += std::chrono::seconds(1);
        session.tick(t);
        if (last) {
            hf::FoundShare share;
            share.job_id = last->work.job.job_id;
            share.extranonce2.assign(last->work.extranonce2_size, 0);
            share.ntime = last->work.job.ntime;
            share.version = last->work.job.version;
            session.submit(share, *last, t);  // fails re-verification: reported, never sent
        }
    }
    (void)session.take_unanswered();
    return 0;
}

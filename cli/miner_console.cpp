#include "cli/miner_console.hpp"

#include <cstdio>

#include "cli/console_format.hpp"
#include "core/hex.hpp"

namespace hf::cli {
namespace {

std::string reason_text(const stratum::ShareResult& r) {
    std::string t(stratum::reject_kind_name(r.reason.kind));
    t += ": ";
    if (r.reason.code) t += std::to_string(r.reason.code) + " ";
    return t + r.reason.text;
}

unsigned long long ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

}  // namespace

void say(const std::string& line) {
    std::fputs((clock_prefix() + " " + line + "\n").c_str(), stdout);
    std::fflush(stdout);
}

std::string share_line(const stratum::ShareResult& r, double hashrate_5s) {
    char buf[320];
    if (r.accepted) {
        std::snprintf(buf, sizeof buf, "accepted: share diff %.6g (pool diff %.6g) job %s nonce %s, %lld ms, %s",
                      r.share.share_difficulty, r.difficulty, r.share.job_id.c_str(), u32_to_hex(r.share.nonce).c_str(),
                      static_cast<long long>(r.latency.count()), hashrate_text(hashrate_5s).c_str());
    } else if (!r.submitted) {
        std::snprintf(buf, sizeof buf, "share not submitted (%s)", reason_text(r).c_str());
    } else {
        std::snprintf(buf, sizeof buf, "REJECTED (%s): share diff %.6g job %s nonce %s", reason_text(r).c_str(),
                      r.share.share_difficulty, r.share.job_id.c_str(), u32_to_hex(r.share.nonce).c_str());
    }
    return buf;
}

std::string status_line(const MinerState& s) {
    const auto& t = s.pools.total;
    const auto& active = s.pools.pools[s.pools.active];
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "%s (5s) %s (avg) | A %llu R %llu (stale %llu dup %llu lowdiff %llu other %llu) S %llu | diff %.6g | %s%s | up %s",
                  hashrate_text(s.hashrate.rate_5s).c_str(), hashrate_text(s.hashrate.rate_total).c_str(), ull(t.accepted),
                  ull(t.rejected_total()), ull(t.rejected[0]), ull(t.rejected[1]), ull(t.rejected[2]), ull(t.rejected[3]),
                  ull(t.stale_total()), active.difficulty, active.url.c_str(), active.alive ? "" : " (down)",
                  duration_text(s.elapsed_seconds).c_str());
    return buf;
}

void print_summary(const MinerState& s, const std::optional<stratum::PoolStats>& embedded) {
    const auto& t = s.pools.total;
    std::printf("\nSummary after %s (measured):\n", duration_text(s.elapsed_seconds).c_str());
    if (s.device)
        std::printf("  hashrate        %s average, %s last 5 s (%s; estimated from chip results)\n",
                    hashrate_text(s.hashrate.rate_total).c_str(), hashrate_text(s.hashrate.rate_5s).c_str(), s.backend.c_str());
    else
        std::printf("  hashrate        %s average, %s last 5 s (%s, %u threads)\n", hashrate_text(s.hashrate.rate_total).c_str(),
                    hashrate_text(s.hashrate.rate_5s).c_str(), s.backend.c_str(), s.threads);
    std::printf("  hashes          %llu\n", ull(s.hashrate.total_hashes));
    std::printf("  accepted        %llu (difficulty sum %.6g, best share %.6g)\n", ull(t.accepted), t.accepted_difficulty,
                t.best_share);
    std::printf("  rejected        %llu (stale %llu, duplicate %llu, low difficulty %llu, other %llu)\n",
                ull(t.rejected_total()), ull(t.rejected[0]), ull(t.rejected[1]), ull(t.rejected[2]), ull(t.rejected[3]));
    // Every share found is in exactly one of these buckets (stratum/client_runner.hpp).
    std::printf("  shares found    %llu = %llu accepted + %llu rejected + %llu stale + %llu hardware errors + %llu unanswered"
                " + %zu held at exit\n",
                ull(s.pools.found), ull(t.accepted), ull(t.rejected_total()), ull(t.stale_local), ull(t.invalid_local),
                ull(t.unanswered), s.pools.held + s.pools.awaiting_answer);
    std::string causes;
    for (const auto& [cause, n] : t.stale_causes) causes += (causes.empty() ? ": " : ", ") + std::to_string(n) + " " + cause;
    std::printf("  not submitted   %llu stale (their work was replaced%s), %llu hardware errors (failed host "
                "re-verification against the job they were found for)\n",
                ull(t.stale_local), causes.c_str(), ull(t.invalid_local));
    if (s.device) {
        const auto& d = *s.device;
        std::printf("  hardware errors %llu (chip results whose re-hash shows no work, or rolled bits outside the mask; "
                    "%llu shares that failed host re-verification)\n",
                    ull(s.hashrate.hardware_errors + t.invalid_local), ull(t.invalid_local));
        std::printf("  chip results    %llu (%llu below the ticket mask, lowest %u zero bits), %llu stale, %llu CRC errors; "
                    "%llu jobs sent every %.3g s\n",
                    ull(d.host.results), ull(d.host.below_ticket), d.result_floor_bits, ull(d.host.stale),
                    ull(d.host.crc_errors), ull(d.jobs_sent), d.job_interval_s);
    } else {
        std::printf("  hardware errors %llu (engine candidates and found shares that failed host re-verification: %llu + %llu)\n",
                    ull(s.hashrate.hardware_errors + t.invalid_local), ull(s.hashrate.hardware_errors), ull(t.invalid_local));
        if (s.hashrate.backend_errors > 0)
            std::printf("  backend errors  %llu (a worker's backend failed and was remade after a pause; last: %s)\n",
                        ull(s.hashrate.backend_errors), s.hashrate.last_backend_error.c_str());
    }
    for (const auto& p : s.pools.pools)
        std::printf("  pool %-40s accepted %llu rejected %llu connects %llu\n", p.url.c_str(), ull(p.shares.accepted),
                    ull(p.shares.rejected_total()), ull(p.connects));
    if (embedded) {
        std::uint64_t rej = 0;
        for (const auto& [code, n] : embedded->rejected) rej += n;
        std::printf("  built-in pool   accepted %llu, rejected %llu, blocks found %llu, height %u\n", ull(embedded->accepted),
                    ull(rej), ull(embedded->blocks), embedded->height);
    }
    std::fflush(stdout);
}

}  // namespace hf::cli

#include "stratum/block_template.hpp"

#include "core/sha256.hpp"

namespace hf::stratum {
namespace {

void put_le(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put_varint(std::vector<std::uint8_t>& out, std::uint64_t n) {
    if (n < 0xfd) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else if (n <= 0xffff) {
        out.push_back(0xfd);
        put_le(out, n, 2);
    } else {
        out.push_back(0xfe);
        put_le(out, n, 4);
    }
}

void put_push(std::vector<std::uint8_t>& out, const std::vector<std::uint8_t>& data) {
    out.push_back(static_cast<std::uint8_t>(data.size()));  // direct push: callers keep data < 76 bytes
    out.insert(out.end(), data.begin(), data.end());
}

}  // namespace

std::vector<std::uint8_t> script_number(std::int64_t n) {
    std::vector<std::uint8_t> out;
    if (n == 0) return out;
    auto v = static_cast<std::uint64_t>(n);
    while (v) {
        out.push_back(static_cast<std::uint8_t>(v & 0xff));
        v >>= 8;
    }
    if (out.back() & 0x80) out.push_back(0x00);
    return out;
}

std::vector<std::uint8_t> bip34_height_push(std::int64_t height) {
    if (height >= 1 && height <= 16) return {static_cast<std::uint8_t>(0x50 + height)};
    std::vector<std::uint8_t> out;
    put_push(out, script_number(height));
    return out;
}

std::vector<Hash256> coinbase_merkle_branch(const std::vector<Hash256>& txids) {
    std::vector<Hash256> branch;
    std::vector<Hash256> level;  // level[0] stands for the (unknown) coinbase side
    level.push_back(Hash256{});
    level.insert(level.end(), txids.begin(), txids.end());
    while (level.size() > 1) {
        branch.push_back(level[1]);
        std::vector<Hash256> next{Hash256{}};
        for (std::size_t i = 2; i < level.size(); i += 2) {
            const Hash256& right = i + 1 < level.size() ? level[i + 1] : level[i];  // odd count: pair with itself
            std::array<std::uint8_t, 64> pair;
            std::copy(level[i].begin(), level[i].end(), pair.begin());
            std::copy(right.begin(), right.end(), pair.begin() + 32);
            next.push_back(sha256::hash256d(pair));
        }
        level = std::move(next);
    }
    return branch;
}

std::int64_t regtest_subsidy(std::uint32_t height) {
    const std::uint32_t halvings = height / 150;
    if (halvings >= 64) return 0;
    return (50LL * 100'000'000LL) >> halvings;
}

BlockTemplate make_template(const TemplateOptions& options, std::uint32_t height, const Hash256& prev_hash) {
    BlockTemplate t;
    t.height = height;
    t.prev_hash = prev_hash;
    t.coinbase_value = regtest_subsidy(height);
    for (int i = 0; i < options.synthetic_transactions; ++i) {
        // A stand-in transaction id: unique per height and index. The pool never relays the block,
        // so the transactions themselves need not exist; the merkle tree they make is real.
        const std::string seed = "hashforge synthetic tx " + std::to_string(height) + "/" + std::to_string(i);
        t.txids.push_back(sha256::hash256d(std::span(reinterpret_cast<const std::uint8_t*>(seed.data()), seed.size())));
    }
    return t;
}

MiningJob BlockTemplate::make_job(const TemplateOptions& options, std::string job_id, std::uint32_t ntime,
                                  bool clean) const {
    const auto height_push = bip34_height_push(height);
    const std::vector<std::uint8_t> tag(options.coinbase_tag.begin(), options.coinbase_tag.end());
    const std::size_t script_len = height_push.size() + options.extranonce1_size + options.extranonce2_size + 1 + tag.size();

    MiningJob job;
    job.job_id = std::move(job_id);
    auto& c1 = job.coinb1;
    put_le(c1, 2, 4);                  // transaction version 2
    c1.push_back(1);                   // one input
    c1.insert(c1.end(), 32, 0x00);     // null prevout hash
    put_le(c1, 0xffffffff, 4);         // prevout index
    put_varint(c1, script_len);
    c1.insert(c1.end(), height_push.begin(), height_push.end());
    // extranonce1 + extranonce2 go here
    auto& c2 = job.coinb2;
    put_push(c2, tag);
    put_le(c2, 0xffffffff, 4);         // sequence
    c2.push_back(1);                   // one output
    put_le(c2, static_cast<std::uint64_t>(coinbase_value), 8);
    put_varint(c2, options.payout_script.size());
    c2.insert(c2.end(), options.payout_script.begin(), options.payout_script.end());
    put_le(c2, 0, 4);                  // lock time

    job.prev_hash = prev_hash;
    job.merkle_branch = coinbase_merkle_branch(txids);
    job.version = options.version;
    job.nbits = options.nbits;
    job.ntime = ntime;
    job.clean_jobs = clean;
    return job;
}

}  // namespace hf::stratum

#include "core/work.hpp"

#include <algorithm>

#include "core/hex.hpp"
#include "core/sha256.hpp"

namespace hf {

Hash256 prevhash_from_notify_hex(std::string_view hex64) {
    Hash256 h = hex_decode_fixed<32>(hex64, "prevhash");
    for (std::size_t i = 0; i < 32; i += 4) std::reverse(h.begin() + i, h.begin() + i + 4);
    return h;
}

std::string prevhash_to_notify_hex(const Hash256& header_order) {
    Hash256 h = header_order;
    for (std::size_t i = 0; i < 32; i += 4) std::reverse(h.begin() + i, h.begin() + i + 4);
    return hex_encode(h);
}

std::uint32_t rolled_version(std::uint32_t job_version, std::uint32_t mask, std::uint32_t version_bits) {
    if ((version_bits & ~mask) != 0)
        throw VersionRollingError("version bits " + u32_to_hex(version_bits) + " fall outside the version mask " +
                                  u32_to_hex(mask));
    return (job_version & ~mask) | (version_bits & mask);
}

std::vector<std::uint8_t> build_coinbase(const MiningJob& job, std::span<const std::uint8_t> extranonce1,
                                         std::span<const std::uint8_t> extranonce2) {
    std::vector<std::uint8_t> cb;
    cb.reserve(job.coinb1.size() + extranonce1.size() + extranonce2.size() + job.coinb2.size());
    cb.insert(cb.end(), job.coinb1.begin(), job.coinb1.end());
    cb.insert(cb.end(), extranonce1.begin(), extranonce1.end());
    cb.insert(cb.end(), extranonce2.begin(), extranonce2.end());
    cb.insert(cb.end(), job.coinb2.begin(), job.coinb2.end());
    return cb;
}

Hash256 merkle_root_from_branch(const Hash256& coinbase_hash, std::span<const Hash256> branch) {
    Hash256 root = coinbase_hash;
    std::array<std::uint8_t, 64> pair;
    for (const Hash256& b : branch) {
        std::copy(root.begin(), root.end(), pair.begin());
        std::copy(b.begin(), b.end(), pair.begin() + 32);
        root = sha256::hash256d(pair);
    }
    return root;
}

BlockHeader build_header(const MiningJob& job, const Hash256& merkle_root, std::uint32_t ntime,
                         std::uint32_t nonce, std::uint32_t version) {
    BlockHeader h;
    h.version = version;
    h.prev_hash = job.prev_hash;
    h.merkle_root = merkle_root;
    h.time = ntime;
    h.bits = job.nbits;
    h.nonce = nonce;
    return h;
}

ShareWork compute_share(const MiningJob& job, std::span<const std::uint8_t> extranonce1,
                        std::span<const std::uint8_t> extranonce2, std::uint32_t ntime, std::uint32_t nonce,
                        std::uint32_t version) {
    ShareWork w;
    w.coinbase = build_coinbase(job, extranonce1, extranonce2);
    w.coinbase_hash = sha256::hash256d(w.coinbase);
    w.merkle_root = merkle_root_from_branch(w.coinbase_hash, job.merkle_branch);
    w.header = build_header(job, w.merkle_root, ntime, nonce, version);
    w.hash = w.header.hash();
    return w;
}

}  // namespace hf

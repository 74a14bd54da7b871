// From a Stratum job to a block header: the coinbase, the merkle root and version rolling.
//
// A pool's mining.notify gives the coinbase in two halves around the extranonces, the merkle
// branch of the coinbase, and the header fields. The miner fills in extranonce2, ntime, the nonce
// and (BIP 310) the rolled version bits.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/block_header.hpp"

namespace hf {

// One job as the pool sent it, decoded from hex but otherwise untouched.
struct MiningJob {
    std::string job_id;
    Hash256 prev_hash{};  // header byte order (already word-swapped from the notify form)
    std::vector<std::uint8_t> coinb1;
    std::vector<std::uint8_t> coinb2;
    std::vector<Hash256> merkle_branch;  // each as sent: internal byte order
    std::uint32_t version = 0;
    std::uint32_t nbits = 0;
    std::uint32_t ntime = 0;
    bool clean_jobs = false;
};

// mining.notify sends prevhash as eight 32-bit words, each byte-swapped relative to the header.
Hash256 prevhash_from_notify_hex(std::string_view hex64);
std::string prevhash_to_notify_hex(const Hash256& header_order);

class VersionRollingError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// BIP 310: version = (job_version & ~mask) | (version_bits & mask). Bits outside the mask are
// refused, as a pool would refuse the share.
std::uint32_t rolled_version(std::uint32_t job_version, std::uint32_t mask, std::uint32_t version_bits);

std::vector<std::uint8_t> build_coinbase(const MiningJob& job, std::span<const std::uint8_t> extranonce1,
                                         std::span<const std::uint8_t> extranonce2);
// root = coinbase txid, then root = sha256d(root || branch[i]) for each branch.
Hash256 merkle_root_from_branch(const Hash256& coinbase_hash, std::span<const Hash256> branch);

// The full header for one share; nonce and version are the final values (version already rolled).
BlockHeader build_header(const MiningJob& job, const Hash256& merkle_root, std::uint32_t ntime,
                         std::uint32_t nonce, std::uint32_t version);

// Everything a share check reports, computed from the job and the miner's choices.
struct ShareWork {
    std::vector<std::uint8_t> coinbase;
    Hash256 coinbase_hash{};
    Hash256 merkle_root{};
    BlockHeader header;
    Hash256 hash{};
};
ShareWork compute_share(const MiningJob& job, std::span<const std::uint8_t> extranonce1,
                        std::span<const std::uint8_t> extranonce2, std::uint32_t ntime, std::uint32_t nonce,
                        std::uint32_t version);

}  // namespace hf

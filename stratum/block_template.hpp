// The built-in pool's block template: a regtest-style block it makes up itself. A coinbase paying a
// configurable script with the BIP 34 height first in its scriptSig, then the extranonce space, then
// a tag; a few synthetic transactions so the coinbase's merkle branch is not empty; an easy nBits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/block_header.hpp"
#include "core/work.hpp"

namespace hf::stratum {

struct TemplateOptions {
    std::vector<std::uint8_t> payout_script{0x51};  // OP_TRUE: anyone-can-spend, as regtest tests use
    // Block difficulty 1 (nBits 0x1d00ffff): easy enough that a CPU finds a block every few minutes,
    // hard enough that shares (pool difficulty well below 1) are mostly not blocks. Regtest's own
    // limit 0x207fffff would make every share a block.
    std::uint32_t nbits = 0x1d00ffff;
    std::uint32_t version = 0x20000000;              // BIP 9 top bits, no deployments signalled
    int synthetic_transactions = 3;
    std::string coinbase_tag = "/hashforge-pool/";
    std::size_t extranonce1_size = 4;
    std::size_t extranonce2_size = 4;
};

// Bitcoin's CScriptNum serialisation of a non-negative number (minimal little-endian with a sign
// byte when the top bit is set), as BIP 34 requires for the height.
std::vector<std::uint8_t> script_number(std::int64_t n);
// `CScript() << height`: OP_1..OP_16 for 1..16, else a push of script_number(height).
std::vector<std::uint8_t> bip34_height_push(std::int64_t height);

// The coinbase branch for leaf 0 of a merkle tree whose other leaves are `txids` (internal order).
std::vector<Hash256> coinbase_merkle_branch(const std::vector<Hash256>& txids);

struct BlockTemplate {
    std::uint32_t height = 1;
    Hash256 prev_hash{};
    std::vector<Hash256> txids;  // synthetic transactions after the coinbase
    std::int64_t coinbase_value = 0;

    // A job on this template: coinb1/coinb2 split around extranonce1 + extranonce2.
    MiningJob make_job(const TemplateOptions& options, std::string job_id, std::uint32_t ntime, bool clean) const;
};

// Block subsidy at `height` on regtest: 50 BTC halving every 150 blocks (in satoshis).
std::int64_t regtest_subsidy(std::uint32_t height);

BlockTemplate make_template(const TemplateOptions& options, std::uint32_t height, const Hash256& prev_hash);

}  // namespace hf::stratum

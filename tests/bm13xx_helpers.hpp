// Helpers the BM13xx tests share: packets from spaced hex, a header from the block vectors, and
// the leading zero bits of a header's hash computed by OpenSSL (the independent truth).
#pragma once

#include <string>
#include <vector>

#include "core/block_header.hpp"
#include "core/hex.hpp"
#include "core/sha256_rounds.hpp"
#include "hw_model/asic_driver.hpp"
#include "tests/support.hpp"

namespace hf::test {

inline std::vector<std::uint8_t> bytes(const std::string& spaced_hex) {
    std::string h;
    for (char c : spaced_hex)
        if (c != ' ') h += c;
    return hex_decode(h, "test packet");
}

// Block 2 of blocks.json with its merkle root and time changed by `salt` and an easy nBits.
inline HeaderBytes genesis_like_header(std::uint32_t salt) {
    const auto b = load_vector("blocks.json")["blocks"][2];
    BlockHeader h;
    h.version = b["version"].get<std::uint32_t>();
    h.prev_hash = from_display_hex(b["prev_hash"].get<std::string>(), "prev");
    h.merkle_root = from_display_hex(b["merkle_root"].get<std::string>(), "merkle");
    h.merkle_root[31] ^= static_cast<std::uint8_t>(salt);
    h.time = b["time"].get<std::uint32_t>() + salt;
    h.bits = 0x1a44b9f2;
    return h.serialize();
}

inline Hash256 openssl_hash(HeaderBytes h, std::uint32_t version, std::uint32_t nonce) {
    sha256::store_le32(h.data(), version);
    sha256::store_le32(h.data() + kHeaderNonceOffset, nonce);
    const auto d = openssl_sha256(openssl_sha256({h.begin(), h.end()}));
    Hash256 hash;
    std::copy(d.begin(), d.end(), hash.begin());
    return hash;
}

inline unsigned openssl_zero_bits(const HeaderBytes& h, std::uint32_t version, std::uint32_t nonce) {
    return hw::leading_zero_bits(openssl_hash(h, version, nonce));
}

}  // namespace hf::test

// The 80-byte Bitcoin block header.
//
// Hashes are kept in internal byte order (as they sit in the header and come out of sha256d);
// Bitcoin displays them byte-reversed, so the *_display helpers reverse.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/sha256.hpp"

namespace hf {

using Hash256 = std::array<std::uint8_t, 32>;  // internal byte order
using HeaderBytes = std::array<std::uint8_t, 80>;

std::string to_display_hex(const Hash256& hash);
Hash256 from_display_hex(std::string_view hex, std::string_view what);

struct BlockHeader {
    std::uint32_t version = 0;
    Hash256 prev_hash{};
    Hash256 merkle_root{};
    std::uint32_t time = 0;
    std::uint32_t bits = 0;
    std::uint32_t nonce = 0;

    HeaderBytes serialize() const;
    static BlockHeader parse(std::span<const std::uint8_t, 80> bytes);
    static BlockHeader parse_hex(std::string_view hex160);  // throws HexError
    Hash256 hash() const;  // sha256d of the serialised header

    friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

// The genesis block's header (height 0), nonce included: a known answer every self-test, demo
// and benchmark can start from. Its sha256d is 000000000019d668...e26f.
BlockHeader genesis_block_header();
inline constexpr std::uint32_t kGenesisNonce = 2083236893;

// Header byte offsets: what the search engine and the ASIC job packet address directly.
inline constexpr std::size_t kHeaderMerkleTailOffset = 64;  // last 4 bytes of the merkle root
inline constexpr std::size_t kHeaderTimeOffset = 68;
inline constexpr std::size_t kHeaderBitsOffset = 72;
inline constexpr std::size_t kHeaderNonceOffset = 76;

// The SHA-256 state after the header's first 64 bytes. It does not depend on the nonce, so a miner
// computes it once per job (and an ASIC receives it from the host).
sha256::State header_midstate(std::span<const std::uint8_t, 80> header);

// sha256d of an 80-byte header given its midstate and its last 16 bytes (merkle tail, time, bits,
// nonce): the second half of the first hash, then the whole second hash.
Hash256 sha256d_from_midstate(const sha256::State& midstate, std::span<const std::uint8_t, 16> tail);

}  // namespace hf

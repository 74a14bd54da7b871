#include "core/block_header.hpp"

#include <algorithm>
#include <cstring>

#include "core/hex.hpp"
#include "core/sha256_rounds.hpp"

namespace hf {

std::string to_display_hex(const Hash256& hash) { return hex_encode_reversed(hash); }

Hash256 from_display_hex(std::string_view hex, std::string_view what) {
    Hash256 h = hex_decode_fixed<32>(hex, what);
    std::reverse(h.begin(), h.end());
    return h;
}

BlockHeader genesis_block_header() {
    BlockHeader h;
    h.version = 1;
    h.merkle_root = from_display_hex("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", "merkle root");
    h.time = 1231006505;
    h.bits = 0x1d00ffff;
    h.nonce = kGenesisNonce;
    return h;
}

HeaderBytes BlockHeader::serialize() const {
    HeaderBytes out{};
    sha256::store_le32(out.data(), version);
    std::copy(prev_hash.begin(), prev_hash.end(), out.begin() + 4);
    std::copy(merkle_root.begin(), merkle_root.end(), out.begin() + 36);
    sha256::store_le32(out.data() + kHeaderTimeOffset, time);
    sha256::store_le32(out.data() + kHeaderBitsOffset, bits);
    sha256::store_le32(out.data() + kHeaderNonceOffset, nonce);
    return out;
}

BlockHeader BlockHeader::parse(std::span<const std::uint8_t, 80> b) {
    BlockHeader h;
    h.version = sha256::load_le32(b.data());
    std::copy(b.begin() + 4, b.begin() + 36, h.prev_hash.begin());
    std::copy(b.begin() + 36, b.begin() + 68, h.merkle_root.begin());
    h.time = sha256::load_le32(b.data() + kHeaderTimeOffset);
    h.bits = sha256::load_le32(b.data() + kHeaderBitsOffset);
    h.nonce = sha256::load_le32(b.data() + kHeaderNonceOffset);
    return h;
}

BlockHeader BlockHeader::parse_hex(std::string_view hex160) {
    const auto bytes = hex_decode_fixed<80>(hex160, "block header");
    return parse(bytes);
}

Hash256 BlockHeader::hash() const {
    const HeaderBytes bytes = serialize();
    return sha256::hash256d(bytes);
}

sha256::State header_midstate(std::span<const std::uint8_t, 80> header) {
    sha256::State s = sha256::kInitialState;
    sha256::compress(s, header.data(), 1);
    return s;
}

Hash256 sha256d_from_midstate(const sha256::State& midstate, std::span<const std::uint8_t, 16> tail) {
    // Second block of the first hash: the 16 tail bytes, then padding for an 80-byte message.
    std::array<std::uint8_t, 64> block{};
    std::memcpy(block.data(), tail.data(), 16);
    block[16] = 0x80;
    block[62] = 0x02;  // 640 bits = 0x280
    block[63] = 0x80;
    sha256::State s = midstate;
    sha256::compress(s, block.data(), 1);
    const sha256::Digest first = sha256::state_to_digest(s);
    return sha256::hash(first);
}

}  // namespace hf

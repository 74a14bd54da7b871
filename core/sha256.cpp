#include "core/sha256.hpp"

#include <cstring>

#include "core/sha256_impl.hpp"
#include "core/sha256_rounds.hpp"

namespace hf::sha256 {

void compress(State& state, const std::uint8_t* data, std::size_t blocks) {
    static const CompressFn fn = selected().compress;
    fn(state, data, blocks);
}

Digest state_to_digest(const State& state) {
    Digest out;
    for (int i = 0; i < 8; ++i) store_be32(out.data() + 4 * i, state[i]);
    return out;
}

Hasher& Hasher::update(std::span<const std::uint8_t> data) {
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    total_bytes_ += n;
    if (buffered_ > 0) {
        const std::size_t take = std::min(n, buffer_.size() - buffered_);
        std::memcpy(buffer_.data() + buffered_, p, take);
        buffered_ += take;
        p += take;
        n -= take;
        if (buffered_ < buffer_.size()) return *this;
        compress(state_, buffer_.data(), 1);
        buffered_ = 0;
    }
    if (n >= 64) {
        compress(state_, p, n / 64);
        p += n / 64 * 64;
        n %= 64;
    }
    if (n > 0) std::memcpy(buffer_.data(), p, n);
    buffered_ = n;
    return *this;
}

Digest Hasher::finalize() {
    // Padding: 0x80, zeros to 56 mod 64, then the message length in bits, big-endian.
    const std::uint64_t bits = total_bytes_ * 8;
    std::array<std::uint8_t, 72> pad{};
    pad[0] = 0x80;
    const std::size_t pad_len = (buffered_ < 56 ? 56 : 120) - buffered_;
    for (int i = 0; i < 8; ++i) pad[pad_len + i] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
    update(std::span(pad.data(), pad_len + 8));
    const Digest out = state_to_digest(state_);
    *this = Hasher();
    return out;
}

Digest hash(std::span<const std::uint8_t> data) { return Hasher().update(data).finalize(); }

Digest hash256d(std::span<const std::uint8_t> data) {
    const Digest first = hash(data);
    return hash(first);
}

}  // namespace hf::sha256

// Fuzz target: the host's side of the BM13xx wire, the bytes a chain (or line noise) sends back.
// The first byte picks the response length (bit 0: 9 or 11 bytes). The contract: the parser never
// crashes, every frame it delivers re-encodes to a CRC-valid frame of the same length, and bytes
// are either delivered or counted as skipped.
#include <cstddef>
#include <cstdint>
#include <span>

#include "hw_model/bm13xx_protocol.hpp"

using namespace hf::hw::bm13xx;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool long_format = (data[0] & 1) != 0;
    const std::size_t frame = long_format ? 11 : 9;
    ChipFrameParser parser(long_format);
    const std::span<const std::uint8_t> bytes(data + 1, size - 1);
    std::size_t delivered = 0;
    for (std::size_t at = 0; at < bytes.size(); at += 7) {  // in pieces, as a UART delivers them
        parser.feed(bytes.subspan(at, std::min<std::size_t>(7, bytes.size() - at)));
        while (auto f = parser.next()) {
            delivered += frame;
            const auto again = f->is_nonce ? encode_nonce_response(f->nonce) : encode_register_response(f->reg, long_format);
            ChipFrameParser check(long_format);
            check.feed(again);
            if (again.size() != frame || !check.next() || check.errors() != 0) __builtin_trap();
        }
    }
    if (delivered + parser.skipped() > bytes.size()) __builtin_trap();
    return 0;
}

#include <doctest/doctest.h>

#include "core/hex.hpp"

using namespace hf;

TEST_CASE("hex round trip, either case") {
    const auto b = hex_decode("00ff10aB", "x");
    CHECK(b == std::vector<std::uint8_t>{0x00, 0xff, 0x10, 0xab});
    CHECK(hex_encode(b) == "00ff10ab");
    CHECK(hex_encode_reversed(b) == "ab10ff00");
    CHECK(hex_decode("", "x").empty());
}

TEST_CASE("hex errors name the field and the problem") {
    CHECK_THROWS_WITH_AS(hex_decode("abc", "coinb1"), "coinb1: odd number of hex digits (3)", HexError);
    CHECK_THROWS_WITH_AS(hex_decode("zz", "coinb2"), "coinb2: not a hex digit: 'z' at position 0", HexError);
    CHECK_THROWS_WITH_AS(hex_decode("0g", "x"), "x: not a hex digit: 'g' at position 1", HexError);
    CHECK_THROWS_AS(hex_decode(std::string("0\0", 2), "x"), HexError);
    CHECK_THROWS_WITH_AS(hex_to_u32("1234567", "nonce"), "nonce: expected 8 hex digits (4 bytes), got 7", HexError);
    CHECK_THROWS_WITH_AS(hex_to_u32("123456789", "nonce"), "nonce: expected 8 hex digits (4 bytes), got 9", HexError);
    CHECK_THROWS_AS(hex_decode_fixed<32>("00", "prevhash"), HexError);
}

TEST_CASE("u32 hex is big-endian and exactly 8 digits") {
    CHECK(hex_to_u32("deadbeef", "n") == 0xdeadbeefu);
    CHECK(hex_to_u32("00000001", "n") == 1u);
    CHECK(u32_to_hex(1) == "00000001");
    CHECK(u32_to_hex(0xffffffffu) == "ffffffff");
}

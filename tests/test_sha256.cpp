// SHA-256: every implementation against OpenSSL and the FIPS 180-4 examples.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "core/hex.hpp"
#include "core/sha256.hpp"
#include "core/sha256_impl.hpp"
#include "tests/support.hpp"

using namespace hf;
using hf::test::random_bytes;
using hf::test::openssl_sha256;

namespace {
std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }
std::vector<std::uint8_t> as_vec(const sha256::Digest& d) { return {d.begin(), d.end()}; }
}  // namespace

TEST_CASE("FIPS 180-4 examples through the streaming hasher") {
    CHECK(hex_encode(sha256::hash(bytes_of("abc"))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hex_encode(sha256::hash(bytes_of(""))) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hex_encode(sha256::hash(bytes_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("one million 'a' fed in uneven pieces") {
    sha256::Hasher h;
    const std::vector<std::uint8_t> chunk(997, 'a');
    std::size_t left = 1000000;
    while (left > 0) {
        const std::size_t n = std::min(left, chunk.size());
        h.update(std::span(chunk.data(), n));
        left -= n;
    }
    CHECK(hex_encode(h.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("every implementation matches OpenSSL on random inputs of every length 0..2048") {
    std::mt19937_64 rng(20261125);
    for (const auto& impl : sha256::implementations()) {
        if (!impl.supported()) {
            MESSAGE("skipping " << impl.name << ": not supported by this CPU");
            continue;
        }
        CAPTURE(impl.name);
        CHECK(sha256::self_test(impl).empty());
        for (std::size_t len = 0; len <= 2048; ++len) {
            const auto msg = random_bytes(rng, len);
            const auto want = openssl_sha256(msg);
            const auto got = sha256::hash_with(impl, msg);
            if (as_vec(got) != want) {
                FAIL_CHECK("mismatch at length " << len);
                break;
            }
        }
    }
}

TEST_CASE("streaming in random splits matches OpenSSL") {
    std::mt19937_64 rng(7);
    for (int trial = 0; trial < 2000; ++trial) {
        const auto msg = random_bytes(rng, rng() % 2049);
        sha256::Hasher h;
        std::size_t pos = 0;
        while (pos < msg.size()) {
            const std::size_t n = std::min<std::size_t>(msg.size() - pos, rng() % 150);
            h.update(std::span(msg.data() + pos, n));
            pos += n;
        }
        REQUIRE(as_vec(h.finalize()) == openssl_sha256(msg));
    }
}

TEST_CASE("double SHA-256 is SHA-256 applied twice (by OpenSSL)") {
    std::mt19937_64 rng(99);
    for (int trial = 0; trial < 500; ++trial) {
        const auto msg = random_bytes(rng, rng() % 300);
        REQUIRE(as_vec(sha256::hash256d(msg)) == openssl_sha256(openssl_sha256(msg)));
    }
}

TEST_CASE("the selected implementation passed its self-test and is supported") {
    const auto& impl = sha256::selected();
    CHECK(impl.supported());
    CHECK(sha256::self_test(impl).empty());
}

TEST_CASE("a broken implementation fails its self-test") {
    // A compression that skips the last block: the self-test must notice.
    const sha256::Implementation broken{"broken", [] { return true; },
                                        [](sha256::State& s, const std::uint8_t* d, std::size_t n) {
                                            if (n > 1) sha256::compress_reference(s, d, n - 1);
                                        }};
    CHECK_FALSE(sha256::self_test(broken).empty());
}

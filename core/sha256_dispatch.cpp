// Picks the SHA-256 compression implementation once: the preferred one this CPU supports that
// also passes its known-answer test. A failing implementation is never used, only reported.
#include <string>
#include <vector>

#include "core/cpu_features.hpp"
#include "core/hex.hpp"
#include "core/sha256_impl.hpp"

namespace hf::sha256 {

#if defined(__x86_64__)
void compress_shani(State& state, const std::uint8_t* data, std::size_t blocks);
#endif

namespace {

bool always() { return true; }
#if defined(__x86_64__)
bool has_shani() { return cpu_features().shani(); }
#endif

// Reference first; later entries are preferred when supported.
constexpr Implementation kImplementations[] = {
    {"reference", &always, &compress_reference},
#if defined(__x86_64__)
    {"shani", &has_shani, &compress_shani},
#endif
};

struct KnownAnswer {
    std::string message;
    const char* digest_hex;
};

const std::vector<KnownAnswer>& known_answers() {
    // FIPS 180-4 / NIST CSRC examples, plus a 1000-byte message of 'a' (several blocks per call).
    static const std::vector<KnownAnswer> kat = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
        {std::string(1000, 'a'), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"},
    };
    return kat;
}

}  // namespace

std::span<const Implementation> implementations() { return kImplementations; }

Digest hash_with(const Implementation& impl, std::span<const std::uint8_t> message) {
    std::vector<std::uint8_t> padded(message.begin(), message.end());
    const std::uint64_t bits = std::uint64_t{message.size()} * 8;
    padded.push_back(0x80);
    while (padded.size() % 64 != 56) padded.push_back(0);
    for (int i = 7; i >= 0; --i) padded.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
    State s = kInitialState;
    impl.compress(s, padded.data(), padded.size() / 64);
    return state_to_digest(s);
}

std::string_view self_test(const Implementation& impl) {
    for (const auto& kat : known_answers()) {
        const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(kat.message.data()), kat.message.size());
        if (hex_encode(hash_with(impl, bytes)) != kat.digest_hex) {
            static thread_local std::string why;
            why = "digest mismatch for a " + std::to_string(kat.message.size()) + "-byte message";
            return why;
        }
    }
    return {};
}

const Implementation& selected() {
    static const Implementation& chosen = [] () -> const Implementation& {
        const Implementation* best = &kImplementations[0];
        for (const auto& impl : kImplementations)
            if (impl.supported() && self_test(impl).empty()) best = &impl;
        return *best;
    }();
    return chosen;
}

}  // namespace hf::sha256

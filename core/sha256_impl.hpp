// The registry of SHA-256 compression implementations: one source file per instruction set, one
// dispatch that picks the fastest supported one once, and a known-answer self-test for each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/sha256.hpp"

namespace hf::sha256 {

using CompressFn = void (*)(State& state, const std::uint8_t* data, std::size_t blocks);

struct Implementation {
    std::string_view name;
    bool (*supported)();   // does this CPU run it?
    CompressFn compress;
};

// Portable C++: the reference every other implementation is checked against.
void compress_reference(State& state, const std::uint8_t* data, std::size_t blocks);

// Every implementation compiled into this binary, reference first.
std::span<const Implementation> implementations();

// SHA-256 of a whole message through `impl` alone, bypassing the dispatch (for tests).
Digest hash_with(const Implementation& impl, std::span<const std::uint8_t> message);

// Runs known-answer tests (FIPS 180-4 examples and multi-block messages) through `impl`.
// Returns an empty string on success, else a description of the first mismatch.
std::string_view self_test(const Implementation& impl);

// The implementation `compress` uses: the preferred supported one that passed its self-test.
const Implementation& selected();

}  // namespace hf::sha256

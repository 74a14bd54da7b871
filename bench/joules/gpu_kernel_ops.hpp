// The GPU-style sha256d nonce kernel, written on OpGraph so that one run both hashes a nonce and
// counts the per-nonce 32-bit operations, with the tricks every 2011 GPU miner (poclbm, phatk,
// DiabloMiner) used:
//   * midstate: the first 64 header bytes are hashed once per job, not per nonce;
//   * the first three rounds of the second block use only header bytes 64..75, so they are
//     precomputed per job, as are the schedule words W16, W17 and every padding-word term;
//   * constant padding words (W4..W15 of the first hash, W8..W15 of the second) fold away;
//   * early exit: a share needs the last 32-bit word of the hash to be zero, and that word is
//     IV7 + e after round 60, so rounds 61..63 and the final additions are skipped and the test
//     is "e60 == -IV7".
// Nothing here is tuned to a vector: the counts come from the dependency graph.
#pragma once

#include <array>
#include <cstdint>

#include "bench/joules/op_graph.hpp"
#include "core/sha256.hpp"

namespace hf::joules {

struct KernelTrace {
    sha256::State second_hash{};  // the sha256d state words (digest = their big-endian bytes)
    bool early_exit_candidate = false;  // the last digest word is zero
    OpCounts with_early_exit;     // ops per nonce of a kernel that only tests the last word
    OpCounts without_early_exit;  // ops per nonce of a kernel that produces all 8 words
    std::size_t graph_nodes = 0;
};

// `tail_words` are header bytes 64..75 as big-endian message words; `nonce_word` is the fourth
// message word (header bytes 76..79 read big-endian, i.e. the byte-swapped nonce).
KernelTrace trace_sha256d_nonce_kernel(const sha256::State& midstate, const std::array<std::uint32_t, 3>& tail_words,
                                       std::uint32_t nonce_word, const IsaFeatures& isa);

}  // namespace hf::joules

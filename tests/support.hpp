// Shared helpers for the test programs: the team's vectors, random bytes, running the CLI.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/block_header.hpp"

namespace hf::test {

// Reads tests/vectors/NAME (or $HASHFORGE_VECTORS_DIR/NAME). Fails the test if missing.
nlohmann::json load_vector(const std::string& name);

// A block header from one entry of blocks.json (hashes in display order, bits as hex).
BlockHeader header_from_vector(const nlohmann::json& block);

std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t n);

// SHA-256 by OpenSSL's EVP interface: the independent truth for our implementations.
std::vector<std::uint8_t> openssl_sha256(const std::vector<std::uint8_t>& data);

struct CommandResult {
    int exit_status = -1;
    std::string output;  // standard output (and standard error when merge_stderr)
};
// Runs the hashforge binary built beside the tests with `args` (a shell-quoted string).
CommandResult run_hashforge(const std::string& args, bool merge_stderr = false, const std::string& stdin_text = "");
// Runs a shell command line (standard error merged into the output).
CommandResult run_shell(const std::string& command);

}  // namespace hf::test

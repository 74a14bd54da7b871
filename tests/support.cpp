#include "tests/support.hpp"

#include <openssl/evp.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/hex.hpp"

namespace hf::test {

nlohmann::json load_vector(const std::string& name) {
    const char* env = std::getenv("HASHFORGE_VECTORS_DIR");
    const std::filesystem::path dir = env ? env : HASHFORGE_VECTORS_DIR;
    std::ifstream in(dir / name);
    if (!in) throw std::runtime_error("test vector " + (dir / name).string() + " not found");
    return nlohmann::json::parse(in);
}

BlockHeader header_from_vector(const nlohmann::json& b) {
    BlockHeader h;
    h.version = b.at("version").get<std::uint32_t>();
    h.prev_hash = from_display_hex(b.at("prev_hash").get<std::string>(), "prev_hash");
    h.merkle_root = from_display_hex(b.at("merkle_root").get<std::string>(), "merkle_root");
    h.time = b.at("time").get<std::uint32_t>();
    h.bits = hex_to_u32(b.at("bits").get<std::string>(), "bits");
    h.nonce = b.at("nonce").get<std::uint32_t>();
    return h;
}

std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) b = static_cast<std::uint8_t>(rng());
    return v;
}

std::vector<std::uint8_t> openssl_sha256(const std::vector<std::uint8_t>& data) {
    std::vector<std::uint8_t> out(32);
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != 32)
        throw std::runtime_error("OpenSSL EVP_Digest failed");
    return out;
}

namespace {
CommandResult run_shell_raw(const std::string& cmd) {
    CommandResult r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("popen failed: " + cmd);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    const int status = ::pclose(p);
    r.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}
}  // namespace

CommandResult run_hashforge(const std::string& args, bool merge_stderr, const std::string& stdin_text) {
    std::string cmd = std::string(HASHFORGE_BINARY) + " " + args;
    std::string input_file;
    if (!stdin_text.empty()) {
        input_file = (std::filesystem::temp_directory_path() / ("hf-stdin-" + std::to_string(::getpid()))).string();
        std::ofstream(input_file) << stdin_text;
        cmd += " < " + input_file;
    }
    cmd += merge_stderr ? " 2>&1" : " 2>/dev/null";
    CommandResult r = run_shell_raw(cmd);
    if (!input_file.empty()) std::filesystem::remove(input_file);
    return r;
}

CommandResult run_shell(const std::string& command) { return run_shell_raw("(" + command + ") 2>&1"); }


}  // namespace hf::test

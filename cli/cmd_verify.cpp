// hashforge verify: recompute one share from a mining.notify and the miner's choices, the way a
// pool checks a mining.submit.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "core/hex.hpp"
#include "core/target.hpp"
#include "core/work.hpp"
#include "stratum/message.hpp"

namespace hf::cli {
namespace {

constexpr const char* kHelp =
    "Usage: hashforge verify --job FILE --extranonce1 HEX --extranonce2 HEX --nonce HEX\n"
    "                        [--ntime HEX] [--version-bits HEX [--mask HEX]] [--difficulty D] [--json]\n\n"
    "Rebuilds the block header of one share from a Stratum job and reports its hash and difficulty.\n\n"
    "  --job FILE           one mining.notify message as the pool sent it ('-' reads standard input)\n"
    "  --extranonce1 HEX    the extranonce1 the pool gave in its mining.subscribe answer\n"
    "  --extranonce2 HEX    the miner's extranonce2, at the width the pool asked for\n"
    "  --nonce HEX          the 32-bit nonce, 8 hex digits as mining.submit sends it\n"
    "  --ntime HEX          8 hex digits (default: the job's ntime)\n"
    "  --version-bits HEX   BIP 310 rolled version bits, as the sixth mining.submit parameter\n"
    "  --mask HEX           the version-rolling mask the pool granted (default 1fffe000)\n"
    "  --difficulty D       also say whether the share meets pool difficulty D (e.g. 0.0001, 65536)\n"
    "  --json               print one JSON object instead of text\n\n"
    "Hashes are printed in Bitcoin's display order (byte-reversed) except the merkle root and\n"
    "header, which are printed as the bytes sit in the header.\n"
    "Exit status: 0 when the share was computed (whether or not it meets --difficulty), 2 on bad input.\n";

// Reads at most kMaxLineBytes (a mining.notify is one Stratum line): a bigger file, or /dev/zero,
// is refused rather than read into memory.
std::string read_job_text(const std::string& path) {
    std::ifstream file;
    if (path != "-") {
        file.open(path, std::ios::binary);
        if (!file) throw UsageError("--job: cannot open '" + path + "'");
    }
    std::istream& in = path == "-" ? std::cin : file;
    std::string text(stratum::kMaxLineBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > stratum::kMaxLineBytes)
        throw UsageError("--job: '" + path + "' is larger than " + std::to_string(stratum::kMaxLineBytes) +
                         " bytes; give one mining.notify message");
    return text;
}

// Decodes a hex option, turning a bad value into a UsageError naming the option.
std::uint32_t option_u32(const ParsedArgs& args, const std::string& name, std::uint32_t fallback) {
    auto v = args.get(name);
    if (!v) return fallback;
    try {
        return hex_to_u32(*v, "--" + name);
    } catch (const HexError& e) {
        throw UsageError(e.what());
    }
}

std::vector<std::uint8_t> option_bytes(const ParsedArgs& args, const std::string& name) {
    try {
        return hex_decode(args.require(name), "--" + name);
    } catch (const HexError& e) {
        throw UsageError(e.what());
    }
}

}  // namespace

int run_verify(std::span<char* const> argv) {
    static const OptionSpec specs[] = {
        {"help", 'h', false},         {"job", 0, true},   {"extranonce1", 0, true}, {"extranonce2", 0, true},
        {"ntime", 0, true},           {"nonce", 0, true}, {"version-bits", 0, true}, {"mask", 0, true},
        {"difficulty", 0, true},      {"json", 0, false},
    };
    const auto args = parse_args(specs, argv);
    if (args.has("help")) {
        std::cout << kHelp;
        return kExitOk;
    }
    if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");

    const std::string text = read_job_text(args.require("job"));
    MiningJob job;
    try {
        job = stratum::parse_notify(stratum::parse_json(text));
    } catch (const stratum::ProtocolError& e) {
        throw UsageError(std::string("--job: ") + e.what());
    }

    const auto en1 = option_bytes(args, "extranonce1");
    const auto en2 = option_bytes(args, "extranonce2");
    if (!args.has("nonce")) throw UsageError("missing required option --nonce");
    const std::uint32_t nonce = option_u32(args, "nonce", 0);
    const std::uint32_t ntime = option_u32(args, "ntime", job.ntime);
    const std::uint32_t mask = option_u32(args, "mask", 0x1fffe000);
    const std::uint32_t version_bits = option_u32(args, "version-bits", 0);
    if (args.has("mask") && !args.has("version-bits")) throw UsageError("--mask given without --version-bits");
    std::uint32_t version = job.version;
    if (args.has("version-bits")) {
        try {
            version = rolled_version(job.version, mask, version_bits);
        } catch (const VersionRollingError& e) {
            throw UsageError(std::string("--version-bits: ") + e.what());
        }
    }
    const auto difficulty = args.get_double("difficulty");
    if (difficulty && *difficulty <= 0) throw UsageError("--difficulty must be positive");

    const ShareWork w = compute_share(job, en1, en2, ntime, nonce, version);
    const HeaderBytes header = w.header.serialize();
    const double share_diff = hash_difficulty(w.hash);
    const bool meets = difficulty && hash_meets_target(w.hash, difficulty_to_target(*difficulty));

    if (args.has("json")) {
        nlohmann::json out = {
            {"job_id", job.job_id},
            {"coinbase", hex_encode(w.coinbase)},
            {"coinbase_hash", to_display_hex(w.coinbase_hash)},
            {"merkle_root", hex_encode(w.merkle_root)},
            {"merkle_root_display", to_display_hex(w.merkle_root)},
            {"version", u32_to_hex(version)},
            {"ntime", u32_to_hex(ntime)},
            {"nonce", u32_to_hex(nonce)},
            {"header", hex_encode(header)},
            {"hash", to_display_hex(w.hash)},
            {"share_difficulty", share_diff},
        };
        if (difficulty) {
            out["difficulty"] = *difficulty;
            out["meets"] = meets;
        }
        std::cout << out.dump(2) << "\n";
        return kExitOk;
    }
    std::printf("job              %s\n", job.job_id.c_str());
    std::printf("coinbase hash    %s  (txid, display order)\n", to_display_hex(w.coinbase_hash).c_str());
    std::printf("merkle root      %s  (header byte order)\n", hex_encode(w.merkle_root).c_str());
    std::printf("version          %s\n", u32_to_hex(version).c_str());
    std::printf("header           %s\n", hex_encode(header).c_str());
    std::printf("block hash       %s\n", to_display_hex(w.hash).c_str());
    std::printf("share difficulty %.6g\n", share_diff);
    if (difficulty)
        std::printf("meets %-10g %s\n", *difficulty, meets ? "yes" : "no");
    return kExitOk;
}

}  // namespace hf::cli

// The hashforge program end to end: verify on the real job, selftest, help and errors.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/support.hpp"

using hf::test::run_hashforge;

namespace {

// Writes the vector's notify message to a temporary file, as a pool operator would save it.
std::string write_job_file(const std::string& text, const std::string& tag = "job") {
    const auto path =
        std::filesystem::temp_directory_path() / ("hf-" + tag + "-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << text;
    return path.string();
}

}  // namespace

TEST_CASE("verify reproduces every share of the real job, text and JSON") {
    const auto v = hf::test::load_vector("stratum_job.json");
    const std::string job = write_job_file(v["notify"].dump());
    const std::string base = "verify --job " + job + " --extranonce1 " + v["extranonce1"].get<std::string>() +
                             " --extranonce2 " + v["extranonce2"].get<std::string>();
    for (const auto& c : v["cases"]) {
        CAPTURE(c["nonce"].get<std::string>());
        std::string args = base + " --nonce " + c["nonce"].get<std::string>();
        if (c["version_bits"] != "00000000")
            args += " --version-bits " + c["version_bits"].get<std::string>() + " --mask " +
                    v["version_rolling_mask"].get<std::string>();
        const auto r = run_hashforge(args + " --json --difficulty 0.0000000005");
        REQUIRE(r.exit_status == 0);
        const auto out = nlohmann::json::parse(r.output);
        CHECK(out["coinbase_hash"] == v["coinbase_txid_display"]);
        CHECK(out["merkle_root"] == v["merkle_root_header_bytes"]);
        CHECK(out["header"] == c["header_hex"]);
        CHECK(out["hash"] == c["hash"]);
        REQUIRE(out["share_difficulty"].is_number());
        CHECK(out["share_difficulty"].get<double>() == doctest::Approx(c["share_difficulty"].get<double>()).epsilon(1e-12));
        CHECK(out["meets"].get<bool>() == (c["share_difficulty"].get<double>() >= 0.0000000005));

        const auto text = run_hashforge(args);
        CHECK(text.exit_status == 0);
        CHECK(text.output.find(c["hash"].get<std::string>()) != std::string::npos);
    }
    std::filesystem::remove(job);
}

TEST_CASE("verify reads the job from standard input") {
    const auto v = hf::test::load_vector("stratum_job.json");
    const auto r = run_hashforge("verify --job - --extranonce1 " + v["extranonce1"].get<std::string>() +
                                     " --extranonce2 " + v["extranonce2"].get<std::string>() + " --nonce 00000000 --json",
                                 false, v["notify"].dump());
    REQUIRE(r.exit_status == 0);
    CHECK(nlohmann::json::parse(r.output)["hash"] == v["cases"][0]["hash"]);
}

TEST_CASE("defects 2, 4 and 7: verify refuses 1e400, deep nesting and a job file of any size, with exit 2") {
    const std::string rest = " --extranonce1 00 --extranonce2 00 --nonce 00000000";
    struct Case {
        std::string file;
        std::string says;
    };
    const Case cases[] = {
        {"/dev/zero", "larger than 65536 bytes"},
        {write_job_file(R"({"id":null,"method":"mining.notify","params":["1",1e400]})", "overflow"), "number overflow"},
        {write_job_file(std::string(10000, '[') + std::string(10000, ']'), "deep"), "nests deeper than 32"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.file);
        const auto r = run_hashforge("verify --job " + c.file + rest, true);
        CHECK(r.exit_status == 2);
        CHECK(r.output.find(c.says) != std::string::npos);
    }
}

TEST_CASE("verify refuses malformed input, naming the field") {
    const auto v = hf::test::load_vector("stratum_job.json");
    const std::string job = write_job_file(v["notify"].dump());
    const std::string good = " --extranonce1 " + v["extranonce1"].get<std::string>() + " --extranonce2 " +
                             v["extranonce2"].get<std::string>();
    struct Case {
        std::string args;
        std::string names;
    };
    auto bad_notify = v["notify"];
    bad_notify["params"][6] = "1705ae3";
    const std::string bad_job = write_job_file(bad_notify.dump(), "bad-nbits");
    const std::string junk_job = write_job_file("{\"method\": \"mining.notify\", \"params\": [", "junk");
    const Case cases[] = {
        {"verify --job " + job + good + " --nonce 1234567", "--nonce"},
        {"verify --job " + job + good + " --nonce 0000000x", "--nonce"},
        {"verify --job " + job + " --extranonce1 abc --extranonce2 00 --nonce 00000000", "--extranonce1"},
        {"verify --job " + job + good + " --nonce 00000000 --version-bits 00001000 --mask 1fffe000", "--version-bits"},
        {"verify --job " + job + good + " --nonce 00000000 --difficulty lots", "--difficulty"},
        {"verify --job " + job + good, "--nonce"},
        {"verify --job " + bad_job + good + " --nonce 00000000", "nbits"},
        {"verify --job " + junk_job + good + " --nonce 00000000", "JSON"},
        {"verify --job /nonexistent/job.json" + good + " --nonce 00000000", "cannot open"},
        {"verify --job " + job + good + " --nonce 00000000 --bogus", "--bogus"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.args);
        const auto r = run_hashforge(c.args, true);
        CHECK(r.exit_status == 2);
        CHECK(r.output.find(c.names) != std::string::npos);
    }
    std::filesystem::remove(job);
    std::filesystem::remove(bad_job);
    std::filesystem::remove(junk_job);
}

TEST_CASE("selftest passes and lists the implementations") {
    const auto r = run_hashforge("selftest");
    CHECK(r.exit_status == 0);
    CHECK(r.output.find("sha256 reference") != std::string::npos);
    CHECK(r.output.find("FAIL") == std::string::npos);
}

TEST_CASE("help, version and unknown commands") {
    CHECK(run_hashforge("--help").exit_status == 0);
    CHECK(run_hashforge("--help").output.find("verify") != std::string::npos);
    CHECK(run_hashforge("--version").output.find("hashforge ") == 0);
    CHECK(run_hashforge("verify --help").output.find("--extranonce1") != std::string::npos);
    CHECK(run_hashforge("frobnicate").exit_status == 2);
}

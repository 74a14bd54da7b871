// Mining through emulated chips: the search engine drives the asic-emu backends on a real pool
// job, and every share they produce is accepted by `hashforge verify` (the pool's check).
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/backends.hpp"
#include "core/hex.hpp"
#include "core/search_engine.hpp"
#include "hw_model/asic_backend.hpp"
#include "stratum/notify.hpp"
#include "tests/support.hpp"

using namespace hf;

TEST_CASE("asic-emu passes the backends' self-test against the reference") {
    CHECK(backend_self_test(hw::asic_emu_backend_info(hw::SimMode::Functional)) == "");
    CHECK(backend_self_test(hw::asic_emu_backend_info(hw::SimMode::Cycle)) == "");
}

TEST_CASE("shares mined through emulated chips are accepted by hashforge verify") {
    const auto v = test::load_vector("stratum_job.json");
    const auto job_path = std::filesystem::temp_directory_path() / ("hf-asic-job-" + std::to_string(::getpid()) + ".json");
    std::ofstream(job_path) << v["notify"].dump();
    const double difficulty = 2e-7;  // one share per ~860 nonces (probability 2^-32 / D): quick even under sanitizers
    for (hw::SimMode mode : {hw::SimMode::Functional, hw::SimMode::Cycle}) {
        CAPTURE(hw::sim_mode_name(mode));
        EngineJob ej;
        ej.job = stratum::parse_notify(v["notify"]);
        ej.extranonce1 = hex_decode(v["extranonce1"].get<std::string>(), "extranonce1");
        ej.extranonce2_size = 8;
        ej.difficulty = difficulty;
        ej.version_mask = 0x1fffe000;
        std::mutex mu;
        std::vector<FoundShare> shares;
        EngineConfig cfg;
        cfg.threads = 1;
        cfg.backend = hw::asic_emu_backend_info(mode);
        cfg.on_share = [&](const FoundShare& s) {
            const std::lock_guard lock(mu);
            shares.push_back(s);
        };
        {
            SearchEngine engine(cfg);
            engine.set_job(ej);
            const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            for (;;) {
                {
                    const std::lock_guard lock(mu);
                    if (shares.size() >= 3) break;
                }
                REQUIRE(std::chrono::steady_clock::now() < end);
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        }
        for (const auto& s : shares) {
            std::string args = "verify --job " + job_path.string() + " --extranonce1 " + v["extranonce1"].get<std::string>() +
                               " --extranonce2 " + hex_encode(s.extranonce2) + " --ntime " + u32_to_hex(s.ntime) + " --nonce " +
                               u32_to_hex(s.nonce) + " --version-bits " + u32_to_hex(s.version_bits) + " --mask 1fffe000" +
                               " --difficulty 0.0000002 --json";
            const auto r = test::run_hashforge(args);
            REQUIRE(r.exit_status == 0);
            const auto out = nlohmann::json::parse(r.output);
            CHECK(out["meets"].get<bool>());
            CHECK(out["share_difficulty"].get<double>() >= difficulty);
            CHECK(s.share_difficulty >= difficulty);
            CHECK(out["hash"].get<std::string>() == to_display_hex(s.hash));
        }
    }
    std::filesystem::remove(job_path);
}

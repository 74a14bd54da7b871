// hashforge pipeline end to end: the picture, the VCD waveform, the sweep, and bad options.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support.hpp"

using hf::test::run_hashforge;

TEST_CASE("the picture shows the fill and finds the genesis nonce after the latency") {
    const auto r = run_hashforge("pipeline --rounds-per-stage 8 --loop 1 --cycles 24");
    REQUIRE(r.exit_status == 0);
    CHECK(r.output.find("16 stages, latency 17 clocks") != std::string::npos);
    // The genesis nonce (E, the fifth issued) leaves at clock 4 + 17.
    CHECK(r.output.find("   21     0  ") != std::string::npos);
    const auto line21 = r.output.substr(r.output.find("   21     0  "), 80);
    CHECK(line21.find("FOUND 7c2bac1d") != std::string::npos);
    CHECK(r.output.find("   1     0  7c2bac1a  A...............") != std::string::npos);
    CHECK(r.output.find("J/TH") != std::string::npos);
    // Looping halves the intake rate.
    const auto looped = run_hashforge("pipeline -r 16 -l 2 -n 6");
    REQUIRE(looped.exit_status == 0);
    CHECK(looped.output.find("0.5 hashes/clock") != std::string::npos);
    CHECK(looped.output.find("    6     0  7c2bac1c  CBA.") != std::string::npos);
}

TEST_CASE("the VCD is well formed: header, declarations, increasing timestamps") {
    const auto path = std::filesystem::temp_directory_path() / ("hf-pipe-" + std::to_string(::getpid()) + ".vcd");
    const auto r = run_hashforge("pipeline -r 4 -n 40 --vcd " + path.string());
    REQUIRE(r.exit_status == 0);
    std::ifstream in(path);
    REQUIRE(in);
    std::string line;
    bool timescale = false, enddefs = false;
    std::set<std::string> ids;
    std::map<std::string, int> widths;
    long long last_time = -1;
    int timestamps = 0, found_rises = 0, scopes = 0;
    std::string found_id;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        if (!enddefs) {
            if (line.rfind("$timescale", 0) == 0) timescale = true;
            if (line.rfind("$scope", 0) == 0) ++scopes;
            if (line.rfind("$upscope", 0) == 0) --scopes;
            if (line.rfind("$var", 0) == 0) {
                std::istringstream ss(line);
                std::string var, type, id, name;
                int width;
                ss >> var >> type >> width >> id >> name;
                CHECK(type == "wire");
                CHECK(ids.insert(id).second);  // identifiers are unique
                widths[id] = width;
                if (name == "found") found_id = id;
            }
            if (line.rfind("$enddefinitions", 0) == 0) enddefs = true;
            continue;
        }
        if (line[0] == '#') {
            const long long t = std::stoll(line.substr(1));
            CHECK(t > last_time);
            last_time = t;
            ++timestamps;
        } else if (line[0] == 'b') {
            const auto space = line.find(' ');
            REQUIRE(space != std::string::npos);
            const std::string id = line.substr(space + 1);
            REQUIRE(widths.count(id) == 1);
            CHECK(static_cast<int>(space - 1) <= widths[id]);
            CHECK(line.find_first_not_of("01", 1) == space);
        } else if (line[0] == '0' || line[0] == '1') {
            const std::string id = line.substr(1);
            REQUIRE(widths.count(id) == 1);
            CHECK(widths[id] == 1);
            if (id == found_id && line[0] == '1') ++found_rises;
        } else {
            CHECK((line == "$dumpvars" || line == "$end"));
        }
    }
    CHECK(timescale);
    CHECK(enddefs);
    CHECK(scopes == 0);
    CHECK(ids.size() >= 9);
    CHECK(timestamps == 2 * 41);  // two edges per clock, clock 0 included
    CHECK(found_rises == 1);      // the genesis nonce
    std::filesystem::remove(path);
}

TEST_CASE("the sweep lists designs and named chips; bad options are usage errors") {
    const auto r = run_hashforge("pipeline --sweep");
    REQUIRE(r.exit_status == 0);
    CHECK(r.output.find("R1 L1 M1 +midstate") != std::string::npos);
    CHECK(r.output.find("R1 L64") != std::string::npos);
    CHECK(r.output.find("bm1387-16nm") != std::string::npos);
    CHECK(r.output.find("published 34.2 (checks)") != std::string::npos);
    for (const char* bad : {"pipeline --loop 3", "pipeline -r 64 -l 2", "pipeline --node 3nm", "pipeline --cycles 0",
                            "pipeline --midstates 3", "pipeline --vcd /nonexistent/dir/x.vcd", "pipeline --bogus"}) {
        CAPTURE(bad);
        CHECK(run_hashforge(bad, true).exit_status == 2);
    }
}

// hashforge rtl end to end: Icarus Verilog runs the generated testbench (a second simulator, beside
// the Verilator co-simulation in test_rtl_cosim) and Verilator lints the RTL with -Wall.
TEST_CASE("rtl: Icarus finds exactly the model's nonces at the model's clocks; lint is clean; a wrong expectation fails") {
    const auto dir = std::filesystem::temp_directory_path() / ("hf-rtl-" + std::to_string(::getpid()));
    const std::string configs[] = {"--rounds-per-stage 8", "--rounds-per-stage 4 --loop 4 --midstates 2 --no-cut",
                                   "--rounds-per-stage 2 --loop 32 --no-midstate"};
    for (const std::string& cfg : configs) {
        CAPTURE(cfg);
        std::filesystem::remove_all(dir);
        const auto gen = run_hashforge("rtl " + cfg + " -o " + dir.string());
        REQUIRE(gen.exit_status == 0);
        // No std::regex here: gcc 12 warns falsely inside <regex> in the sanitizer build.
        const auto at = gen.output.find("expects ");
        REQUIRE(at != std::string::npos);
        CHECK(std::stoi(gen.output.substr(at + 8)) >= 2);
        const std::string d = dir.string();
        const auto sim = hf::test::run_shell("cd " + d + " && iverilog -g2005 -o sim hf_core.v hf_top.v hf_tb.v && vvp -n sim");
        CHECK(sim.exit_status == 0);
        CHECK(sim.output.find("hf_tb: PASS") != std::string::npos);
        const auto lint = hf::test::run_shell("cd " + d + " && verilator --lint-only -Wall --top-module hf_top hf_core.v hf_top.v");
        CHECK(lint.exit_status == 0);
        CHECK(lint.output.empty());
        // The testbench can fail: expect the first strobe one clock late.
        const auto bad = hf::test::run_shell("cd " + d + " && sed -i '0,/hit_clock\\[0\\] = 64.d/s//&1+/' hf_tb.v && iverilog -g2005 -o sim hf_core.v hf_top.v hf_tb.v && vvp -n sim");
        CHECK(bad.exit_status != 0);
        CHECK(bad.output.find("hf_tb: FAIL") != std::string::npos);
    }
    std::filesystem::remove_all(dir);
    CHECK(run_hashforge("rtl --loop 3 -o " + dir.string()).exit_status == 2);
    CHECK(run_hashforge("rtl --rounds-per-stage 8").exit_status == 2);  // no -o
}

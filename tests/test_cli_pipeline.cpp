// hashforge pipeline end to end: the picture, the VCD waveform, the sweep, and bad options.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include <nlohmann/json.hpp>

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
    CHECK(r.output.find("BM1387") != std::string::npos);
    CHECK(r.output.find("published 34.2 (checks)") != std::string::npos);
    for (const char* bad : {"pipeline --loop 3", "pipeline -r 64 -l 2", "pipeline --node 2nm", "pipeline --node 16mm", "pipeline --cycles 0",
                            "pipeline --midstates 3", "pipeline --vcd /nonexistent/dir/x.vcd", "pipeline --bogus"}) {
        CAPTURE(bad);
        CHECK(run_hashforge(bad, true).exit_status == 2);
    }
}

TEST_CASE("chip --energy: the BM1397 report as text and JSON; any description file; broken ones exit 2 naming the key") {
    const auto text = run_hashforge("chip --model bm1397 --energy");
    REQUIRE(text.exit_status == 0);
    CHECK(text.output.find("voltage      0.360 V (given)") != std::string::npos);
    CHECK(text.output.find("machine: Antminer S19, 228 chips") != std::string::npos);
    CHECK(text.output.find("34.21 J/TH at the wall (reference") != std::string::npos);

    const auto js = run_hashforge("chip --model BM1397 --energy --json");
    REQUIRE(js.exit_status == 0);
    const auto j = nlohmann::json::parse(js.output);
    for (const char* key : {"name", "node_nm", "cores", "mhz", "voltage", "voltage_source", "hashrate_ghs", "power_w", "j_per_th",
                            "area_mm2", "wall_j_per_th", "machine_hashrate_ths", "machine_power_w"}) {
        CAPTURE(key);
        CHECK(j.contains(key));
    }
    CHECK(j["cores"] == 168);
    CHECK(j["voltage_source"] == "given");
    // 168 cores x 4 midstates x 620.1 MHz, and the machine is 228 of them.
    CHECK(j["hashrate_ghs"].get<double>() == doctest::Approx(168 * 4 * 620.1e6 / 1e9));
    CHECK(j["machine_hashrate_ths"].get<double>() == doctest::Approx(228 * 168 * 4 * 620.1e6 / 1e12));
    CHECK(j["j_per_th"].get<double>() == doctest::Approx(j["power_w"].get<double>() / j["hashrate_ghs"].get<double>() * 1e3));

    // A user's chip: 5 nm, 2,000 cores, no voltage given: estimated, and said so; no machine keys.
    const auto path = std::filesystem::temp_directory_path() / "hashforge_cli_chip.json";
    std::ofstream(path) << R"({"name": "mine", "node_nm": 5, "cores": 2000, "mhz": 300})";
    const auto mine = run_hashforge("chip --model " + path.string() + " --energy --json");
    REQUIRE(mine.exit_status == 0);
    const auto m = nlohmann::json::parse(mine.output);
    CHECK(m["voltage_source"] == "estimated");
    CHECK(m["hashrate_ghs"].get<double>() == doctest::Approx(600));
    CHECK_FALSE(m.contains("wall_j_per_th"));

    std::ofstream(path) << R"({"name": "mine", "node_nm": 5, "cores": 2000, "mhz": 300, "voltage": "high"})";
    const auto bad = run_hashforge("chip --model " + path.string() + " --energy", true);
    CHECK(bad.exit_status == 2);
    CHECK(bad.output == "hashforge chip: " + path.string() + ": key 'voltage': must be a number (V), got \"high\"\n");
    std::filesystem::remove(path);
    const auto sweep = run_hashforge("pipeline --sweep --model bm1397");
    REQUIRE(sweep.exit_status == 0);
    CHECK(sweep.output.rfind("Designs at BM1397's node and supply (chips/bm1397.json): 7nm, 0.360 V (given)", 0) == 0);
    CHECK(sweep.output.find("BM1397 as described (168 cores of R1 L1 M4") != std::string::npos);
    CHECK(run_hashforge("pipeline --sweep --model bm1397 --node 7nm", true).exit_status == 2);
    for (const char* usage : {"chip --energy", "chip --model bm1397", "chip --model nosuchchip --energy", "chip --model bm1397 --bogus"}) {
        CAPTURE(usage);
        CHECK(run_hashforge(usage, true).exit_status == 2);
    }
}

TEST_CASE("pipeline --html: one self-contained page whose traces are the text picture's clocks") {
    const auto path = std::filesystem::temp_directory_path() / ("hf-pipe-" + std::to_string(::getpid()) + ".html");
    const auto r = run_hashforge("pipeline --html " + path.string() + " -r 2 -l 4");
    REQUIRE(r.exit_status == 0);
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string page = ss.str();
    std::filesystem::remove(path);
    // Self-contained: nothing is loaded from anywhere (the URLs in the data are citations, as text).
    for (const char* external : {"<script src", "<link", "<img", "@import", "url("}) CHECK(page.find(external) == std::string::npos);
    const auto start = page.find("const DATA = ");
    REQUIRE(start != std::string::npos);
    const auto end = page.find(";\n", start);
    const auto data = nlohmann::json::parse(page.substr(start + 13, end - start - 13));
    // The chosen design is not a preset: it comes first, selected, and is the one row chosen in the sweep.
    REQUIRE(data["designs"].size() == 8);
    CHECK(data["selected"] == 0);
    CHECK(data["designs"][0]["flags"] == "--rounds-per-stage 2 --loop 4");
    int chosen = 0;
    for (const auto& row : data["sweep"]) chosen += row["chosen"].get<bool>();
    CHECK(chosen == 1);
    // Every design finds the genesis nonce; its last traced clock matches the text picture's row.
    for (const auto& d : data["designs"]) {
        REQUIRE(d["found_clock"].is_number());
        CHECK(d["found_nonce"] == 0x7c2bac1d);
        const unsigned clock = d["found_clock"];
        const auto text = run_hashforge("pipeline " + d["flags"].get<std::string>() + " --cycles " + std::to_string(clock));
        REQUIRE(text.exit_status == 0);
        char counter[16];
        const auto& c = d["clocks"][clock];
        std::snprintf(counter, sizeof counter, "%08x", c[0].get<std::uint32_t>());
        const auto row = text.output.find(std::string(counter) + "  ");
        REQUIRE(row != std::string::npos);
        CHECK(text.output.substr(row, 300).find("FOUND 7c2bac1d") != std::string::npos);
        CHECK(c[2] == 1);
        CHECK(d["clocks"][clock - 1][2] == 0);  // the strobe rises at that clock, not before
    }
    // The joules rows come from docs/joules.json, each saying where its hashrate came from.
    CHECK(data["joules"]["origin"].get<std::string>().find("docs/joules.json") != std::string::npos);
    std::set<std::string> sources;
    for (const auto& row : data["joules"]["rows"]) sources.insert(row["hashrate_source"].get<std::string>());
    CHECK(sources == std::set<std::string>{"measured", "modeled", "reference"});
    // A joules file that is not a report is a usage error.
    const auto bad = run_hashforge("pipeline --html " + path.string() + " --joules /dev/null", true);
    CHECK(bad.exit_status == 2);
    CHECK(bad.output.find("joules report /dev/null") != std::string::npos);
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

// hashforge: a SHA-256d miner and mining-ASIC emulator.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string_view>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/version.hpp"

namespace {

void print_help() {
    std::cout << "Usage: hashforge [--help] [--version] COMMAND [OPTIONS]\n\n"
                 "A SHA-256d (Bitcoin) miner and mining-ASIC emulator.\n\nCommands:\n";
    for (const auto& c : hf::cli::commands()) std::printf("  %-10s %s\n", std::string(c.name).c_str(), std::string(c.summary).c_str());
    std::cout << "\nRun 'hashforge COMMAND --help' for the options of one command.\n";
}

}  // namespace

int main(int argc, char** argv) {
    const std::span<char* const> args(argv + 1, static_cast<std::size_t>(argc > 0 ? argc - 1 : 0));
    if (args.empty()) {
        print_help();
        return hf::cli::kExitUsage;
    }
    const std::string_view first = args[0];
    if (first == "--help" || first == "-h" || first == "help") {
        print_help();
        return hf::cli::kExitOk;
    }
    if (first == "--version" || first == "-V") {
        std::cout << hf::cli::version_text() << "\n";
        return hf::cli::kExitOk;
    }
    for (const auto& c : hf::cli::commands()) {
        if (c.name != first) continue;
        try {
            return c.run(args.subspan(1));
        } catch (const hf::cli::UsageError& e) {
            std::cerr << "hashforge " << first << ": " << e.what() << "\n"
                      << "Run 'hashforge " << first << " --help' for usage.\n";
            return hf::cli::kExitUsage;
        } catch (const std::exception& e) {
            std::cerr << "hashforge " << first << ": " << e.what() << "\n";
            return hf::cli::kExitUsage;
        }
    }
    std::cerr << "hashforge: unknown command '" << first << "'. Run 'hashforge --help' for the list.\n";
    return hf::cli::kExitUsage;
}

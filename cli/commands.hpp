// The hashforge subcommands. Each takes the arguments after its name, prints its own --help,
// and returns the process exit status: 0 success, 1 a failure it reports, 2 bad usage or input.
#pragma once

#include <span>
#include <string_view>

namespace hf::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct Command {
    std::string_view name;
    std::string_view summary;
    int (*run)(std::span<char* const> args);
};

int run_selftest(std::span<char* const> args);
int run_verify(std::span<char* const> args);
int run_mine(std::span<char* const> args);
int run_pool(std::span<char* const> args);
int run_bench(std::span<char* const> args);
// `bench --joules`: the hashes-per-joule comparison (run_bench hands over when it sees --joules).
int run_bench_joules(std::span<char* const> args);
int run_pipeline(std::span<char* const> args);
int run_chip(std::span<char* const> args);
int run_rtl(std::span<char* const> args);

// Every subcommand, in the order --help lists them.
std::span<const Command> commands();

}  // namespace hf::cli

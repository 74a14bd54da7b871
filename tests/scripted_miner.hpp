// A deliberately simple miner for the network tests: one thread tries nonces one by one with
// core's BlockHeader::hash on the header compute_share builds. It is not the product's search
// engine (core/search_engine.hpp); it only lets the client/pool tests run without it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "core/target.hpp"
#include "stratum/client_runner.hpp"

namespace hf::test {

class ScriptedMiner : public stratum::WorkSink {
public:
    explicit ScriptedMiner(std::chrono::milliseconds rest_after_share = std::chrono::milliseconds(30))
        : rest_(rest_after_share), thread_([this] { run(); }) {}
    ~ScriptedMiner() override {
        {
            std::lock_guard lock(mutex_);
            quit_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    std::function<void(const FoundShare&)> on_share;  // set before the first job
    std::atomic<std::uint64_t> found{0};
    std::atomic<bool> hold{false};  // true: stop reporting shares (keeps hashing)

    std::uint64_t set_job(const EngineJob& job) override {
        std::lock_guard lock(mutex_);
        job_ = job;
        paused_ = false;
        cv_.notify_all();
        return ++generation_;
    }
    void pause() override {
        std::lock_guard lock(mutex_);
        paused_ = true;
    }
    std::uint64_t generation() {
        std::lock_guard lock(mutex_);
        return generation_;
    }

private:
    void run() {
        std::uint64_t en2_counter = 0;
        for (;;) {
            EngineJob job;
            std::uint64_t gen = 0;
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [&] { return quit_ || (job_ && !paused_); });
                if (quit_) return;
                job = *job_;
                gen = generation_;
            }
            std::vector<std::uint8_t> en2(job.extranonce2_size);
            ++en2_counter;
            for (std::size_t i = 0; i < en2.size() && i < 8; ++i)
                en2[en2.size() - 1 - i] = static_cast<std::uint8_t>(en2_counter >> (8 * i));
            // Roll one version bit when the pool allows it, so rolled shares are exercised.
            const std::uint32_t bits = (job.version_mask & 0x00002000) && (en2_counter & 1) ? 0x00002000 : 0;
            const std::uint32_t version = (job.job.version & ~job.version_mask) | bits;
            const U256 target = difficulty_to_target(job.difficulty);
            BlockHeader header = compute_share(job.job, job.extranonce1, en2, job.job.ntime, 0, version).header;
            for (std::uint32_t nonce = 0; nonce < 2'000'000; ++nonce) {
                if ((nonce & 255) == 0) {
                    std::lock_guard lock(mutex_);
                    if (quit_ || paused_ || generation_ != gen) break;
                }
                header.nonce = nonce;
                const Hash256 hash = header.hash();
                if (!hash_meets_target(hash, target)) continue;
                FoundShare s;
                s.job_id = job.job.job_id;
                s.extranonce2 = en2;
                s.ntime = header.time;
                s.nonce = nonce;
                s.version = version;
                s.version_bits = version & job.version_mask;
                s.hash = hash;
                s.share_difficulty = hash_difficulty(hash);
                s.target_difficulty = job.difficulty;
                s.job_generation = gen;
                if (!hold && on_share) {
                    ++found;
                    on_share(s);
                }
                std::this_thread::sleep_for(rest_);
                break;  // next extranonce2
            }
        }
    }

    std::chrono::milliseconds rest_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::optional<EngineJob> job_;
    std::uint64_t generation_ = 0;
    bool paused_ = false;
    bool quit_ = false;
    std::thread thread_;
};

}  // namespace hf::test

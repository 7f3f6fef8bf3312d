#pragma once
/// What a forward pass will hold, computed before anything is allocated, and the memory budget
/// it must fit in. runForward plans every run: attention that fits the budget is kept whole,
/// attention that does not is kept in the Rebuilt form (core/model/attention_stack.h), and a run
/// that does not fit even then is refused with a message that names the sizes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/model/attention_stack.h"
#include "core/model/vit_config.h"
#include "core/result.h"

namespace vitscope::core {

/// Physical memory of this machine in bytes (sysconf), 0 when unknown.
uint64_t physicalMemoryBytes();
/// Half the physical memory (at least 1 GiB; 4 GiB when unknown): the budget of a run unless
/// the user sets another (`--memory-budget`, the window's Settings menu).
uint64_t defaultMemoryBudget();
/// Smallest and largest budget a user may set.
inline constexpr uint64_t kMinMemoryBudget = 64ull << 20;
inline constexpr uint64_t kMaxMemoryBudget = 1ull << 50;
/// "8G", "512M", "1.5GiB", "750000000" (bytes) -> bytes; nullopt unless a finite positive
/// number with an optional K/M/G/T suffix (powers of 1024, "B"/"iB" accepted) inside
/// [kMinMemoryBudget, kMaxMemoryBudget].
std::optional<uint64_t> parseMemorySize(std::string_view text);
/// "25.8 GB" style, powers of 1024, three significant digits.
std::string formatBytes(uint64_t bytes);

/// A forward pass of more multiply-adds than this is refused: at the tens of GFLOP/s of a
/// desktop CPU it would run for many minutes (a 16,385-token run of the bundled model is ~2e11).
inline constexpr double kMaxForwardMultiplyAdds = 2e13;

struct MemoryPlan {
    int tokens = 0;
    uint64_t budget = 0;
    uint64_t fullAttentionBytes = 0;     ///< every probability kept
    uint64_t rebuiltAttentionBytes = 0;  ///< queries, keys and log-sum-exp
    uint64_t workingBytes = 0;           ///< activations, scratch and the result's other arrays
    double multiplyAdds = 0;             ///< of the whole forward
    AttentionStorage storage = AttentionStorage::Full;

    uint64_t attentionBytes() const {
        return storage == AttentionStorage::Full ? fullAttentionBytes : rebuiltAttentionBytes;
    }
    uint64_t totalBytes() const;
    /// One sentence for the window's status bar and the CLI: tokens, what is kept, the budget.
    std::string summary() const;
};

/// Plans a forward of `config` on a (gridH, gridW) patch grid under `budget` bytes. Errors
/// (ErrorCode::Usage; the caller re-labels the code when the size came from a file) say what
/// the run would need, e.g. "a 25000x25000 input gives 39,062,501 tokens: the forward needs
/// 146 GB even with attention rebuilt on demand, over the 11.7 GB memory budget".
/// `storage`, when set, is used instead of the budget's choice (and must fit the budget too).
Result<MemoryPlan> planForward(const VitConfig& config, int gridH, int gridW, uint64_t budget,
                               std::optional<AttentionStorage> storage = std::nullopt);

}  // namespace vitscope::core

#include "core/model/memory_plan.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace vitscope::core {
namespace {

constexpr uint64_t kSaturated = std::numeric_limits<uint64_t>::max();

uint64_t floatsToBytes(double floats) {
    const double bytes = floats * sizeof(float);
    return bytes >= 1.8e19 ? kSaturated : static_cast<uint64_t>(bytes);
}

std::string withThousands(uint64_t v) {
    std::string digits = std::to_string(v);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
        digits.insert(static_cast<size_t>(i), ",");
    return digits;
}

/// Activations and scratch of the forward in floats (ForwardWorkspace plus the result's hidden
/// states; Rebuilt runs add one row block of scores per thread).
double workingFloats(const VitConfig& c, double tokens, double patches, AttentionStorage s) {
    const double d = c.embedDim;
    double floats = patches * c.patchVectorSize();  // unfolded patches
    floats += tokens * (4 * d + 3 * d + c.mlpDim);  // x, h, ctx, branch; qkv; mlp
    floats += 3 * patches * d;                      // position table resampled (+ temporaries)
    floats += tokens * d;                           // result.hidden
    if (s == AttentionStorage::Rebuilt)
        floats += std::min(double(kRebuiltRowBlock), tokens) * tokens * std::max(1, c.numHeads);
    return floats;
}

}  // namespace

uint64_t physicalMemoryBytes() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || pageSize <= 0)
        return 0;
    return static_cast<uint64_t>(pages) * static_cast<uint64_t>(pageSize);
}

uint64_t defaultMemoryBudget() {
    const uint64_t physical = physicalMemoryBytes();
    if (physical == 0)
        return 4ull << 30;
    return std::max<uint64_t>(physical / 2, 1ull << 30);
}

std::optional<uint64_t> parseMemorySize(std::string_view text) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || !std::isfinite(value) || value <= 0)
        return std::nullopt;
    std::string unit(end, text.data() + text.size());
    for (char& ch : unit) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (unit.size() >= 2 && unit.substr(unit.size() - 2) == "IB")
        unit.resize(unit.size() - 2);
    else if (!unit.empty() && unit.back() == 'B')
        unit.pop_back();
    const std::string_view units = "KMGT";
    double scale = 1;
    if (unit.size() == 1 && units.find(unit[0]) != std::string_view::npos) {
        scale = std::pow(1024.0, static_cast<double>(units.find(unit[0]) + 1));
    } else if (!unit.empty()) {
        return std::nullopt;
    }
    const double bytes = value * scale;
    if (bytes < double(kMinMemoryBudget) || bytes > double(kMaxMemoryBudget))
        return std::nullopt;
    return static_cast<uint64_t>(bytes);
}

std::string formatBytes(uint64_t bytes) {
    if (bytes == kSaturated)
        return "more than 16 EB";
    const char* units[] = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024.0 && u < 6) {
        v /= 1024.0;
        ++u;
    }
    char text[32];
    if (u == 0)
        std::snprintf(text, sizeof text, "%llu bytes", static_cast<unsigned long long>(bytes));
    else
        std::snprintf(text, sizeof text,
                      v >= 100  ? "%.0f %s"
                      : v >= 10 ? "%.1f %s"
                                : "%.2f %s",
                      v, units[u]);
    return text;
}

uint64_t MemoryPlan::totalBytes() const {
    const uint64_t a = attentionBytes();
    return a > kSaturated - workingBytes ? kSaturated : a + workingBytes;
}

std::string MemoryPlan::summary() const {
    std::string s = withThousands(uint64_t(tokens)) + " tokens: ";
    if (storage == AttentionStorage::Full) {
        return s + "attention " + formatBytes(fullAttentionBytes) + " kept whole, " +
               formatBytes(totalBytes()) + " in all (memory budget " + formatBytes(budget) + ")";
    }
    return s + "keeping all attention would take " + formatBytes(fullAttentionBytes) +
           ", over the memory budget of " + formatBytes(budget) +
           ", so each layer keeps its queries and keys (" + formatBytes(rebuiltAttentionBytes) +
           ") and attention rows are rebuilt when shown";
}

Result<MemoryPlan> planForward(const VitConfig& c, int gridH, int gridW, uint64_t budget,
                               std::optional<AttentionStorage> storage) {
    MemoryPlan plan;
    plan.budget = budget;
    const double patches = double(gridH) * gridW;
    const double tokens = patches + c.numPrefixTokens();
    const std::string input = std::to_string(int64_t(gridH) * c.patchSize) + "x" +
                              std::to_string(int64_t(gridW) * c.patchSize) + " input";
    if (gridH <= 0 || gridW <= 0 || tokens > double(std::numeric_limits<int>::max() / 4)) {
        return makeError(ErrorCode::Usage, "a " + input + " gives " +
                                               withThousands(uint64_t(tokens)) +
                                               " tokens, more than vitscope can address");
    }
    plan.tokens = static_cast<int>(tokens);
    const double d = c.embedDim;
    plan.multiplyAdds =
        c.depth * (tokens * (4 * d * d + 2 * d * c.mlpDim) + 2 * tokens * tokens * d) +
        patches * c.patchVectorSize() * d;
    if (plan.multiplyAdds > kMaxForwardMultiplyAdds) {
        char text[160];
        std::snprintf(text, sizeof text,
                      " tokens: the forward needs %.2g multiply-adds, more than the %.0g vitscope "
                      "runs (many minutes on a desktop CPU)",
                      plan.multiplyAdds, kMaxForwardMultiplyAdds);
        return makeError(ErrorCode::Usage,
                         "a " + input + " gives " + withThousands(uint64_t(plan.tokens)) + text);
    }
    plan.fullAttentionBytes = AttentionStack::fullBytes(c.depth, c.numHeads, plan.tokens);
    plan.rebuiltAttentionBytes =
        AttentionStack::rebuiltBytes(c.depth, c.numHeads, plan.tokens, c.headDim());
    plan.workingBytes = floatsToBytes(workingFloats(c, tokens, patches, AttentionStorage::Full));
    if (storage != AttentionStorage::Rebuilt && plan.totalBytes() <= budget)
        return plan;
    if (storage != AttentionStorage::Full)
        plan.storage = AttentionStorage::Rebuilt;
    plan.workingBytes = floatsToBytes(workingFloats(c, tokens, patches, plan.storage));
    if (plan.totalBytes() <= budget)
        return plan;
    return makeError(
        ErrorCode::Usage,
        "a " + input + " gives " + withThousands(uint64_t(plan.tokens)) +
            " tokens: the forward needs " + formatBytes(plan.totalBytes()) +
            (plan.storage == AttentionStorage::Rebuilt ? " even with attention rebuilt on demand"
                                                       : " with all attention kept") +
            ", over the memory budget of " + formatBytes(budget));
}

}  // namespace vitscope::core

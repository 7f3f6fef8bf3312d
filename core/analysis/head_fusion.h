#pragma once
/// Fusing the heads of one layer into a single attention matrix.

#include <optional>
#include <string_view>

#include "core/model/inference_result.h"
#include "core/tensor.h"

namespace vitscope::core {

/// How the H heads of one layer become one (N, N) matrix: the element-wise mean, max or min
/// over heads. Mean keeps rows summing to 1; Max and Min do not (rollout renormalises).
enum class HeadFusion { Mean, Max, Min };

/// "mean", "max", "min".
const char* toString(HeadFusion fusion);
/// Parses "mean", "max" or "min" (exact, lower case); nullopt otherwise.
std::optional<HeadFusion> parseHeadFusion(std::string_view name);

/// (N, N) element-wise fusion of all heads of `layer`.
/// Precondition (asserted): 0 <= layer < stack.layers(), stack.heads() > 0.
Matrix fuseHeads(const AttentionStack& stack, int layer, HeadFusion fusion);

/// (N): row `token` of one head of `layer` (where it attends), or with `column` its column (how
/// much every query attends to it); head -1 fuses all heads with `fusion` (the same values as
/// fuseHeads(...).row/col). Never forms an N x N matrix, so it works for any storage and size.
/// Precondition (asserted): layer, head (or -1) and token in range.
Vector attentionLine(const AttentionStack& stack, int layer, int head, HeadFusion fusion, int token,
                     bool column);

}  // namespace vitscope::core

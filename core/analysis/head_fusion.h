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

}  // namespace vitscope::core

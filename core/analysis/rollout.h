#pragma once
/// Attention rollout (Abnar & Zuidema 2020), as the ViT paper uses it (Dosovitskiy et al. 2021,
/// Fig. 6 and appendix D.8): per layer, fuse the heads, optionally discard the weakest weights,
/// add the identity for the residual path, renormalise each row, and multiply the layers up.
///
///   Â_l = rownorm(discard(fuse(A_l)) + I)          (N, N), every row sums to 1
///   R   = Â_last · ... · Â_1 · Â_0                  (N, N), every row sums to 1
///
/// Row q of R says how much of token q's representation after layer `last` comes from each input
/// token (column). Internals are computed in double and returned as float.

#include "core/analysis/head_fusion.h"
#include "core/model/inference_result.h"
#include "core/tensor.h"

namespace vitscope::core {

struct RolloutOptions {
    /// Fraction in [0, 1] of the weights of each row of the fused matrix that are set to zero
    /// before the identity is added: the lowest k = rolloutDiscardCount(discardRatio, N) entries
    /// of the row (ties: lower column first). Discarding is per row, not over the whole matrix,
    /// so every query token loses the same share of its weights.
    /// The row of the protected (source) token is never touched: see `keepToken` below.
    float discardRatio = 0.0f;
};

/// How many of the `n` weights of one row `discardRatio` discards: Python's int(n * r), as
/// jacobgil/vit-explain computes it, with r the double of the ratio's shortest decimal form
/// (0.9f -> 0.9, so 0.9 of 50 is 45, not 44; 0.29 of 100 is 28, as in Python). Clamped to
/// [0, n]; 0 for NaN. rolloutFactor applies it to each row of length N (numTokens);
/// vit-explain applies it to the flattened N * N matrix, which discarding per row replaces.
int rolloutDiscardCount(float discardRatio, int n);

/// One layer's factor Â (N, N) from a fused attention matrix `fused` (N, N, non-negative):
/// discard per `discardRatio` in every row except row `keepToken` (-1: no row is protected),
/// add I, then divide each row by its own sum (keepdim semantics: row i / sum_j (A+I)_ij).
/// Precondition (asserted): fused is square, 0 <= discardRatio <= 1, keepToken in [-1, N).
Matrix rolloutFactor(const Matrix& fused, float discardRatio, int keepToken);

/// R = Â_lastLayer · ... · Â_0 (N, N), each Â_l from `fuseHeads(stack, l, fusion)` and
/// `rolloutFactor(..., options.discardRatio, keepToken)`. `keepToken` is the source token whose
/// row is never discarded (selectedMap passes the selected token); -1 protects no row, which
/// only matters when discardRatio > 0.
/// Precondition (asserted): 0 <= lastLayer < stack.layers(), keepToken in [-1, N).
Matrix attentionRollout(const AttentionStack& stack, int lastLayer, HeadFusion fusion,
                        const RolloutOptions& options = {}, int keepToken = -1);

/// (gridH, gridW) map of row `sourceToken` of a rollout matrix `rollout` (N, N) over the patch
/// columns only: map(r, c) = rollout(sourceToken, layout.patchToken(r, c)). Prefix columns
/// (class, distillation, registers) are dropped; the grid comes from `layout`, never from
/// sqrt(N). Values are not rescaled (they sum to at most 1); display scaling is the caller's.
/// Precondition (asserted): rollout is (layout.numTokens(), layout.numTokens()), sourceToken in
/// range.
Matrix rolloutMap(const Matrix& rollout, const TokenLayout& layout, int sourceToken);

}  // namespace vitscope::core

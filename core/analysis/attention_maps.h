#pragma once
/// The attention map drawn over the image for one selection. The window and the CLI both call
/// selectedMap(), so the screen and the exported figures show the same numbers.

#include "core/analysis/head_fusion.h"
#include "core/analysis/rollout.h"
#include "core/model/inference_result.h"
#include "core/result.h"
#include "core/tensor.h"

namespace vitscope::core {

/// What the user picked in the layer/head picker and on the image.
struct AttentionSelection {
    int layer = 0;  ///< 0-based block index; with rollout, the last layer multiplied in
    int head = -1;  ///< 0-based head, or -1 for all heads fused with `fusion`
    HeadFusion fusion = HeadFusion::Mean;
    int sourceToken = 0;   ///< the selected token (class token, a register or a patch)
    bool reverse = false;  ///< false: where the token looks (its row); true: who looks at it
                           ///< (its column over the patch query rows)
    bool rollout = false;  ///< attention rollout over layers 0..layer; always fuses the heads
                           ///< with `fusion` (`head` is ignored, heads of different layers are
                           ///< unrelated)
};

/// (gridH, gridW): row `sourceToken` of `attn` (N, N) over the patch columns, i.e. where that
/// token looks. map(r, c) = attn(sourceToken, layout.patchToken(r, c)); prefix columns are
/// dropped and values are not renormalised.
/// Precondition (asserted): attn is (layout.numTokens(), layout.numTokens()), token in range.
Matrix attentionFromSource(const Matrix& attn, const TokenLayout& layout, int sourceToken);

/// (gridH, gridW): column `targetToken` of `attn` (N, N) over the patch query rows, i.e. how
/// much each patch attends to that token. map(r, c) = attn(layout.patchToken(r, c), targetToken).
/// Precondition (asserted): as attentionFromSource.
Matrix attentionToTarget(const Matrix& attn, const TokenLayout& layout, int targetToken);

/// Rollout forms one (N, N) matrix per layer and multiplies them (N^3 each): above this many
/// tokens (ViT-B/16 at 1024x1024 has 4,097) it is refused rather than run for minutes.
inline constexpr int kMaxRolloutTokens = 4097;

/// Checks a selection against a result: attention present and matching the layout, layer, head
/// and token in range, discard ratio in [0, 1], rollout within kMaxRolloutTokens. ErrorCode::Usage
/// with a message naming the field, the value and the valid range.
Status validateSelection(const InferenceResult& result, const AttentionSelection& selection,
                         const RolloutOptions& options = {});

/// (gridH, gridW): the map for `selection`.
///   rollout = false: attn = one head's (N, N) matrix, or fuseHeads(..., fusion) when head == -1;
///   rollout = true:  attn = attentionRollout(stack, layer, fusion, options, sourceToken), so the
///                    source token's row is the one never discarded.
/// Then attentionToTarget(attn, ...) when `reverse`, else attentionFromSource(attn, ...).
/// Fails (Usage) as validateSelection does.
Result<Matrix> selectedMap(const InferenceResult& result, const AttentionSelection& selection,
                           const RolloutOptions& options = {});

}  // namespace vitscope::core

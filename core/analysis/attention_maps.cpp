#include "core/analysis/attention_maps.h"

#include <cassert>
#include <string>

namespace vitscope::core {
namespace {

bool matchesLayout(const Matrix& attn, const TokenLayout& layout) {
    return attn.rows() == layout.numTokens() && attn.cols() == layout.numTokens();
}

std::string rangeText(int lo, int hiExclusive) {
    return "[" + std::to_string(lo) + ", " + std::to_string(hiExclusive - 1) + "]";
}

}  // namespace

Matrix attentionFromSource(const Matrix& attn, const TokenLayout& layout, int sourceToken) {
    assert(matchesLayout(attn, layout));
    assert(sourceToken >= 0 && sourceToken < layout.numTokens());
    Matrix map(layout.gridH, layout.gridW);  // (gridH, gridW)
    for (int r = 0; r < layout.gridH; ++r) {
        for (int c = 0; c < layout.gridW; ++c) {
            map(r, c) = attn(sourceToken, layout.patchToken(r, c));
        }
    }
    return map;
}

Matrix attentionToTarget(const Matrix& attn, const TokenLayout& layout, int targetToken) {
    assert(matchesLayout(attn, layout));
    assert(targetToken >= 0 && targetToken < layout.numTokens());
    Matrix map(layout.gridH, layout.gridW);  // (gridH, gridW)
    for (int r = 0; r < layout.gridH; ++r) {
        for (int c = 0; c < layout.gridW; ++c) {
            map(r, c) = attn(layout.patchToken(r, c), targetToken);
        }
    }
    return map;
}

Status validateSelection(const InferenceResult& result, const AttentionSelection& selection,
                         const RolloutOptions& options) {
    const AttentionStack& stack = result.attention;
    const TokenLayout& layout = result.tokens;
    if (stack.empty() || stack.layers() <= 0 || stack.heads() <= 0) {
        return makeError(ErrorCode::Usage, "attention: the result holds no attention weights");
    }
    if (stack.tokens() != layout.numTokens() || layout.gridH <= 0 || layout.gridW <= 0) {
        return makeError(ErrorCode::Usage, "attention: " + std::to_string(stack.tokens()) +
                                               " tokens, expected " +
                                               std::to_string(layout.numTokens()) + " (" +
                                               std::to_string(layout.numPrefix) + " prefix + " +
                                               std::to_string(layout.gridH) + "x" +
                                               std::to_string(layout.gridW) + " patches)");
    }
    if (selection.layer < 0 || selection.layer >= stack.layers()) {
        return makeError(ErrorCode::Usage, "layer " + std::to_string(selection.layer) +
                                               ": expected " + rangeText(0, stack.layers()));
    }
    if (!selection.rollout && (selection.head < -1 || selection.head >= stack.heads())) {
        return makeError(ErrorCode::Usage, "head " + std::to_string(selection.head) +
                                               ": expected -1 (fused) or " +
                                               rangeText(0, stack.heads()));
    }
    if (selection.rollout && stack.tokens() > kMaxRolloutTokens) {
        return makeError(ErrorCode::Usage,
                         "rollout multiplies one " + std::to_string(stack.tokens()) + "x" +
                             std::to_string(stack.tokens()) +
                             " matrix per layer, too slow and too large at this size; it is "
                             "available up to " +
                             std::to_string(kMaxRolloutTokens) +
                             " tokens (run at a smaller size, or look at single layers)");
    }
    if (selection.sourceToken < 0 || selection.sourceToken >= stack.tokens()) {
        return makeError(ErrorCode::Usage, "token " + std::to_string(selection.sourceToken) +
                                               ": expected " + rangeText(0, stack.tokens()));
    }
    // Written so that NaN fails too.
    if (!(options.discardRatio >= 0.0f && options.discardRatio <= 1.0f)) {
        return makeError(ErrorCode::Usage, "discard ratio " + std::to_string(options.discardRatio) +
                                               ": expected a value in [0, 1]");
    }
    return Ok{};
}

Result<Matrix> selectedMap(const InferenceResult& result, const AttentionSelection& selection,
                           const RolloutOptions& options) {
    if (Status status = validateSelection(result, selection, options); !status) {
        return status.error();
    }
    const AttentionStack& stack = result.attention;
    const TokenLayout& layout = result.tokens;
    if (selection.rollout) {
        const Matrix attn = attentionRollout(stack, selection.layer, selection.fusion, options,
                                             selection.sourceToken);  // (N, N)
        return selection.reverse ? attentionToTarget(attn, layout, selection.sourceToken)
                                 : attentionFromSource(attn, layout, selection.sourceToken);
    }
    // One row (or column) of one head or of the fused heads: no N x N matrix is formed.
    const Vector line = attentionLine(stack, selection.layer, selection.head, selection.fusion,
                                      selection.sourceToken, selection.reverse);
    Matrix map(layout.gridH, layout.gridW);  // (gridH, gridW)
    for (int r = 0; r < layout.gridH; ++r) {
        for (int c = 0; c < layout.gridW; ++c) map(r, c) = line(layout.patchToken(r, c));
    }
    return map;
}

}  // namespace vitscope::core

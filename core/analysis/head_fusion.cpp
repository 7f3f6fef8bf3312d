#include "core/analysis/head_fusion.h"

#include <algorithm>
#include <cassert>

namespace vitscope::core {

const char* toString(HeadFusion fusion) {
    switch (fusion) {
        case HeadFusion::Mean:
            return "mean";
        case HeadFusion::Max:
            return "max";
        case HeadFusion::Min:
            return "min";
    }
    return "mean";
}

std::optional<HeadFusion> parseHeadFusion(std::string_view name) {
    for (HeadFusion f : {HeadFusion::Mean, HeadFusion::Max, HeadFusion::Min}) {
        if (name == toString(f)) {
            return f;
        }
    }
    return std::nullopt;
}

namespace {

/// fused <- fusion(fused, next), element-wise (the mean is divided at the end).
template <typename A, typename B>
void combine(A& fused, const B& next, HeadFusion fusion) {
    switch (fusion) {
        case HeadFusion::Mean:
            fused += next;
            break;
        case HeadFusion::Max:
            fused = fused.cwiseMax(next);
            break;
        case HeadFusion::Min:
            fused = fused.cwiseMin(next);
            break;
    }
}

}  // namespace

Vector attentionLine(const AttentionStack& stack, int layer, int head, HeadFusion fusion, int token,
                     bool column) {
    assert(layer >= 0 && layer < stack.layers());
    assert(head >= -1 && head < stack.heads());
    assert(token >= 0 && token < stack.tokens());
    const auto read = [&](int h, Vector& out) {
        column ? stack.column(layer, h, token, out.data()) : stack.row(layer, h, token, out.data());
    };
    Vector line(stack.tokens());
    read(std::max(head, 0), line);
    if (head >= 0)
        return line;
    Vector next(stack.tokens());
    for (int h = 1; h < stack.heads(); ++h) {
        read(h, next);
        combine(line, next, fusion);
    }
    if (fusion == HeadFusion::Mean)
        line /= static_cast<float>(stack.heads());
    return line;
}

Matrix fuseHeads(const AttentionStack& stack, int layer, HeadFusion fusion) {
    assert(layer >= 0 && layer < stack.layers());
    assert(stack.heads() > 0);
    // Whole storage is read in place; Rebuilt storage rebuilds one head at a time.
    Matrix fused = stack.matrix(layer, 0);  // (N, N)
    for (int h = 1; h < stack.heads(); ++h) {
        if (stack.isFull())
            combine(fused, stack.at(layer, h), fusion);
        else
            combine(fused, stack.matrix(layer, h), fusion);
    }
    if (fusion == HeadFusion::Mean)
        fused /= static_cast<float>(stack.heads());
    return fused;
}

}  // namespace vitscope::core

#include "core/analysis/head_fusion.h"

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

Matrix fuseHeads(const AttentionStack& stack, int layer, HeadFusion fusion) {
    assert(layer >= 0 && layer < stack.layers());
    assert(stack.heads() > 0);
    Matrix fused = stack.at(layer, 0);  // (N, N)
    for (int h = 1; h < stack.heads(); ++h) {
        const auto head = stack.at(layer, h);
        switch (fusion) {
            case HeadFusion::Mean:
                fused += head;
                break;
            case HeadFusion::Max:
                fused = fused.cwiseMax(head);
                break;
            case HeadFusion::Min:
                fused = fused.cwiseMin(head);
                break;
        }
    }
    if (fusion == HeadFusion::Mean) {
        fused /= static_cast<float>(stack.heads());
    }
    return fused;
}

}  // namespace vitscope::core

#include "core/analysis/source_mapping.h"

#include <string>

namespace vitscope::core {

SourceRect SourceMapping::patch(int row, int col) const {
    if (gridH <= 0 || gridW <= 0) {
        return {};
    }
    const double w = grid.w / gridW;
    const double h = grid.h / gridH;
    return {grid.x + col * w, grid.y + row * h, w, h};
}

Result<SourceMapping> mapPatchesToSource(int sourceW, int sourceH, const PreprocessRecipe& recipe,
                                         int gridH, int gridW, int patchH, int patchW) {
    auto g = resizeCropGeometry(sourceW, sourceH, recipe);
    if (!g) {
        return g.error();
    }
    if (gridH <= 0 || gridW <= 0 || patchH <= 0 || patchW <= 0 ||
        int64_t{gridH} * patchH > g->outH || int64_t{gridW} * patchW > g->outW) {
        return makeError(ErrorCode::Usage,
                         "a grid of " + std::to_string(gridH) + "x" + std::to_string(gridW) +
                             " patches of " + std::to_string(patchH) + "x" +
                             std::to_string(patchW) + " pixels does not fit the " +
                             std::to_string(g->outH) + "x" + std::to_string(g->outW) +
                             " model input");
    }
    SourceMapping m;
    m.sourceW = sourceW;
    m.sourceH = sourceH;
    m.gridH = gridH;
    m.gridW = gridW;
    // Resized pixel edge u lies at source u * (source / resized); the crop shifts by its offset.
    m.scaleX = static_cast<double>(sourceW) / g->resizedW;
    m.scaleY = static_cast<double>(sourceH) / g->resizedH;
    m.offsetX = g->cropLeft * m.scaleX;
    m.offsetY = g->cropTop * m.scaleY;
    m.input = {m.offsetX, m.offsetY, g->outW * m.scaleX, g->outH * m.scaleY};
    m.grid = {m.offsetX, m.offsetY, gridW * patchW * m.scaleX, gridH * patchH * m.scaleY};
    return m;
}

}  // namespace vitscope::core

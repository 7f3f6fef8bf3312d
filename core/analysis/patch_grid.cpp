#include "core/analysis/patch_grid.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>
#include <string>

namespace vitscope::core {
namespace {

/// splitmix64 (Steele, Lea & Flood 2014; Vigna's reference constants).
class SplitMix64 {
public:
    explicit SplitMix64(uint64_t seed) : mState(seed) {}
    uint64_t next() {
        uint64_t z = (mState += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, bound), bound > 0, without modulo bias: reject the top partial block.
    uint64_t below(uint64_t bound) {
        const uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
        uint64_t x = next();
        while (x >= limit) {
            x = next();
        }
        return x % bound;
    }

private:
    uint64_t mState;
};

bool isPermutation(const std::vector<int>& perm, int n) {
    if (static_cast<int>(perm.size()) != n) {
        return false;
    }
    std::vector<bool> seen(static_cast<size_t>(n), false);
    for (int v : perm) {
        if (v < 0 || v >= n || seen[static_cast<size_t>(v)]) {
            return false;
        }
        seen[static_cast<size_t>(v)] = true;
    }
    return true;
}

}  // namespace

PixelRect patchRect(int row, int col, int patchSize) {
    return PixelRect{col * patchSize, row * patchSize, patchSize, patchSize};
}

std::optional<GridCell> hitTestPatch(double x, double y, int patchSize, int gridH, int gridW) {
    if (patchSize <= 0 || !(x >= 0.0) || !(y >= 0.0)) {
        return std::nullopt;
    }
    const double col = std::floor(x / patchSize);
    const double row = std::floor(y / patchSize);
    if (row >= gridH || col >= gridW) {
        return std::nullopt;
    }
    return GridCell{static_cast<int>(row), static_cast<int>(col)};
}

std::optional<int> tokenForCell(const TokenLayout& layout, GridCell cell) {
    if (cell.row < 0 || cell.row >= layout.gridH || cell.col < 0 || cell.col >= layout.gridW) {
        return std::nullopt;
    }
    return layout.patchToken(cell.row, cell.col);
}

std::optional<GridCell> cellForToken(const TokenLayout& layout, int token) {
    if (!layout.isPatch(token) || layout.gridW <= 0) {
        return std::nullopt;
    }
    const int index = token - layout.numPrefix;
    return GridCell{index / layout.gridW, index % layout.gridW};
}

std::vector<int> shufflePermutation(int n, uint64_t seed) {
    if (n <= 0) {
        return {};
    }
    std::vector<int> perm(static_cast<size_t>(n));
    std::iota(perm.begin(), perm.end(), 0);
    SplitMix64 rng(seed);
    // Fisher-Yates, from the back: swap i with a uniform j in [0, i].
    for (int i = n - 1; i > 0; --i) {
        const auto j = static_cast<int>(rng.below(static_cast<uint64_t>(i) + 1));
        std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(j)]);
    }
    return perm;
}

std::vector<int> inversePermutation(const std::vector<int>& perm) {
    assert(isPermutation(perm, static_cast<int>(perm.size())));
    std::vector<int> inverse(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) {
        inverse[static_cast<size_t>(perm[i])] = static_cast<int>(i);
    }
    return inverse;
}

Result<ImageTensor> shufflePatches(const ImageTensor& image, int patchSize,
                                   const std::vector<int>& perm) {
    if (image.empty() || patchSize <= 0 || image.height % patchSize != 0 ||
        image.width % patchSize != 0) {
        return makeError(ErrorCode::BadImage,
                         "shuffle patches: image " + std::to_string(image.width) + "x" +
                             std::to_string(image.height) +
                             ", expected a non-empty image whose sides are multiples of the "
                             "patch size " +
                             std::to_string(patchSize));
    }
    const int gridH = image.height / patchSize;
    const int gridW = image.width / patchSize;
    if (!isPermutation(perm, gridH * gridW)) {
        return makeError(ErrorCode::Usage, "shuffle patches: expected a permutation of " +
                                               std::to_string(gridH * gridW) + " patches, got " +
                                               std::to_string(perm.size()) + " entries");
    }
    ImageTensor out = image;
    for (int dst = 0; dst < gridH * gridW; ++dst) {
        const int src = perm[static_cast<size_t>(dst)];
        const int dy0 = (dst / gridW) * patchSize;
        const int dx0 = (dst % gridW) * patchSize;
        const int sy0 = (src / gridW) * patchSize;
        const int sx0 = (src % gridW) * patchSize;
        for (int c = 0; c < image.channels; ++c) {
            for (int y = 0; y < patchSize; ++y) {
                const auto from =
                    image.data.begin() +
                    static_cast<std::ptrdiff_t>(
                        (static_cast<size_t>(c) * image.height + sy0 + y) * image.width + sx0);
                std::copy(from, from + patchSize, &out.at(c, dy0 + y, dx0));
            }
        }
    }
    return out;
}

ImageTensor shiftImage(const ImageTensor& image, int dy, int dx, ShiftFill fill) {
    ImageTensor out = image;
    if (image.empty()) {
        return out;
    }
    for (int c = 0; c < image.channels; ++c) {
        for (int y = 0; y < image.height; ++y) {
            for (int x = 0; x < image.width; ++x) {
                // 64-bit so that huge shifts cannot overflow.
                const int64_t sy = static_cast<int64_t>(y) - dy;
                const int64_t sx = static_cast<int64_t>(x) - dx;
                const bool inside = sy >= 0 && sy < image.height && sx >= 0 && sx < image.width;
                if (inside) {
                    out.at(c, y, x) = image.at(c, static_cast<int>(sy), static_cast<int>(sx));
                } else if (fill == ShiftFill::Edge) {
                    const auto cy = static_cast<int>(std::clamp<int64_t>(sy, 0, image.height - 1));
                    const auto cx = static_cast<int>(std::clamp<int64_t>(sx, 0, image.width - 1));
                    out.at(c, y, x) = image.at(c, cy, cx);
                } else {
                    out.at(c, y, x) = 0.0f;
                }
            }
        }
    }
    return out;
}

}  // namespace vitscope::core

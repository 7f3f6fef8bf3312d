#pragma once
/// Colormaps for attention maps and similarity plots, as 8-bit RGB. No Qt: ui/image_convert
/// turns the buffers into QImage.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/tensor.h"

namespace vitscope::core {

enum class Colormap {
    Viridis,    ///< matplotlib viridis (256-entry table)
    Inferno,    ///< matplotlib inferno (256-entry table)
    Magma,      ///< matplotlib magma (256-entry table)
    Jet,        ///< matplotlib jet (its piecewise-linear definition, 256 levels)
    Grey,       ///< black to white, 256 levels
    Diverging,  ///< blue (49, 54, 149) - white - red (165, 0, 38), continuous, for -1..1 data
                ///< mapped with t = (v + 1) / 2 so that 0 is exactly white
};

using Rgb = std::array<uint8_t, 3>;

/// Colour at `t`, clamped to [0, 1] (NaN gives t = 0). The 256-level maps pick entry
/// min(255, floor(t * 256)), as matplotlib does.
Rgb colormapRgb(Colormap map, float t);

/// "viridis", "inferno", "magma", "jet", "grey", "diverging".
const char* toString(Colormap map);
/// Parses the names above (case-insensitive; "gray" is accepted for "grey"); nullopt otherwise.
std::optional<Colormap> parseColormap(std::string_view name);
/// Every colormap, in enum order (for menus and --help).
std::vector<Colormap> allColormaps();

/// (rows, cols, 3) interleaved RGB of `values` (rows, cols), each mapped with
/// t = (v - lo) / (hi - lo); hi <= lo maps everything to t = 0.
std::vector<uint8_t> colorize(const Matrix& values, Colormap map, float lo, float hi);

}  // namespace vitscope::core

#pragma once
/// How the attention figure shows a map (no Qt: FigureOptions and the CLI use it too).

#include "core/analysis/map_display.h"

namespace vitscope::ui {

/// Which image the map is drawn on.
enum class AttentionBase {
    Input,     ///< the model input, as the model saw it
    Original,  ///< the image the user opened, at its own aspect
};
enum class AttentionDisplay {
    Overlay,  ///< the coloured map over the image, with the figure's opacity
    Mask,     ///< the patches holding `maskMass` of the attention, with their contour
    Alpha,    ///< the image times map / max over black (the ViT paper's Figure 6)
};
/// "input" / "original", "overlay" / "mask" / "alpha": the CLI's values and the settings keys'.
const char* toString(AttentionBase base);
const char* toString(AttentionDisplay display);

struct AttentionDisplayOptions {
    AttentionBase on = AttentionBase::Input;
    core::Upsampling upsampling = core::Upsampling::Nearest;
    AttentionDisplay display = AttentionDisplay::Overlay;
    double maskMass = 0.6;  ///< share of the attention mass the mask keeps, in (0, 1]
    bool operator==(const AttentionDisplayOptions&) const = default;
};

}  // namespace vitscope::ui

#pragma once
/// Small pieces shared by the inductive-bias views (ui/inductive_bias_panel.h): the
/// interpolation combo box and the FigureContext every view builds its figures from.

#include "core/image/preprocess.h"
#include "core/model/vit_model.h"
#include "core/pipeline/run.h"
#include "ui/export/figure_context.h"

class QComboBox;
class QWidget;

namespace vitscope::ui::detail {

/// A combo box listing the position-embedding interpolations, in interpAt()'s order.
QComboBox* interpCombo(QWidget* parent);
/// The interpolation at `index` of an interpCombo().
core::PosInterp interpAt(int index);
/// The model, plus the run when it has a result and an input (the figures need both).
FigureContext figureContext(const core::ModelPtr& model, const core::RunPtr& run);

}  // namespace vitscope::ui::detail

#include "ui/bias_view_parts.h"

#include <QComboBox>

namespace vitscope::ui::detail {

QComboBox* interpCombo(QWidget* parent) {
    auto* combo = new QComboBox(parent);
    combo->addItems({QObject::tr("Bicubic"), QObject::tr("Bicubic, antialiased (timm)"),
                     QObject::tr("Bilinear")});
    return combo;
}

core::PosInterp interpAt(int index) {
    switch (index) {
        case 1:
            return core::PosInterp::BicubicAntialias;
        case 2:
            return core::PosInterp::Bilinear;
        default:
            return core::PosInterp::Bicubic;
    }
}

FigureContext figureContext(const core::ModelPtr& model, const core::RunPtr& run) {
    FigureContext c;
    c.model = model;
    if (run && run->result && run->input) {
        c.run = run;
    }
    return c;
}

}  // namespace vitscope::ui::detail

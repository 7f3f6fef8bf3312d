#pragma once
/// Figure: one painter per figure. The same paint() draws the widget on screen and the PNG, SVG
/// and PDF export, so what is exported is what was seen (STYLE.md §1).

#include <QRectF>
#include <QSizeF>
#include <QString>

class QPainter;

namespace vitscope::ui {

class Figure {
public:
    virtual ~Figure() = default;
    /// Natural size in device-independent pixels (points for PDF/SVG export).
    virtual QSizeF preferredSize() const = 0;
    /// Draws the whole figure (plot, colour bar, axes, caption) into `target`. Must not assume a
    /// screen: text as text (vector in SVG/PDF), no widget style lookups, palette passed in.
    virtual void paint(QPainter& painter, const QRectF& target) const = 0;
    /// The caption naming the method, e.g. "Attention rollout (Abnar & Zuidema 2020), ...".
    virtual QString caption() const = 0;
    /// Short file-name-friendly name, e.g. "attention", "posembed-similarity".
    virtual QString name() const = 0;
};

}  // namespace vitscope::ui

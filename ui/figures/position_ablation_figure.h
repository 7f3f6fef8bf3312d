#pragma once
/// PositionAblationFigure: the ViT paper's Table 8 (position embeddings) beside the bundled
/// lab's own ablation. Up to three dot-plot panels, each with its own value axis: this lab's
/// ViT trained with and without position embeddings (Fashion-MNIST test top-1 at the largest
/// training-set size both have), the paper's ViT-B/16 numbers (ImageNet 5-shot linear
/// accuracy), and, when the file has it, the trained model evaluated with its position
/// embeddings removed or its patches shuffled at test time. Dots with value labels, not bars:
/// the first two axes do not start at zero, and a bar from a non-zero baseline would mislead.

#include <QColor>
#include <QString>
#include <optional>
#include <vector>

#include "core/analysis/lab_results.h"
#include "ui/figures/figure.h"

namespace vitscope::ui {

class PositionAblationFigure : public Figure {
public:
    /// One dot of a panel.
    struct Row {
        QString label;
        std::optional<double> value;  ///< percent; nullopt: not in the file
        double error = 0.0;           ///< ±1 standard deviation (0: a single run)
        int runs = 1;
    };
    struct Panel {
        QString title;
        std::vector<Row> rows;
        bool fromZero = false;  ///< the test-time panel: 0..100 with chance marked
        QString note;           ///< shown when no row has a value
        double lo = 0.0;        ///< axis range, chosen from the values
        double hi = 100.0;
        double step = 10.0;
    };

    explicit PositionAblationFigure(core::LabResults results);

    const core::LabResults& results() const { return mResults; }
    const std::vector<Panel>& panels() const { return mPanels; }
    /// The training-set size of the lab panel (0 when the file has no ViT pair).
    int64_t labTrainImages() const { return mLabImages; }

    QSizeF preferredSize() const override;
    void paint(QPainter& painter, const QRectF& target) const override;
    QString caption() const override;
    QString name() const override { return QStringLiteral("position-ablation"); }

    /// Centre of the dot of row `row` in panel `panel`, natural coordinates; (-1, -1) when the
    /// row has no value.
    QPointF dotPosition(int panel, int row) const;

private:
    Panel labPanel();
    Panel paperPanel() const;
    Panel testTimePanel() const;
    double panelTop(int panel) const;
    QString labSentence() const;

    core::LabResults mResults;
    std::vector<Panel> mPanels;
    int64_t mLabImages = 0;
};

}  // namespace vitscope::ui

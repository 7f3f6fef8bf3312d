#pragma once
/// PosEmbedSimilarityFigure: the ViT paper's Figure 7 (centre). Tile (r, c) of a gridH x gridW
/// mosaic shows the cosine similarity between the position embedding of patch (r, c) and those of
/// every patch, coloured over -1..1, with a colour bar, "Input patch row" / "Input patch column"
/// axes and a caption naming the method. PosEmbedTileFigure is the enlarged view of one tile over
/// the image the model saw.

#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QString>

#include "core/analysis/colormap.h"
#include "core/tensor.h"
#include "ui/figures/figure.h"

namespace vitscope::ui {

struct PosEmbedSimilarityData {
    core::Matrix similarity;  ///< (P, P) cosine similarity, P = gridH*gridW, row-major patch order
    int gridH = 0;
    int gridW = 0;
    QString modelName;  ///< e.g. "fashion-mnist-vit"
    /// How the table was obtained: "learned table, trained grid 7x7" or "interpolated (bicubic)
    /// from 14x14 to 24x24".
    QString source;
    /// Empty when the figure can be drawn; otherwise why not (e.g. the model has no learned
    /// absolute position embeddings), drawn instead of the mosaic.
    QString unavailable;
    /// The prefix entries the table had and the figure drops, as a phrase: "the class token's
    /// entry", "the entries of the class and distillation tokens"; empty when the table has
    /// patch entries only.
    QString droppedPrefix;
    /// False inside a PairFigure, which draws one caption for both sides.
    bool drawCaption = true;
};

class PosEmbedSimilarityFigure : public Figure {
public:
    explicit PosEmbedSimilarityFigure(PosEmbedSimilarityData data);

    const PosEmbedSimilarityData& data() const { return mData; }
    /// Outline one tile (-1 for none).
    void setSelectedTile(int row, int col);
    void setColormap(core::Colormap colormap);

    /// The patch whose tile is under `point` (target coordinates, for the same `target` paint()
    /// got); (-1, -1) outside the mosaic. Returned as (row, col).
    std::pair<int, int> tileAt(const QRectF& target, QPointF point) const;

    QSizeF preferredSize() const override;
    void paint(QPainter& painter, const QRectF& target) const override;
    QString caption() const override;
    QString name() const override { return QStringLiteral("posembed-similarity"); }

private:
    struct Layout {
        QRectF mosaic;  // natural coordinates
        double pitchX = 0;
        double pitchY = 0;
        QRectF colorBar;
        double captionTop = 0;
        QSizeF size;
    };
    Layout layout() const;
    void buildMosaic();
    void paintAxes(QPainter& painter, const Layout& l) const;

    PosEmbedSimilarityData mData;
    core::Colormap mColormap = core::Colormap::Viridis;
    QImage mMosaic;  // one pixel per cell, a white gap of one cell between tiles
    int mSelRow = -1;
    int mSelCol = -1;
};

/// One tile of the mosaic enlarged: the similarity of the chosen patch's embedding with every
/// patch, drawn as a heatmap over the image the model saw and on its own, with a colour bar.
class PosEmbedTileFigure : public Figure {
public:
    /// `shown` may be null (then only the heatmap is drawn).
    PosEmbedTileFigure(PosEmbedSimilarityData data, int row, int col, QImage shown);

    QSizeF preferredSize() const override;
    void paint(QPainter& painter, const QRectF& target) const override;
    QString caption() const override;
    QString name() const override { return QStringLiteral("posembed-similarity-tile"); }

private:
    QString tileLabel() const;
    PosEmbedSimilarityData mData;
    int mRow = 0;
    int mCol = 0;
    QImage mShown;
    QImage mTile;  // (gridH, gridW) coloured
};

}  // namespace vitscope::ui

#pragma once
/// HeadGridFigure: small multiples of attention maps — all heads of one layer (one row), or all
/// layers x heads (one row per layer) — each tile a (gridH, gridW) map over the image, scaled to
/// its own min..max. HeadsPanel and LayersHeadsOverview paint through it; export reuses it.

#include <QImage>
#include <QPoint>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <vector>

#include "core/analysis/colormap.h"
#include "core/tensor.h"
#include "ui/figures/attention_figure.h"
#include "ui/figures/figure.h"

namespace vitscope::ui {

class HeadGridFigure : public Figure {
public:
    HeadGridFigure() = default;

    void setImage(const QImage& shown) { mImage = shown; }
    /// `maps` holds rows * cols maps in row-major tile order (each (gridH, gridW)); labels name
    /// the rows ("L1", ...) and the columns ("H1", ...), either may be empty.
    void setTiles(std::vector<core::Matrix> maps, int rows, int cols, QStringList rowLabels,
                  QStringList colLabels);
    /// Optional label drawn in the corner of each tile (row-major tile order), e.g. "H3".
    void setTileLabels(QStringList labels) { mTileLabels = std::move(labels); }
    void setColormap(core::Colormap colormap);
    void setOpacity(double opacity) { mOpacity = opacity; }
    /// Tile to outline (row, col as tile indices), or (-1, -1).
    void setHighlight(int row, int col);
    void setCaption(const QString& caption) { mCaption = caption; }
    void setName(const QString& name) { mName = name; }
    void setPalette(const FigurePalette& palette) { mPalette = palette; }
    /// Upper bound for a tile's side when painting into a large target (0 = none).
    void setMaxTileSize(double side) { mMaxTile = side; }

    int rows() const { return mRows; }
    int cols() const { return mCols; }
    const std::vector<core::Matrix>& maps() const { return mMaps; }

    /// Tile under `pos` when painted into `target`, as (col, row); (-1, -1) outside any tile.
    QPoint tileAt(const QRectF& target, const QPointF& pos) const;
    QRectF tileRect(const QRectF& target, int row, int col) const;
    /// Height needed to paint at `width` (for scroll areas).
    double heightForWidth(double width) const;

    QSizeF preferredSize() const override;
    void paint(QPainter& painter, const QRectF& target) const override;
    QString caption() const override { return mCaption; }
    QString name() const override { return mName; }

private:
    struct Layout {
        QPointF origin;  // top-left of tile (0, 0)
        double tileW = 0;
        double tileH = 0;
        double gap = 0;
        double labelLeft = 0;
        double labelTop = 0;
    };
    Layout layout(const QRectF& target) const;
    double aspect() const;                     // tile height / width
    double captionHeight(double width) const;  // caption and the gap above it at `width`
    double labelLeft() const;                  // strip for the row labels
    double labelTop() const;                   // strip for the column labels

    QImage mImage;
    std::vector<core::Matrix> mMaps;
    std::vector<QImage> mTileImages;
    int mRows = 0;
    int mCols = 0;
    QStringList mRowLabels;
    QStringList mColLabels;
    QStringList mTileLabels;
    core::Colormap mColormap = core::Colormap::Viridis;
    double mOpacity = 0.6;
    int mHiRow = -1;
    int mHiCol = -1;
    double mMaxTile = 0;
    QString mCaption;
    QString mName = QStringLiteral("heads");
    FigurePalette mPalette;
};

}  // namespace vitscope::ui

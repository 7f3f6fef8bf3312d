#pragma once
/// AttentionFigure: a (gridH, gridW) attention map over the image the model saw, with the patch
/// grid, row/column rulers, the selected patch, a colour bar and a caption. AttentionView paints
/// through the pieces below (with its zoom and pan); export paints the whole figure with paint().

#include <QColor>
#include <QFont>
#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QString>

#include "core/analysis/colormap.h"
#include "core/tensor.h"
#include "ui/figures/figure.h"
#include "ui/image_convert.h"

namespace vitscope::ui {

/// Colours a figure uses for its own text and lines (passed in; no widget style lookups).
struct FigurePalette {
    QColor background = Qt::white;
    QColor text = Qt::black;
    QColor faint = QColor(110, 110, 110);
};

struct AttentionOverlays {
    bool heatmap = true;
    bool grid = true;
    bool rulers = true;
    bool selection = true;  ///< outline of the source patch when the source is a patch
};

class AttentionFigure : public Figure {
public:
    AttentionFigure() = default;

    void setImage(const QImage& shown) { mImage = shown; }
    /// `map` is (gridH, gridW); empty clears the heatmap. Values are coloured over their own
    /// min..max (the colour bar shows the range).
    void setMap(const core::Matrix& map);
    void setGrid(int gridH, int gridW);
    void setColormap(core::Colormap colormap);
    void setOpacity(double opacity) { mOpacity = opacity; }
    void setOverlays(const AttentionOverlays& overlays) { mOverlays = overlays; }
    /// The source patch to outline, or (-1, -1) for none (a prefix token is the source).
    void setSelectedPatch(int row, int col);
    void setCaption(const QString& caption) { mCaption = caption; }
    void setPalette(const FigurePalette& palette) { mPalette = palette; }

    const QImage& image() const { return mImage; }
    const core::Matrix& map() const { return mMap; }
    int gridH() const { return mGridH; }
    int gridW() const { return mGridW; }
    core::Colormap colormap() const { return mColormap; }
    double opacity() const { return mOpacity; }
    const AttentionOverlays& overlays() const { return mOverlays; }
    ValueRange range() const { return mRange; }

    // Geometry shared by painting and hit testing.
    /// Grid cell under `pos` for an image drawn into `imageRect`; (-1, -1) outside.
    QPoint patchAt(const QRectF& imageRect, const QPointF& pos) const;  // (col, row) as (x, y)
    QRectF patchRect(const QRectF& imageRect, int row, int col) const;
    /// The image aspect-fitted and centred in `area`.
    QRectF fitImage(const QRectF& area) const;

    // Pieces (the view calls them with its own geometry).
    void paintPlot(QPainter& painter, const QRectF& imageRect) const;
    /// Column numbers above `imageRect` inside `topStrip`, row numbers left of it inside
    /// `leftStrip`; labels thin out when cells are small.
    void paintRulers(QPainter& painter, const QRectF& imageRect, const QRectF& topStrip,
                     const QRectF& leftStrip) const;
    void paintColorBar(QPainter& painter, const QRectF& rect) const;
    /// Width paintColorBar() needs for its bar and tick labels in `font` (0 without a heatmap).
    double colorBarWidth(const QFont& font) const;
    void paintCaption(QPainter& painter, const QRectF& rect) const;
    static constexpr double kColorBarWidth = 76.0;  ///< bar plus tick labels
    static constexpr double kRulerSize = 22.0;

    // Figure
    QSizeF preferredSize() const override;
    void paint(QPainter& painter, const QRectF& target) const override;
    QString caption() const override { return mCaption; }
    QString name() const override { return QStringLiteral("attention"); }

private:
    QImage mImage;
    core::Matrix mMap;  // (gridH, gridW)
    QImage mMapImage;   // one pixel per cell, coloured
    ValueRange mRange;
    int mGridH = 0;
    int mGridW = 0;
    core::Colormap mColormap = core::Colormap::Viridis;
    double mOpacity = 0.6;
    AttentionOverlays mOverlays;
    int mSelRow = -1;
    int mSelCol = -1;
    QString mCaption;
    FigurePalette mPalette;
};

}  // namespace vitscope::ui

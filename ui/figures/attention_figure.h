#pragma once
/// AttentionFigure: a (gridH, gridW) attention map over the image the model saw or over the
/// image the user opened (each patch mapped back through the recipe's resize and crop, the part
/// the crop cut away dimmed), with the patch grid, row/column rulers, the selected patch, a
/// colour bar and a caption. The map is drawn as a heatmap, as the smallest set of patches that
/// holds a chosen share of the attention mass (with its contour), or as the image multiplied by
/// the normalised map over black; blocky or bicubic. AttentionView paints through the pieces
/// below (with its zoom and pan); export paints the whole figure with paint().

#include <QColor>
#include <QFont>
#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <memory>

#include "core/analysis/colormap.h"
#include "core/analysis/source_mapping.h"
#include "core/pipeline/run.h"
#include "core/tensor.h"
#include "ui/figures/attention_display.h"
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

    void setImage(const QImage& shown);
    /// The image the user opened and where the patches lie on it; a null image clears it (then
    /// AttentionBase::Original draws on the model input). Kept at most kMaxOriginalSide pixels
    /// on its long side.
    void setOriginal(const QImage& source, const core::SourceMapping& mapping);
    /// setOriginal from a Run's source and recipe; clears it for a tensor run or when the
    /// recipe cannot be mapped. Returns whether an original is set.
    bool setOriginalFromRun(const core::Run& run);
    void setDisplay(const AttentionDisplayOptions& display);
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
    const QImage& original() const { return mOriginal; }
    bool hasOriginal() const { return !mOriginal.isNull(); }
    const AttentionDisplayOptions& display() const { return mDisplay; }
    /// Whether the map is drawn on the original now (asked for, and one is set).
    bool onOriginal() const { return mDisplay.on == AttentionBase::Original && hasOriginal(); }
    /// The image drawn under the map: the original or the model input.
    const QImage& baseImage() const { return onOriginal() ? mOriginal : mImage; }
    /// Where the patch grid lies in `imageRect` (the whole of it on the model input).
    QRectF gridRect(const QRectF& imageRect) const;
    /// The mass mask of the current map at display().maskMass.
    core::MassMask mask() const;
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
    /// A colour bar is drawn for the heatmap and for alpha over black (black to white).
    bool hasColorBar() const {
        return mOverlays.heatmap && !mMapImage.isNull() &&
               mDisplay.display != AttentionDisplay::Mask;
    }
    static constexpr double kRulerSize = 22.0;
    static constexpr int kMaxOriginalSide = 1600;

    // Figure
    QSizeF preferredSize() const override;
    void paint(QPainter& painter, const QRectF& target) const override;
    /// The caption set, followed by how the map is shown when that is not the default.
    QString caption() const override;
    QString name() const override { return QStringLiteral("attention"); }

private:
    struct Rasters;  // upsampled map, composites and mask outline (attention_display.cpp)
    const Rasters& rasters() const;
    void invalidate();
    void paintMap(QPainter& painter, const QRectF& imageRect) const;
    void paintDimmedCrop(QPainter& painter, const QRectF& imageRect) const;

    QImage mImage;
    QImage mOriginal;
    QRectF mGridFraction;   // the grid on the original, in fractions of its width and height
    QRectF mInputFraction;  // the whole model input (the crop) on the original
    AttentionDisplayOptions mDisplay;
    mutable std::shared_ptr<const Rasters>
        mRasters;       // rebuilt lazily after a change; shared by copies
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

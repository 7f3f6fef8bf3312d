#pragma once
/// Pieces shared by the figure painters: fonts in pixel units (so text has the same size on a
/// screen, in a PNG, an SVG and a PDF), word-wrapped captions, colour bars with tick labels,
/// axis labels and crisp (nearest-neighbour) raster tiles. Everything is drawn as text and
/// vector paths except the data tiles themselves, so SVG/PDF export keeps selectable text.

#include <QColor>
#include <QFont>
#include <QImage>
#include <QPainter>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QStringList>

#include "core/analysis/colormap.h"

namespace vitscope::ui::figure_parts {

/// Sans-serif font with a size in pixels (logical units of the figure).
QFont font(double pixelSize, bool bold = false);

/// Standard sizes.
constexpr double kTitleSize = 15.0;
constexpr double kLabelSize = 12.0;
constexpr double kTickSize = 10.5;
constexpr double kCaptionSize = 11.0;
constexpr double kMargin = 14.0;

/// Height of `text` word-wrapped to `width` in `font`.
double textHeight(const QString& text, const QFont& font, double width);

/// Draws `text` word-wrapped in `rect` (top-left aligned); returns the height used.
double drawWrapped(QPainter& painter, const QRectF& rect, const QString& text, const QFont& font,
                   QColor color = Qt::black);

/// Draws `text` rotated by -90 degrees, centred on `centre` (a vertical axis label).
void drawVerticalText(QPainter& painter, QPointF centre, const QString& text, const QFont& font);

/// The labels of `ticks` evenly spaced values from `lo` to `hi`, bottom first: with `decimals`
/// >= 0 fixed-point ("-0.5"), else formatLabel() of each value ("1.23e-05", "0.72").
QStringList tickLabels(double lo, double hi, int ticks, int decimals = -1);

/// A vertical colour bar in `bar` (low values at the bottom), `ticks` evenly spaced labels from
/// `lo` to `hi` on its right (tickLabels()) and `label` rotated to the right of the tick labels.
/// Width needed right of the bar for ticks and label: colorBarLabelWidth() with the same values.
void drawColorBar(QPainter& painter, const QRectF& bar, core::Colormap colormap, double lo,
                  double hi, int ticks, const QString& label, int decimals = 1);
/// The width right of the bar that drawColorBar() uses, measured with the fonts it draws with.
double colorBarLabelWidth(double lo, double hi, int ticks, const QString& label, int decimals = 1);

/// Draws a small raster image into `target` without smoothing. Raster outputs draw the image;
/// vector outputs (SVG, PDF) draw one filled rectangle per run of equal cells, because viewers
/// (librsvg, poppler) smooth embedded images and would blur 7x7 cells into a gradient.
/// Transparent pixels are left out.
void drawCrispImage(QPainter& painter, const QRectF& target, const QImage& image);

/// Draws `photo` into `target` (smoothed only when shown smaller than it is) with `map` (one
/// pixel per cell) over it at `opacity`, cells crisp. Raster outputs draw the two images;
/// vector outputs draw one image composed at an integer number of pixels per cell (at least
/// 512 pixels across), so a viewer's smoothing touches only a pixel at each cell border.
void drawMapOverImage(QPainter& painter, const QRectF& target, const QImage& photo,
                      const QImage& map, double opacity);

/// True when `painter` draws into an SVG or PDF.
bool isVectorOutput(const QPainter& painter);

/// Maps the figure's natural coordinate system (0, 0, natural.width(), natural.height()) onto
/// `target` for the lifetime of the object (save/restore), keeping the painter's state clean.
class NaturalCoordinates {
public:
    NaturalCoordinates(QPainter& painter, const QRectF& target, const QSizeF& natural);
    ~NaturalCoordinates();
    NaturalCoordinates(const NaturalCoordinates&) = delete;
    NaturalCoordinates& operator=(const NaturalCoordinates&) = delete;

private:
    QPainter& mPainter;
};

/// Inverse of NaturalCoordinates: a point in target coordinates -> natural coordinates.
QPointF toNatural(const QRectF& target, const QSizeF& natural, QPointF point);

/// A qualitative colour for series `index` (heads), distinguishable up to ~12 and cycling after.
QColor seriesColor(int index);

/// A 1, 2, 2.5 or 5 x 10^k axis step giving about `targetTicks` ticks over `span`.
double niceStep(double span, int targetTicks);

/// Format a float compactly for figure text ("1.2e-06", "0.873").
QString formatNumber(double value, int precision = 3);

/// A number for a tick or colour-bar label, `significant` digits, never cut or rounded into
/// another meaning: "0" for zero, scientific below 1e-3 and from 1e5 on in magnitude
/// ("1.23e-05", "1.23e+06"), otherwise plain ("0.0579", "0.72", "-3.5"). Trailing zeros are
/// dropped; the text parses back (QString::toDouble) to `value` at that precision.
QString formatLabel(double value, int significant = 3);

}  // namespace vitscope::ui::figure_parts

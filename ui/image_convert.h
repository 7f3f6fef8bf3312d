#pragma once
/// The one place where core buffers (Image8, Matrix) become QImage and back (STYLE.md §1).
/// Every function returns an image that owns its pixels (deep copies), so a QImage never points
/// into memory that a worker thread may write.

#include <QImage>
#include <QString>
#include <string>

#include "core/analysis/colormap.h"
#include "core/image/image_io.h"
#include "core/tensor.h"

namespace vitscope::ui {

/// Grey (1 channel) -> Format_Grayscale8, RGB (3 channels) -> Format_RGB888. Null on empty input.
QImage toQImage(const core::Image8& image);

/// Any QImage (e.g. from the clipboard) -> RGB, or grey when the image is grey. Alpha is dropped
/// (composited on nothing: channels are taken as they are, as core::decodeImage does).
core::Image8 fromQImage(const QImage& image);

/// Value range used to colour a map: [lo, hi], hi > lo guaranteed.
struct ValueRange {
    float lo = 0.0f;
    float hi = 1.0f;
};
/// min/max of `map`, widened to a non-empty range when the map is constant.
ValueRange valueRange(const core::Matrix& map);

/// A (rows, cols) map coloured with `colormap` over `range`: one pixel per map cell,
/// Format_RGB32, row r of the image = row r of the map.
QImage mapToImage(const core::Matrix& map, core::Colormap colormap, ValueRange range);

/// A colour bar `length` pixels long, low values at the bottom when vertical.
QImage colorBarImage(core::Colormap colormap, int length, Qt::Orientation orientation);

/// UTF-8 std::string -> QString.
inline QString qs(const std::string& s) { return QString::fromStdString(s); }

}  // namespace vitscope::ui

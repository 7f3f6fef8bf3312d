#include "ui/image_convert.h"

#include <algorithm>
#include <cstring>

namespace vitscope::ui {

QImage toQImage(const core::Image8& image) {
    if (image.empty() || image.width <= 0 || image.height <= 0) {
        return {};
    }
    const QImage::Format format =
        image.channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888;
    QImage out(image.width, image.height, format);
    const size_t rowBytes = static_cast<size_t>(image.width) * image.channels;
    for (int y = 0; y < image.height; ++y) {
        // QImage rows are 4-byte aligned; the core buffer is packed.
        std::memcpy(out.scanLine(y), image.pixels.data() + y * rowBytes, rowBytes);
    }
    return out;
}

core::Image8 fromQImage(const QImage& image) {
    core::Image8 out;
    if (image.isNull()) {
        return out;
    }
    const bool grey = image.isGrayscale();
    const QImage src =
        image.convertToFormat(grey ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    out.width = src.width();
    out.height = src.height();
    out.channels = grey ? 1 : 3;
    const size_t rowBytes = static_cast<size_t>(out.width) * out.channels;
    out.pixels.resize(rowBytes * out.height);
    for (int y = 0; y < out.height; ++y) {
        std::memcpy(out.pixels.data() + y * rowBytes, src.constScanLine(y), rowBytes);
    }
    return out;
}

ValueRange valueRange(const core::Matrix& map) {
    if (map.size() == 0) {
        return {};
    }
    ValueRange r{map.minCoeff(), map.maxCoeff()};
    if (!(r.hi > r.lo)) {
        r.hi = r.lo + 1e-6f;
    }
    return r;
}

namespace {

QRgb colourAt(core::Colormap colormap, float t) {
    const auto rgb = core::colormapRgb(colormap, std::clamp(t, 0.0f, 1.0f));
    return qRgb(rgb[0], rgb[1], rgb[2]);
}

}  // namespace

QImage mapToImage(const core::Matrix& map, core::Colormap colormap, ValueRange range) {
    if (map.size() == 0) {
        return {};
    }
    QImage out(static_cast<int>(map.cols()), static_cast<int>(map.rows()), QImage::Format_RGB32);
    const float scale = 1.0f / (range.hi - range.lo);
    for (int r = 0; r < map.rows(); ++r) {
        auto* line = reinterpret_cast<QRgb*>(out.scanLine(r));
        for (int c = 0; c < map.cols(); ++c) {
            line[c] = colourAt(colormap, (map(r, c) - range.lo) * scale);
        }
    }
    return out;
}

QImage colorBarImage(core::Colormap colormap, int length, Qt::Orientation orientation) {
    length = std::max(length, 2);
    const bool vertical = orientation == Qt::Vertical;
    QImage out(vertical ? 1 : length, vertical ? length : 1, QImage::Format_RGB32);
    for (int i = 0; i < length; ++i) {
        const float t = static_cast<float>(i) / static_cast<float>(length - 1);
        if (vertical) {
            out.setPixel(0, length - 1 - i, colourAt(colormap, t));
        } else {
            out.setPixel(i, 0, colourAt(colormap, t));
        }
    }
    return out;
}

}  // namespace vitscope::ui

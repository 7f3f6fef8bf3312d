#include "ui/export/gif_writer.h"

#include <gif_lib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <unordered_map>

#include "core/io/data_export.h"

namespace vitscope::ui {

using core::ErrorCode;
using core::makeError;

namespace {

constexpr int kPaletteSize = 256;
constexpr int kMaxReserved = 128;
constexpr int kBins = 1 << 15;  // 5 bits per channel

int binOf(QRgb c) { return ((qRed(c) >> 3) << 10) | ((qGreen(c) >> 3) << 5) | (qBlue(c) >> 3); }
int binChannel(int bin, int channel) { return (bin >> (10 - 5 * channel)) & 31; }

struct Bin {
    uint64_t count = 0;
    std::array<uint64_t, 3> sum{};
};

/// A median-cut box: bins[begin, end) of the sorted bin list.
struct Box {
    size_t begin = 0;
    size_t end = 0;
    uint64_t count = 0;
    int longest = 0;  // channel with the largest extent
    int extent = 0;   // its extent in bins
};

Box measure(const std::vector<int>& bins, const std::vector<Bin>& hist, size_t begin, size_t end) {
    Box box{begin, end, 0, 0, 0};
    std::array<int, 3> lo{31, 31, 31};
    std::array<int, 3> hi{0, 0, 0};
    for (size_t i = begin; i < end; ++i) {
        box.count += hist[static_cast<size_t>(bins[i])].count;
        for (int c = 0; c < 3; ++c) {
            lo[c] = std::min(lo[c], binChannel(bins[i], c));
            hi[c] = std::max(hi[c], binChannel(bins[i], c));
        }
    }
    for (int c = 0; c < 3; ++c) {
        if (hi[c] - lo[c] > box.extent) {
            box.extent = hi[c] - lo[c];
            box.longest = c;
        }
    }
    return box;
}

/// Splits the boxes until there are `wanted` or none can be split.
std::vector<Box> medianCut(std::vector<int>& bins, const std::vector<Bin>& hist, int wanted) {
    std::vector<Box> boxes;
    if (bins.empty() || wanted <= 0) {
        return boxes;
    }
    boxes.push_back(measure(bins, hist, 0, bins.size()));
    while (static_cast<int>(boxes.size()) < wanted) {
        auto it = std::max_element(boxes.begin(), boxes.end(), [](const Box& a, const Box& b) {
            return a.count * static_cast<uint64_t>(a.extent) <
                   b.count * static_cast<uint64_t>(b.extent);
        });
        if (it->extent == 0) {
            break;  // every box is a single bin
        }
        const Box box = *it;
        const auto first = bins.begin() + static_cast<std::ptrdiff_t>(box.begin);
        const auto last = bins.begin() + static_cast<std::ptrdiff_t>(box.end);
        std::sort(first, last, [&box](int a, int b) {
            return binChannel(a, box.longest) < binChannel(b, box.longest);
        });
        // The weighted median, kept strictly inside so that both halves are non-empty.
        uint64_t seen = 0;
        size_t split = box.begin + 1;
        for (size_t i = box.begin; i + 1 < box.end; ++i) {
            seen += hist[static_cast<size_t>(bins[i])].count;
            split = i + 1;
            if (2 * seen >= box.count) {
                break;
            }
        }
        *it = measure(bins, hist, box.begin, split);
        boxes.push_back(measure(bins, hist, split, box.end));
    }
    return boxes;
}

int squaredDistance(QRgb a, QRgb b) {
    const int dr = qRed(a) - qRed(b);
    const int dg = qGreen(a) - qGreen(b);
    const int db = qBlue(a) - qBlue(b);
    return dr * dr + dg * dg + db * db;
}

uint8_t nearest(const std::vector<QRgb>& palette, QRgb c) {
    int best = 0;
    int bestDistance = squaredDistance(palette[0], c);
    for (int i = 1; i < static_cast<int>(palette.size()) && bestDistance > 0; ++i) {
        const int d = squaredDistance(palette[static_cast<size_t>(i)], c);
        if (d < bestDistance) {
            best = i;
            bestDistance = d;
        }
    }
    return static_cast<uint8_t>(best);
}

}  // namespace

std::vector<QRgb> reservedColours(core::Colormap colormap) {
    std::vector<QRgb> out;
    auto add = [&out](QRgb c) {
        if (std::find(out.begin(), out.end(), c) == out.end()) {
            out.push_back(c);
        }
    };
    for (int entry = 0; entry <= 256; entry += 4) {
        const int e = std::min(entry, 255);
        const core::Rgb rgb = core::colormapRgb(colormap, (static_cast<float>(e) + 0.5f) / 256.0f);
        add(qRgb(rgb[0], rgb[1], rgb[2]));
    }
    for (int g = 0; g <= 255; g += 17) {
        add(qRgb(g, g, g));
    }
    add(qRgb(110, 110, 110));  // FigurePalette::faint
    return out;
}

IndexedFrame quantizeFrame(const QImage& frame, std::span<const QRgb> reserved) {
    const QImage rgb = frame.convertToFormat(QImage::Format_RGB32);
    IndexedFrame out;
    out.width = rgb.width();
    out.height = rgb.height();
    std::unordered_map<QRgb, uint8_t> exact;  // colour -> palette index, reserved or found
    for (QRgb c : reserved.first(std::min<size_t>(reserved.size(), kMaxReserved))) {
        c |= 0xff000000u;
        if (exact.emplace(c, static_cast<uint8_t>(out.palette.size())).second) {
            out.palette.push_back(c);
        }
    }
    std::vector<Bin> hist(kBins);
    for (int y = 0; y < rgb.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); ++x) {
            const QRgb c = line[x] | 0xff000000u;
            if (exact.count(c) == 0) {
                Bin& bin = hist[static_cast<size_t>(binOf(c))];
                ++bin.count;
                bin.sum[0] += static_cast<uint64_t>(qRed(c));
                bin.sum[1] += static_cast<uint64_t>(qGreen(c));
                bin.sum[2] += static_cast<uint64_t>(qBlue(c));
            }
        }
    }
    std::vector<int> bins;
    for (int b = 0; b < kBins; ++b) {
        if (hist[static_cast<size_t>(b)].count > 0) {
            bins.push_back(b);
        }
    }
    const int budget = kPaletteSize - static_cast<int>(out.palette.size());
    for (const Box& box : medianCut(bins, hist, budget)) {
        std::array<uint64_t, 3> sum{};
        for (size_t i = box.begin; i < box.end; ++i) {
            for (int c = 0; c < 3; ++c) {
                sum[static_cast<size_t>(c)] += hist[static_cast<size_t>(bins[i])].sum[c];
            }
        }
        auto mean = [&](int c) {
            return static_cast<int>((sum[static_cast<size_t>(c)] + box.count / 2) / box.count);
        };
        out.palette.push_back(qRgb(mean(0), mean(1), mean(2)));
    }
    if (out.palette.empty()) {
        out.palette.push_back(qRgb(0, 0, 0));
    }
    out.pixels.resize(static_cast<size_t>(out.width) * static_cast<size_t>(out.height));
    std::unordered_map<QRgb, uint8_t> cache = exact;
    for (int y = 0; y < rgb.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
        uint8_t* dst = out.pixels.data() + static_cast<size_t>(y) * static_cast<size_t>(out.width);
        for (int x = 0; x < rgb.width(); ++x) {
            const QRgb c = line[x] | 0xff000000u;
            auto it = cache.find(c);
            if (it == cache.end()) {
                it = cache.emplace(c, nearest(out.palette, c)).first;
            }
            dst[x] = it->second;
        }
    }
    return out;
}

namespace {

int writeToFile(GifFileType* gif, const GifByteType* bytes, int length) {
    auto* file = static_cast<std::FILE*>(gif->UserData);
    return static_cast<int>(std::fwrite(bytes, 1, static_cast<size_t>(length), file));
}

/// giflib on one staged file. Each call returns false when giflib or the file failed.
class GifStream {
public:
    explicit GifStream(std::FILE* file) { mGif = EGifOpen(file, writeToFile, &mError); }
    ~GifStream() {
        if (mGif) {
            EGifCloseFile(mGif, &mError);
        }
    }
    GifStream(const GifStream&) = delete;
    GifStream& operator=(const GifStream&) = delete;

    bool begin(int width, int height) {
        if (!mGif) {
            return false;
        }
        EGifSetGifVersion(mGif, true);  // GIF89a: graphic control and application extensions
        if (EGifPutScreenDesc(mGif, width, height, 8, 0, nullptr) == GIF_ERROR) {
            return false;
        }
        // NETSCAPE2.0: loop count 0 = forever.
        static const char kApp[] = "NETSCAPE2.0";
        GifByteType loop[3] = {1, 0, 0};
        return EGifPutExtensionLeader(mGif, APPLICATION_EXT_FUNC_CODE) != GIF_ERROR &&
               EGifPutExtensionBlock(mGif, 11, kApp) != GIF_ERROR &&
               EGifPutExtensionBlock(mGif, 3, loop) != GIF_ERROR &&
               EGifPutExtensionTrailer(mGif) != GIF_ERROR;
    }

    bool frame(IndexedFrame& f, int delayCs) {
        GraphicsControlBlock gcb{};
        gcb.DisposalMode = DISPOSE_DO_NOT;
        gcb.UserInputFlag = false;
        gcb.DelayTime = delayCs;
        gcb.TransparentColor = NO_TRANSPARENT_COLOR;
        GifByteType ext[4];
        const size_t n = EGifGCBToExtension(&gcb, ext);
        if (EGifPutExtension(mGif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(n), ext) == GIF_ERROR) {
            return false;
        }
        std::array<GifColorType, kPaletteSize> colours{};
        for (size_t i = 0; i < f.palette.size(); ++i) {
            colours[i] = {static_cast<GifByteType>(qRed(f.palette[i])),
                          static_cast<GifByteType>(qGreen(f.palette[i])),
                          static_cast<GifByteType>(qBlue(f.palette[i]))};
        }
        ColorMapObject* map = GifMakeMapObject(kPaletteSize, colours.data());
        if (!map) {
            return false;
        }
        bool ok = EGifPutImageDesc(mGif, 0, 0, f.width, f.height, false, map) != GIF_ERROR;
        GifFreeMapObject(map);
        for (int y = 0; ok && y < f.height; ++y) {
            GifPixelType* line =
                f.pixels.data() + static_cast<size_t>(y) * static_cast<size_t>(f.width);
            ok = EGifPutLine(mGif, line, f.width) != GIF_ERROR;
        }
        return ok;
    }

    /// Writes the trailer.
    bool finish() {
        GifFileType* gif = mGif;
        mGif = nullptr;
        return EGifCloseFile(gif, &mError) != GIF_ERROR;
    }

private:
    GifFileType* mGif = nullptr;
    int mError = 0;
};

core::Error usage(const std::string& path, const QString& what) {
    return makeError(ErrorCode::Usage, path + ": " + what.toStdString());
}

}  // namespace

core::Status writeGif(const std::string& path, int count, const FrameSource& frame,
                      const GifOptions& options) {
    if (count < 1 || count > 10000) {
        return usage(path, QStringLiteral("an animation has 1 to 10000 frames, not %1").arg(count));
    }
    const int delayCs = std::clamp((options.delayMs + 5) / 10, 2, 65535);
    std::optional<core::Error> problem;  // an error of ours, not the file's
    QSize size;
    core::Status status = core::writeAtomically(path, [&](std::FILE* file) {
        GifStream gif(file);
        for (int i = 0; i < count; ++i) {
            if (options.cancel && options.cancel->load()) {
                problem = makeError(ErrorCode::Cancelled, path + ": export cancelled");
                return false;
            }
            auto image = frame(i);
            if (!image) {
                problem = image.error();
                return false;
            }
            if (i == 0) {
                size = image->size();
                if (size.isEmpty() || size.width() > 65535 || size.height() > 65535) {
                    problem = usage(path, QStringLiteral("a %1 x %2 frame does not fit a GIF "
                                                         "(sides of 1 to 65535 pixels)")
                                              .arg(size.width())
                                              .arg(size.height()));
                    return false;
                }
                if (!gif.begin(size.width(), size.height())) {
                    return false;
                }
            } else if (image->size() != size) {
                problem = usage(path, QStringLiteral("frame %1 is %2 x %3, the first %4 x %5")
                                          .arg(i + 1)
                                          .arg(image->width())
                                          .arg(image->height())
                                          .arg(size.width())
                                          .arg(size.height()));
                return false;
            }
            IndexedFrame indexed = quantizeFrame(image.value(), options.reserved);
            if (!gif.frame(indexed, delayCs)) {
                return false;
            }
            if (options.progress) {
                options.progress(i + 1, count);
            }
        }
        return gif.finish();
    });
    if (!status && problem) {
        return *problem;
    }
    return status;
}

}  // namespace vitscope::ui

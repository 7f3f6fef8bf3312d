// Mapping patches back onto the image the user opened (checked against preprocess() itself) and
// the attention-mass mask and upsampling the attention figure draws.
#include <QtTest>
#include <cmath>
#include <limits>
#include <string>

#include "core/analysis/map_display.h"
#include "core/analysis/source_mapping.h"
#include "core/image/preprocess.h"

using namespace vitscope::core;

namespace {

/// A width x height RGB image whose three channels hold x (or y), so any resampling of it
/// holds the source coordinate it was sampled from (sizes up to 256 keep one level per pixel).
Image8 ramp(int width, int height, bool alongX) {
    Image8 image{width, height, 3, {}};
    image.pixels.resize(static_cast<size_t>(width) * height * 3);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            for (int c = 0; c < 3; ++c) {
                image.pixels[(static_cast<size_t>(y) * width + x) * 3 + c] =
                    static_cast<uint8_t>(alongX ? x : y);
            }
        }
    }
    return image;
}

/// Source pixels each side of a sample that the recipe's filter reads from.
double footprint(const PreprocessRecipe& recipe, double scale) {
    const double support = recipe.resample == Resample::Bicubic    ? 2.0
                           : recipe.resample == Resample::Bilinear ? 1.0
                                                                   : 0.5;
    return support * std::max(scale, 1.0) + 1.0;
}

/// For every model-input pixel far enough from the source border that the filter reads no
/// clipped taps, the source coordinate the preprocessing sampled (decoded from the ramps) must be
/// where the mapping puts the pixel's centre, within the output's rounding, and inside the mapped
/// rectangle of the patch that holds the pixel.
void checkAgainstPreprocess(int width, int height, const PreprocessRecipe& recipe, int patch) {
    auto px = preprocess(ramp(width, height, true), recipe);
    auto py = preprocess(ramp(width, height, false), recipe);
    QVERIFY2(px && py, "preprocess failed");
    const Image8& sx = px->shown;
    const Image8& sy = py->shown;
    const int gridH = sx.height / patch;
    const int gridW = sx.width / patch;
    auto m = mapPatchesToSource(width, height, recipe, gridH, gridW, patch, patch);
    QVERIFY2(m, m ? "" : m.error().message.c_str());
    constexpr double kTolerance = 0.6;  // half a level of rounding, plus fixed-point error
    const double fx = footprint(recipe, m->scaleX);
    const double fy = footprint(recipe, m->scaleY);
    int checked = 0;
    for (int y = 0; y < gridH * patch; ++y) {
        for (int x = 0; x < gridW * patch; ++x) {
            const double cx = m->sourceX(x + 0.5);
            const double cy = m->sourceY(y + 0.5);
            if (cx < fx || cx > width - fx || cy < fy || cy > height - fy) {
                continue;
            }
            // Level v is the value of source pixel v, whose centre is v + 0.5.
            const double gotX = sx.at(y, x, 0) + 0.5;
            const double gotY = sy.at(y, x, 0) + 0.5;
            if (std::abs(gotX - cx) > kTolerance || std::abs(gotY - cy) > kTolerance) {
                QFAIL(qPrintable(QStringLiteral("input pixel (%1, %2): sampled source (%3, %4), "
                                                "mapped (%5, %6)")
                                     .arg(x)
                                     .arg(y)
                                     .arg(gotX)
                                     .arg(gotY)
                                     .arg(cx)
                                     .arg(cy)));
            }
            const SourceRect r = m->patch(y / patch, x / patch);
            QVERIFY(gotX >= r.x - kTolerance && gotX <= r.right() + kTolerance);
            QVERIFY(gotY >= r.y - kTolerance && gotY <= r.bottom() + kTolerance);
            ++checked;
        }
    }
    QVERIFY2(checked > gridH * gridW, "too few interior pixels were checked");
}

}  // namespace

class TestSourceMapping : public QObject {
    Q_OBJECT

private slots:
    void shortestEdgeAndCropFollowPreprocess_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("resample");
        QTest::addColumn<int>("rounding");
        QTest::newRow("wide odd, timm round") << 255 << 201 << int(Resample::Bicubic) << 1;
        QTest::newRow("tall odd, timm round") << 197 << 253 << int(Resample::Bicubic) << 1;
        QTest::newRow("wide odd, hf floor") << 251 << 199 << int(Resample::Bicubic) << 0;
        QTest::newRow("tall, bilinear") << 180 << 241 << int(Resample::Bilinear) << 0;
        QTest::newRow("wide, nearest") << 256 << 171 << int(Resample::Nearest) << 1;
    }
    void shortestEdgeAndCropFollowPreprocess() {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, resample);
        QFETCH(int, rounding);
        // Shortest edge 128, centre crop 112 (patch 16: a 7x7 grid), as timm's 224 at half size.
        PreprocessRecipe r = rounding == 1
                                 ? timmEvalRecipe(112, 0.875, Resample(resample))
                                 : hfShortestEdgeCropRecipe(128, 112, 112, Resample(resample));
        checkAgainstPreprocess(width, height, r, 16);
        // The crop cuts the long side only, centred.
        auto m = mapPatchesToSource(width, height, r, 7, 7, 16, 16);
        QVERIFY(m);
        const bool wide = width > height;
        QCOMPARE(wide ? m->input.h : m->input.w, double(wide ? height : width) * 112 / 128);
        QVERIFY((wide ? m->input.w : m->input.h) < (wide ? width : height) * 112.0 / 128 + 1);
        QVERIFY(std::abs(m->input.x + m->input.w / 2 - width / 2.0) < m->scaleX);
        QVERIFY(std::abs(m->input.y + m->input.h / 2 - height / 2.0) < m->scaleY);
    }

    void exactResizeFollowsPreprocess_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("outH");
        QTest::addColumn<int>("outW");
        QTest::addColumn<int>("patch");
        QTest::newRow("odd photo to 112") << 243 << 187 << 112 << 112 << 16;
        QTest::newRow("upscale to 160x96") << 61 << 47 << 96 << 160 << 16;
        QTest::newRow("not a patch multiple") << 219 << 219 << 100 << 100 << 16;
    }
    void exactResizeFollowsPreprocess() {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, outH);
        QFETCH(int, outW);
        QFETCH(int, patch);
        const PreprocessRecipe r = hfExactResizeRecipe(outH, outW);
        checkAgainstPreprocess(width, height, r, patch);
        auto m = mapPatchesToSource(width, height, r, outH / patch, outW / patch, patch, patch);
        QVERIFY(m);
        // Nothing is cut away; the grid covers the whole source unless the size drops a rest.
        QCOMPARE(m->input.x, 0.0);
        QCOMPARE(m->input.w, double(width));
        QCOMPARE(m->input.h, double(height));
        QCOMPARE(m->grid.w, double(width) * (outW / patch * patch) / outW);
    }

    void greyModelOnColourPhoto() {
        // The bundled model's recipe: grey, straight to 28x28, patch 4 (7x7 patches).
        PreprocessRecipe r = hfExactResizeRecipe(28, 28);
        r.channels = 1;
        checkAgainstPreprocess(241, 163, r, 4);
        auto m = mapPatchesToSource(241, 163, r, 7, 7, 4, 4);
        QVERIFY(m);
        const SourceRect last = m->patch(6, 6);
        QCOMPARE(last.right(), 241.0);
        QCOMPARE(last.bottom(), 163.0);
        QCOMPARE(m->patch(3, 2).x, 241.0 * 2 / 7);
    }

    void refusesWhatPreprocessRefuses() {
        const PreprocessRecipe r = hfShortestEdgeCropRecipe(128, 112, 160);
        auto m = mapPatchesToSource(300, 100, r, 7, 10, 16, 16);  // fits: 384x128 resized
        QVERIFY(m);
        auto bad = mapPatchesToSource(100, 300, r, 7, 10, 16, 16);  // 128 wide, crop 160
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, ErrorCode::BadImage);
        QVERIFY(!preprocess(ramp(100, 300, true), r));
        auto noGrid = mapPatchesToSource(300, 100, r, 8, 10, 16, 16);  // 128 > 112 rows
        QVERIFY(!noGrid);
        QCOMPARE(noGrid.error().code, ErrorCode::Usage);
        QVERIFY(!mapPatchesToSource(0, 10, r, 7, 10, 16, 16));
    }

    // ---- The mass mask --------------------------------------------------------------------

    void maskKeepsMinimalSetWithTheMass() {
        Matrix map(2, 3);
        map << 0.05f, 0.30f, 0.10f, 0.25f, 0.20f, 0.10f;
        const MassMask m = massMask(map, 0.6);
        // 0.30 + 0.25 = 0.55 < 0.6, + 0.20 = 0.75: three cells.
        QCOMPARE(m.kept, 3);
        QCOMPARE(m.keep(0, 1), 1.0f);
        QCOMPARE(m.keep(1, 0), 1.0f);
        QCOMPARE(m.keep(1, 1), 1.0f);
        QCOMPARE(m.keep.sum(), 3.0f);
        QVERIFY(std::abs(m.keptMass - 0.75) < 1e-6);
        QCOMPARE(m.threshold, 0.20f);
        for (double f : {0.01, 0.3, 0.55, 0.56, 0.9, 0.96, 1.0}) {
            const MassMask k = massMask(map, f);
            QVERIFY(k.keptMass >= f - 1e-9);
            // Minimal: dropping the smallest kept cell falls short of the goal.
            const double without = k.keptMass - double(k.threshold) / map.sum();
            QVERIFY2(without < f - 1e-9, qPrintable(QString::number(f)));
        }
        QCOMPARE(massMask(map, 1.0).kept, 6);
        QCOMPARE(massMask(map, 0.0).kept, 0);
    }

    void maskTiesAndEqualMaps() {
        Matrix equal = Matrix::Constant(4, 5, 0.5f);
        const MassMask m = massMask(equal, 0.6);
        QCOMPARE(m.kept, 12);  // 12 of 20 cells hold exactly 60 %
        QVERIFY(std::abs(m.keptMass - 0.6) < 1e-6);
        // Equal values are taken in row-major order: the first 12 cells.
        for (int i = 0; i < 20; ++i) {
            QCOMPARE(m.keep.data()[i], i < 12 ? 1.0f : 0.0f);
        }
        QCOMPARE(massMask(equal, 0.61).kept, 13);
        Matrix ties(1, 4);
        ties << 0.1f, 0.4f, 0.1f, 0.4f;
        const MassMask t = massMask(ties, 0.85);  // 0.8 is short: one of the 0.1 cells
        QCOMPARE(t.kept, 3);
        QCOMPARE(t.keep(0, 0), 1.0f);
        QCOMPARE(t.keep(0, 2), 0.0f);
    }

    void maskZerosHotCellAndJunk() {
        const MassMask zero = massMask(Matrix::Zero(3, 3), 0.6);
        QCOMPARE(zero.kept, 0);
        QCOMPARE(zero.keptMass, 0.0);
        QCOMPARE(zero.keep.sum(), 0.0f);
        Matrix hot = Matrix::Zero(3, 3);
        hot(2, 1) = 1e-7f;
        for (double f : {0.1, 0.6, 1.0}) {
            const MassMask h = massMask(hot, f);
            QCOMPARE(h.kept, 1);
            QCOMPARE(h.keep(2, 1), 1.0f);
            QCOMPARE(h.keptMass, 1.0);
        }
        Matrix junk(1, 4);
        junk << std::numeric_limits<float>::quiet_NaN(), -1.0f, 0.25f, 0.75f;
        const MassMask j = massMask(junk, 1.0);
        QCOMPARE(j.kept, 2);
        QCOMPARE(j.keep(0, 0), 0.0f);
        QCOMPARE(j.keep(0, 1), 0.0f);
        QCOMPARE(massMask(Matrix(), 0.6).kept, 0);
    }

    void upsampling() {
        Matrix map(2, 2);
        map << 0.0f, 1.0f, 2.0f, 3.0f;
        const Matrix blocks = upsampleMap(map, 4, 6, Upsampling::Nearest);
        QCOMPARE(blocks.rows(), 4);
        QCOMPARE(blocks.cols(), 6);
        QCOMPARE(blocks(0, 2), 0.0f);
        QCOMPARE(blocks(0, 3), 1.0f);
        QCOMPARE(blocks(3, 0), 2.0f);
        QCOMPARE(blocks(3, 5), 3.0f);
        const Matrix smooth = upsampleMap(map, 8, 8, Upsampling::Bicubic);
        QVERIFY(smooth.minCoeff() >= 0.0f && smooth.maxCoeff() <= 3.0f);
        // Smooth: values between the cells' appear, increasing left to right and downwards.
        QVERIFY(smooth(4, 3) > smooth(4, 2) && smooth(4, 3) < smooth(4, 4));
        QVERIFY(smooth(3, 4) < smooth(4, 4));
        // The map is point-symmetric about its centre (v - 1.5 changes sign), so is the result.
        QVERIFY(std::abs(smooth(3, 3) + smooth(4, 4) - 3.0f) < 1e-5f);
        QVERIFY(std::abs(smooth(3, 3) - 1.5f) > 0.1f);  // a sample, not the cells' mean
        QCOMPARE(upsampleMap(Matrix(), 4, 4, Upsampling::Bicubic).size(), 0);
    }
};

QTEST_APPLESS_MAIN(TestSourceMapping)
#include "tst_source_mapping.moc"

// Preprocessing: Pillow-exact resampling per filter, the three checkpoint recipes against
// references computed with Pillow + numpy (tools/make_preprocess_fixtures.py), crop rounding,
// withOutputSize, describe and the tensor -> image round trip.

#include <QFile>
#include <QRegularExpression>
#include <QtTest>
#include <cmath>
#include <cstring>
#include <map>

#include "core/image/preprocess.h"

using namespace vitscope::core;

namespace {

const QString kData = QStringLiteral(VITSCOPE_TEST_DATA) + "/preprocess";
const QString kPhotos = QStringLiteral(VITSCOPE_RESOURCES) + "/samples/photos";

/// Recipes must match the float reference to this (absolute): float32 math in both.
constexpr float kRecipeTolerance = 1e-6f;

struct NpyF32 {
    std::vector<int> shape;
    std::vector<float> data;
};

/// A minimal reader for the little-endian float32, C-order .npy files the fixture script writes.
bool readNpyF32(const QString& path, NpyF32& out) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return false;
    }
    const QByteArray all = f.readAll();
    if (all.size() < 12 || !all.startsWith("\x93NUMPY")) {
        return false;
    }
    const int major = static_cast<unsigned char>(all[6]);
    int headerLen = 0;
    int offset = 0;
    if (major == 1) {
        headerLen = static_cast<unsigned char>(all[8]) | (static_cast<unsigned char>(all[9]) << 8);
        offset = 10;
    } else {
        std::memcpy(&headerLen, all.constData() + 8, 4);
        offset = 12;
    }
    const QString header = QString::fromLatin1(all.mid(offset, headerLen));
    if (!header.contains("'descr': '<f4'") || !header.contains("'fortran_order': False")) {
        return false;
    }
    const auto match = QRegularExpression("'shape': \\(([0-9, ]*)\\)").match(header);
    if (!match.hasMatch()) {
        return false;
    }
    size_t count = 1;
    for (const QString& part : match.captured(1).split(',', Qt::SkipEmptyParts)) {
        out.shape.push_back(part.trimmed().toInt());
        count *= static_cast<size_t>(out.shape.back());
    }
    const qsizetype dataStart = offset + headerLen;
    if (all.size() - dataStart != static_cast<qsizetype>(count * 4)) {
        return false;
    }
    out.data.resize(count);
    std::memcpy(out.data.data(), all.constData() + dataStart, count * 4);
    return true;
}

Image8 mustLoad(const QString& path) {
    auto r = loadImage(path.toStdString());
    if (!r.ok()) {
        qWarning("%s", r.error().message.c_str());
        return {};
    }
    return std::move(r).value();
}

int maxAbsDiff(const Image8& a, const Image8& b) {
    if (a.width != b.width || a.height != b.height || a.channels != b.channels) {
        return 1000;
    }
    int m = 0;
    for (size_t i = 0; i < a.pixels.size(); ++i) {
        m = std::max(m, std::abs(int(a.pixels[i]) - int(b.pixels[i])));
    }
    return m;
}

PreprocessRecipe recipeNamed(const QString& name) {
    if (name == "vit") {
        return hfExactResizeRecipe(224, 224, Resample::Bilinear);
    }
    if (name == "dinov2") {
        return hfShortestEdgeCropRecipe(256, 224, 224, Resample::Bicubic);
    }
    if (name == "timm") {
        return timmEvalRecipe(224, 0.9, Resample::Bicubic);
    }
    PreprocessRecipe grey =
        hfExactResizeRecipe(28, 28, Resample::Bilinear, {0.2860f, 0, 0}, {0.3530f, 1, 1});
    grey.channels = 1;
    return grey;
}

Image8 gradient(int width, int height, int channels) {
    Image8 img{width, height, channels, {}};
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            for (int c = 0; c < channels; ++c) {
                img.pixels.push_back(static_cast<uint8_t>((x * 7 + y * 13 + c * 50) % 256));
            }
        }
    }
    return img;
}

}  // namespace

Q_DECLARE_METATYPE(vitscope::core::PreprocessRecipe)
Q_DECLARE_METATYPE(vitscope::core::ErrorCode)

class TestPreprocess : public QObject {
    Q_OBJECT

private slots:
    void resizeMatchesPillow_data();
    void resizeMatchesPillow();
    void recipesMatchReference_data();
    void recipesMatchReference();
    void shortestEdgeSizes_data();
    void shortestEdgeSizes();
    void cropRounding_data();
    void cropRounding();
    void withOutputSize_data();
    void withOutputSize();
    void outputSizeAndDescribe();
    void tensorToImageRoundTrip();
    void resampleCodes();
    void errors();
    void hostileRecipes_data();
    void hostileRecipes();
    void resizePeakElements();
    void sameInputSameOutput();
    void cleanupTestCase();

private:
    std::map<QString, int> mMaxDiffPerFilter;
    float mMaxRecipeDiff = 0.0f;
};

void TestPreprocess::resizeMatchesPillow_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("filter");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<QString>("expected");
    QFile manifest(kData + "/resize/manifest.tsv");
    QVERIFY2(manifest.open(QIODevice::ReadOnly | QIODevice::Text),
             "run tools/make_preprocess_fixtures.py");
    int rows = 0;
    while (!manifest.atEnd()) {
        const QString line = QString::fromUtf8(manifest.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith('#')) {
            continue;
        }
        const QStringList f = line.split('\t');
        QCOMPARE(f.size(), 5);
        QTest::newRow(qPrintable(f[4])) << f[0] << f[1] << f[2].toInt() << f[3].toInt() << f[4];
        ++rows;
    }
    QVERIFY(rows >= 60);
}

void TestPreprocess::resizeMatchesPillow() {
    QFETCH(QString, input);
    QFETCH(QString, filter);
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(QString, expected);
    const Image8 in = mustLoad(kData + "/resize/" + input);
    const Image8 want = mustLoad(kData + "/resize/" + expected);
    QVERIFY(!in.empty() && !want.empty());
    const auto resample = resampleFromName(filter.toStdString());
    QVERIFY(resample.ok());
    const Image8 got = resizeImage(in, width, height, *resample);
    QCOMPARE(got.width, width);
    QCOMPARE(got.height, height);
    QCOMPARE(got.channels, in.channels);
    const int diff = maxAbsDiff(got, want);
    mMaxDiffPerFilter[filter] = std::max(mMaxDiffPerFilter[filter], diff);
    QCOMPARE(diff, 0);  // bit-exact with Pillow
}

void TestPreprocess::recipesMatchReference_data() {
    QTest::addColumn<QString>("photo");
    QTest::addColumn<QString>("recipe");
    QTest::addColumn<QString>("shown");
    QTest::addColumn<QString>("lut");
    QFile manifest(kData + "/recipes/manifest.tsv");
    QVERIFY(manifest.open(QIODevice::ReadOnly | QIODevice::Text));
    while (!manifest.atEnd()) {
        const QString line = QString::fromUtf8(manifest.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith('#')) {
            continue;
        }
        const QStringList f = line.split('\t');
        QCOMPARE(f.size(), 4);
        QTest::newRow(qPrintable(f[0] + " " + f[1])) << f[0] << f[1] << f[2] << f[3];
    }
}

void TestPreprocess::recipesMatchReference() {
    QFETCH(QString, photo);
    QFETCH(QString, recipe);
    QFETCH(QString, shown);
    QFETCH(QString, lut);
    const Image8 image = mustLoad(kPhotos + "/" + photo);
    QVERIFY(!image.empty());
    const auto out = preprocess(image, recipeNamed(recipe));
    QVERIFY2(out.ok(), out.ok() ? "" : out.error().message.c_str());

    // The uint8 pixels after resize and crop: exact.
    const Image8 wantShown = mustLoad(kData + "/recipes/" + shown);
    QCOMPARE(maxAbsDiff(out->shown, wantShown), 0);

    // The float tensor: reference[c, y, x] = lut[c, shown[y, x, c]] (lossless encoding, see the
    // fixture script).
    NpyF32 table;
    QVERIFY(readNpyF32(kData + "/recipes/" + lut, table));
    const ImageTensor& t = out->input;
    QCOMPARE(t.channels, wantShown.channels);
    QCOMPARE(table.shape, (std::vector<int>{t.channels, 256}));
    QCOMPARE(t.height, wantShown.height);
    QCOMPARE(t.width, wantShown.width);
    float maxDiff = 0.0f;
    for (int c = 0; c < t.channels; ++c) {
        for (int y = 0; y < t.height; ++y) {
            for (int x = 0; x < t.width; ++x) {
                const float want = table.data[c * 256 + wantShown.at(y, x, c)];
                maxDiff = std::max(maxDiff, std::abs(t.at(c, y, x) - want));
            }
        }
    }
    if (recipe == "grey") {
        NpyF32 whole;
        QVERIFY(
            readNpyF32(kData + "/recipes/" + QString(shown).replace(".png", "_tensor.npy"), whole));
        QCOMPARE(whole.shape, (std::vector<int>{1, 28, 28}));
        for (size_t i = 0; i < whole.data.size(); ++i) {
            maxDiff = std::max(maxDiff, std::abs(t.data[i] - whole.data[i]));
        }
    }
    qInfo("%s %s: max abs diff %g", qPrintable(photo), qPrintable(recipe), double(maxDiff));
    mMaxRecipeDiff = std::max(mMaxRecipeDiff, maxDiff);
    QVERIFY(maxDiff <= kRecipeTolerance);
}

void TestPreprocess::shortestEdgeSizes_data() {
    QTest::addColumn<int>("w");
    QTest::addColumn<int>("h");
    QTest::addColumn<int>("edge");
    QTest::addColumn<int>("wantW");
    QTest::addColumn<int>("wantH");
    // long = int(edge * long / short): truncation, not rounding.
    QTest::newRow("chelsea 256") << 451 << 300 << 256 << 384 << 256;  // 384.85
    QTest::newRow("portrait") << 300 << 451 << 256 << 256 << 384;
    QTest::newRow("coffee 248") << 600 << 400 << 248 << 372 << 248;
    QTest::newRow("square") << 100 << 100 << 256 << 256 << 256;
    QTest::newRow("1/3") << 300 << 100 << 10 << 30 << 10;
    QTest::newRow("tiny up") << 7 << 3 << 224 << 522 << 224;  // 522.67
}

void TestPreprocess::shortestEdgeSizes() {
    QFETCH(int, w);
    QFETCH(int, h);
    QFETCH(int, edge);
    QFETCH(int, wantW);
    QFETCH(int, wantH);
    PreprocessRecipe r;
    r.resizeRule = ResizeRule::ShortestEdge;
    r.shortestEdge = edge;
    r.centerCrop = false;
    const auto out = preprocess(gradient(w, h, 3), r);
    QVERIFY(out.ok());
    QCOMPARE(out->shown.width, wantW);
    QCOMPARE(out->shown.height, wantH);
}

void TestPreprocess::cropRounding_data() {
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("crop");
    QTest::addColumn<int>("floorOffset");
    QTest::addColumn<int>("roundOffset");
    // Hugging Face: (size - crop) // 2. torchvision: int(round((size - crop) / 2.0)), and
    // Python's round() sends halves to the even neighbour.
    QTest::newRow("even diff") << 248 << 224 << 12 << 12;
    QTest::newRow("diff 1 (0.5)") << 225 << 224 << 0 << 0;
    QTest::newRow("diff 3 (1.5)") << 227 << 224 << 1 << 2;
    QTest::newRow("diff 5 (2.5)") << 229 << 224 << 2 << 2;
    QTest::newRow("diff 7 (3.5)") << 231 << 224 << 3 << 4;
    QTest::newRow("diff 161 (80.5)") << 385 << 224 << 80 << 80;
    QTest::newRow("diff 163 (81.5)") << 387 << 224 << 81 << 82;
    QTest::newRow("no crop") << 224 << 224 << 0 << 0;
}

void TestPreprocess::cropRounding() {
    QFETCH(int, size);
    QFETCH(int, crop);
    QFETCH(int, floorOffset);
    QFETCH(int, roundOffset);
    // A square-ish image that is not resized, so the crop offset is all that moves.
    const Image8 img = gradient(size + 2, size, 3);
    PreprocessRecipe r;
    r.resizeRule = ResizeRule::None;
    r.centerCrop = true;
    r.cropH = crop;
    r.cropW = crop;
    for (auto [rounding, offset] : {std::pair{CropRounding::Floor, floorOffset},
                                    std::pair{CropRounding::Round, roundOffset}}) {
        r.cropRounding = rounding;
        const auto out = preprocess(img, r);
        QVERIFY(out.ok());
        const int leftExpected = rounding == CropRounding::Floor
                                     ? (size + 2 - crop) / 2
                                     : static_cast<int>(std::nearbyint((size + 2 - crop) / 2.0));
        const Image8 want = cropImage(img, offset, leftExpected, crop, crop);
        QCOMPARE(maxAbsDiff(out->shown, want), 0);
    }
}

void TestPreprocess::withOutputSize_data() {
    QTest::addColumn<QString>("recipe");
    QTest::addColumn<int>("h");
    QTest::addColumn<int>("w");
    QTest::addColumn<int>("resizeH");
    QTest::addColumn<int>("resizeW");
    QTest::addColumn<int>("shortestEdge");
    QTest::addColumn<int>("cropH");
    QTest::addColumn<int>("cropW");
    QTest::newRow("vit 384") << "vit" << 384 << 384 << 384 << 384 << 0 << 224 << 224;
    QTest::newRow("vit 96x160") << "vit" << 96 << 160 << 96 << 160 << 0 << 224 << 224;
    QTest::newRow("dinov2 448") << "dinov2" << 448 << 448 << 224 << 224 << 512 << 448 << 448;
    QTest::newRow("dinov2 112") << "dinov2" << 112 << 112 << 224 << 224 << 128 << 112 << 112;
    // timm: floor(size / crop_pct) from crop_pct itself, not from 248 / 224.
    QTest::newRow("timm 384") << "timm" << 384 << 384 << 224 << 224 << 426 << 384 << 384;
    QTest::newRow("timm 224") << "timm" << 224 << 224 << 224 << 224 << 248 << 224 << 224;
}

void TestPreprocess::withOutputSize() {
    QFETCH(QString, recipe);
    QFETCH(int, h);
    QFETCH(int, w);
    QFETCH(int, resizeH);
    QFETCH(int, resizeW);
    QFETCH(int, shortestEdge);
    QFETCH(int, cropH);
    QFETCH(int, cropW);
    const PreprocessRecipe r = recipeNamed(recipe).withOutputSize(h, w);
    QCOMPARE(r.resizeH, resizeH);
    QCOMPARE(r.resizeW, resizeW);
    QCOMPARE(r.shortestEdge, shortestEdge);
    QCOMPARE(r.cropH, cropH);
    QCOMPARE(r.cropW, cropW);
    QCOMPARE(r.outputH(), h);
    QCOMPARE(r.outputW(), w);
    const auto out = preprocess(gradient(301, 257, 3), r);
    QVERIFY(out.ok());
    QCOMPARE(out->input.height, h);
    QCOMPARE(out->input.width, w);
}

void TestPreprocess::outputSizeAndDescribe() {
    const PreprocessRecipe dino = recipeNamed("dinov2");
    QCOMPARE(dino.outputH(), 224);
    QCOMPARE(QString::fromStdString(dino.describe()),
             QString("resize shortest edge to 256 (bicubic), centre crop 224x224, x1/255, "
                     "normalise mean (0.485, 0.456, 0.406) std (0.229, 0.224, 0.225)"));
    QCOMPARE(QString::fromStdString(recipeNamed("vit").describe()),
             QString("resize to 224x224 (bilinear), x1/255, normalise mean (0.5, 0.5, 0.5) std "
                     "(0.5, 0.5, 0.5)"));
    QCOMPARE(QString::fromStdString(recipeNamed("grey").describe()),
             QString("grey, resize to 28x28 (bilinear), x1/255, normalise mean 0.286 std 0.353"));
    PreprocessRecipe none;
    none.resizeRule = ResizeRule::None;
    none.rescale = false;
    none.normalize = false;
    QCOMPARE(QString::fromStdString(none.describe()), QString("no resize"));
    QCOMPARE(none.outputH(), 0);
}

void TestPreprocess::tensorToImageRoundTrip() {
    const Image8 photo = mustLoad(kPhotos + "/chelsea.png");
    for (const char* name : {"vit", "dinov2", "timm", "grey"}) {
        const PreprocessRecipe r = recipeNamed(name);
        const auto out = preprocess(photo, r);
        QVERIFY(out.ok());
        const Image8 back = tensorToImage(out->input, r);
        QCOMPARE(back.channels, r.channels);
        QCOMPARE(maxAbsDiff(back, out->shown), 0);
    }
    // Out-of-range values clamp.
    ImageTensor t{1, 1, 2, {-10.0f, 10.0f}};
    const Image8 clamped = tensorToImage(t, recipeNamed("grey"));
    QCOMPARE(int(clamped.pixels[0]), 0);
    QCOMPARE(int(clamped.pixels[1]), 255);
}

void TestPreprocess::resampleCodes() {
    const Resample byCode[] = {Resample::Nearest, Resample::Lanczos, Resample::Bilinear,
                               Resample::Bicubic, Resample::Box,     Resample::Hamming};
    for (int code = 0; code < 6; ++code) {
        const auto r = resampleFromPilCode(code);
        QVERIFY(r.ok());
        QCOMPARE(*r, byCode[code]);
        const auto back = resampleFromName(toString(*r));
        QVERIFY(back.ok());
        QCOMPARE(*back, *r);
    }
    QVERIFY(!resampleFromPilCode(6).ok());
    QVERIFY(!resampleFromPilCode(-1).ok());
    QVERIFY(resampleFromName("BICUBIC").ok());
    QVERIFY(!resampleFromName("cubic").ok());
}

void TestPreprocess::errors() {
    QVERIFY(!preprocess(Image8{}, recipeNamed("vit")).ok());
    PreprocessRecipe zero = recipeNamed("vit");
    zero.resizeW = 0;
    const auto z = preprocess(gradient(10, 10, 3), zero);
    QVERIFY(!z.ok());
    QCOMPARE(z.error().code, ErrorCode::BadImage);
    PreprocessRecipe bigCrop = recipeNamed("vit");
    bigCrop.centerCrop = true;
    bigCrop.cropH = 300;
    const auto c = preprocess(gradient(10, 10, 3), bigCrop);
    QVERIFY(!c.ok());
    QCOMPARE(c.error().code, ErrorCode::BadModel);  // the recipe alone can never work
    QVERIFY2(QString::fromStdString(c.error().message)
                 .contains("crop_size 224x300 (width x height) is larger than the 224x224 image "
                           "that size resizes to"),
             c.error().message.c_str());
    // A crop that fits some images but not this one is the image's fault.
    PreprocessRecipe tallCrop = hfShortestEdgeCropRecipe(32, 48, 32);  // crop 32 wide, 48 high
    const auto wide = preprocess(gradient(64, 40, 3), tallCrop);
    QVERIFY(!wide.ok());
    QCOMPARE(wide.error().code, ErrorCode::BadImage);
    QVERIFY2(QString::fromStdString(wide.error().message)
                 .contains("the preprocessing recipe: cannot centre-crop 32x48 from the 51x32"),
             wide.error().message.c_str());
    QVERIFY(preprocess(gradient(40, 64, 3), tallCrop).ok());
    QVERIFY(resizeImage(gradient(4, 4, 3), 0, 5, Resample::Bilinear).empty());
    QCOMPARE(cropImage(gradient(10, 8, 1), 6, -3, 10, 5).width, 2);
    QCOMPARE(cropImage(gradient(10, 8, 1), 6, -3, 10, 5).height, 2);
}

void TestPreprocess::hostileRecipes_data() {
    // Recipe values and images whose resize or crop would allocate gigabytes: refused before
    // anything is allocated, BadModel when the recipe alone is absurd, BadImage when the image
    // makes it so. Each used to allocate the full buffer (or overflow an int) first.
    QTest::addColumn<PreprocessRecipe>("recipe");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<qint64>("maxPixels");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("message");
    const qint64 limit = ImageLimits{}.maxPixels;
    auto named = [](PreprocessRecipe r) {
        r.source = "preprocessor_config.json";
        return r;
    };
    const PreprocessRecipe dinov2 = named(hfShortestEdgeCropRecipe(256, 224, 224));
    QTest::newRow("shortest_edge 65535")
        << named(hfShortestEdgeCropRecipe(65535, 224, 224)) << 32 << 32 << limit
        << ErrorCode::BadModel
        << "preprocessor_config.json: shortest_edge 65535 gives at least a 65535x65535 image, "
           "over the 100,000,000-pixel limit";
    QTest::newRow("size 65535") << named(hfExactResizeRecipe(65535, 65535)) << 32 << 32 << limit
                                << ErrorCode::BadModel
                                << "preprocessor_config.json: size 65535x65535 gives a "
                                   "65535x65535 image, over the 100,000,000-pixel limit";
    QTest::newRow("crop_size over the limit")
        << named(hfShortestEdgeCropRecipe(9000, 20000, 9000)) << 32 << 32 << limit
        << ErrorCode::BadModel
        << "preprocessor_config.json: crop_size 9000x20000 (width x height) is over the "
           "100,000,000-pixel limit";
    PreprocessRecipe cropPastResize = named(hfExactResizeRecipe(224, 224));
    cropPastResize.centerCrop = true;
    cropPastResize.cropH = cropPastResize.cropW = 512;
    QTest::newRow("crop_size past size")
        << cropPastResize << 32 << 32 << limit << ErrorCode::BadModel
        << "preprocessor_config.json: crop_size 512x512 (width x height) is larger than the "
           "224x224 image that size resizes to";
    QTest::newRow("crop_size past shortest_edge")
        << named(hfShortestEdgeCropRecipe(256, 512, 512)) << 32 << 32 << limit
        << ErrorCode::BadModel
        << "preprocessor_config.json: crop_size 512x512 (width x height) is larger than "
           "shortest_edge 256 on both sides";
    QTest::newRow("1x20000 strip, DINOv2")
        << dinov2 << 1 << 20000 << limit << ErrorCode::BadImage
        << "preprocessor_config.json: shortest_edge 256 gives a 256x5120000 image for the "
           "1x20000 input, over the 100,000,000-pixel limit";
    QTest::newRow("long side past INT_MAX")
        << dinov2 << 10000000 << 1 << limit << ErrorCode::BadImage
        << "shortest_edge 256 gives a 2560000000x256 image for the 10000000x1 input";
    QTest::newRow("exact resize of a strip")
        << named(hfExactResizeRecipe(224, 224)) << 1 << 2000000 << limit << ErrorCode::BadImage
        << "preprocessor_config.json: resizing the 1x2000000 input to 224x224 (size 224x224) "
           "needs a buffer of 448,000,000 pixels or filter taps, over the 100,000,000-pixel limit";
    PreprocessRecipe asIs = hfExactResizeRecipe(224, 224);
    asIs.resizeRule = ResizeRule::None;
    QTest::newRow("do_resize false")
        << asIs << 2048 << 2048 << qint64(1000000) << ErrorCode::BadImage
        << "the preprocessing recipe: do_resize false gives a 2048x2048 image for the 2048x2048 "
           "input, over the 1,000,000-pixel limit";
}

void TestPreprocess::hostileRecipes() {
    QFETCH(PreprocessRecipe, recipe);
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(qint64, maxPixels);
    QFETCH(ErrorCode, code);
    QFETCH(QString, message);
    const Image8 image{width, height, 1,
                       std::vector<uint8_t>(static_cast<size_t>(width) * height, 7)};
    ImageLimits limits;
    limits.maxPixels = maxPixels;
    const auto out = preprocess(image, recipe, limits);
    QVERIFY(!out.ok());
    QCOMPARE(out.error().code, code);
    QVERIFY2(QString::fromStdString(out.error().message).contains(message),
             out.error().message.c_str());
    if (code == ErrorCode::BadModel) {
        QVERIFY(!checkRecipe(recipe, maxPixels).ok());
    } else {
        QVERIFY(checkRecipe(recipe, maxPixels).ok());
    }
}

void TestPreprocess::resizePeakElements() {
    // The horizontal pass (224 x 480, then 224 x 2000000), the filter taps of an 8929x
    // bilinear downscale (224 outputs x (2 * ceil(1 * 8928.6) + 1) taps), the output alone.
    QCOMPARE(vitscope::core::resizePeakElements(640, 480, 224, 224, Resample::Bilinear),
             qint64(224 * 480));
    QCOMPARE(vitscope::core::resizePeakElements(1, 2000000, 224, 224, Resample::Bilinear),
             qint64(224) * 2000000);
    QCOMPARE(vitscope::core::resizePeakElements(2000000, 224, 224, 224, Resample::Bilinear),
             qint64(224) * (2 * 8929 + 1));
    QCOMPARE(vitscope::core::resizePeakElements(1, 2000000, 224, 224, Resample::Nearest),
             qint64(224 * 224));
}

void TestPreprocess::sameInputSameOutput() {
    const Image8 photo = mustLoad(kPhotos + "/coffee.png");
    const auto a = preprocess(photo, recipeNamed("timm"));
    const auto b = preprocess(photo, recipeNamed("timm"));
    QVERIFY(a.ok() && b.ok());
    QVERIFY(a->input.data == b->input.data);
}

void TestPreprocess::cleanupTestCase() {
    for (const auto& [filter, diff] : mMaxDiffPerFilter) {
        qInfo("resize %s: max abs diff vs Pillow = %d", qPrintable(filter), diff);
    }
    qInfo("recipes: max abs diff vs reference = %g", double(mMaxRecipeDiff));
}

QTEST_APPLESS_MAIN(TestPreprocess)
#include "tst_preprocess.moc"

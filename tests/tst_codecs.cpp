// Pixel parity with Pillow: every format decodeImage supports (PNG, JPEG, WebP, TIFF, BMP, PNM),
// each in its common variants, decodes to exactly the pixels Pillow's Image.open gives (grey
// sources as one channel, 16-bit as (v + 128) // 257, alpha dropped), and half of any of these
// files is refused, not decoded or crashed on.
// Fixtures and Pillow's decodes: tools/make_codec_fixtures.py (tests/data/images/codecs/).

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QtTest>
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/image/image_io.h"
#include "image_test_util.h"
#include "test_util.h"

using namespace vitscope::core;
using namespace vitscope::test;

namespace {

const QString kCodecs = QStringLiteral("images/codecs/");

QJsonArray manifestFiles() {
    return readJson(kData + "/" + kCodecs + "manifest.json").value("files").toArray();
}

/// One row per manifest entry, named by its file.
void addManifestRows() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("channels");
    QTest::addColumn<QString>("pillowMode");
    const QJsonArray files = manifestFiles();
    QVERIFY2(!files.isEmpty(), "no codecs/manifest.json: run tools/make_codec_fixtures.py");
    for (const auto& value : files) {
        const QJsonObject entry = value.toObject();
        const QString file = entry.value("file").toString();
        QTest::newRow(qPrintable(file))
            << file << entry.value("width").toInt() << entry.value("height").toInt()
            << entry.value("channels").toInt()
            << (entry.value("pillow_mode").isNull() ? QStringLiteral("(Pillow cannot open)")
                                                    : entry.value("pillow_mode").toString());
    }
}

}  // namespace

class TestCodecs : public QObject {
    Q_OBJECT

private slots:
    void manifestCoversEveryFormat();
    void matchesPillow_data();
    void matchesPillow();
    void truncatedHalfIsRefused_data();
    void truncatedHalfIsRefused();
    void truncatedJpegScanIsRefused_data();
    void truncatedJpegScanIsRefused();
};

void TestCodecs::manifestCoversEveryFormat() {
    // An empty or partial manifest would make the data-driven tests pass on nothing.
    const QJsonArray files = manifestFiles();
    QVERIFY2(files.size() >= 40, qPrintable(QString("%1 entries").arg(files.size())));
    QSet<QString> formats;
    for (const auto& value : files) {
        formats.insert(value.toObject().value("format").toString());
    }
    for (const char* format : {"PNG", "JPEG", "WEBP", "TIFF", "BMP", "PPM", "PAM"}) {
        QVERIFY2(formats.contains(format), format);
    }
}

void TestCodecs::matchesPillow_data() { addManifestRows(); }

void TestCodecs::matchesPillow() {
    QFETCH(QString, file);
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(int, channels);
    QFETCH(QString, pillowMode);
    const auto bytes = readAll(dataPath(kCodecs + file));
    QVERIFY2(!bytes.empty(), qPrintable(file));
    const auto decoded = decodeImage(bytes, file.toStdString());
    QVERIFY2(decoded.ok(), decoded.ok() ? "" : decoded.error().message.c_str());
    const Image8& image = *decoded;

    const FloatArray expected = readNpyFloat(dataPath(kCodecs + file + ".npy"));
    QVERIFY2(expected.ok, qPrintable(file + ".npy"));
    const std::vector<int64_t> shape = channels == 1
                                           ? std::vector<int64_t>{height, width}
                                           : std::vector<int64_t>{height, width, int64_t{channels}};
    QVERIFY2(expected.shape == shape, qPrintable(file + ".npy has an unexpected shape"));

    const QString got = QString("%1x%2x%3").arg(image.width).arg(image.height).arg(image.channels);
    const QString want =
        QString("%1x%2x%3 (Pillow mode %4)").arg(width).arg(height).arg(channels).arg(pillowMode);
    QVERIFY2(image.width == width && image.height == height && image.channels == channels,
             qPrintable(file + ": decoded " + got + ", Pillow " + want));
    QCOMPARE(image.pixels.size(), expected.values.size());

    // Exact for every format, JPEG and lossy WebP included: libjpeg-turbo and libwebp decode the
    // same bytes to the same pixels whichever program calls them.
    int maxDiff = 0;
    int differing = 0;
    QString first;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            int pixelDiff = 0;
            QStringList gotValues;
            QStringList wantValues;
            for (int c = 0; c < channels; ++c) {
                const size_t i = (static_cast<size_t>(y) * width + x) * channels + c;
                const int a = image.pixels[i];
                const int b = static_cast<int>(expected.values[i]);
                pixelDiff = std::max(pixelDiff, std::abs(a - b));
                gotValues << QString::number(a);
                wantValues << QString::number(b);
            }
            if (pixelDiff > 0) {
                ++differing;
                maxDiff = std::max(maxDiff, pixelDiff);
                if (first.isEmpty()) {
                    first = QString("first at (x %1, y %2): decoded (%3), Pillow (%4)")
                                .arg(x)
                                .arg(y)
                                .arg(gotValues.join(' '), wantValues.join(' '));
                }
            }
        }
    }
    QVERIFY2(differing == 0, qPrintable(QString("%1 (Pillow mode %2): max abs difference %3, %4 "
                                                "of %5 pixels differ; %6")
                                            .arg(file, pillowMode)
                                            .arg(maxDiff)
                                            .arg(differing)
                                            .arg(width * height)
                                            .arg(first)));
}

void TestCodecs::truncatedHalfIsRefused_data() { addManifestRows(); }

void TestCodecs::truncatedHalfIsRefused() {
    // Pillow raises on every one of these ("image file is truncated", "not enough image data",
    // ...): a half file is an error, never a partial image filled with grey. Run under ASan (the
    // asan preset) to catch overreads.
    QFETCH(QString, file);
    const auto bytes = readAll(dataPath(kCodecs + file));
    QVERIFY2(!bytes.empty(), qPrintable(file));
    const std::span<const std::byte> half(bytes.data(), bytes.size() / 2);
    const auto decoded = decodeImage(half, file.toStdString());
    QVERIFY2(!decoded.ok(), qPrintable(QString("%1: the first %2 of %3 bytes decoded as %4x%5x%6")
                                           .arg(file)
                                           .arg(half.size())
                                           .arg(bytes.size())
                                           .arg(decoded.ok() ? decoded->width : 0)
                                           .arg(decoded.ok() ? decoded->height : 0)
                                           .arg(decoded.ok() ? decoded->channels : 0)));
    QVERIFY2(decoded.error().code == ErrorCode::BadImage,
             qPrintable(file + ": " + QString::fromStdString(decoded.error().message)));
}

void TestCodecs::truncatedJpegScanIsRefused_data() {
    QTest::addColumn<QString>("file");
    for (const auto& value : manifestFiles()) {
        const QJsonObject entry = value.toObject();
        if (entry.value("format").toString() == "JPEG") {
            const QString file = entry.value("file").toString();
            QTest::newRow(qPrintable(file)) << file;
        }
    }
}

void TestCodecs::truncatedJpegScanIsRefused() {
    // Half of a small JPEG often ends inside its Huffman tables; this cut is inside the entropy-
    // coded data, halfway from the first SOS marker to the end, where libjpeg only warns
    // ("Premature end of JPEG file") and pads the rest grey. Pillow raises "image file is
    // truncated" on every one of these.
    QFETCH(QString, file);
    const auto bytes = readAll(dataPath(kCodecs + file));
    QVERIFY2(!bytes.empty(), qPrintable(file));
    size_t sos = 0;
    while (sos + 1 < bytes.size() &&
           !(bytes[sos] == std::byte{0xFF} && bytes[sos + 1] == std::byte{0xDA})) {
        ++sos;
    }
    QVERIFY2(sos + 1 < bytes.size(), qPrintable(file + ": no SOS marker"));
    const std::span<const std::byte> cut(bytes.data(), (sos + bytes.size()) / 2);
    const auto decoded = decodeImage(cut, file.toStdString());
    QVERIFY2(!decoded.ok(), qPrintable(QString("%1: the first %2 of %3 bytes (SOS at %4) decoded")
                                           .arg(file)
                                           .arg(cut.size())
                                           .arg(bytes.size())
                                           .arg(sos)));
    QVERIFY2(decoded.error().code == ErrorCode::BadImage,
             qPrintable(file + ": " + QString::fromStdString(decoded.error().message)));
}

QTEST_APPLESS_MAIN(TestCodecs)
#include "tst_codecs.moc"

// EXIF orientation: where Pillow's ImageOps.exif_transpose finds the tag (JPEG APP1, PNG eXIf,
// WebP EXIF, not TIFF), that decoding applies it, and hostile layouts that must give 1.
// Fixtures: tools/make_bad_images.py, tools/make_preprocess_fixtures.py.

#include <QtTest>
#include <cmath>

#include "core/image/image_io.h"
#include "image_test_util.h"

using namespace vitscope::core;
using namespace vitscope::test;

namespace {

/// A TIFF structure whose IFD0 (at `ifdOffset`, declaring `count` entries) holds one entry
/// (tag, type SHORT = 3 or LONG = 4, count 1, value), as an EXIF block holds the orientation.
std::vector<std::byte> tiffBlock(bool bigEndian, uint32_t type, uint32_t value,
                                 uint32_t ifdOffset = 8, uint32_t count = 1,
                                 uint32_t tag = 0x0112) {
    std::vector<std::byte> out;
    auto put = [&](uint32_t v, int bytes) {
        bigEndian ? appendBe(out, v, bytes) : appendLe(out, v, bytes);
    };
    append(out, bigEndian ? std::string_view("MM\0*", 4) : std::string_view("II*\0", 4));
    put(ifdOffset, 4);
    put(count, 2);
    put(tag, 2);
    put(type, 2);
    put(1, 4);
    if (type == 3) {
        put(value, 2);
        put(0, 2);
    } else {
        put(value, 4);
    }
    put(0, 4);  // no next IFD
    return out;
}

std::vector<std::byte> withExifHeader(std::vector<std::byte> block) {
    std::vector<std::byte> out;
    append(out, std::string_view("Exif\0\0", 6));
    out.insert(out.end(), block.begin(), block.end());
    return out;
}

using Chunk = std::pair<std::string_view, std::vector<std::byte>>;

/// PNG signature, IHDR, the chunks, IEND. CRCs are zero: exifOrientation does not check them.
std::vector<std::byte> pngWith(const std::vector<Chunk>& chunks) {
    std::vector<std::byte> out;
    append(out, "\x89PNG\r\n\x1a\n");
    std::vector<Chunk> all{{"IHDR", std::vector<std::byte>(13)}};
    all.insert(all.end(), chunks.begin(), chunks.end());
    all.push_back({"IEND", {}});
    for (const auto& [type, data] : all) {
        appendBe(out, uint32_t(data.size()), 4);
        append(out, type);
        out.insert(out.end(), data.begin(), data.end());
        appendBe(out, 0, 4);
    }
    return out;
}

/// An extended WebP: RIFF header, VP8X with `flags` (0x08: EXIF present), then the chunks, each
/// padded to an even size. `riffSize` overrides the RIFF size field when non-zero.
std::vector<std::byte> webpWith(uint8_t flags, const std::vector<Chunk>& chunks,
                                uint32_t riffSize = 0) {
    std::vector<std::byte> body;
    append(body, "WEBP");
    append(body, "VP8X");
    appendLe(body, 10, 4);
    appendLe(body, flags, 4);
    appendLe(body, 6, 3);  // width - 1
    appendLe(body, 4, 3);  // height - 1
    for (const auto& [fourcc, data] : chunks) {
        append(body, fourcc);
        appendLe(body, uint32_t(data.size()), 4);
        body.insert(body.end(), data.begin(), data.end());
        if (data.size() % 2 == 1) {
            body.push_back(std::byte{0});
        }
    }
    std::vector<std::byte> out;
    append(out, "RIFF");
    appendLe(out, riffSize != 0 ? riffSize : uint32_t(body.size()), 4);
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

}  // namespace

class TestExifOrientation : public QObject {
    Q_OBJECT

private slots:
    void exifOrientation();
    void orientationBeyondJpeg_data();
    void orientationBeyondJpeg();
    void exifOrientationChunks_data();
    void exifOrientationChunks();
};

void TestExifOrientation::exifOrientation() {
    const auto bytes = readAll(dataPath("images/exif_orientation6.jpg"));
    QCOMPARE(vitscope::core::exifOrientation(bytes), 6);
    const auto image = loadImage(dataPath("images/exif_orientation6.jpg"));
    QVERIFY2(image.ok(), image.ok() ? "" : image.error().message.c_str());
    const auto upright = loadImage(dataPath("images/exif_orientation6_upright.png"));
    QVERIFY(upright.ok());
    // Stored 40x24; orientation 6 displays it rotated 90 degrees clockwise.
    QCOMPARE(image->width, 24);
    QCOMPARE(image->height, 40);
    QCOMPARE(image->channels, 3);
    QCOMPARE(upright->width, 24);
    QCOMPARE(upright->height, 40);
    // Pillow and vitscope both decode with the system libjpeg-turbo at its default settings, so
    // the pixels are equal. A wrong orientation differs by ~190 in the flat colour blocks.
    int maxDiff = 0;
    for (size_t i = 0; i < image->pixels.size(); ++i) {
        maxDiff = std::max(maxDiff, std::abs(int(image->pixels[i]) - int(upright->pixels[i])));
    }
    qInfo("EXIF orientation 6: max abs diff vs Pillow exif_transpose = %d", maxDiff);
    QCOMPARE(maxDiff, 0);
    QCOMPARE(vitscope::core::exifOrientation(readAll(dataPath("bad/images/huge_claim.jpg"))), 1);
}

void TestExifOrientation::orientationBeyondJpeg_data() {
    // One 7x5 image (every pixel distinct) stored with orientations 3, 6 and 8: in a PNG eXIf
    // chunk, in the EXIF chunk of a lossless WebP, and in a TIFF's own Orientation tag. The
    // upright references are Pillow's (ImageOps.exif_transpose; for TIFF, Image.load(), which
    // already orients). The TIFF decoder applies the TIFF's own tag, and exifOrientation()
    // reports 1 for a TIFF, so the TIFF rows guard against rotating twice.
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    for (const char* ext : {"png", "webp", "tif"}) {
        for (int o : {3, 6, 8}) {
            const bool swapped = o != 3;
            QTest::addRow("%s orientation %d", ext, o)
                << QString("orient7x5_o%1.%2").arg(o).arg(ext) << (swapped ? 5 : 7)
                << (swapped ? 7 : 5);
        }
    }
}

void TestExifOrientation::orientationBeyondJpeg() {
    QFETCH(QString, file);
    QFETCH(int, width);
    QFETCH(int, height);
    const auto image = loadImage(dataPath("images/" + file));
    QVERIFY2(image.ok(), image.ok() ? "" : image.error().message.c_str());
    const QString reference = file.left(file.lastIndexOf('.')) + "_upright.png";
    const auto upright = loadImage(dataPath("images/" + reference));
    QVERIFY(upright.ok());
    QCOMPARE(upright->width, width);
    QCOMPARE(upright->height, height);
    QCOMPARE(image->width, width);
    QCOMPARE(image->height, height);
    QCOMPARE(image->channels, 3);
    QVERIFY(image->pixels == upright->pixels);  // lossless formats: exact
}

void TestExifOrientation::exifOrientationChunks_data() {
    // Where Pillow finds the orientation (and where it does not), and hostile layouts that must
    // give 1 without reading out of bounds.
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("expected");
    const auto be6 = tiffBlock(true, 3, 6);
    const std::vector<std::byte> idat(4);
    QTest::newRow("png eXIf") << toQByteArray(pngWith({{"eXIf", be6}})) << 6;
    QTest::newRow("png little-endian")
        << toQByteArray(pngWith({{"eXIf", tiffBlock(false, 3, 8)}})) << 8;
    QTest::newRow("png LONG value")
        << toQByteArray(pngWith({{"eXIf", tiffBlock(true, 4, 3)}})) << 3;
    QTest::newRow("png Exif header") << toQByteArray(pngWith({{"eXIf", withExifHeader(be6)}})) << 6;
    QTest::newRow("png after IDAT") << toQByteArray(pngWith({{"IDAT", idat}, {"eXIf", be6}})) << 6;
    QTest::newRow("png last eXIf wins")
        << toQByteArray(pngWith({{"eXIf", tiffBlock(true, 3, 3)}, {"eXIf", be6}})) << 6;
    QTest::newRow("png value 9") << toQByteArray(pngWith({{"eXIf", tiffBlock(true, 3, 9)}})) << 1;
    QTest::newRow("png value 0") << toQByteArray(pngWith({{"eXIf", tiffBlock(true, 3, 0)}})) << 1;
    QTest::newRow("png other tag")
        << toQByteArray(pngWith({{"eXIf", tiffBlock(true, 3, 6, 8, 1, 0x0100)}})) << 1;
    QTest::newRow("png IFD past end")
        << toQByteArray(pngWith({{"eXIf", tiffBlock(true, 3, 6, 0xFFFFFFF0u)}})) << 1;
    QTest::newRow("png 65535 entries declared")
        << toQByteArray(pngWith({{"eXIf", tiffBlock(true, 3, 6, 8, 65535, 0x0100)}})) << 1;
    QTest::newRow("png bad TIFF magic")
        << toQByteArray(pngWith({{"eXIf", bytesOf({'M', 'M', 0, 43, 0, 0, 0, 8})}})) << 1;
    QTest::newRow("png short block")
        << toQByteArray(pngWith({{"eXIf", bytesOf({'M', 'M', 0, 42})}})) << 1;
    {
        // A chunk length far past the end of the file.
        auto bytes = pngWith({{"eXIf", be6}});
        const size_t lengthAt = 8 + 25;  // after the signature and IHDR
        for (size_t i = 0; i < 4; ++i) {
            bytes[lengthAt + i] = std::byte{0xFF};
        }
        QTest::newRow("png chunk length past end") << toQByteArray(bytes) << 1;
    }
    {
        // Chunks after IEND are not part of the image.
        auto bytes = pngWith({});
        appendBe(bytes, uint32_t(be6.size()), 4);
        append(bytes, "eXIf");
        bytes.insert(bytes.end(), be6.begin(), be6.end());
        appendBe(bytes, 0, 4);
        QTest::newRow("png eXIf after IEND") << toQByteArray(bytes) << 1;
    }
    QTest::newRow("webp EXIF") << toQByteArray(webpWith(0x08, {{"VP8L", idat}, {"EXIF", be6}}))
                               << 6;
    QTest::newRow("webp Exif header")
        << toQByteArray(webpWith(0x08, {{"EXIF", withExifHeader(be6)}})) << 6;
    QTest::newRow("webp after odd chunk")
        << toQByteArray(webpWith(0x08, {{"ICCP", bytesOf({1, 2, 3})}, {"EXIF", be6}})) << 6;
    QTest::newRow("webp EXIF flag clear") << toQByteArray(webpWith(0x00, {{"EXIF", be6}})) << 1;
    QTest::newRow("webp first EXIF wins")
        << toQByteArray(webpWith(0x08, {{"EXIF", tiffBlock(true, 3, 3)}, {"EXIF", be6}})) << 3;
    QTest::newRow("webp EXIF past RIFF size")
        << toQByteArray(webpWith(0x08, {{"EXIF", be6}}, 4 + 18)) << 1;
    {
        auto bytes = webpWith(0x08, {{"EXIF", be6}});
        for (size_t i = 0; i < 4; ++i) {
            bytes[30 + 4 + i] = std::byte{0xFF};  // the EXIF chunk's size field
        }
        QTest::newRow("webp chunk size past end") << toQByteArray(bytes) << 1;
    }
    // A TIFF's own tag 274: the TIFF decoder applies it, so nothing is left to apply.
    QTest::newRow("tiff") << toQByteArray(tiffBlock(true, 3, 6)) << 1;
    QTest::newRow("not an image") << QByteArray("Orientation 6") << 1;
}

void TestExifOrientation::exifOrientationChunks() {
    QFETCH(QByteArray, bytes);
    QFETCH(int, expected);
    const std::span<const std::byte> span(reinterpret_cast<const std::byte*>(bytes.constData()),
                                          size_t(bytes.size()));
    QCOMPARE(vitscope::core::exifOrientation(span), expected);
}

QTEST_APPLESS_MAIN(TestExifOrientation)
#include "tst_exif_orientation.moc"

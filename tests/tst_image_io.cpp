// Decoding: broken and hostile files are refused with specific messages, header sniffing, EXIF
// orientation, 16-bit and alpha handling, Pillow's grey conversion, PNG round trip.
// Fixtures: tools/make_bad_images.py, tools/make_preprocess_fixtures.py.

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <cstring>

#include "core/image/image_io.h"

using namespace vitscope::core;

namespace {

const QString kData = QStringLiteral(VITSCOPE_TEST_DATA);

std::string dataPath(const QString& relative) { return (kData + "/" + relative).toStdString(); }

std::vector<std::byte> bytesOf(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values) {
        out.push_back(static_cast<std::byte>(v));
    }
    return out;
}

void append(std::vector<std::byte>& out, std::string_view text) {
    for (char c : text) {
        out.push_back(static_cast<std::byte>(c));
    }
}

void appendBe(std::vector<std::byte>& out, uint32_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) {
        out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
    }
}

void appendLe(std::vector<std::byte>& out, uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) {
        out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
    }
}

QByteArray toQByteArray(const std::vector<std::byte>& bytes) {
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size()));
}

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

std::vector<std::byte> readAll(const std::string& path) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray data = f.readAll();
    std::vector<std::byte> out(static_cast<size_t>(data.size()));
    std::memcpy(out.data(), data.constData(), out.size());
    return out;
}

}  // namespace

class TestImageIo : public QObject {
    Q_OBJECT

private slots:
    void badImages_data();
    void badImages();
    void missingFile();
    void fileSizeLimit();
    void pixelLimitIsConfigurable();
    void sniff_data();
    void sniff();
    void truncatedPrefixesNeverCrash();
    void exifOrientation();
    void orientationBeyondJpeg_data();
    void orientationBeyondJpeg();
    void exifOrientationChunks_data();
    void exifOrientationChunks();
    void sixteenBit();
    void alphaDropped();
    void greyStaysGrey();
    void convertChannelsMatchesPillow();
    void savePngRoundTrip();
};

void TestImageIo::badImages_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << "empty.png"
                           << "file is empty";
    QTest::newRow("truncated") << "truncated.png"
                               << "not an image OpenCV can decode (PNG header";
    QTest::newRow("text") << "not_an_image.jpg"
                          << "not an image OpenCV can decode (unrecognised format";
    QTest::newRow("huge png")
        << "huge_claim.png"
        << "image claims 100000x100000 pixels, more than the 100000000-pixel limit";
    QTest::newRow("huge jpeg")
        << "huge_claim.jpg"
        << "image claims 60000x60000 pixels, more than the 100000000-pixel limit";
    QTest::newRow("bmp negative") << "bmp_negative.bmp"
                                  << "BMP header declares an invalid size -64x32";
}

void TestImageIo::badImages() {
    QFETCH(QString, file);
    QFETCH(QString, expected);
    const std::string path = dataPath("bad/images/" + file);
    const auto result = loadImage(path);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::BadImage);
    const QString message = QString::fromStdString(result.error().message);
    QVERIFY2(message.startsWith(QString::fromStdString(path) + ": "), qPrintable(message));
    QVERIFY2(message.contains(expected), qPrintable(message));
}

void TestImageIo::missingFile() {
    const auto result = loadImage(dataPath("images/no_such_file.png"));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::Io);
    QVERIFY(
        QString::fromStdString(result.error().message).contains("no_such_file.png: cannot open"));
}

void TestImageIo::fileSizeLimit() {
    ImageLimits limits;
    limits.maxFileBytes = 100;
    const auto result = loadImage(dataPath("images/exif_orientation6.jpg"), limits);
    QVERIFY(!result.ok());
    QVERIFY2(
        QString::fromStdString(result.error().message).contains("more than the 100-byte limit"),
        result.error().message.c_str());
    const auto bytes = readAll(dataPath("images/exif_orientation6.jpg"));
    QVERIFY(!decodeImage(bytes, "mem", limits).ok());
}

void TestImageIo::pixelLimitIsConfigurable() {
    ImageLimits limits;
    limits.maxPixels = 24 * 40 - 1;
    const auto refused = loadImage(dataPath("images/exif_orientation6.jpg"), limits);
    QVERIFY(!refused.ok());
    QVERIFY2(QString::fromStdString(refused.error().message)
                 .contains("image claims 40x24 pixels, more than the 959-pixel limit"),
             refused.error().message.c_str());
    limits.maxPixels = 24 * 40;
    QVERIFY(loadImage(dataPath("images/exif_orientation6.jpg"), limits).ok());
}

void TestImageIo::sniff_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("format");
    QTest::addColumn<qint64>("width");
    QTest::addColumn<qint64>("height");
    auto toQt = [](const std::vector<std::byte>& b) {
        return QByteArray(reinterpret_cast<const char*>(b.data()),
                          static_cast<qsizetype>(b.size()));
    };

    std::vector<std::byte> png;
    append(png, "\x89PNG\r\n\x1a\n");
    appendBe(png, 13, 4);
    append(png, "IHDR");
    appendBe(png, 640, 4);
    appendBe(png, 480, 4);
    QTest::newRow("png") << toQt(png) << "PNG" << qint64(640) << qint64(480);

    // SOI, APP0 (length 4), a fill byte, SOF2 (progressive).
    std::vector<std::byte> jpeg = bytesOf(
        {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xFF, 0xC2, 0x00, 0x07, 0x08});
    appendBe(jpeg, 300, 2);
    appendBe(jpeg, 451, 2);
    QTest::newRow("jpeg") << toQt(jpeg) << "JPEG" << qint64(451) << qint64(300);

    std::vector<std::byte> bmp;
    append(bmp, "BM");
    appendLe(bmp, 0, 4);
    appendLe(bmp, 0, 4);
    appendLe(bmp, 54, 4);
    appendLe(bmp, 40, 4);
    appendLe(bmp, 123, 4);
    appendLe(bmp, static_cast<uint32_t>(-45), 4);  // top-down
    QTest::newRow("bmp top-down") << toQt(bmp) << "BMP" << qint64(123) << qint64(45);

    std::vector<std::byte> gif;
    append(gif, "GIF89a");
    appendLe(gif, 70000 & 0xFFFF, 2);
    appendLe(gif, 9, 2);
    QTest::newRow("gif") << toQt(gif) << "GIF" << qint64(70000 & 0xFFFF) << qint64(9);

    auto riff = [&](std::string_view fourcc) {
        std::vector<std::byte> b;
        append(b, "RIFF");
        appendLe(b, 100, 4);
        append(b, "WEBP");
        append(b, fourcc);
        appendLe(b, 80, 4);
        return b;
    };
    std::vector<std::byte> vp8 = riff("VP8 ");
    appendLe(vp8, 0, 3);
    for (int v : {0x9D, 0x01, 0x2A}) {
        vp8.push_back(static_cast<std::byte>(v));
    }
    appendLe(vp8, 1000 | (1 << 14), 2);  // scale bits must be masked
    appendLe(vp8, 700, 2);
    QTest::newRow("webp vp8") << toQt(vp8) << "WebP" << qint64(1000) << qint64(700);

    std::vector<std::byte> vp8l = riff("VP8L");
    vp8l.push_back(std::byte{0x2F});
    appendLe(vp8l, (1999u) | (999u << 14), 4);
    QTest::newRow("webp vp8l") << toQt(vp8l) << "WebP" << qint64(2000) << qint64(1000);

    std::vector<std::byte> vp8x = riff("VP8X");
    appendLe(vp8x, 0, 4);
    appendLe(vp8x, 16383, 3);
    appendLe(vp8x, 99999, 3);
    QTest::newRow("webp vp8x") << toQt(vp8x) << "WebP" << qint64(16384) << qint64(100000);

    for (bool big : {false, true}) {
        std::vector<std::byte> tiff;
        append(tiff, big ? std::string_view("MM\0*", 4) : std::string_view("II*\0", 4));
        auto put = [&](uint32_t v, int n) { big ? appendBe(tiff, v, n) : appendLe(tiff, v, n); };
        put(8, 4);
        put(3, 2);
        put(254, 2), put(4, 2), put(1, 4), put(0, 4);               // NewSubfileType
        put(256, 2), put(3, 2), put(1, 4), put(321, 2), put(0, 2);  // width, SHORT
        put(257, 2), put(4, 2), put(1, 4), put(123456, 4);          // height, LONG
        QTest::newRow(big ? "tiff MM" : "tiff II")
            << toQt(tiff) << "TIFF" << qint64(321) << qint64(123456);
    }

    std::vector<std::byte> pnm;
    append(pnm, "P6\n# a comment 9 9\n 17\t5\n255\n");
    QTest::newRow("ppm") << toQt(pnm) << "PNM" << qint64(17) << qint64(5);
    std::vector<std::byte> pam;
    append(pam, "P7\nWIDTH 4\nHEIGHT 99999999999999999999999\nDEPTH 3\nENDHDR\n");
    QTest::newRow("pam saturates") << toQt(pam) << "PNM" << qint64(4) << (qint64(1) << 40);

    QTest::newRow("unknown") << QByteArray("hello world") << "" << qint64(0) << qint64(0);
    QTest::newRow("short png") << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0", 18) << ""
                               << qint64(0) << qint64(0);
    QTest::newRow("jpeg length past end")
        << QByteArray("\xFF\xD8\xFF\xE0\xFF\xFF\x00", 7) << "" << qint64(0) << qint64(0);
}

void TestImageIo::sniff() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, format);
    QFETCH(qint64, width);
    QFETCH(qint64, height);
    const auto info = sniffImageHeader(std::as_bytes(std::span(bytes.constData(), bytes.size())));
    if (format.isEmpty()) {
        QVERIFY(!info.has_value());
        return;
    }
    QVERIFY(info.has_value());
    QCOMPARE(QString(info->format), format);
    QCOMPARE(info->width, width);
    QCOMPARE(info->height, height);
}

void TestImageIo::truncatedPrefixesNeverCrash() {
    // Every prefix of a real JPEG (with an EXIF segment), PNG, and a PNG, WebP and TIFF with an
    // orientation: sniffing, EXIF parsing and decoding must fail or succeed cleanly. Run under
    // ASan (the asan preset) to catch overreads.
    for (const char* file : {"images/exif_orientation6.jpg", "images/rgb16.png",
                             "images/orient7x5_o6.png", "images/orient7x5_o6.webp",
                             "images/orient7x5_o6.tif"}) {
        const auto bytes = readAll(dataPath(file));
        QVERIFY(!bytes.empty());
        for (size_t n = 0; n <= bytes.size(); n += (n < 64 ? 1 : 37)) {
            const std::span<const std::byte> prefix(bytes.data(), n);
            (void)sniffImageHeader(prefix);
            const int orientation = vitscope::core::exifOrientation(prefix);
            QVERIFY(orientation >= 1 && orientation <= 8);
            const auto result = decodeImage(prefix, "prefix");
            if (!result.ok()) {
                QCOMPARE(result.error().code, ErrorCode::BadImage);
            }
        }
    }
}

void TestImageIo::exifOrientation() {
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
    // Pillow and OpenCV both decode with the system libjpeg-turbo; allow a little for a build
    // that uses another IDCT. A wrong orientation differs by ~190 in the flat colour blocks.
    int maxDiff = 0;
    for (size_t i = 0; i < image->pixels.size(); ++i) {
        maxDiff = std::max(maxDiff, std::abs(int(image->pixels[i]) - int(upright->pixels[i])));
    }
    qInfo("EXIF orientation 6: max abs diff vs Pillow exif_transpose = %d", maxDiff);
    QVERIFY(maxDiff <= 2);
    QCOMPARE(vitscope::core::exifOrientation(readAll(dataPath("bad/images/huge_claim.jpg"))), 1);
}

void TestImageIo::orientationBeyondJpeg_data() {
    // One 7x5 image (every pixel distinct) stored with orientations 3, 6 and 8: in a PNG eXIf
    // chunk, in the EXIF chunk of a lossless WebP, and in a TIFF's own Orientation tag. The
    // upright references are Pillow's (ImageOps.exif_transpose; for TIFF, Image.load(), which
    // already orients). OpenCV's TIFF decoder orients by itself even with IMREAD_UNCHANGED, so
    // the TIFF rows guard against rotating twice.
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

void TestImageIo::orientationBeyondJpeg() {
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

void TestImageIo::exifOrientationChunks_data() {
    // Where Pillow finds the orientation (and where it does not), and hostile layouts that must
    // give 1 without reading out of bounds.
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("expected");
    const auto be6 = tiffBlock(true, 3, 6);
    const std::vector<std::byte> idat(4);
    QTest::newRow("png eXIf") << toQByteArray(pngWith({{"eXIf", be6}})) << 6;
    QTest::newRow("png little-endian") << toQByteArray(pngWith({{"eXIf", tiffBlock(false, 3, 8)}}))
                                       << 8;
    QTest::newRow("png LONG value") << toQByteArray(pngWith({{"eXIf", tiffBlock(true, 4, 3)}}))
                                    << 3;
    QTest::newRow("png Exif header") << toQByteArray(pngWith({{"eXIf", withExifHeader(be6)}}))
                                     << 6;
    QTest::newRow("png after IDAT") << toQByteArray(pngWith({{"IDAT", idat}, {"eXIf", be6}})) << 6;
    QTest::newRow("png last eXIf wins")
        << toQByteArray(pngWith({{"eXIf", tiffBlock(true, 3, 3)}, {"eXIf", be6}})) << 6;
    QTest::newRow("png value 9") << toQByteArray(pngWith({{"eXIf", tiffBlock(true, 3, 9)}})) << 1;
    QTest::newRow("png value 0") << toQByteArray(pngWith({{"eXIf", tiffBlock(true, 3, 0)}})) << 1;
    QTest::newRow("png other tag") << toQByteArray(pngWith({{"eXIf", tiffBlock(true, 3, 6, 8, 1, 0x0100)}}))
                                   << 1;
    QTest::newRow("png IFD past end")
        << toQByteArray(pngWith({{"eXIf", tiffBlock(true, 3, 6, 0xFFFFFFF0u)}})) << 1;
    QTest::newRow("png 65535 entries declared")
        << toQByteArray(pngWith({{"eXIf", tiffBlock(true, 3, 6, 8, 65535, 0x0100)}})) << 1;
    QTest::newRow("png bad TIFF magic")
        << toQByteArray(pngWith({{"eXIf", bytesOf({'M', 'M', 0, 43, 0, 0, 0, 8})}})) << 1;
    QTest::newRow("png short block") << toQByteArray(pngWith({{"eXIf", bytesOf({'M', 'M', 0, 42})}}))
                                     << 1;
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
    QTest::newRow("webp EXIF") << toQByteArray(webpWith(0x08, {{"VP8L", idat}, {"EXIF", be6}})) << 6;
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
    // A TIFF's own tag 274: OpenCV's decoder applies it, so nothing is left to apply.
    QTest::newRow("tiff") << toQByteArray(tiffBlock(true, 3, 6)) << 1;
    QTest::newRow("not an image") << QByteArray("Orientation 6") << 1;
}

void TestImageIo::exifOrientationChunks() {
    QFETCH(QByteArray, bytes);
    QFETCH(int, expected);
    const std::span<const std::byte> span(reinterpret_cast<const std::byte*>(bytes.constData()),
                                          size_t(bytes.size()));
    QCOMPARE(vitscope::core::exifOrientation(span), expected);
}

void TestImageIo::sixteenBit() {
    auto value = [](int y, int x, int c) -> int {
        static const int kRow0[8] = {0,     65535, 128, 129, 257 * 10 + 128, 257 * 10 + 129,
                                     32896, 65407};
        if (y == 0 && c == 0) {
            return kRow0[x];
        }
        return static_cast<int>((int64_t{x} * 7919 + y * 10007 + c * 31337) * 13 % 65536);
    };
    auto expected8 = [](int v) { return static_cast<int>(std::lround(v / 257.0)); };

    const auto rgb = loadImage(dataPath("images/rgb16.png"));
    QVERIFY2(rgb.ok(), rgb.ok() ? "" : rgb.error().message.c_str());
    QCOMPARE(rgb->channels, 3);
    QCOMPARE(rgb->width, 8);
    QCOMPARE(rgb->height, 4);
    for (int y = 0; y < 4; ++y) {
        for (int x = 0; x < 8; ++x) {
            for (int c = 0; c < 3; ++c) {
                QCOMPARE(int(rgb->at(y, x, c)), expected8(value(y, x, c)));
            }
        }
    }
    QCOMPARE(int(rgb->at(0, 2, 0)), 0);    // 128 / 257 = 0.498
    QCOMPARE(int(rgb->at(0, 3, 0)), 1);    // 129 / 257 = 0.502
    QCOMPARE(int(rgb->at(0, 6, 0)), 128);  // 32896 = 128 * 257

    const auto grey = loadImage(dataPath("images/grey16.png"));
    QVERIFY(grey.ok());
    QCOMPARE(grey->channels, 1);
    for (int y = 0; y < 4; ++y) {
        for (int x = 0; x < 8; ++x) {
            QCOMPARE(int(grey->at(y, x, 0)), expected8(value(y, x, 0)));
        }
    }
}

void TestImageIo::alphaDropped() {
    const auto rgba = loadImage(dataPath("images/rgba.png"));
    QVERIFY(rgba.ok());
    QCOMPARE(rgba->channels, 3);
    for (int y = 0; y < 5; ++y) {
        for (int x = 0; x < 6; ++x) {
            // Colour behind alpha (even alpha 0 at (0, 0)) survives: no compositing.
            QCOMPARE(int(rgba->at(y, x, 0)), 40 * x + 3);
            QCOMPARE(int(rgba->at(y, x, 1)), 50 * y + 7);
            QCOMPARE(int(rgba->at(y, x, 2)), (x * y * 17) % 256);
        }
    }
    const auto la = loadImage(dataPath("images/grey_alpha.png"));
    QVERIFY(la.ok());
    QCOMPARE(la->channels, 1);
    for (int y = 0; y < 5; ++y) {
        for (int x = 0; x < 6; ++x) {
            QCOMPARE(int(la->at(y, x, 0)), 40 * x + 10 * y);
        }
    }
}

void TestImageIo::greyStaysGrey() {
    const auto grey = loadImage(dataPath("preprocess/resize/grey.png"));
    QVERIFY(grey.ok());
    QCOMPARE(grey->channels, 1);
    QCOMPARE(grey->width, 31);
    QCOMPARE(grey->height, 23);
    const auto rgb = convertChannels(*grey, 3);
    QCOMPARE(rgb.channels, 3);
    for (int c = 0; c < 3; ++c) {
        QCOMPARE(rgb.at(7, 9, c), grey->at(7, 9, 0));
    }
}

void TestImageIo::convertChannelsMatchesPillow() {
    const auto rgb = loadImage(dataPath("preprocess/resize/chelsea_crop.png"));
    const auto expected = loadImage(dataPath("preprocess/resize/chelsea_crop_L.png"));
    QVERIFY(rgb.ok() && expected.ok());
    const Image8 grey = convertChannels(*rgb, 1);
    QCOMPARE(grey.channels, 1);
    QVERIFY(grey.pixels == expected->pixels);
    // The rounding edge: (255, 255, 255) -> 255, (1, 0, 0) -> 0, (0, 1, 0) -> 1 (38470 + 32768).
    Image8 probe{3, 1, 3, {255, 255, 255, 1, 0, 0, 0, 1, 0}};
    const Image8 p = convertChannels(probe, 1);
    QCOMPARE(int(p.pixels[0]), 255);
    QCOMPARE(int(p.pixels[1]), 0);
    QCOMPARE(int(p.pixels[2]), 1);
}

void TestImageIo::savePngRoundTrip() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const char* file : {"preprocess/resize/noise.png", "preprocess/resize/grey.png"}) {
        const auto image = loadImage(dataPath(file));
        QVERIFY(image.ok());
        const std::string out = (dir.path() + "/out.png").toStdString();
        QVERIFY(savePng(*image, out).ok());
        const auto back = loadImage(out);
        QVERIFY(back.ok());
        QCOMPARE(back->channels, image->channels);
        QVERIFY(back->pixels == image->pixels);
    }
    const Status bad = savePng(Image8{}, (dir.path() + "/x.png").toStdString());
    QVERIFY(!bad.ok());
    const Status unwritable =
        savePng(Image8{1, 1, 1, {7}}, (dir.path() + "/no/such/dir/x.png").toStdString());
    QVERIFY(!unwritable.ok());
    QCOMPARE(unwritable.error().code, ErrorCode::Io);
}

QTEST_APPLESS_MAIN(TestImageIo)
#include "tst_image_io.moc"

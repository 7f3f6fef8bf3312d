// Decoding: broken and hostile files are refused with specific messages, header sniffing,
// 16-bit and alpha handling, Pillow's grey conversion, PNG round trip. EXIF orientation is in
// tst_exif_orientation.cpp.
// Fixtures: tools/make_bad_images.py, tools/make_preprocess_fixtures.py.

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <cstring>

#include "core/image/image_io.h"
#include "image_test_util.h"

using namespace vitscope::core;
using namespace vitscope::test;

namespace {

/// The body shared by the sniff* tests: the columns are bytes, format, width, height.
void checkSniff() {
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

/// The body shared by badImages and hostileHeaders: the columns are file and expected message.
void checkRefused() {
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

}  // namespace

class TestImageIo : public QObject {
    Q_OBJECT

private slots:
    void badImages_data();
    void badImages();
    void hostileHeaders_data();
    void hostileHeaders();
    void missingFile();
    void fileSizeLimit();
    void pixelLimitIsConfigurable();
    void sniffFixedHeaders_data();
    void sniffFixedHeaders();
    void sniffChunkedHeaders_data();
    void sniffChunkedHeaders();
    void sniffRejects_data();
    void sniffRejects();
    void truncatedPrefixesNeverCrash();
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
                               << "PNG cannot be decoded (the data is truncated)";
    QTest::newRow("text") << "not_an_image.jpg"
                          << "not a supported image (expected PNG, JPEG, BMP, WebP, TIFF or PNM; "
                             "the file starts with 54 68 69 73";
    QTest::newRow("huge png")
        << "huge_claim.png"
        << "image claims 100000x100000 pixels, more than the 100000000-pixel limit";
    QTest::newRow("huge jpeg")
        << "huge_claim.jpg"
        << "image claims 60000x60000 pixels, more than the 100000000-pixel limit";
    QTest::newRow("bmp negative") << "bmp_negative.bmp"
                                  << "BMP header declares an invalid size -64x32";
}

void TestImageIo::hostileHeaders_data() {
    // Headers that once reached the decoder unchecked (it then allocated the claimed ~900 MB or
    // more): each "image claims" message comes from the check before decoding.
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("expected");
    const QString claims = "image claims 30000x30000 pixels, more than the 100000000-pixel limit";
    QTest::newRow("jpeg 5000 segments") << "jpeg_many_segments.jpg" << claims;
    QTest::newRow("jpeg no sof")
        << "jpeg_no_sof.jpg"
        << "JPEG has no frame header (SOFn) with a size before its scan data or end, so its size "
           "cannot be checked before decoding";
    QTest::newRow("tiff duplicate tags") << "tiff_duplicate_tags.tif" << claims;
    QTest::newRow("tiff second page") << "tiff_second_page.tif" << claims;
    QTest::newRow("tiff ifd loop") << "tiff_ifd_loop.tif"
                                   << "TIFF header is truncated or corrupt, so its size cannot be "
                                      "checked before decoding";
    QTest::newRow("bigtiff") << "bigtiff_huge.tif" << claims;
    QTest::newRow("pgm long comment") << "pgm_long_comment.pgm"
                                      << "PNM header is truncated or corrupt";
    QTest::newRow("pam duplicate size") << "pam_duplicate_size.pam" << claims;
    const QString expected =
        " images are not supported (expected PNG, JPEG, BMP, WebP, TIFF or PNM)";
    QTest::newRow("hdr") << "radiance_huge.hdr"
                         << "Radiance HDR" + expected;
    QTest::newRow("pfm") << "pfm_huge.pfm"
                         << "PFM" + expected;
    QTest::newRow("sun raster") << "sunraster_huge.ras"
                                << "Sun raster" + expected;
    QTest::newRow("exr") << "openexr_magic.exr"
                         << "OpenEXR" + expected;
    QTest::newRow("jpeg 2000") << "small.jp2"
                               << "JPEG 2000" + expected;
    QTest::newRow("gif") << "small.gif"
                         << "GIF" + expected;
}

void TestImageIo::hostileHeaders() { checkRefused(); }

void TestImageIo::badImages() { checkRefused(); }

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

void TestImageIo::sniffFixedHeaders_data() {
    // Formats whose size sits at a fixed place in the header or in its first tokens.
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("format");
    QTest::addColumn<qint64>("width");
    QTest::addColumn<qint64>("height");

    std::vector<std::byte> png;
    append(png, "\x89PNG\r\n\x1a\n");
    appendBe(png, 13, 4);
    append(png, "IHDR");
    appendBe(png, 640, 4);
    appendBe(png, 480, 4);
    QTest::newRow("png") << toQByteArray(png) << "PNG" << qint64(640) << qint64(480);

    // SOI, APP0 (length 4), a fill byte, SOF2 (progressive).
    std::vector<std::byte> jpeg = bytesOf(
        {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xFF, 0xC2, 0x00, 0x07, 0x08});
    appendBe(jpeg, 300, 2);
    appendBe(jpeg, 451, 2);
    QTest::newRow("jpeg") << toQByteArray(jpeg) << "JPEG" << qint64(451) << qint64(300);

    std::vector<std::byte> bmp;
    append(bmp, "BM");
    appendLe(bmp, 0, 4);
    appendLe(bmp, 0, 4);
    appendLe(bmp, 54, 4);
    appendLe(bmp, 40, 4);
    appendLe(bmp, 123, 4);
    appendLe(bmp, static_cast<uint32_t>(-45), 4);  // top-down
    QTest::newRow("bmp top-down") << toQByteArray(bmp) << "BMP" << qint64(123) << qint64(45);

    std::vector<std::byte> gif;
    append(gif, "GIF89a");
    appendLe(gif, 70000 & 0xFFFF, 2);
    appendLe(gif, 9, 2);
    QTest::newRow("gif") << toQByteArray(gif) << "GIF" << qint64(70000 & 0xFFFF) << qint64(9);

    std::vector<std::byte> pnm;
    append(pnm, "P6\n# a comment 9 9\n 17\t5\n255\n");
    QTest::newRow("ppm") << toQByteArray(pnm) << "PNM" << qint64(17) << qint64(5);
    std::vector<std::byte> pam;
    append(pam, "P7\nWIDTH 4\nHEIGHT 99999999999999999999999\nDEPTH 3\nENDHDR\n");
    QTest::newRow("pam saturates") << toQByteArray(pam) << "PNM" << qint64(4) << (qint64(1) << 40);
}

void TestImageIo::sniffChunkedHeaders_data() {
    // Formats whose size sits in a chunk or a directory entry: WebP (VP8, VP8L, VP8X), TIFF.
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("format");
    QTest::addColumn<qint64>("width");
    QTest::addColumn<qint64>("height");

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
    QTest::newRow("webp vp8") << toQByteArray(vp8) << "WebP" << qint64(1000) << qint64(700);

    std::vector<std::byte> vp8l = riff("VP8L");
    vp8l.push_back(std::byte{0x2F});
    appendLe(vp8l, (1999u) | (999u << 14), 4);
    QTest::newRow("webp vp8l") << toQByteArray(vp8l) << "WebP" << qint64(2000) << qint64(1000);

    std::vector<std::byte> vp8x = riff("VP8X");
    appendLe(vp8x, 0, 4);
    appendLe(vp8x, 16383, 3);
    appendLe(vp8x, 99999, 3);
    QTest::newRow("webp vp8x") << toQByteArray(vp8x) << "WebP" << qint64(16384) << qint64(100000);

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
            << toQByteArray(tiff) << "TIFF" << qint64(321) << qint64(123456);
    }
}

void TestImageIo::sniffRejects_data() {
    // Unknown formats and headers too short or too broken to hold the size.
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("format");
    QTest::addColumn<qint64>("width");
    QTest::addColumn<qint64>("height");

    QTest::newRow("unknown") << QByteArray("hello world") << "" << qint64(0) << qint64(0);
    QTest::newRow("short png") << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0", 18) << ""
                               << qint64(0) << qint64(0);
    QTest::newRow("jpeg length past end")
        << QByteArray("\xFF\xD8\xFF\xE0\xFF\xFF\x00", 7) << "" << qint64(0) << qint64(0);
}

void TestImageIo::sniffFixedHeaders() { checkSniff(); }

void TestImageIo::sniffChunkedHeaders() { checkSniff(); }

void TestImageIo::sniffRejects() { checkSniff(); }

void TestImageIo::truncatedPrefixesNeverCrash() {
    // Every prefix of a real JPEG (with an EXIF segment), PNG, and a PNG, WebP and TIFF with an
    // orientation: sniffing, EXIF parsing and decoding must fail or succeed cleanly. Run under
    // ASan (the asan preset) to catch overreads.
    for (const char* file :
         {"images/exif_orientation6.jpg", "images/rgb16.png", "images/orient7x5_o6.png",
          "images/orient7x5_o6.webp", "images/orient7x5_o6.tif"}) {
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
